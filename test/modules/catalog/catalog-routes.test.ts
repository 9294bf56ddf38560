import t from 'tap';
import type { Store, Term } from 'n3';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { datasetBody } from '../../helpers/datasets.js';
import { publishing } from '../reconciliation/publishing.js';
import { findAgencyId } from '../../../src/modules/agencies/repository.js';
import { insertDataset } from '../../../src/modules/datasets/repository.js';
import { parseJsonLd, parseTurtle, validateDcatAp } from './shacl.js';

const BASE = 'https://satudata.kaltaraprov.go.id/exchange';
const ctx = await createTestApp(t, { PUBLIC_BASE_URL: BASE, CATALOG_PUBLISHER_NAME: 'Diskominfo Provinsi Kalimantan Utara' });
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const { publish } = await publishing(ctx);

const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const objects = (store: Store, s: string | Term, p: string) => store.getObjects(s, p, null).map((o) => o.value);

// An open dataset with published figures for two kecamatan and the city itself in 2024 and 2025.
const open = await publish(
  producer.auth,
  [
    { indicator: 'PPKS-06', region: '65.71', period: '2024', value: 20 },
    { indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: 9 },
    { indicator: 'PPKS-06', region: '65.71.02', period: '2025', value: 11 },
  ],
  'terbuka',
);
const create = async (title: string, access_classification: string) => {
  const res = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, title, access_classification } });
  return res.json().id as string;
};
const restricted = await create('Data terbatas Tarakan', 'terbatas');
const closed = await create('Data tertutup Tarakan', 'tertutup');
const OPEN = `${BASE}/v1/datasets/${open}`;

t.test('anonymous JSON-LD: only open datasets, conforming to DCAT-AP 3, with their coverage', async (t) => {
  const res = await app.inject({ url: '/v1/catalog' });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^application\/ld\+json/);
  t.notOk(res.body.includes(restricted) || res.body.includes(closed), 'terbatas and tertutup datasets never appear');
  t.notOk(res.body.includes('Data tertutup') || res.body.includes('Data terbatas'));
  const store = await parseJsonLd(res.body);
  t.same((await validateDcatAp(store)).results, []);
  t.same(objects(store, `${BASE}/v1/catalog`, `${DCAT}dataset`), [OPEN]);
  t.same(objects(store, OPEN, `${DCT}accessRights`), ['http://publications.europa.eu/resource/authority/access-right/PUBLIC']);
  t.same(objects(store, OPEN, `${DCT}spatial`), [`${BASE}/v1/regions/65.71`], 'the city covers its kecamatan');
  const [temporal] = store.getObjects(OPEN, `${DCT}temporal`, null);
  t.same([objects(store, temporal!, `${DCAT}startDate`), objects(store, temporal!, `${DCAT}endDate`)], [['2024-01-01'], ['2025-12-31']]);
  t.same(objects(store, OPEN, `${DCAT}version`), ['1']);
  t.same(objects(store, `${BASE}/v1/catalog`, `${DCT}publisher`).flatMap((p) => objects(store, p, 'http://xmlns.com/foaf/0.1/name')), ['Diskominfo Provinsi Kalimantan Utara']);
  const links = objects(store, OPEN, `${DCAT}distribution`).flatMap((d) => objects(store, d, `${DCAT}accessURL`)).sort();
  t.same(links, [`${BASE}/sdmx/2.1/data/SATUDATA,PPKS-06,1.0`, `${BASE}/v1/figures?indicator=PPKS-06&within=65.71`, `${BASE}/v1/figures?indicator=PPKS-06&within=65.71&format=csv`]);
});

t.test('the distribution links answer a consumer with the figures of the dataset', async (t) => {
  const consumer = await ctx.login('consumer');
  const csv = await app.inject({ url: '/v1/figures?indicator=PPKS-06&within=65.71&format=csv', headers: consumer.auth });
  t.equal(csv.statusCode, 200);
  t.match(csv.body, /PPKS-06,65\.71\.01,.*,2025,.*9/);
  t.equal((await app.inject({ url: '/v1/figures?indicator=PPKS-06&within=65.71&format=csv' })).statusCode, 401, 'the data itself needs a token');
});

t.test('Turtle by Accept or format=ttl, the same graph, also conforming', async (t) => {
  const byAccept = await app.inject({ url: '/v1/catalog', headers: { accept: 'text/turtle' } });
  t.equal(byAccept.statusCode, 200);
  t.match(byAccept.headers['content-type'], /^text\/turtle/);
  const store = parseTurtle(byAccept.body);
  t.same((await validateDcatAp(store)).results, []);
  t.equal(store.size, (await parseJsonLd((await app.inject({ url: '/v1/catalog' })).body)).size);
  const byFormat = await app.inject({ url: '/v1/catalog?format=ttl', headers: { accept: 'application/ld+json' } });
  t.match(byFormat.headers['content-type'], /^text\/turtle/, 'format wins over Accept');
  t.match(byFormat.body, new RegExp(`<${BASE}/v1/catalog\\?page=1&format=ttl>`), 'the paging links keep the format');
  t.match((await app.inject({ url: '/v1/catalog', headers: { accept: 'text/html, text/turtle;q=0.9, */*;q=0.1' } })).headers['content-type'], /^text\/turtle/);
  t.match((await app.inject({ url: '/v1/catalog', headers: { accept: 'application/json' } })).headers['content-type'], /^application\/json/);
});

t.test('an Accept the catalogue cannot produce is 406 problem+json', async (t) => {
  for (const accept of ['application/rdf+xml', 'text/csv', 'text/turtle;q=0, application/ld+json;q=0, application/json;q=0']) {
    const res = await app.inject({ url: '/v1/catalog', headers: { accept, 'accept-language': 'en' } });
    t.equal(res.statusCode, 406, accept);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 406, code: 'NOT_ACCEPTABLE' });
  }
});

t.test('ETag and HEAD, as a harvester polls', async (t) => {
  const first = await app.inject({ url: '/v1/catalog' });
  const etag = first.headers.etag as string;
  t.match(etag, /^"[\w-]+"$/);
  t.equal(first.headers.vary, 'Accept');
  const again = await app.inject({ url: '/v1/catalog', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  const turtle = await app.inject({ url: '/v1/catalog', headers: { accept: 'text/turtle', 'if-none-match': etag } });
  t.equal(turtle.statusCode, 200, 'another representation, another tag');
  const head = await app.inject({ method: 'HEAD', url: '/v1/catalog' });
  t.equal(head.statusCode, 200, 'ckanext-dcat asks HEAD first');
  t.match(head.headers['content-type'], /^application\/ld\+json/);
});

t.test('bad queries: 400; a page past the end: 404', async (t) => {
  for (const q of ['page=0', 'page=abc', 'format=xml', 'limit=5']) t.equal((await app.inject({ url: `/v1/catalog?${q}` })).statusCode, 400, q);
  const past = await app.inject({ url: '/v1/catalog?page=2' });
  t.equal(past.statusCode, 404);
  t.match(past.json(), { code: 'CATALOG_PAGE_NOT_FOUND' });
});

t.test('a dataset reclassified as tertutup leaves the catalogue; reopened, it is back', async (t) => {
  const patch = (access_classification: string) => app.inject({ method: 'PATCH', url: `/v1/datasets/${open}`, headers: producer.auth, payload: { access_classification } });
  t.equal((await patch('tertutup')).statusCode, 200);
  const hidden = await app.inject({ url: '/v1/catalog' });
  t.notOk(hidden.body.includes(open));
  t.equal((await patch('terbuka')).statusCode, 200);
  t.ok((await app.inject({ url: '/v1/catalog' })).body.includes(open));
});

t.test('paging: 100 datasets a page, hydra:next to the last page, every dataset once', async (t) => {
  // Straight into the table: a hundred creations through the API would only slow the test.
  const { id: agency_id } = (await findAgencyId(ctx.database.db, 'DINSOS-6571'))!;
  const { title: _title, indicators, ...metadata } = datasetBody;
  for (let i = 0; i < 100; i++) {
    await insertDataset(ctx.database.db, { agency_id, title: `Dataset terbuka ${i}`, indicator_codes: indicators, metadata: { ...metadata, access_classification: 'terbuka' }, created_by: producer.clientId });
  }
  const seen: string[] = [];
  let url: string | undefined = `${BASE}/v1/catalog?page=1&format=ttl`;
  let pages = 0;
  while (url) {
    const res = await app.inject({ url: url.slice(BASE.length) });
    t.equal(res.statusCode, 200);
    const store = parseTurtle(res.body);
    seen.push(...objects(store, `${BASE}/v1/catalog`, `${DCAT}dataset`));
    url = objects(store, url, 'http://www.w3.org/ns/hydra/core#next')[0];
    pages++;
  }
  t.equal(pages, 2);
  t.equal(seen.length, 101);
  t.equal(new Set(seen).size, 101);
});
