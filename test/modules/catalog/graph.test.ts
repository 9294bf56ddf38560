import t from 'tap';
import { buildCatalog, type CatalogDataset, type CatalogIndicator } from '../../../src/modules/catalog/graph.js';
import { toJsonLd, toTurtle } from '../../../src/modules/catalog/serialize.js';
import { parseJsonLd, parseTurtle, validateDcatAp } from './shacl.js';
import type { Store, Term } from 'n3';

const BASE = 'https://satudata.example.go.id';

const indicator = (code: string, name: string): CatalogIndicator => ({
  code,
  name,
  name_en: `${name} (en)`,
  unit: 'orang',
  measure: 'jumlah',
  metadata: {
    konsep: 'Konsep PPKS.',
    definisi: `Definisi ${name}.`,
    interpretasi: null,
    metode_perhitungan: 'Jumlah yang tercatat.',
    klasifikasi_penyajian: [],
    indikator_komposit: false,
    indikator_pembangun: [],
    level_estimasi: 'kabkota',
    dapat_diakses_umum: true,
    sumber_data: null,
    rujukan: [],
  },
});
const indicators = new Map([
  ['PPKS-01', indicator('PPKS-01', 'Anak Balita Telantar')],
  ['PPKS-06', indicator('PPKS-06', 'Anak yang Menjadi Korban Tindak Kekerasan')],
]);

const dataset = (over: Partial<CatalogDataset> = {}): CatalogDataset => ({
  id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  title: 'Jumlah PPKS Kota Tarakan',
  indicator_codes: ['PPKS-01', 'PPKS-06'],
  metadata: {
    description: 'Pendataan PPKS tahunan.',
    reference_periods: ['2025'],
    update_schedule: 'tahunan',
    primary_source: 'Pendataan PPKS oleh TKSK',
    responsible_institution: 'Dinas Sosial Kota Tarakan',
    steward_name: 'Siti Rahmawati',
    steward_contact: 'data.dinsos@tarakankota.go.id',
    access_classification: 'terbuka',
    notes: 'Angka tahunan.',
  },
  agency: { code: 'DINSOS-6571', name: 'Dinas Sosial Kota Tarakan', jurisdiction: '65.71' },
  created_at: new Date('2026-01-05T02:00:00Z'),
  updated_at: new Date('2026-01-06T02:00:00Z'),
  published: { version: 2, at: new Date('2026-02-10T03:00:00Z') },
  periods: ['2023', '2024-Q3'],
  regions: [{ code: '65.71', name: 'Kota Tarakan' }],
  ...over,
});

const page = (number = 1, total = 1) => ({ number, size: 100, total, url: (n: number) => `${BASE}/v1/catalog?page=${n}` });
const resources = buildCatalog({ baseUrl: BASE, publisherName: 'Walidata Provinsi Kalimantan Utara', datasets: [dataset()], indicators, page: page() });

const has = (store: Store, s: string, p: string, o?: string) => store.getQuads(s, p, o ?? null, null).length > 0;
const objects = (store: Store, s: string | Term, p: string) => store.getObjects(s, p, null).map((o) => o.value);
const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DS = `${BASE}/v1/datasets/0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11`;

for (const [format, parse] of [
  ['Turtle', async () => parseTurtle(await toTurtle(resources))],
  ['JSON-LD', async () => parseJsonLd(toJsonLd(resources))],
] as const) {
  t.test(`${format}: conforms to the DCAT-AP 3 shapes and says what the metadata says`, async (t) => {
    const store = await parse();
    const report = await validateDcatAp(store);
    t.same(report.results, [], 'no SHACL result at all');
    t.ok(report.conforms);
    t.ok(has(store, `${BASE}/v1/catalog`, `${DCAT}dataset`, DS));
    t.same(objects(store, DS, `${DCT}accrualPeriodicity`), ['http://publications.europa.eu/resource/authority/frequency/ANNUAL']);
    t.same(objects(store, DS, `${DCT}accessRights`), ['http://publications.europa.eu/resource/authority/access-right/PUBLIC']);
    t.same(objects(store, DS, `${DCT}publisher`), [`${BASE}/v1/agencies/DINSOS-6571`]);
    t.same(objects(store, `${BASE}/v1/agencies/DINSOS-6571`, 'http://xmlns.com/foaf/0.1/name'), ['Dinas Sosial Kota Tarakan']);
    const [contact] = store.getObjects(DS, `${DCAT}contactPoint`, null);
    t.same(objects(store, contact!, 'http://www.w3.org/2006/vcard/ns#hasEmail'), ['mailto:data.dinsos@tarakankota.go.id']);
    t.same(objects(store, contact!, 'http://www.w3.org/2006/vcard/ns#fn'), ['Siti Rahmawati']);
    const [temporal] = store.getObjects(DS, `${DCT}temporal`, null);
    t.same(objects(store, temporal!, `${DCAT}startDate`), ['2023-01-01'], 'from the earliest published period');
    t.same(objects(store, temporal!, `${DCAT}endDate`), ['2025-12-31'], 'to the end of the last reference period');
    t.same(objects(store, DS, `${DCT}spatial`), [`${BASE}/v1/regions/65.71`]);
    const downloads = objects(store, DS, `${DCAT}distribution`).flatMap((d) => objects(store, d, `${DCAT}downloadURL`)).sort();
    t.same(downloads, [
      `${BASE}/sdmx/2.1/data/SATUDATA,PPKS-01,1.0`,
      `${BASE}/sdmx/2.1/data/SATUDATA,PPKS-06,1.0`,
      `${BASE}/v1/figures?indicator=PPKS-01&indicator=PPKS-06&within=65.71`,
      `${BASE}/v1/figures?indicator=PPKS-01&indicator=PPKS-06&within=65.71&format=csv`,
    ]);
    t.ok(has(store, DS, `${DCAT}theme`, `${BASE}/v1/indicators/PPKS-06`), 'the MS-Ind indicator is a theme');
    t.same(objects(store, `${BASE}/v1/indicators/PPKS-06`, 'http://www.w3.org/2004/02/skos/core#definition'), ['Definisi Anak yang Menjadi Korban Tindak Kekerasan.']);
  });
}

t.test('the two serialisations hold the same graph', async (t) => {
  const turtle = parseTurtle(await toTurtle(resources));
  const json = await parseJsonLd(toJsonLd(resources));
  t.equal(turtle.size, json.size);
  const named = (s: Store) => s.getQuads(null, null, null, null).filter((q) => q.subject.termType === 'NamedNode' && q.object.termType !== 'BlankNode').map((q) => `${q.subject.value} ${q.predicate.value} ${q.object.value}`).sort();
  t.same(named(turtle), named(json));
});

t.test('paging: hydra links as ckanext-dcat follows them', async (t) => {
  const HYDRA = 'http://www.w3.org/ns/hydra/core#';
  const middle = parseTurtle(await toTurtle(buildCatalog({ baseUrl: BASE, publisherName: 'x', datasets: [], indicators, page: page(2, 250) })));
  const here = `${BASE}/v1/catalog?page=2`;
  t.ok(has(middle, here, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', `${HYDRA}PagedCollection`));
  t.same(objects(middle, here, `${HYDRA}next`), [`${BASE}/v1/catalog?page=3`]);
  t.same(objects(middle, here, `${HYDRA}nextPage`), [`${BASE}/v1/catalog?page=3`]);
  t.same(objects(middle, here, `${HYDRA}previous`), [`${BASE}/v1/catalog?page=1`]);
  t.same(objects(middle, here, `${HYDRA}last`), [`${BASE}/v1/catalog?page=3`]);
  t.same(objects(middle, here, `${HYDRA}totalItems`), ['250']);
  const last = parseTurtle(await toTurtle(buildCatalog({ baseUrl: BASE, publisherName: 'x', datasets: [], indicators, page: page(3, 250) })));
  t.same(objects(last, `${BASE}/v1/catalog?page=3`, `${HYDRA}next`), [], 'no next page after the last');
});

t.test('a phone contact, no description, nothing published and many indicators still conform', async (t) => {
  const many = Array.from({ length: 51 }, (_, i) => `X-${i}`);
  const d = dataset({
    metadata: { ...dataset().metadata, description: undefined, steward_contact: '+62 812-3456-7890', update_schedule: 'insidental' },
    indicator_codes: many,
    published: null,
    periods: [],
    regions: [],
  });
  const store = parseTurtle(await toTurtle(buildCatalog({ baseUrl: BASE, publisherName: 'x', datasets: [d], indicators, page: page() })));
  t.same((await validateDcatAp(store)).results, []);
  const [contact] = store.getObjects(DS, `${DCAT}contactPoint`, null);
  t.same(objects(store, contact!, 'http://www.w3.org/2006/vcard/ns#hasTelephone'), ['tel:+6281234567890']);
  t.same(objects(store, DS, `${DCT}spatial`), [`${BASE}/v1/regions/65.71`], "the agency's jurisdiction before anything is published");
  t.same(objects(store, DS, `${DCT}accrualPeriodicity`), ['http://publications.europa.eu/resource/authority/frequency/IRREG']);
  const pulls = objects(store, DS, `${DCAT}distribution`).flatMap((x) => objects(store, x, `${DCAT}accessURL`)).filter((u) => u.includes('/v1/figures'));
  t.equal(pulls.length, 4, '51 indicators: two CSV and two JSON pulls of at most 50 indicators');
  t.match(objects(store, DS, `${DCT}description`)[0], /^Jumlah PPKS Kota Tarakan\n\nIndikator:\n- X-0/);
});

t.test('the shapes do catch what DCAT-AP forbids (the validation is not vacuous)', async (t) => {
  const broken = buildCatalog({ baseUrl: BASE, publisherName: 'x', datasets: [dataset()], indicators, page: page() });
  const ds = broken[0]!.props.find(([p]) => p === `${DCAT}dataset`)![1] as { node: { props: [string, unknown][]; types: string[] } };
  ds.node.props = ds.node.props.filter(([p]) => p !== `${DCT}title`);
  const publisher = ds.node.props.find(([p]) => p === `${DCT}publisher`)![1] as { node: { types: string[] } };
  publisher.node.types = [];
  const report = await validateDcatAp(parseTurtle(await toTurtle(broken)));
  t.notOk(report.conforms);
  t.ok(report.results.some((r) => r.focus === DS && r.path === `${DCT}title` && r.severity === 'Violation'), 'a dataset without a title');
  t.ok(report.results.some((r) => r.focus === DS && r.path === `${DCT}publisher`), 'a publisher that is not a foaf:Agent');
});
