import t from 'tap';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The "done when": a city with all 15 reconciled indicators gets a score whose
// explanation adds up by hand; a region missing a dimension gets no score; a second
// methodology changes the score and the response names it.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINSOS-6501', '65.01');
const tarakan = await ctx.login('producer', 'DINSOS-6571');
const malinau = await ctx.login('producer', 'DINSOS-6501');
const verifier = await ctx.login('walidata');
const publisher = await ctx.login('walidata');
const consumer = await ctx.login('consumer');
const producer = tarakan;

const CODES = Array.from({ length: 15 }, (_, i) => `IKS-${String(i + 1).padStart(2, '0')}`);
// Positive percentages at 50 normalise to 0.5; the negative ones are chosen to give 0.9 or 0.8.
const VALUES: Record<string, number> = { 'IKS-06': 10, 'IKS-07': 200, 'IKS-08': 20, 'IKS-12': 20 };

async function publishAll(auth: { authorization: string }, region: string, codes: string[]) {
  const created = await app.inject({
    method: 'POST',
    url: '/v1/datasets',
    headers: auth,
    payload: { ...datasetBody, title: `IKESOS ${region}`, indicators: codes, estimation_levels: ['kabkota'] },
  });
  const id = created.json().id as string;
  const observations = codes.map((indicator) => ({ indicator, region, period: '2025', value: VALUES[indicator] ?? 50 }));
  const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: auth, payload: { observations } });
  if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
  await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: verifier.auth, payload: { action: 'verify' } });
  const published = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: publisher.auth, payload: { action: 'publish' } });
  if (published.statusCode !== 200) throw new Error(published.body);
}

await publishAll(tarakan.auth, '65.71', CODES);
// Malinau reports nothing of jaminan sosial (IKS-03, IKS-04).
await publishAll(malinau.auth, '65.01', CODES.filter((c) => c !== 'IKS-03' && c !== 'IKS-04'));

type Step = { code: string; dimension: string; weight: number; normalised: number | null };
type Dim = { code: string; weight: number; score: number | null };

t.test('a city with all 15 indicators: the explanation adds up by hand, under the provisional default', async (t) => {
  const res = await app.inject({ url: '/v1/ikesos/scores/65.71/2025', headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  const e = res.json();
  t.match(e.methodology, { version: '2026.0-sementara', provisional: true, notice: { en: /Provisional/ } });
  t.same(e.coverage, { present: 15, expected: 15, share: 1 });
  t.same(e.left_out, []);
  t.equal(e.indicators.length, 15);
  t.match(e.indicators.find((i: Step) => i.code === 'IKS-12'), { value: 20, normalised: 0.8, goalposts: { min: 0, max: 100 }, provenance: { method: 'single-source', source_agency: 'DINSOS-6571' } });

  // By hand: each dimension is the weighted mean of its normalised values, the score the
  // mean of the dimensions, on 0–100.
  const dims = e.dimensions as Dim[];
  for (const d of dims) {
    const steps = (e.indicators as Step[]).filter((i) => i.dimension === d.code);
    const mean = steps.reduce((s, i) => s + i.normalised! * i.weight, 0) / steps.reduce((s, i) => s + i.weight, 0);
    t.ok(Math.abs(d.score! - mean * 100) < 1e-9, `dimension ${d.code}`);
  }
  const byHand = dims.reduce((s, d) => s + d.score!, 0) / dims.length;
  t.equal(e.score, Math.round(byHand * 100) / 100);
  // (0.6 + 0.5 + 4.7/7 + 0.5 + 0.5) / 5 = 0.554286
  t.equal(e.score, 55.43);
  t.equal(e.category, 'sedang');
  t.equal(e.compared, 5, 'ranked among the kab/kota of Kalimantan Utara');
  t.equal(e.rank, 1, 'the only one of them with a score');
});

t.test('leaving out a dimension lowers coverage and gives no score, never a number', async (t) => {
  const res = await app.inject({ url: '/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota', headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  const rows = res.json().data as { region: string; score: number | null; coverage: { present: number }; reason: string | null; rank: number | null }[];
  t.equal(rows.length, 5);
  const malinauScore = rows.find((r) => r.region === '65.01')!;
  t.equal(malinauScore.score, null);
  t.equal(malinauScore.coverage.present, 13);
  t.match(malinauScore.reason, /jaminan_sosial/);
  t.equal(malinauScore.rank, null);
  t.match(rows.find((r) => r.region === '65.71'), { score: 55.43, rank: 1 });
  t.match(rows.find((r) => r.region === '65.02'), { score: null, coverage: { present: 0 } }, 'a region without figures has no score');
});

t.test('a second methodology changes the score, and the response names it', async (t) => {
  const current = (await app.inject({ url: '/v1/ikesos/methodologies', headers: consumer.auth })).json().data[0];
  const config = {
    ...current.config,
    aggregation: { within: 'arithmetic', across: 'geometric' },
    dimensions: current.config.dimensions.map((d: Dim) => (d.code === 'perlindungan_sosial' ? { ...d, weight: 3 } : d)),
  };
  const created = await app.inject({ method: 'POST', url: '/v1/ikesos/methodologies', headers: verifier.auth, payload: { version: '2026.1', name: 'IKESOS Kaltara 2026', config } });
  t.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;
  t.equal(created.json().status, 'draft');
  t.equal((await app.inject({ method: 'POST', url: `/v1/ikesos/methodologies/${id}/activate`, headers: producer.auth })).statusCode, 403, 'a producer cannot activate');

  const draft = await app.inject({ url: `/v1/ikesos/scores/65.71/2025?methodology=${id}`, headers: consumer.auth });
  t.match(draft.json().methodology, { id, version: '2026.1', provisional: false, notice: null });
  const dims = draft.json().dimensions as Dim[];
  // Weighted geometric mean across dimensions, by hand.
  const total = dims.reduce((s, d) => s + d.weight, 0);
  const geometric = Math.exp(dims.reduce((s, d) => s + (d.weight / total) * Math.log(d.score! / 100), 0)) * 100;
  t.equal(draft.json().score, Math.round(geometric * 100) / 100);
  t.not(draft.json().score, 55.43);

  const activated = await app.inject({ method: 'POST', url: `/v1/ikesos/methodologies/${id}/activate`, headers: verifier.auth });
  t.equal(activated.statusCode, 200, activated.body);
  t.equal(activated.json().status, 'active');
  const list = (await app.inject({ url: '/v1/ikesos/methodologies', headers: consumer.auth })).json().data;
  t.same(list.map((m: { version: string; status: string }) => [m.version, m.status]), [['2026.0-sementara', 'retired'], ['2026.1', 'active']], 'exactly one active');
  const now = await app.inject({ url: '/v1/ikesos/scores/65.71/2025', headers: consumer.auth });
  t.equal(now.json().methodology.version, '2026.1');
  t.equal(now.json().score, draft.json().score);
  t.equal((await app.inject({ method: 'POST', url: `/v1/ikesos/methodologies/${id}/activate`, headers: verifier.auth })).statusCode, 409, 'only a draft can be activated');
});

t.test('a methodology that cannot be used is refused, naming the problem', async (t) => {
  const dimension = (indicators: object[], weight = 1) => ({ code: 'x', name: 'X', weight, indicators });
  const base = {
    normalisation: 'goalposts',
    aggregation: { within: 'arithmetic', across: 'arithmetic' },
    floor: 0,
    scale: { min: 0, max: 100 },
    categories: [],
    coverage: { min_dimension: 0.5, min_overall: 0.5 },
  };
  const post = (config: object, version: string) => app.inject({ method: 'POST', url: '/v1/ikesos/methodologies', headers: verifier.auth, payload: { version, name: 'Uji', config } });
  const ok = { code: 'IKS-01', direction: 'positive', weight: 1, goalposts: { min: 0, max: 100 } };
  const cases: [string, object, string, string][] = [
    ['unknown indicator', { ...base, dimensions: [dimension([{ ...ok, code: 'NOPE-1' }])] }, '/config/dimensions/0/indicators/0/code', 'unknown-code'],
    ['zero weight', { ...base, dimensions: [dimension([{ ...ok, weight: 0 }])] }, '/config/dimensions/0/indicators/0/weight', 'weight-not-positive'],
    ['negative dimension weight', { ...base, dimensions: [dimension([ok], -1)] }, '/config/dimensions/0/weight', 'weight-not-positive'],
    ['min ≥ max', { ...base, dimensions: [dimension([{ ...ok, goalposts: { min: 100, max: 100 } }])] }, '/config/dimensions/0/indicators/0/goalposts', 'min-not-below-max'],
    ['empty dimension', { ...base, dimensions: [dimension([])] }, '/config/dimensions/0/indicators', 'empty'],
    ['geometric without floor', { ...base, aggregation: { within: 'geometric', across: 'arithmetic' }, dimensions: [dimension([ok])] }, '/config/floor', 'geometric-needs-floor'],
  ];
  for (const [name, config, pointer, code] of cases) {
    const res = await post(config, `bad-${code}`);
    t.equal(res.statusCode, 422, name);
    t.match(res.json().errors, [{ pointer, code }], name);
  }
  t.equal((await post({ ...base, dimensions: [dimension([ok])] }, '2026.1')).statusCode, 409, 'a version label is used once');
});

t.test('official scores are shown beside the computed ones, and asOf reproduces the past', async (t) => {
  const loaded = await app.inject({ method: 'POST', url: '/v1/ikesos/official-scores', headers: verifier.auth, payload: { source: 'Kemensos 2025', scores: [{ region: '65.71', period: '2025', score: 50 }] } });
  t.equal(loaded.statusCode, 200, loaded.body);
  const unknown = await app.inject({ method: 'POST', url: '/v1/ikesos/official-scores', headers: verifier.auth, payload: { source: 'Kemensos 2025', scores: [{ region: '65.99', period: '2025', score: 50 }] } });
  t.equal(unknown.statusCode, 422);
  t.equal((await app.inject({ method: 'POST', url: '/v1/ikesos/official-scores', headers: consumer.auth, payload: { source: 'x', scores: [] } })).statusCode, 403);
  const e = (await app.inject({ url: '/v1/ikesos/scores/65.71/2025', headers: consumer.auth })).json();
  t.match(e.official, { score: 50, source: 'Kemensos 2025' });
  t.equal(e.official.difference, Math.round((e.score - 50) * 100) / 100);

  const first = (await app.inject({ url: '/v1/audit-log?entity_type=ikesos-methodology', headers: verifier.auth })).json().data.find((a: { action: string }) => a.action === 'ikesos.methodology-activated');
  const before = new Date(Date.parse(first.at) - 1).toISOString();
  const past = (await app.inject({ url: `/v1/ikesos/scores/65.71/2025?asOf=${encodeURIComponent(before)}`, headers: consumer.auth })).json();
  t.match(past.methodology, { version: '2026.0-sementara' });
  t.equal(past.score, 55.43, 'the score as it was before the second methodology');
  t.equal((await app.inject({ url: `/v1/ikesos/scores/65.71/2025?asOf=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, headers: consumer.auth })).statusCode, 400);
});

t.test('sensitivity: weights ±10 % and each indicator left out', async (t) => {
  const res = await app.inject({ url: '/v1/ikesos/scores/65.71/2025/sensitivity', headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  const s = res.json();
  t.equal(s.scenarios.filter((x: { kind: string }) => x.kind === 'leave-out').length, 15);
  t.equal(s.scenarios.filter((x: { kind: string }) => x.kind === 'indicator-weight').length, 30);
  t.equal(s.scenarios.filter((x: { kind: string }) => x.kind === 'dimension-weight').length, 10);
  const leaveOut = s.scenarios.find((x: { kind: string; target: string }) => x.kind === 'leave-out' && x.target === 'IKS-12');
  t.ok(leaveOut.delta < 0, 'leaving out a strong indicator lowers the score');
  t.equal(leaveOut.rank, 1);
  t.equal((await app.inject({ url: '/v1/ikesos/scores/65.99/2025/sensitivity', headers: consumer.auth })).statusCode, 404);
});
