/**
 * IKESOS benchmark: every kab/kota (514) × 10 years × 15 indicators of reconciled figures,
 * then the time to compute all scores (one request per year, each scoring 514 regions) and
 * to serve one explanation and one sensitivity analysis, over HTTP against the server as
 * its own process. Baseline in the same run: the bare SQL fetch of the same figures.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ikesos
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { ADMIN, benchDatabase, freePort, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) throw new Error('BENCH_DATABASE_URL is required (the figures are loaded with SQL while the server runs)');
const YEARS = Array.from({ length: 10 }, (_, i) => String(2016 + i));

const { env, url, cleanup } = await benchDatabase(serverUrl);
const port = await freePort();
const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** One request; its time, and what the service's Cache-Status said (a list built for it, or kept). */
async function timed(path: string, auth: string): Promise<{ ms: number; cache: string | null }> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${auth}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return { ms: performance.now() - started, cache: res.headers.get('cache-status') };
}

try {
  const { child } = await startServer(env, port);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const load = performance.now();
    // Values spread inside each indicator's valid range, deterministic per key.
    await db.query(
      `insert into reconciled_figures (indicator_code, region_code, period, disagg_key, disagg, status, value, method, candidates, decided_by)
       select i.code, r.code, y.period, '', '{}'::jsonb, 'final',
              round((i.valid_min + (i.valid_max - i.valid_min) * (0.2 + 0.6 * abs(hashtext(i.code || r.code || y.period)) / 2147483647.0))::numeric, 2),
              'single-source', '[]'::jsonb, 'bench'
       from indicators i
       cross join regions r
       cross join unnest($1::text[]) as y(period)
       where i."group" = 'ikesos' and r.level = 2`,
      [YEARS],
    );
    // As autovacuum would after a load this size; without statistics the planner guesses.
    await db.query('analyze reconciled_figures');
    const loadedAt = Date.now();
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from reconciled_figures');
    console.log(`loaded ${rows[0]!.n.toLocaleString('en')} reconciled figures in ${Math.round(performance.now() - load)} ms`);

    /** The bare SQL fetch of one year's figures. */
    const bareSql = async (year: string) => {
      const started = performance.now();
      await db.query(
        `select f.region_code, f.indicator_code, f.value from reconciled_figures f join regions r on r.code = f.region_code
         where r.level = 2 and f.period = $1 and f.disagg_key = '' and f.valid_to is null`,
        [year],
      );
      return performance.now() - started;
    };
    const list = (year: string, query = '') => timed(`/v1/ikesos/scores?period=${year}&regionLevel=kabkota${query}`, auth);
    /** All scores, one request per year; the time of the ten, and the Cache-Status each was served with. */
    const allScores = async () => {
      const started = performance.now();
      const caches: (string | null)[] = [];
      for (const year of YEARS) caches.push((await list(year)).cache);
      return { ms: performance.now() - started, caches };
    };
    /** The rounds are only what they claim when every list was computed (or every list kept). */
    const expect = (what: string, caches: (string | null)[], status: string) => {
      const other = caches.filter((c) => c !== status);
      if (other.length > 0) throw new Error(`${what}: ${other.length} of ${caches.length} lists were served as ${other.join(', ')}, not ${status}`);
    };
    // A publication of one of the methodology's indicators, as reconciliation writes it: one
    // current figure rewritten (same value), which notifies the server. The probe, one region's
    // list, was kept until then; once it is computed again, the server has seen the change.
    const PROBE = '/v1/ikesos/scores?period=2016&region=11.01';
    const publish = async () => {
      await db.query(`update reconciled_figures set value = value where id = (select min(id) from reconciled_figures where indicator_code = 'IKS-01' and valid_to is null)`);
      for (let probes = 1; (await timed(PROBE, auth)).cache !== 'satudata; fwd=miss'; probes++) {
        if (probes === 1000) throw new Error('the server did not see the publication (its list of one region stayed kept)');
      }
    };

    const auth = await token(port, ADMIN.id, ADMIN.secret);
    console.log(`load average at the start: ${loadAverage()}`);
    await timed(`/v1/ikesos/scores?period=2025&regionLevel=kabkota&asOf=${new Date(loadedAt).toISOString()}`, auth); // warm-up (JIT), kept apart from what is measured
    await timed(PROBE, auth);
    // Each round: a publication of one of the methodology's indicators, after which every list
    // is computed afresh (the cost the first readers pay after each publication); then per
    // year, side by side so a busy moment of the shared machine weighs on all alike: the bare
    // SQL fetch, the list computed after the publication, and the list as of a past instant
    // (a different one each round, the same figures: computed from the figure history). Then
    // kept: the same lists again, served from memory.
    const sqlRounds: number[] = [];
    const computed: number[] = [];
    const kept: number[] = [];
    const pastRounds: number[] = [];
    const firstStart = (await allScores()).ms;
    for (let round = 0; round < 5; round++) {
      await publish();
      const asOf = `&asOf=${new Date(loadedAt + round + 1).toISOString()}`;
      let [sqlMs, freshMs, pastMs] = [0, 0, 0];
      const fresh: (string | null)[] = [];
      const past: (string | null)[] = [];
      for (const year of YEARS) {
        sqlMs += await bareSql(year);
        // Which of the two lists follows the bare fetch alternates by round.
        const freshFirst = round % 2 === 0;
        const first = await list(year, freshFirst ? '' : asOf);
        const second = await list(year, freshFirst ? asOf : '');
        const [f, p] = freshFirst ? [first, second] : [second, first];
        freshMs += f.ms;
        fresh.push(f.cache);
        pastMs += p.ms;
        past.push(p.cache);
      }
      expect('computed after a publication', fresh, 'satudata; fwd=miss');
      expect('as of a past instant', past, 'satudata; fwd=miss');
      const again = await allScores();
      expect('kept', again.caches, 'satudata; hit');
      sqlRounds.push(sqlMs);
      computed.push(freshMs);
      pastRounds.push(pastMs);
      kept.push(again.ms);
    }
    const explain: number[] = [];
    const sensitivity: number[] = [];
    for (let i = 0; i < 20; i++) {
      explain.push((await timed('/v1/ikesos/scores/65.71/2025', auth)).ms);
      sensitivity.push((await timed('/v1/ikesos/scores/65.71/2025/sensitivity', auth)).ms);
    }
    const sqlMs = percentile(sqlRounds, 50);
    // The ratio is the median of the rounds' own ratios: each round against its own bare fetch.
    const line = (what: string, xs: number[]) => {
      const median = percentile(xs, 50);
      const ratio = percentile(xs.map((x, i) => x / sqlRounds[i]!), 50);
      const met = median < 1000 && ratio <= 1.5 ? 'met' : 'NOT met';
      return `${what}: median ${Math.round(median)} ms, worst ${Math.round(Math.max(...xs))} ms, ${ratio.toFixed(2)}× the bare SQL fetch (target < 1000 ms and ≤ 1.5×: ${met})`;
    };
    console.log(`load average at the end: ${loadAverage()}`);
    console.log(`baseline, bare SQL fetch of the same figures (10 queries): median ${Math.round(sqlMs)} ms, worst ${Math.round(Math.max(...sqlRounds))} ms`);
    console.log(`all scores (514 kab/kota × 10 years, 10 requests), first after start: ${Math.round(firstStart)} ms`);
    console.log(line('all scores, computed after a publication', computed));
    console.log(line('all scores, kept (no figure of theirs changed)', kept));
    console.log(line('all scores, computed as of a past instant', pastRounds));
    console.log(`one explanation: p50 ${percentile(explain, 50).toFixed(1)} ms, p99 ${percentile(explain, 99).toFixed(1)} ms`);
    console.log(`one sensitivity analysis (55 scenarios × 5 peers): p50 ${percentile(sensitivity, 50).toFixed(1)} ms, p99 ${percentile(sensitivity, 99).toFixed(1)} ms`);
  } finally {
    await db.end();
    await stopServer(child);
  }
} finally {
  await cleanup();
}
