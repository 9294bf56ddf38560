import t from 'tap';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINKES-6571', '65.71', 'DINKES');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DINKES-6571');
const walidata = await ctx.login('walidata');
const consumer = await ctx.login('consumer');


async function create(body: object, auth = producer.auth) {
  return app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: body });
}

t.test('a producer creates a dataset for its own agency, audited', async (t) => {
  const res = await create(datasetBody);
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.equal(body.agency, 'DINSOS-6571');
  t.same(body.indicators, ['PPKS-01', 'PPKS-06']);
  t.equal(body.steward_contact, 'data.dinsos@tarakankota.go.id');
  t.equal(body.latest_version, null);
  t.equal(res.headers.location, `/v1/datasets/${body.id}`);
  const audit = await sql<{ action: string; actor_id: string }>`select action, actor_id from audit_log where entity_id = ${body.id}`.execute(ctx.database.db);
  t.same(audit.rows, [{ action: 'dataset.created', actor_id: producer.clientId }]);
});

t.test('only producers create datasets; unknown indicators are 422; schema errors 400', async (t) => {
  t.equal((await create(datasetBody, walidata.auth)).statusCode, 403);
  t.equal((await create(datasetBody, consumer.auth)).statusCode, 403);
  const unknown = await create({ ...datasetBody, indicators: ['PPKS-01', 'NOPE-1'] });
  t.equal(unknown.statusCode, 422);
  t.same(unknown.json().errors.map((e: { pointer: string }) => e.pointer), ['/indicators/1']);
  t.equal((await create({ ...datasetBody, access_classification: 'rahasia' })).statusCode, 400);
  t.equal((await create({ ...datasetBody, nik: '3571234567890001' })).statusCode, 400);
  const { indicators: _drop, ...noIndicators } = datasetBody;
  t.equal((await create(noIndicators)).statusCode, 400);
});

t.test('visibility: restricted datasets are hidden from consumers and other agencies', async (t) => {
  const restricted = (await create({ ...datasetBody, title: 'Terbatas' })).json();
  const open = (await create({ ...datasetBody, title: 'Terbuka', access_classification: 'terbuka' })).json();
  const get = (id: string, auth: Record<string, string>) => app.inject({ url: `/v1/datasets/${id}`, headers: auth });
  t.equal((await get(restricted.id, producer.auth)).statusCode, 200);
  t.equal((await get(restricted.id, walidata.auth)).statusCode, 200);
  t.equal((await get(restricted.id, consumer.auth)).statusCode, 404);
  t.equal((await get(restricted.id, otherProducer.auth)).statusCode, 404);
  t.equal((await get(open.id, consumer.auth)).statusCode, 200);
  const list = await app.inject({ url: '/v1/datasets', headers: consumer.auth });
  const ids = list.json().data.map((d: { id: string }) => d.id);
  t.ok(ids.includes(open.id));
  t.notOk(ids.includes(restricted.id));
  t.equal((await get('00000000-0000-0000-0000-000000000000', walidata.auth)).statusCode, 404);
  t.equal((await get('not-a-uuid', walidata.auth)).statusCode, 400);
});

t.test('list filters and pages newest first', async (t) => {
  const list = await app.inject({ url: '/v1/datasets?agency=DINSOS-6571&indicator=PPKS-06&status=none&limit=1', headers: walidata.auth });
  t.equal(list.statusCode, 200);
  const first = list.json();
  t.equal(first.data.length, 1);
  t.ok(first.page.next_cursor);
  const second = await app.inject({ url: `/v1/datasets?agency=DINSOS-6571&limit=1&cursor=${first.page.next_cursor}`, headers: walidata.auth });
  t.not(second.json().data[0].id, first.data[0].id);
  t.ok(Date.parse(second.json().data[0].created_at) <= Date.parse(first.data[0].created_at));
  const none = await app.inject({ url: '/v1/datasets?indicator=IKS-01', headers: walidata.auth });
  t.same(none.json().data, []);
  t.equal((await app.inject({ url: '/v1/datasets?cursor=garbage', headers: walidata.auth })).statusCode, 400);
});

t.test('PATCH: owner only, merges metadata, audited with before and after', async (t) => {
  const created = (await create(datasetBody)).json();
  const url = `/v1/datasets/${created.id}`;
  const forbidden = await app.inject({ method: 'PATCH', url, headers: walidata.auth, payload: { notes: 'x' } });
  t.equal(forbidden.statusCode, 403);
  const notOwner = await app.inject({ method: 'PATCH', url, headers: otherProducer.auth, payload: { notes: 'x' } });
  t.equal(notOwner.statusCode, 404, 'another agency cannot even see a restricted dataset');
  const res = await app.inject({ method: 'PATCH', url, headers: producer.auth, payload: { steward_contact: '+62 812-3456-7890', notes: 'Diperbarui' } });
  t.equal(res.statusCode, 200);
  t.equal(res.json().steward_contact, '+62 812-3456-7890');
  t.equal(res.json().primary_source, datasetBody.primary_source, 'untouched fields stay');
  const audit = await app.inject({ url: `/v1/audit-log?entity_type=dataset&entity_id=${created.id}`, headers: walidata.auth });
  const entry = audit.json().data[0];
  t.equal(entry.action, 'dataset.updated');
  t.equal(entry.before.steward_contact, datasetBody.steward_contact);
  t.equal(entry.after.steward_contact, '+62 812-3456-7890');
  t.equal((await app.inject({ method: 'PATCH', url, headers: producer.auth, payload: {} })).statusCode, 400);
  t.equal((await app.inject({ method: 'PATCH', url, headers: producer.auth, payload: { indicators: ['XX-1'] } })).statusCode, 422);
});
