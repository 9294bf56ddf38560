import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing, type Auth } from './publishing.js';

// The conflicts API as a walidata works it: finding the conflicts, weighing each candidate
// and the findings on it, deciding, taking a decision back, and the conflict reopening by
// itself when an agency publishes a different figure. And the policy that governs it.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
await createAgency(ctx, 'DISDUKCAPIL-6571', '65.71', 'DISDUKCAPIL');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const disdukcapil = await ctx.login('producer', 'DISDUKCAPIL-6571');
const { verifier: walidata, publish, revise } = await publishing(ctx);
const consumer = await ctx.login('consumer');

// Kota Tarakan has 123,135 women: both sex=P figures are above it, so each candidate there
// carries an AN_ABOVE_POPULATION finding; the sex=L figures carry none.
const dinsosDataset = await publish(dinsos.auth, [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 100, sex: 'L', note: 'hasil pendataan TKSK' },
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 130000, sex: 'P' },
]);
const dp3Dataset = await publish(dp3.auth, [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 110, sex: 'L', obs_status: 'P', note: 'sementara' },
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 130500, sex: 'P' },
]);
await publish(dinsos.auth, [{ indicator: 'PPKS-07', region: '65.71.01', period: '2024', value: 5 }]);
await publish(disdukcapil.auth, [{ indicator: 'PPKS-07', region: '65.71.01', period: '2024', value: 8 }]);

type Conflict = { id: string; indicator: string; region: string; period: string; disaggregation: Record<string, string>; status: string };
const list = async (query: string, auth: Auth = walidata.auth) => {
  const res = await app.inject({ url: `/v1/conflicts?${query}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().data as Conflict[];
};
const keys = (data: Conflict[]) => data.map((c) => [c.indicator, c.region, c.period, c.disaggregation.sex ?? '']);
const all = await list('');
const [male, female, ppks07] = all as [Conflict, Conflict, Conflict];
const figure = async (auth: Auth = walidata.auth) =>
  (await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71&period=2025&sex=L', headers: auth })).json().data[0];
const post = (url: string, payload: object, auth: Auth = walidata.auth) => app.inject({ method: 'POST', url, headers: auth, payload });

t.test('the conflict list filters by status, indicator, region, period and agency', async (t) => {
  t.same(keys(all), [
    ['PPKS-06', '65.71', '2025', 'L'],
    ['PPKS-06', '65.71', '2025', 'P'],
    ['PPKS-07', '65.71.01', '2024', ''],
  ]);
  t.same(keys(await list('status=open')), keys(all));
  t.same(await list('status=resolved'), []);
  t.same(keys(await list('indicator=PPKS-07')), [['PPKS-07', '65.71.01', '2024', '']]);
  t.same(keys(await list('region=65.71.01')), [['PPKS-07', '65.71.01', '2024', '']], 'a kecamatan');
  t.same(keys(await list('region=65.71')), keys(all), 'a city and everything inside it');
  t.same(await list('region=65.01'), [], 'another regency');
  t.same(keys(await list('period=2024')), [['PPKS-07', '65.71.01', '2024', '']]);
  t.same(keys(await list('agency=DISDUKCAPIL-6571')), [['PPKS-07', '65.71.01', '2024', '']]);
  t.same(keys(await list('agency=DP3AP2KB-6571&indicator=PPKS-06')), [['PPKS-06', '65.71', '2025', 'L'], ['PPKS-06', '65.71', '2025', 'P']]);
  t.same(keys(await list('', disdukcapil.auth)), [['PPKS-07', '65.71.01', '2024', '']], 'a producer sees only the conflicts it is part of');
  t.same(keys(await list('agency=DP3AP2KB-6571', disdukcapil.auth)), [['PPKS-07', '65.71.01', '2024', '']], 'and cannot look at other agencies\u2019');
  const first = await app.inject({ url: '/v1/conflicts?limit=2', headers: walidata.auth });
  const second = await list(`limit=2&cursor=${first.json().page.next_cursor}`);
  t.same([...keys(first.json().data), ...keys(second)], keys(all), 'pages follow each other');
  t.equal((await app.inject({ url: '/v1/conflicts?status=closed', headers: walidata.auth })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/conflicts', headers: consumer.auth })).statusCode, 403);
});

t.test('the conflict detail shows every candidate and the findings on that breakdown only', async (t) => {
  const detail = (await app.inject({ url: `/v1/conflicts/${male.id}`, headers: walidata.auth })).json();
  const byAgency = [...detail.candidates].sort((a: { agency: string }, b: { agency: string }) => a.agency.localeCompare(b.agency));
  t.match(byAgency, [
    { agency: 'DINSOS-6571', agency_kind: 'DINSOS', dataset_id: dinsosDataset, version: 1, value: '100', obs_status: 'A', note: 'hasil pendataan TKSK', published_at: String },
    { agency: 'DP3AP2KB-6571', agency_kind: 'DP3AP2KB', dataset_id: dp3Dataset, version: 1, value: '110', obs_status: 'P', note: 'sementara', published_at: String },
  ]);
  t.same(detail.findings, [], 'the sex=P findings of the same region and year are not on the sex=L conflict');

  const women = (await app.inject({ url: `/v1/conflicts/${female.id}`, headers: walidata.auth })).json();
  t.same(women.findings.map((f: { agency: string; version: number; code: string }) => [f.agency, f.version, f.code]).sort(), [
    ['DINSOS-6571', 1, 'AN_ABOVE_POPULATION'],
    ['DP3AP2KB-6571', 1, 'AN_ABOVE_POPULATION'],
  ]);
  t.match(women.findings[0], { id: String, severity: 'warning', status: 'open', message: { id: /penduduk/, en: /population/ } });
  t.equal((await app.inject({ url: `/v1/conflicts/${ppks07.id}`, headers: dinsos.auth })).statusCode, 200, 'a candidate agency sees it');
  t.equal((await app.inject({ url: `/v1/conflicts/${male.id}`, headers: disdukcapil.auth })).statusCode, 404, 'an agency outside it does not');
});

t.test('a walidata takes a decision back with POST /reopen: the figure is disputed again', async (t) => {
  t.equal((await post(`/v1/conflicts/${male.id}/reopen`, { rationale: 'Belum ada keputusan.' })).statusCode, 409, 'an open conflict cannot be reopened');
  const resolved = await post(`/v1/conflicts/${male.id}/resolve`, { agency: 'DP3AP2KB-6571', rationale: 'Data P2TP2A lebih lengkap.' });
  t.equal(resolved.statusCode, 200, resolved.body);
  t.match(await figure(), { status: 'final', value: '110', method: 'manual', source: { agency: 'DP3AP2KB-6571' } });

  t.equal((await post(`/v1/conflicts/${male.id}/reopen`, { rationale: 'ok' })).statusCode, 400, 'the rationale is not a formality');
  t.equal((await post(`/v1/conflicts/${male.id}/reopen`, {})).statusCode, 400, 'nor optional');
  t.equal((await post(`/v1/conflicts/${male.id}/reopen`, { rationale: 'Saya tidak setuju.' }, dinsos.auth)).statusCode, 403, 'a producer cannot reopen');
  const reopened = await post(`/v1/conflicts/${male.id}/reopen`, { rationale: 'DP3AP2KB merevisi angka 2025.' });
  t.equal(reopened.statusCode, 200, reopened.body);
  t.match(reopened.json(), { status: 'open', resolution: null, resolved_by: null, resolved_at: null });
  t.match(await figure(), { status: 'disputed', value: null, method: null, rationale: 'DP3AP2KB merevisi angka 2025.' });
  t.same(keys(await list('status=open&indicator=PPKS-06&period=2025')), [['PPKS-06', '65.71', '2025', 'L'], ['PPKS-06', '65.71', '2025', 'P']], 'listed as open again');

  const changes = (await app.inject({ url: '/v1/figures/changes?indicator=PPKS-06', headers: walidata.auth })).json().data;
  t.same(
    changes.filter((c: { figure: { disaggregation: { sex?: string } } }) => c.figure.disaggregation.sex === 'L').map((c: { kind: string }) => c.kind),
    ['new', 'disputed', 'resolved', 'disputed'],
    'the change feed reports the decision and its withdrawal',
  );
  const audit = (await app.inject({ url: `/v1/audit-log?entity_type=conflict&entity_id=${male.id}`, headers: walidata.auth })).json().data;
  t.match(audit[0], { action: 'conflict.reopened', actor_id: walidata.clientId, before: { status: 'resolved', resolution: { value: '110' } }, after: { status: 'open', rationale: 'DP3AP2KB merevisi angka 2025.' } });
});

t.test('resolving a resolved conflict again needs reopen: true', async (t) => {
  t.equal((await post(`/v1/conflicts/${male.id}/resolve`, { agency: 'DINSOS-6571' })).statusCode, 200);
  const refused = await post(`/v1/conflicts/${male.id}/resolve`, { agency: 'DP3AP2KB-6571' });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'CONFLICT_ALREADY_RESOLVED');
  t.match(await figure(), { value: '100', source: { agency: 'DINSOS-6571' } }, 'the refused decision changed nothing');
  const redecided = await post(`/v1/conflicts/${male.id}/resolve`, { agency: 'DP3AP2KB-6571', rationale: 'Notulen rapat 3 Mar 2026.', reopen: true });
  t.equal(redecided.statusCode, 200, redecided.body);
  t.match(redecided.json(), { status: 'resolved', resolved_by: walidata.clientId, resolution: { method: 'manual', value: '110', source: { agency: 'DP3AP2KB-6571' }, rationale: 'Notulen rapat 3 Mar 2026.', automatic: false } });
  t.match(await figure(), { status: 'final', value: '110', method: 'manual', rationale: 'Notulen rapat 3 Mar 2026.', decided_by: walidata.clientId });
});

t.test('a resolved conflict reopens by itself when a new publication changes a candidate, and only then', async (t) => {
  const resolvedAt = (await app.inject({ url: `/v1/conflicts/${male.id}`, headers: walidata.auth })).json().resolved_at as string;
  // The same figure published again: the walidata's decision still holds.
  await revise(dp3.auth, dp3Dataset, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 110, sex: 'L' }]);
  t.match((await app.inject({ url: `/v1/conflicts/${male.id}`, headers: walidata.auth })).json(), { status: 'resolved', resolved_at: resolvedAt });
  t.match(await figure(), { status: 'final', value: '110', method: 'manual' });

  // DINSOS revises its figure: the decision was about figures that no longer stand.
  await revise(dinsos.auth, dinsosDataset, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 104, sex: 'L' }]);
  const reopened = (await app.inject({ url: `/v1/conflicts/${male.id}`, headers: walidata.auth })).json();
  t.match(reopened, { status: 'open', resolution: null, resolved_by: null });
  t.ok(reopened.opened_at > resolvedAt, 'a new clock for the reopened conflict');
  t.same(reopened.candidates.map((c: { agency: string; version: number; value: string }) => [c.agency, c.version, c.value]).sort(), [
    ['DINSOS-6571', 2, '104'],
    ['DP3AP2KB-6571', 2, '110'],
  ]);
  t.match(await figure(), { status: 'disputed', value: null, conflict_id: male.id });
  const changes = (await app.inject({ url: '/v1/figures/changes?indicator=PPKS-06', headers: walidata.auth })).json().data;
  const last = changes[changes.length - 1];
  t.match(last, { kind: 'disputed', figure: { disaggregation: { sex: 'L' }, status: 'disputed' } }, 'a syncing system learns the figure is disputed again');
});

t.test('the reconciliation policy refuses bad input and only walidata or admins change it, audited', async (t) => {
  const url = '/v1/indicators/PPKS-08/reconciliation-policy';
  const good = { tolerance: { absolute: 2, relative: 0.05 }, priority: ['DINSOS'], method: 'median', requires_confirmation: true };
  const put = (payload: object, auth: Auth = walidata.auth, at = url) => app.inject({ method: 'PUT', url: at, headers: auth, payload });
  t.equal((await put({ ...good, tolerance: { absolute: -1, relative: 0 } })).statusCode, 400, 'negative tolerance');
  t.equal((await put({ ...good, tolerance: { absolute: 0, relative: 1.5 } })).statusCode, 400, 'relative tolerance above 100 %');
  t.equal((await put({ ...good, method: 'average' })).statusCode, 400, 'unknown method');
  t.equal((await put({ ...good, priorty: ['BPS'] })).statusCode, 400, 'unknown field');
  t.equal((await put({ ...good, tolerance: { ...good.tolerance, percent: 5 } })).statusCode, 400, 'unknown field inside the tolerance');
  t.equal((await put({ ...good, priority: ['DINSOS', 'DINSOS'] })).statusCode, 400, 'an agency twice in the priority');
  t.equal((await put(good, dinsos.auth)).statusCode, 403, 'a producer');
  t.equal((await put(good, consumer.auth)).statusCode, 403, 'a consumer');
  t.equal((await put(good, walidata.auth, '/v1/indicators/NOPE-99/reconciliation-policy')).statusCode, 404);
  t.match((await app.inject({ url, headers: consumer.auth })).json(), { is_default: true, policy: { method: 'manual' } }, 'nothing refused was saved');

  const saved = await put(good);
  t.equal(saved.statusCode, 200, saved.body);
  t.match(saved.json(), { indicator: 'PPKS-08', policy: good, is_default: false, updated_by: walidata.clientId });
  t.match((await app.inject({ url, headers: consumer.auth })).json(), { policy: good, is_default: false }, 'anyone signed in reads it');
  const audit = ((await app.inject({ url: '/v1/audit-log?entity_type=indicator&entity_id=PPKS-08', headers: walidata.auth })).json().data as { action: string }[]).filter(
    (a) => a.action !== 'indicator.metadata-filled',
  );
  t.equal(audit.length, 1, 'one entry (besides the shipped definitions): the refused attempts left none');
  t.match(audit[0], {
    action: 'indicator.reconciliation-policy-updated',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    before: { is_default: true, policy: { method: 'manual', priority: [] } },
    after: { is_default: false, policy: good },
  });
});
