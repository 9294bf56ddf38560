import t from 'tap';
import { sql } from 'kysely';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing } from '../reconciliation/publishing.js';

// Issue 17: a publication of one indicator leaves other indicators' pages kept, and empties
// the pages of its own. Whether a page came from memory is what the response says in
// Cache-Status (RFC 9211); a kept page must also be the right one, so bodies are compared.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const admin = await ctx.login('admin');
const consumer = await ctx.login('consumer');
const { publish, revise } = await publishing(ctx);

const sixDataset = await publish(producer.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 141 }], 'terbuka');
await publish(producer.auth, [{ indicator: 'PPKS-01', region: '65.71', period: '2025', value: 30 }], 'terbuka');

const PAGES = {
  six: '/v1/figures?indicator=PPKS-06&region=65.71',
  one: '/v1/figures?indicator=PPKS-01&region=65.71',
  all: '/v1/figures?region=65.71',
  sdmxOne: '/sdmx/2.1/data/SATUDATA,PPKS-01,1.0/all?format=csv',
} as const;
type Page = keyof typeof PAGES;

async function get(page: Page) {
  const res = await app.inject({ url: PAGES[page], headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  return { status: res.headers['cache-status'], body: res.body };
}

/** Each page twice: built (or still kept), then kept for sure. */
async function warm() {
  for (const page of Object.keys(PAGES) as Page[]) {
    await get(page);
    t.equal((await get(page)).status, 'satudata; hit', `${page} is kept once built`);
  }
}

t.test('a publication of PPKS-06 leaves the PPKS-01 pages kept and rebuilds its own', async (t) => {
  await warm();
  const one = await get('one');
  const sdmxOne = await get('sdmxOne');
  await revise(producer.auth, sixDataset, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 150 }]);

  const six = await get('six');
  t.equal(six.status, 'satudata; fwd=miss', 'the page of the published indicator is built again');
  t.match(JSON.parse(six.body).data, [{ indicator: 'PPKS-06', value: '150' }], 'with the new figure');
  t.same(await get('one'), one, 'the PPKS-01 page is served from memory, unchanged');
  t.same(await get('sdmxOne'), sdmxOne, 'and so is the SDMX answer for PPKS-01');
  const all = await get('all');
  t.equal(all.status, 'satudata; fwd=miss', 'a page of every indicator depends on all of them');
  t.match(JSON.parse(all.body).data, [{ indicator: 'PPKS-01', value: '30' }, { indicator: 'PPKS-06', value: '150' }]);
});

t.test('a statement that changes no row empties nothing', async (t) => {
  await warm();
  await sql`update reconciled_figures set value = value where indicator_code = 'NO-SUCH-INDICATOR'`.execute(ctx.database.db);
  await sql`update datasets set title = title where false`.execute(ctx.database.db);
  await app.changes.flush();
  for (const page of Object.keys(PAGES) as Page[]) t.equal((await get(page)).status, 'satudata; hit', `${page} still kept`);
});

t.test("an edit of an indicator's label rebuilds its pages only", async (t) => {
  await warm();
  const patched = await app.inject({ method: 'PATCH', url: '/v1/indicators/PPKS-01', headers: admin.auth, payload: { name: 'Anak korban tindak kekerasan (revisi)' } });
  t.equal(patched.statusCode, 200, patched.body);
  const one = await get('one');
  t.equal(one.status, 'satudata; fwd=miss');
  t.match(JSON.parse(one.body).data, [{ indicator: 'PPKS-01', indicator_name: 'Anak korban tindak kekerasan (revisi)' }], 'the new label is served at once');
  t.equal((await get('six')).status, 'satudata; hit', 'PPKS-06 pages stay kept');
});

t.test("a dataset's classification is read by every page", async (t) => {
  await warm();
  const dataset = (await app.inject({ url: `/v1/datasets/${sixDataset}`, headers: admin.auth })).json();
  const reclassified = await app.inject({ method: 'PATCH', url: `/v1/datasets/${sixDataset}`, headers: producer.auth, payload: { access_classification: 'tertutup' } });
  t.equal(reclassified.statusCode, 200, reclassified.body);
  t.not(dataset.access_classification, 'tertutup');
  const six = await get('six');
  t.equal(six.status, 'satudata; fwd=miss');
  t.same(JSON.parse(six.body).data, [], 'a consumer no longer sees the figure of a closed dataset');
  t.equal((await get('one')).status, 'satudata; fwd=miss', 'nor is any other page kept: it may show candidates of that dataset');
});
