import t from 'tap';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The bad-input and security lines of the anomaly issue, and the findings API's filters.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINSOS-6501', '65.01');
await createAgency(ctx, 'DISKOMINFO-6501', '65.01', 'DISKOMINFO');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DINSOS-6501');
const walidata = await ctx.login('walidata');
const otherWalidata = await ctx.login('walidata', 'DISKOMINFO-6501');
const consumer = await ctx.login('consumer');

const created = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, reference_periods: ['2021', '2022', '2023', '2024', '2025'] } });
const datasetId = created.json().id as string;
const values = [40, 44, 41, 43, 190];
await app.inject({
  method: 'POST',
  url: `/v1/datasets/${datasetId}/versions`,
  headers: producer.auth,
  payload: { observations: [...values.map((value, i) => ({ indicator: 'PPKS-06', region: '65.71.01', period: String(2021 + i), value })), { indicator: 'PPKS-06', region: '65.7', period: '2025', value: 1 }] },
});
// That push is rejected (a malformed region); a clean one holds the jump.
await app.inject({
  method: 'POST',
  url: `/v1/datasets/${datasetId}/versions`,
  headers: producer.auth,
  payload: { observations: values.map((value, i) => ({ indicator: 'PPKS-06', region: '65.71.01', period: String(2021 + i), value })) },
});
const list = (query: string, auth = walidata.auth) => app.inject({ url: `/v1/findings?${query}`, headers: auth });
const jump = (await list(`dataset=${datasetId}&version=2&detector=jump`)).json().data[0] as { id: string };

t.test('filters and paging', async (t) => {
  t.equal((await list(`dataset=${datasetId}&kind=rule`)).json().data[0].code, 'KR_REGION_MALFORMED');
  t.same((await list(`dataset=${datasetId}&kind=anomaly`)).json().data.map((f: { code: string; version: number }) => [f.code, f.version]).sort(), [['AN_JUMP', 1], ['AN_JUMP', 2]]);
  t.equal((await list('region=65.71&detector=jump')).json().data.length, 2, 'a region includes what lies inside it');
  t.equal((await list('region=65.01&detector=jump')).json().data.length, 0);
  t.equal((await list('severity=error')).json().data.length, 1);
  t.equal((await list('indicator=PPKS-06')).json().data.length, 2, 'anomaly findings name their indicator');
  t.equal((await list('agency=DINSOS-6571&status=open')).json().data.length, 3);
  const first = (await list(`dataset=${datasetId}&limit=1`)).json();
  const second = (await list(`dataset=${datasetId}&limit=1&cursor=${first.page.next_cursor}`)).json();
  t.not(first.data[0].id, second.data[0].id);
  t.equal((await list('cursor=nonsense')).statusCode, 400);
  t.equal((await list('detector=magic')).statusCode, 400);
  t.equal((await list('agency=DINSOS-6571', otherProducer.auth)).json().data.length, 0, "another agency's producer sees none of them");
  t.equal((await list('', consumer.auth)).statusCode, 403);
  t.equal((await app.inject({ url: `/v1/findings/${jump.id}`, headers: otherProducer.auth })).statusCode, 404);
  t.equal((await app.inject({ url: '/v1/findings/abc', headers: walidata.auth })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/findings/99999999', headers: walidata.auth })).statusCode, 404);
});

t.test('answers and decisions: who may, and what is refused', async (t) => {
  const answer = (id: string, auth: { authorization: string }, payload: object) => app.inject({ method: 'POST', url: `/v1/findings/${id}/answer`, headers: auth, payload });
  const resolve = (id: string, auth: { authorization: string }, payload: object) => app.inject({ method: 'POST', url: `/v1/findings/${id}/resolve`, headers: auth, payload });
  const foreign = await answer(jump.id, otherProducer.auth, { answer: 'Bukan urusan kami.' });
  t.equal(foreign.statusCode, 403, "answering another agency's finding");
  t.equal(foreign.json().code, 'AGENCY_SCOPE_FORBIDDEN');
  t.equal((await app.inject({ url: `/v1/findings/${jump.id}`, headers: walidata.auth })).json().status, 'open', 'nothing changed');
  t.equal((await answer(jump.id, walidata.auth, { answer: 'Walidata tidak menjawab.' })).statusCode, 403);
  t.equal((await answer(jump.id, producer.auth, { answer: '' })).statusCode, 400);
  t.equal((await answer(jump.id, producer.auth, { answer: 'ok', extra: 1 })).statusCode, 400);
  t.equal((await answer(jump.id, producer.auth, { answer: 'Penjangkauan baru.' })).statusCode, 200);
  t.equal((await resolve(jump.id, producer.auth, { status: 'explained', note: 'Saya sendiri.' })).statusCode, 403);
  const outside = await resolve(jump.id, otherWalidata.auth, { status: 'explained', note: 'Bukan wilayah saya.' });
  t.equal(outside.statusCode, 403);
  t.equal(outside.json().code, 'REVIEW_NOT_PERMITTED');
  t.equal((await resolve(jump.id, walidata.auth, { status: 'explained' })).statusCode, 400, 'a note is required');
  t.equal((await resolve(jump.id, walidata.auth, { status: 'fine', note: 'Ok.' })).statusCode, 400);
  t.match((await resolve(jump.id, walidata.auth, { status: 'explained', note: 'Diterima.' })).json(), { status: 'explained', answer: { text: 'Penjangkauan baru.' } });
  t.equal((await answer(jump.id, producer.auth, { answer: 'Tambahan.' })).statusCode, 409, 'closed');
  t.match((await resolve(jump.id, walidata.auth, { status: 'confirmed-error', note: 'Ternyata salah input.' })).json(), { status: 'confirmed-error' }, 'a decision can be revised');
  const history = (await app.inject({ url: `/v1/datasets/${datasetId}/history`, headers: producer.auth })).json().data.map((e: { action: string }) => e.action);
  t.same(history.slice(0, 3), ['finding.confirmed-error', 'finding.explained', 'finding.answered']);
  const english = await app.inject({ method: 'POST', url: `/v1/findings/${jump.id}/answer`, headers: { ...producer.auth, 'accept-language': 'en' }, payload: { answer: 'Again.' } });
  t.match(english.json().detail, /answers are taken only while a finding is open or answered/);
});

t.test('quality rules: bounds, roles, audit', async (t) => {
  const put = (payload: object, auth = walidata.auth, code = 'PPKS-06') => app.inject({ method: 'PUT', url: `/v1/indicators/${code}/quality-rules`, headers: auth, payload });
  for (const [name, payload] of [
    ['negative tolerance', { coherence: { tolerance: -0.1 } }],
    ['a ratio of 1', { jump: { max_ratio: 1 } }],
    ['an absurd z', { outlier: { max_z: 1000 } }],
    ['an unknown detector', { magic: { severity: 'error' } }],
    ['an unknown field', { jump: { threshold: 3 } }],
    ['a wrong severity', { jump: { severity: 'fatal' } }],
  ] as const) {
    t.equal((await put(payload)).statusCode, 400, name);
  }
  t.equal((await put({}, producer.auth)).statusCode, 403);
  t.equal((await put({}, consumer.auth)).statusCode, 403);
  t.equal((await put({}, walidata.auth, 'NOPE-1')).statusCode, 404);
  t.equal((await app.inject({ method: 'PUT', url: '/v1/indicators/PPKS-06/quality-rules', payload: {} })).statusCode, 401);
  const ok = await put({ jump: { max_ratio: 3 } });
  t.match(ok.json(), { rules: { jump: { severity: 'warning', max_ratio: 3, min_change: 10 } }, customised: { jump: { max_ratio: 3 } } });
  const audit = (await app.inject({ url: '/v1/audit-log?entity_type=indicator&entity_id=PPKS-06', headers: walidata.auth })).json().data[0];
  t.match(audit, { action: 'indicator.quality-rules-updated', before: { customised: {} }, after: { customised: { jump: { max_ratio: 3 } } } });
  t.same((await put({})).json().customised, {}, '{} restores the defaults');
  t.equal((await app.inject({ url: '/v1/indicators/PPKS-06/quality-rules', headers: consumer.auth })).statusCode, 200, 'anyone may read the thresholds');
});
