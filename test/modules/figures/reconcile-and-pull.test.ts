import t from 'tap';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The issue's "done when": two agencies disagree on child victims of violence for one city
// and year; the conflict is shown, resolved by priority or by a walidata, and a consumer
// pulls the figure, its provenance and its history, with each change delivered once.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const verifier = await ctx.login('walidata');
const publisher = await ctx.login('walidata');
const consumer = await ctx.login('consumer');

type Auth = { authorization: string };

async function publishFigure(producer: Auth, value: number, period = '2025', classification = 'terbatas'): Promise<void> {
  const created = await app.inject({
    method: 'POST',
    url: '/v1/datasets',
    headers: producer,
    payload: { ...datasetBody, indicators: ['PPKS-06'], reference_periods: [period], access_classification: classification },
  });
  const id = created.json().id as string;
  const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: producer, payload: { observations: [{ indicator: 'PPKS-06', region: '65.71', period, value }] } });
  if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
  await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: verifier.auth, payload: { action: 'verify' } });
  const published = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: publisher.auth, payload: { action: 'publish' } });
  if (published.statusCode !== 200) throw new Error(published.body);
}

const figure = async (period: string, auth: Auth = consumer.auth, extra = '') =>
  (await app.inject({ url: `/v1/figures?indicator=PPKS-06&region=65.71&period=${period}${extra}`, headers: auth })).json().data[0];

let cursor: string | undefined;
async function drain(): Promise<{ kind: string; value: string | null; period: string }[]> {
  const res = await app.inject({ url: `/v1/figures/changes${cursor ? `?since=${cursor}` : ''}`, headers: consumer.auth });
  cursor = res.json().next_cursor;
  return res.json().data.map((c: { kind: string; figure: { value: string | null; period: string } }) => ({ kind: c.kind, value: c.figure.value, period: c.figure.period }));
}

t.test('manual policy: a conflict is shown, the key is disputed, a walidata resolves it with a rationale', async (t) => {
  await publishFigure(dinsos.auth, 128);
  t.match(await figure('2025'), { status: 'final', value: '128', method: 'single-source', unit: 'orang', source: { agency: 'DINSOS-6571', version: 1 } });
  t.same(await drain(), [{ kind: 'new', value: '128', period: '2025' }]);

  await publishFigure(dp3.auth, 141);
  const disputed = await figure('2025');
  t.match(disputed, { status: 'disputed', value: null, method: null });
  t.notOk('candidates' in disputed, 'candidates only on request');
  const withCandidates = await figure('2025', verifier.auth, '&includeCandidates=true');
  t.same(withCandidates.candidates.map((c: { agency: string; value: string }) => [c.agency, c.value]).sort(), [['DINSOS-6571', '128'], ['DP3AP2KB-6571', '141']]);
  t.same((await figure('2025', consumer.auth, '&includeCandidates=true')).candidates, [], 'a consumer does not see the candidates of terbatas datasets');

  const conflicts = await app.inject({ url: '/v1/conflicts?status=open&indicator=PPKS-06', headers: verifier.auth });
  t.equal(conflicts.json().data.length, 1);
  const conflict = conflicts.json().data[0];
  t.match(conflict, { region: '65.71', period: '2025', proposal: null });
  const detail = await app.inject({ url: `/v1/conflicts/${conflict.id}`, headers: dinsos.auth });
  t.equal(detail.statusCode, 200, 'an agency in the conflict sees it');

  const noRationale = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: publisher.auth, payload: { value: 135 } });
  t.equal(noRationale.statusCode, 400, 'an adjudicated value needs a rationale');
  t.equal((await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: dinsos.auth, payload: { agency: 'DINSOS-6571' } })).statusCode, 403, 'a producer cannot resolve');
  const resolved = await app.inject({
    method: 'POST',
    url: `/v1/conflicts/${conflict.id}/resolve`,
    headers: publisher.auth,
    payload: { value: 135, rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.' },
  });
  t.equal(resolved.statusCode, 200, resolved.body);
  t.match(resolved.json(), { status: 'resolved', resolution: { method: 'manual', value: '135', rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.' } });
  const again = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: publisher.auth, payload: { agency: 'DINSOS-6571' } });
  t.equal(again.statusCode, 409, 'resolving twice needs reopen');
  t.match(await figure('2025'), { status: 'final', value: '135', method: 'manual', rationale: 'Notulen rapat rekonsiliasi 17 Feb 2026.', conflict_id: conflict.id, source: null });

  t.same(await drain(), [
    { kind: 'disputed', value: null, period: '2025' },
    { kind: 'resolved', value: '135', period: '2025' },
  ]);
  t.same(await drain(), [], 'nothing is delivered twice');
});

t.test('priority policy resolves automatically with method priority', async (t) => {
  const put = await app.inject({
    method: 'PUT',
    url: '/v1/indicators/PPKS-06/reconciliation-policy',
    headers: verifier.auth,
    payload: { tolerance: { absolute: 0, relative: 0 }, priority: ['DP3AP2KB', 'DINSOS'], method: 'manual', requires_confirmation: false },
  });
  t.equal(put.statusCode, 200, put.body);
  await publishFigure(dinsos.auth, 90, '2024');
  await publishFigure(dp3.auth, 97, '2024');
  t.match(await figure('2024'), { status: 'final', value: '97', method: 'priority', source: { agency: 'DP3AP2KB-6571' } });
  const conflicts = await app.inject({ url: '/v1/conflicts?period=2024', headers: verifier.auth });
  t.match(conflicts.json().data, [{ status: 'resolved', resolution: { method: 'priority', value: '97', automatic: true } }]);
  t.same(await drain(), [
    { kind: 'new', value: '90', period: '2024' },
    { kind: 'revised', value: '97', period: '2024' },
  ]);
});

t.test('consumers pull JSON and CSV with ETags, and asOf shows history', async (t) => {
  const first = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.equal(first.statusCode, 200);
  t.same(first.json().data.map((f: { period: string; value: string }) => [f.period, f.value]), [['2024', '97'], ['2025', '135']]);
  const etag = first.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const notModified = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: { ...consumer.auth, 'if-none-match': etag } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');

  const csv = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71&format=csv', headers: consumer.auth });
  t.match(csv.headers['content-type'], /text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.match(lines[0], /^indicator,region,region_name,period,/);
  t.match(lines[2], /^PPKS-06,65\.71,Kota Tarakan,2025,.*,final,135,orang,manual,/);

  const history = await app.inject({ url: '/v1/audit-log?entity_type=conflict', headers: verifier.auth });
  const resolvedAt = history.json().data.find((e: { action: string }) => e.action === 'conflict.resolved').at as string;
  const before = new Date(Date.parse(resolvedAt) - 1).toISOString();
  t.match(await figure('2025', consumer.auth, `&asOf=${encodeURIComponent(before)}`), { status: 'disputed' }, 'asOf just before the resolution: disputed');

  const series = await app.inject({ url: '/v1/figures/series?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.same(series.json().data.map((f: { period: string; method: string }) => [f.period, f.method]), [['2024', 'priority'], ['2025', 'manual']]);
});

t.test('bad input on the pull API', async (t) => {
  const bad = async (query: string) => (await app.inject({ url: `/v1/figures?${query}`, headers: consumer.auth })).statusCode;
  t.equal(await bad('cursor=not-a-cursor'), 400, 'invalid cursor');
  t.equal(await bad(`asOf=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`), 400, 'asOf in the future');
  t.equal(await bad('asOf=yesterday'), 400, 'malformed asOf');
  t.equal(await bad('limit=1001'), 400, 'page size above the maximum');
  t.equal(await bad('period=2025-13'), 400, 'malformed period');
  t.equal((await app.inject({ url: '/v1/figures/changes?since=%%%', headers: consumer.auth })).statusCode, 400, 'invalid change cursor');
  t.equal((await app.inject({ url: '/v1/figures' })).statusCode, 401);
});

t.test('figures of closed (tertutup) datasets are not served to consumers', async (t) => {
  await publishFigure(dinsos.auth, 12, '2023', 'tertutup');
  t.notOk(await figure('2023'), 'hidden from consumers');
  t.match(await figure('2023', verifier.auth), { value: '12' }, 'walidata see it');
});

t.test('a closed (tertutup) dataset that wins by priority does not leak its value to consumers', async (t) => {
  // The priority policy from above puts DP3AP2KB first; its dataset here is closed.
  await publishFigure(dinsos.auth, 40, '2022', 'terbuka');
  await publishFigure(dp3.auth, 44, '2022', 'tertutup');
  t.match(await figure('2022', verifier.auth), { status: 'final', value: '44', method: 'priority', source: { agency: 'DP3AP2KB-6571' } }, 'walidata see the chosen value');
  t.notOk(await figure('2022'), 'a consumer gets neither the closed value nor its source');
  const all = await app.inject({ url: '/v1/figures?indicator=PPKS-06&region=65.71', headers: consumer.auth });
  t.notOk(all.json().data.some((f: { period: string }) => f.period === '2022'), 'nor in a wider query');
});
