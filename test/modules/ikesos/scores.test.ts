import t from 'tap';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The issue's "done when": a city with all 15 reconciled indicators gets a score whose
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

type Auth = { authorization: string };

/** Pushes a version of the values (defaults above, then `values`), verified and published: reconciliation runs. */
async function publishVersion(auth: Auth, id: string, version: number, region: string, codes: string[], values: Record<string, number> = {}) {
  const observations = codes.map((indicator) => ({ indicator, region, period: '2025', value: values[indicator] ?? VALUES[indicator] ?? 50 }));
  const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: auth, payload: { observations } });
  if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
  await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/${version}/review`, headers: verifier.auth, payload: { action: 'verify' } });
  const published = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/${version}/review`, headers: publisher.auth, payload: { action: 'publish' } });
  if (published.statusCode !== 200) throw new Error(published.body);
}

async function publishAll(auth: Auth, region: string, codes: string[], values: Record<string, number> = {}, access = 'terbatas'): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/v1/datasets',
    headers: auth,
    payload: { ...datasetBody, title: `IKESOS ${region}`, indicators: codes, estimation_levels: ['kabkota'], access_classification: access },
  });
  const id = created.json().id as string;
  await publishVersion(auth, id, 1, region, codes, values);
  return id;
}

const tarakanDataset = await publishAll(tarakan.auth, '65.71', CODES);
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
  t.equal(e.compared, 1, 'of the 5 kab/kota of Kalimantan Utara only Tarakan has a score: it is compared with no one');
  t.equal(e.rank, 1, 'the only one of them with a score');
  const sensitivity = (await app.inject({ url: '/v1/ikesos/scores/65.71/2025/sensitivity', headers: consumer.auth })).json();
  t.match(sensitivity, { rank: 1, compared: 1 }, 'the sensitivity view counts the same way');
  const unscored = (await app.inject({ url: '/v1/ikesos/scores/65.01/2025', headers: consumer.auth })).json();
  t.match(unscored, { score: null, rank: null, compared: 1 }, 'a sibling without a score has no rank, and is not counted');
});

t.test('leaving out a dimension lowers coverage and gives no score, never a number', async (t) => {
  const res = await app.inject({ url: '/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota', headers: consumer.auth });
  t.equal(res.statusCode, 200, res.body);
  const rows = res.json().data as { region: string; score: number | null; coverage: { present: number }; reason: string | null; rank: number | null }[];
  t.equal(rows.length, 5);
  t.equal(res.json().compared, 1, 'five regions listed, one ranked');
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

t.test('one methodology by id, and scores filtered by region and methodology', async (t) => {
  const [first, second] = (await app.inject({ url: '/v1/ikesos/methodologies', headers: consumer.auth })).json().data as { id: string; version: string }[];
  const one = await app.inject({ url: `/v1/ikesos/methodologies/${first!.id}`, headers: consumer.auth });
  t.equal(one.statusCode, 200, one.body);
  t.match(one.json(), { id: first!.id, version: '2026.0-sementara', status: 'retired', provisional: true, config: { normalisation: 'goalposts', aggregation: { within: 'arithmetic', across: 'arithmetic' } } });
  t.equal(one.json().config.dimensions.flatMap((d: { indicators: object[] }) => d.indicators).length, 15);
  t.match((await app.inject({ url: '/v1/ikesos/methodologies/999999', headers: consumer.auth })).json(), { status: 404, code: 'METHODOLOGY_NOT_FOUND' });
  t.match((await app.inject({ url: '/v1/ikesos/methodologies/abc', headers: consumer.auth })).json(), { status: 400, code: 'VALIDATION_FAILED' });
  t.equal((await app.inject({ url: `/v1/ikesos/methodologies/${first!.id}` })).statusCode, 401);

  const scores = async (query: string) => (await app.inject({ url: `/v1/ikesos/scores?period=2025&${query}`, headers: consumer.auth })).json();
  const city = await scores('region=65.71');
  t.match(city.methodology, { version: second!.version, status: 'active' }, 'the active methodology by default');
  t.same(city.data.map((r: { region: string }) => r.region), ['65.71'], 'region= gives that region only');
  t.match(city.data[0], { rank: 1, coverage: { present: 15 } });
  const retired = await scores(`region=65.71&methodology=${first!.id}`);
  t.match(retired.methodology, { id: first!.id, version: '2026.0-sementara', status: 'retired', provisional: true });
  t.equal(retired.data[0].score, 55.43, 'a retired methodology can still be asked for by id');
  t.not(city.data[0].score, retired.data[0].score);
  t.match(await scores('region=65.71&methodology=999999'), { status: 404, code: 'METHODOLOGY_NOT_FOUND' });
  t.match(await scores('region=65'), { data: [{ region: '65', region_level: 'provinsi', score: null, coverage: { present: 0 } }] }, 'a province, with no figures of its own');
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
    ['dimension code twice', { ...base, dimensions: [dimension([ok]), dimension([{ ...ok, code: 'IKS-02' }])] }, '/config/dimensions/1/code', 'duplicate'],
    ['one indicator in two dimensions', { ...base, dimensions: [dimension([ok]), { ...dimension([ok]), code: 'y' }] }, '/config/dimensions/1/indicators/0/code', 'duplicate'],
  ];
  for (const [name, config, pointer, code] of cases) {
    const res = await post(config, `bad-${code}`);
    t.equal(res.statusCode, 422, name);
    t.same(res.json().errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]), [[pointer, code]], name);
  }
  const twice = await post({ ...base, dimensions: [dimension([ok]), { ...dimension([ok]), code: 'y' }] }, 'bad-twice');
  t.match(twice.json().errors, [{ detail: 'indikator IKS-01 muncul lebih dari sekali (dalam dimensi x dan y)' }], 'the message names both dimensions');
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
  t.equal(past.official, null, 'the official score was loaded later, so it was not there then');

  const afterFirstLoad = new Date().toISOString();
  await clockPast(afterFirstLoad);
  const reloaded = await app.inject({ method: 'POST', url: '/v1/ikesos/official-scores', headers: verifier.auth, payload: { source: 'Kemensos 2025 (ralat)', scores: [{ region: '65.71', period: '2025', score: 52 }] } });
  t.equal(reloaded.statusCode, 200, reloaded.body);
  const official = async (asOf?: string) =>
    (await app.inject({ url: `/v1/ikesos/scores?period=2025&region=65.71${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`, headers: consumer.auth })).json().data[0].official;
  t.match(await official(), { score: 52, source: 'Kemensos 2025 (ralat)' }, 'a reload replaces the official score');
  t.equal(await official(afterFirstLoad), null, 'before the reload the earlier value is not kept, so none is shown rather than one not yet published');
  t.match(await official(new Date().toISOString()), { score: 52 }, 'asOf after the reload shows it');
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

/**
 * Returns once the clock has left the millisecond of `instant` (an asOf), so whatever is
 * written next is dated after it: a condition to wait for rather than a pause that is
 * usually long enough.
 */
async function clockPast(instant: string): Promise<void> {
  while (Date.now() <= Date.parse(instant)) await new Promise((resolve) => setImmediate(resolve));
}

type Explained = { score: number | null; as_of: string | null; coverage: object; left_out: object[]; indicators: (Step & { value: number | null; left_out: string | null })[]; dimensions: (Dim & { present: number })[] };
const explain = async (asOf?: string): Promise<Explained> =>
  (await app.inject({ url: `/v1/ikesos/scores/65.71/2025${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`, headers: consumer.auth })).json();
const listed = async () => (await app.inject({ url: '/v1/ikesos/scores?period=2025&region=65.71', headers: consumer.auth })).json().data[0];

t.test('freshness: a changed figure changes the score on the next read, and asOf before the change gives the old one', async (t) => {
  const old = await explain();
  const before = new Date().toISOString();
  await clockPast(before);
  // Dinas Sosial revises PKH coverage (IKS-01) from 50 to 90 in a second version.
  await publishVersion(tarakan.auth, tarakanDataset, 2, '65.71', CODES, { 'IKS-01': 90 });
  const now = await explain();
  t.match(now.indicators.find((i) => i.code === 'IKS-01'), { value: 90, normalised: 0.9, provenance: { source_agency: 'DINSOS-6571', source_version: 2 } });
  t.ok(now.score! > old.score!, `a better figure raises the score at once (${old.score} → ${now.score})`);
  t.equal((await listed()).score, now.score, 'the list agrees with the explanation');

  const past = await explain(before);
  t.equal(past.as_of, before);
  t.equal(past.score, old.score, 'asOf before the revision: the score as it was');
  t.match(past.indicators.find((i) => i.code === 'IKS-01'), { value: 50, normalised: 0.5, provenance: { source_version: 1 } });
});

t.test('a disputed figure is left out, named with its conflict, and coverage drops until it is resolved', async (t) => {
  await createAgency(ctx, 'BPS-6571', '65.71', 'BPS');
  const bps = await ctx.login('producer', 'BPS-6571');
  const agreed = await explain();
  t.same(agreed.left_out, []);
  // BPS reports another poverty share (IKS-12) than Dinas Sosial's 20; the default policy is manual.
  await publishAll(bps.auth, '65.71', ['IKS-12'], { 'IKS-12': 30 });
  const open = (await app.inject({ url: '/v1/conflicts?status=open&indicator=IKS-12', headers: verifier.auth })).json().data as { id: string }[];
  t.equal(open.length, 1, 'the disagreement is an open conflict');

  const e = await explain();
  t.same(e.left_out, [{ indicator: 'IKS-12', reason: 'disputed', conflict_id: open[0]!.id }]);
  t.match(e.indicators.find((i) => i.code === 'IKS-12'), { value: null, normalised: null, left_out: 'disputed', provenance: { conflict_id: open[0]!.id } }, 'neither agency\'s value is used');
  t.same(e.coverage, { present: 14, expected: 15, share: 14 / 15 });
  const dim = e.dimensions.find((d) => d.code === 'perlindungan_sosial')!;
  t.equal(dim.present, agreed.dimensions.find((d) => d.code === 'perlindungan_sosial')!.present - 1, 'its dimension counts one indicator fewer');
  t.not(e.score, null, '14 of 15 is still above the coverage rule');
  t.not(e.score, agreed.score, 'the score is computed without it');
  t.match(await listed(), { score: e.score, coverage: { present: 14, expected: 15 } }, 'the list shows the lower coverage too');

  const resolved = await app.inject({ method: 'POST', url: `/v1/conflicts/${open[0]!.id}/resolve`, headers: publisher.auth, payload: { agency: 'DINSOS-6571', rationale: 'Data Dinsos hasil verifikasi lapangan.' } });
  t.equal(resolved.statusCode, 200, resolved.body);
  const after = await explain();
  t.same(after.left_out, [], 'once resolved, the figure is used again');
  t.match(after.indicators.find((i) => i.code === 'IKS-12'), { value: 20, provenance: { method: 'manual' } });
  t.equal(after.score, agreed.score);
});

type Methodology = { id: string; version: string; status: string; config: { dimensions: Dim[] } };
const methodologies = async (): Promise<Methodology[]> => (await app.inject({ url: '/v1/ikesos/methodologies', headers: consumer.auth })).json().data;
const activate = (id: string, language = 'id') => app.inject({ method: 'POST', url: `/v1/ikesos/methodologies/${id}/activate`, headers: { ...verifier.auth, 'accept-language': language } });

t.test('activation: an active or retired methodology cannot be activated again, nor an unknown one', async (t) => {
  const [retired, active] = await methodologies();
  for (const m of [active!, retired!]) {
    const res = await activate(m.id);
    t.equal(res.statusCode, 409, m.status);
    t.match(res.json(), { code: 'METHODOLOGY_NOT_DRAFT', detail: new RegExp(`"${m.status}"`) }, m.status);
  }
  t.match((await activate('999999')).json(), { status: 404, code: 'METHODOLOGY_NOT_FOUND' });
  t.same((await methodologies()).map((m) => m.status), ['retired', 'active'], 'nothing changed');
});

t.test('two drafts activated at the same moment: one gets a 409 problem, not a 500, and nothing changes', async (t) => {
  const db = ctx.database.db;
  const [, active] = await methodologies();
  const draft = async (version: string) => {
    const res = await app.inject({ method: 'POST', url: '/v1/ikesos/methodologies', headers: verifier.auth, payload: { version, name: `Uji ${version}`, config: active!.config } });
    return res.json().id as string;
  };
  const mine = await draft('race-a');
  const other = await draft('race-b');
  // The interleaving of the race, made deterministic (PGlite has one connection): right after
  // this request retires the methodology active when it started, the other walidata's
  // activation of race-b lands, so this request's own activation meets the one-active index.
  await sql`
    create function ikesos_test_other_activation() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from ikesos_methodologies where status = 'active') then
        update ikesos_methodologies set status = 'active', activated_by = 'other', activated_at = now() where id = ${sql.lit(Number(other))};
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger ikesos_test_race after update on ikesos_methodologies for each statement execute function ikesos_test_other_activation()`.execute(db);
  const res = await activate(mine, 'en').finally(async () => {
    await sql`drop trigger ikesos_test_race on ikesos_methodologies`.execute(db);
    await sql`drop function ikesos_test_other_activation()`.execute(db);
  });
  t.equal(res.statusCode, 409, res.body);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.match(res.json(), { code: 'METHODOLOGY_ACTIVATION_CONFLICT', detail: /Another methodology was activated at the same moment/ });
  t.same((await methodologies()).map((m) => [m.version, m.status]), [['2026.0-sementara', 'retired'], ['2026.1', 'active'], ['race-a', 'draft'], ['race-b', 'draft']], 'the request changed nothing');
  t.equal((await activate(mine)).statusCode, 200, 'without the race, the same request succeeds');
});

t.test('consumers are scored without figures of closed (tertutup) datasets: left out as restricted, with no value or source', async (t) => {
  // Tana Tidung: Dinas Sosial reports 14 indicators openly; BPS reports the poverty share (IKS-12)
  // only in a closed dataset. A value nothing else in the responses could produce by chance.
  await createAgency(ctx, 'DINSOS-6504', '65.04');
  await createAgency(ctx, 'BPS-6504', '65.04', 'BPS');
  const dinsos = await ctx.login('producer', 'DINSOS-6504');
  const bps = await ctx.login('producer', 'BPS-6504');
  await publishAll(dinsos.auth, '65.04', CODES.filter((c) => c !== 'IKS-12'));
  const closed = await publishAll(bps.auth, '65.04', ['IKS-12'], { 'IKS-12': 37.25 }, 'tertutup');
  const get = (url: string, auth: Auth) => app.inject({ url, headers: auth });
  const secrets = ['37.25', '0.6275', 'BPS-6504', closed];

  const walidata = (await get('/v1/ikesos/scores/65.04/2025', verifier.auth)).json();
  t.same(walidata.left_out, [], 'walidata: every figure used');
  t.same(walidata.coverage, { present: 15, expected: 15, share: 1 });
  t.match(walidata.indicators.find((i: Step) => i.code === 'IKS-12'), { value: 37.25, normalised: 0.6275, left_out: null, provenance: { source_agency: 'BPS-6504', source_dataset_id: closed } });
  t.same((await get('/v1/ikesos/scores/65.04/2025', malinau.auth)).json().coverage, walidata.coverage, 'a producer sees the score from all figures too');

  const res = await get('/v1/ikesos/scores/65.04/2025', consumer.auth);
  t.equal(res.statusCode, 200, res.body);
  const e = res.json();
  t.same(e.left_out, [{ indicator: 'IKS-12', reason: 'restricted', conflict_id: null }]);
  const step = e.indicators.find((i: Step) => i.code === 'IKS-12');
  t.match(step, { value: null, normalised: null, left_out: 'restricted' });
  t.notOk('provenance' in step, 'no source named');
  t.same(e.coverage, { present: 14, expected: 15, share: 14 / 15 }, 'counted as missing');
  t.equal(e.dimensions.find((d: Dim) => d.code === 'perlindungan_sosial').present, walidata.dimensions.find((d: Dim) => d.code === 'perlindungan_sosial').present - 1);
  t.not(e.score, null, '14 of 15 is still above the coverage rule');
  t.not(e.score, walidata.score, 'a different score than the walidata\'s');
  for (const secret of secrets) t.notOk(res.body.includes(secret), `${secret} appears nowhere in the explanation`);

  const list = await get('/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota', consumer.auth);
  const row = list.json().data.find((r: { region: string }) => r.region === '65.04');
  t.match(row, { score: e.score, rank: e.rank, coverage: { present: 14, expected: 15 } }, 'the list agrees with the explanation');
  const walidataRow = (await get('/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota', verifier.auth)).json().data.find((r: { region: string }) => r.region === '65.04');
  t.match(walidataRow, { score: walidata.score, coverage: { present: 15 } });
  for (const secret of secrets) t.notOk(list.body.includes(secret), `${secret} appears nowhere in the list`);

  const sensitivity = await get('/v1/ikesos/scores/65.04/2025/sensitivity', consumer.auth);
  t.equal(sensitivity.statusCode, 200, sensitivity.body);
  const s = sensitivity.json();
  t.equal(s.score, e.score, 'sensitivity starts from the consumer\'s score');
  t.match(s.scenarios.find((x: { kind: string; target: string }) => x.kind === 'leave-out' && x.target === 'IKS-12'), { delta: 0, rank_change: 0 }, 'leaving out an unused figure changes nothing');
  for (const secret of secrets) t.notOk(sensitivity.body.includes(secret), `${secret} appears nowhere in the sensitivity`);
  const walidataSensitivity = (await get('/v1/ikesos/scores/65.04/2025/sensitivity', verifier.auth)).json();
  t.equal(walidataSensitivity.score, walidata.score);
  t.not(walidataSensitivity.scenarios.find((x: { kind: string; target: string }) => x.kind === 'leave-out' && x.target === 'IKS-12').delta, 0, 'for walidata the closed figure counts');
});

t.test('a list gives each region the score, rank, coverage and dimensions its explanation gives', async (t) => {
  // Malinau's agencies disagree on IKS-01 (an open conflict); besides, the regions of
  // Kalimantan Utara are as the tests above left them: Tarakan complete with an official
  // score, Malinau without jaminan sosial, Tana Tidung with a closed figure, two with nothing.
  await createAgency(ctx, 'BPS-6501', '65.01', 'BPS');
  await publishAll((await ctx.login('producer', 'BPS-6501')).auth, '65.01', ['IKS-01'], { 'IKS-01': 61 });
  const [first] = await methodologies();
  // Another arithmetic too: ranges from the regions compared, geometric means.
  const observed = await app.inject({
    method: 'POST',
    url: '/v1/ikesos/methodologies',
    headers: verifier.auth,
    payload: { version: 'observed-geometric', name: 'Uji observed', config: { ...first!.config, normalisation: 'observed', aggregation: { within: 'geometric', across: 'geometric' }, floor: 0.01, coverage: { min_dimension: 0.5, min_overall: 0.5 } } },
  });
  t.equal(observed.statusCode, 201, observed.body);
  const asOf = new Date().toISOString();
  await clockPast(asOf);
  for (const [reader, auth] of [['consumer', consumer.auth], ['walidata', verifier.auth]] as const) {
    for (const query of ['', `methodology=${observed.json().id}`, `asOf=${encodeURIComponent(asOf)}`]) {
      const listed = await app.inject({ url: `/v1/ikesos/scores?period=2025&within=65&regionLevel=kabkota&${query}`, headers: auth });
      t.equal(listed.statusCode, 200, listed.body);
      const rows = listed.json().data as { region: string; dimensions: { code: string }[] }[];
      t.equal(rows.length, 5);
      for (const row of rows) {
        const e = (await app.inject({ url: `/v1/ikesos/scores/${row.region}/2025?${query}`, headers: auth })).json();
        t.same(
          row,
          {
            region: e.region,
            region_name: e.region_name,
            region_level: 'kabkota',
            score: e.score,
            category: e.category,
            rank: e.rank,
            coverage: e.coverage,
            reason: e.reason,
            dimensions: e.dimensions.map((d: Dim & { present: number; expected: number }) => ({ code: d.code, score: d.score === null ? null : Math.round(d.score * 100) / 100, present: d.present, expected: d.expected })),
            official: e.official,
          },
          `${reader} ${query || 'active'}: ${row.region}`,
        );
      }
    }
  }
  const malinau = (await app.inject({ url: '/v1/ikesos/scores/65.01/2025', headers: consumer.auth })).json();
  t.match(malinau.left_out, [{ indicator: 'IKS-01', reason: 'disputed' }, { indicator: 'IKS-03' }, { indicator: 'IKS-04' }], 'the comparison covered a disputed figure');
});
