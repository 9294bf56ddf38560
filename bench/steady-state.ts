/**
 * Steady-state benchmark: a year of monthly publishing on top of history, through the HTTP
 * API of the real server process only (so it keeps measuring while internals change).
 *
 * Every month: each province's Dinas Sosial pushes its 26 PPKS figures for every kab/kota of
 * the country (514), and the province under test (BENCH_PROVINCE) also for every desa; a
 * national walidata verifies each version and another publishes it. Then a second agency
 * (DP3AP2KB of that province) pushes the five PPKS it also produces for the same desa, a tenth
 * of them different, and its publication reconciles them against Dinas Sosial's (national
 * policy: Dinas Sosial first). Printed per month: the time of the pushes, verifications and
 * publications (wall, and CPU of the server and its database backends, which a loaded machine
 * distorts far less), the second agency's push and publish, and the server's peak memory that month;
 * then month N against month 1 (target ≤ 1.2: cost flat in history) and each month's publish
 * against its push (target ≤ 2).
 *
 * PPKS are `tahunan` in the reference catalogue, which refuses a monthly period; the national
 * walidata may change an indicator's periodicity (PATCH /v1/indicators/{code}), and a region
 * counting PPKS monthly is what it does for them here, so periods 2025-01 … 2025-12 are taken
 * (and the months of history before them, BENCH_HISTORY_MONTHS, default 6).
 *
 * A publish answered 202 (a job, `Prefer: respond-async`, sent when BENCH_PREFER_ASYNC=1) is
 * followed to its end through the job's Location, so the time is the publication's either way.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:steady
 *   BENCH_MONTHS=3 BENCH_PROVINCE=65 BENCH_DEADLINE_S=1200 npm run bench:steady
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { DEFAULT_QUALITY_RULES, seriesLookback } from '../src/domain/quality-rules.js';
import { ADMIN, benchDatabase, CpuMeter, freePort, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
const PROVINCE = process.env.BENCH_PROVINCE ?? '65';
const MONTHS = Math.min(12, Number(process.env.BENCH_MONTHS ?? 12));
const DEADLINE = Date.now() + Number(process.env.BENCH_DEADLINE_S ?? 1800) * 1000;
const PREFER_ASYNC = process.env.BENCH_PREFER_ASYNC === '1';
const REQUEST_TIMEOUT_MS = 600_000;

const PPKS = Array.from({ length: 26 }, (_, i) => `PPKS-${String(i + 1).padStart(2, '0')}`);
/** The PPKS that DP3AP2KB also produces (source agency kinds in the reference catalogue). */
const SHARED = ['PPKS-06', 'PPKS-07', 'PPKS-18', 'PPKS-19', 'PPKS-23'];
/**
 * Months of 2024 pushed and published before the measured year, not measured: the plausibility
 * checks read each series' periods back as far as they look (seriesLookback: 5 with the default
 * rules), so until that much history exists every month reads one period more than the last.
 * The year is measured on top of that much history and one month more: a steady state.
 */
const HISTORY = Math.min(12, Math.max(0, Number(process.env.BENCH_HISTORY_MONTHS ?? seriesLookback(DEFAULT_QUALITY_RULES) + 1)));
const PERIODS = [
  ...Array.from({ length: HISTORY }, (_, i) => `2024-${String(13 - HISTORY + i).padStart(2, '0')}`),
  ...Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`),
];

/** The tables that grow with every month, with their indexes and TOAST: what a year of this adds. */
const GROWING = ['observations', 'reconciled_figures', 'figure_changes', 'published_candidates', 'findings', 'conflicts', 'audit_log'];

let port = 0;

let retried = 0;

/** A 503 (the shared machine's database too slow to hand out a connection) changed nothing: tried again, and counted. */
async function request(auth: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(typeof body === 'string' ? { 'content-type': 'text/csv' } : body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status !== 503 || attempt === 5) return res;
    await res.body?.cancel();
    retried++;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function api(auth: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await request(auth, method, path, body);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return (await res.json()) as Record<string, unknown>;
}

/** A 202 is a job: waits for it to end and gives its outcome, as a 200/201 gives it at once. */
async function settled(auth: string, label: string, res: Response): Promise<Record<string, unknown>> {
  if (res.status === 202) {
    const location = res.headers.get('location');
    if (!location) throw new Error(`${label}: 202 without a Location`);
    for (;;) {
      const job = await api(auth, 'GET', location);
      if (job.status === 'succeeded') return (job.report ?? job.result ?? job) as Record<string, unknown>;
      if (job.status === 'failed') throw new Error(`${label}: job failed ${JSON.stringify(job.problem)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!res.ok) throw new Error(`${label}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return (await res.json()) as Record<string, unknown>;
}

async function regionsAt(auth: string, level: string, within?: string): Promise<string[]> {
  const codes: string[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page = await api(auth, 'GET', `/v1/regions?level=${level}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    codes.push(...(page.data as { code: string }[]).map((r) => r.code).filter((c) => !within || c.startsWith(`${within}.`)));
    cursor = (page.page as { next_cursor: string | null }).next_cursor;
  }
  return codes;
}

/** Plausible monthly counts: each key drifts a little from month to month. */
function value(indicator: string, region: string, month: number): number {
  let h = 2166136261;
  for (const c of `${indicator}|${region}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 40) + 20 + (month % 3);
}

function csv(indicators: string[], regions: string[], month: number, differ = (_: number) => false): string {
  const lines = ['indicator,region,period,value'];
  let n = 0;
  for (const region of regions) for (const indicator of indicators) lines.push(`${indicator},${region},${PERIODS[month]},${value(indicator, region, month) + (differ(n++) ? 7 : 0)}`);
  return `${lines.join('\n')}\n`;
}

/** Peak resident memory since the last reset, then resets it (Linux: clear_refs 5 resets VmHWM). */
async function takePeakRssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

/** Servers still running if the bench fails, stopped on the way out so none outlives it. */
const running = new Set<ChildProcess>();
const serve = async (serverEnv: Record<string, string>) => {
  const started = await startServer(serverEnv, port);
  running.add(started.child);
  started.child.once('exit', () => running.delete(started.child));
  return started;
};

const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

interface Session {
  id: string;
  secret: string;
  auth: string;
}

interface Producer {
  agency: string;
  session: Session;
  dataset: string;
  regions: string[];
  indicators: string[];
}

const { env, cleanup } = await benchDatabase(serverUrl);
port = await freePort();
const loadBefore = await load();
try {
  // Pushes answered synchronously, so a push's request time is its work.
  // One address stands for 41 agencies' systems here, each taking a token every month.
  const serverEnv = { ...env, PUSH_ASYNC_ROWS: '100000000', DB_CONNECT_TIMEOUT_MS: '30000', TOKEN_RATE_LIMIT_PER_ADDRESS: '0' };
  const first = await serve(serverEnv);
  const admin = await token(port, ADMIN.id, ADMIN.secret);

  for (const code of PPKS) await api(admin, 'PATCH', `/v1/indicators/${code}`, { periodicity: 'bulanan' });
  for (const code of SHARED) {
    await api(admin, 'PUT', `/v1/indicators/${code}/reconciliation-policy`, { tolerance: { absolute: 0, relative: 0 }, priority: ['DINSOS'], method: 'manual', requires_confirmation: false });
  }
  // Tokens expire within the year's run: each client's is taken again before every month.
  const sessions: Session[] = [];
  const client = async (role: string, agency?: string): Promise<Session> => {
    const created = (await api(admin, 'POST', '/v1/clients', { name: `bench ${role} ${agency ?? 'nasional'}`, role, ...(agency && { agency }) })) as { client: { client_id: string }; client_secret: string };
    const session = { id: created.client.client_id, secret: created.client_secret, auth: await token(port, created.client.client_id, created.client_secret) };
    sessions.push(session);
    return session;
  };
  const verifier = await client('walidata');
  const publisher = await client('walidata');

  const kabkota = await regionsAt(admin, 'kabkota');
  const desa = await regionsAt(admin, 'desa', PROVINCE);
  if (desa.length === 0) throw new Error(`BENCH_PROVINCE=${PROVINCE}: no desa`);
  const provinces = [...new Set(kabkota.map((c) => c.slice(0, 2)))];

  const producer = async (agency: string, kind: string, prov: string, regions: string[], indicators: string[], levels: string[]): Promise<Producer> => {
    await api(admin, 'POST', '/v1/agencies', { code: agency, name: `${kind} ${prov}`, kind, jurisdiction_region_code: prov });
    const session = await client('producer', agency);
    const dataset = await api(session.auth, 'POST', '/v1/datasets', {
      title: `PPKS bulanan ${agency}`,
      indicators,
      reference_periods: PERIODS,
      update_schedule: 'bulanan',
      primary_source: 'Pendataan PPKS bulanan',
      responsible_institution: `${kind} ${prov}`,
      steward_name: 'Petugas Data',
      steward_contact: 'data@example.go.id',
      access_classification: 'terbatas',
      estimation_levels: levels,
    });
    return { agency, session, dataset: dataset.id as string, regions, indicators };
  };
  const dinsos: Producer[] = [];
  for (const prov of provinces) {
    const own = kabkota.filter((c) => c.startsWith(`${prov}.`));
    dinsos.push(await producer(`DINSOS-${prov}`, 'DINSOS', prov, prov === PROVINCE ? [...own, ...desa] : own, PPKS, prov === PROVINCE ? ['kabkota', 'desa'] : ['kabkota']));
  }
  const second = await producer(`DP3AP2KB-${PROVINCE}`, 'DP3AP2KB', PROVINCE, desa, SHARED, ['desa']);

  // A server in service has loaded its reference data long ago: the year runs on a restarted one.
  await stopServer(first.child);
  const { child } = await serve(serverEnv);
  await takePeakRssMiB(child.pid);
  const meter = await CpuMeter.start(child.pid!, env.DATABASE_URL);

  const push = async (p: Producer, month: number, differ?: (n: number) => boolean) => {
    const report = await settled(p.session.auth, `push ${p.agency}`, await request(p.session.auth, 'POST', `/v1/datasets/${p.dataset}/versions`, csv(p.indicators, p.regions, month, differ)));
    if (report.status !== 'submitted') throw new Error(`push ${p.agency} ${PERIODS[month]}: ${JSON.stringify(report).slice(0, 500)}`);
    return report.version as number;
  };
  const review = async (walidata: Session, p: Producer, version: number, action: 'verify' | 'publish') => {
    const headers: Record<string, string> = action === 'publish' && PREFER_ASYNC ? { prefer: 'respond-async' } : {};
    return settled(walidata.auth, `${action} ${p.agency} v${version}`, await request(walidata.auth, 'POST', `/v1/datasets/${p.dataset}/versions/${version}/review`, { action }, headers));
  };
  /** Wall ms, and CPU ms of the server and its database backends (the figure a loaded machine distorts least). */
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<[T, number, number]> => {
    await meter.mark();
    const started = performance.now();
    const result = await work();
    const wall = performance.now() - started;
    const cpu = await meter.read();
    console.error(`  ${label}: ${Math.round(wall)} ms wall; CPU ms: server ${cpu.server}, database ${cpu.database}`);
    return [result, wall, cpu.server + cpu.database];
  };

  /**
   * Waits until the server and its database have been idle for a second (under 50 ms of CPU)
   * or 120 s have passed, and returns the CPU ms that took. What a publication leaves to do in
   * the background (webhook events derived from its figure changes, statistics) is then done
   * before the next step, as it is when agencies publish hours or weeks apart, instead of
   * landing in the next step's measure; it is printed as its own column.
   */
  const settle = async (): Promise<number> => {
    await meter.mark();
    const until = Date.now() + 120_000;
    let before = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const { server, database } = await meter.read();
      if (server + database - before < 50 || Date.now() > until) return server + database;
      before = server + database;
    }
  };

  const rows: Record<string, string | number>[] = [];
  const rowsPerMonth = dinsos.reduce((n, p) => n + p.regions.length * p.indicators.length, 0);
  let conflicts = 0;
  for (let month = 0; month < HISTORY + MONTHS; month++) {
    if (Date.now() > DEADLINE) {
      console.error(`BENCH_DEADLINE_S reached after ${month - HISTORY} measured month(s): stopping`);
      break;
    }
    const background = await settle();
    for (const session of sessions) session.auth = await token(port, session.id, session.secret);
    const versions = new Map<Producer, number>();
    const [, pushMs, pushCpu] = await timed('push', async () => {
      for (const p of dinsos) versions.set(p, await push(p, month));
    });
    const [, verifyMs] = await timed('verify', async () => {
      for (const p of dinsos) await review(verifier, p, versions.get(p)!, 'verify');
    });
    const [, publishMs, publishCpu] = await timed('publish', async () => {
      for (const p of dinsos) await review(publisher, p, versions.get(p)!, 'publish');
    });
    const backgroundOfPublications = await settle();
    const [secondVersion, secondPushMs] = await timed('2nd push', () => push(second, month, (n) => n % 10 === 0));
    await review(verifier, second, secondVersion, 'verify');
    const [published, secondPublishMs, secondPublishCpu] = await timed('2nd publish', () => review(publisher, second, secondVersion, 'publish'));
    conflicts = (published.reconciliation as { conflicts?: number } | null)?.conflicts ?? conflicts;
    const row = {
      month: PERIODS[month]!,
      'push ms': Math.round(pushMs),
      'verify ms': Math.round(verifyMs),
      'publish ms': Math.round(publishMs),
      'publish/push': (publishMs / pushMs).toFixed(2),
      '2nd push ms': Math.round(secondPushMs),
      '2nd publish ms': Math.round(secondPublishMs),
      'push CPU ms': pushCpu,
      'publish CPU ms': publishCpu,
      'publish/push CPU': (publishCpu / pushCpu).toFixed(2),
      '2nd publish CPU ms': secondPublishCpu,
      // The background work before this month (the previous one's second publication) and after its publications.
      'background CPU ms': background + backgroundOfPublications,
      'peak RSS MiB': await takePeakRssMiB(child.pid),
    };
    if (month >= HISTORY) rows.push(row);
    console.error(`${PERIODS[month]} done${month < HISTORY ? ' (history, not measured)' : ''} (${JSON.stringify(row)})`);
  }
  await meter.stop();
  await stopServer(child);
  // What a year of this costs on disk, for the national-scale estimate (bench/README.md).
  const storage = env.DATABASE_URL ? await databaseSize(env.DATABASE_URL) : undefined;

  console.log(`\nSatu Data Exchange — steady-state benchmark (${serverUrl ? 'postgres' : 'pglite'}, node ${process.version})`);
  console.log(
    `a month: ${rowsPerMonth.toLocaleString('en')} observations in ${dinsos.length} pushes (514 kab/kota × 26 PPKS, and ${desa.length} desa of ${PROVINCE} × 26 PPKS), ` +
      `then ${(second.regions.length * SHARED.length).toLocaleString('en')} of a second agency (a tenth differing), after ${HISTORY} month(s) of history; load before ${loadBefore}, after ${await load()}`,
  );
  console.table(rows);
  const firstMonth = rows[0];
  const lastMonth = rows.at(-1);
  if (firstMonth && lastMonth && rows.length > 1) {
    const ratio = (key: string) => (Number(lastMonth[key]) / Number(firstMonth[key])).toFixed(2);
    console.log(`month ${rows.length} / month 1, wall: push ${ratio('push ms')}, publish ${ratio('publish ms')}, 2nd publish ${ratio('2nd publish ms')} (target ≤ 1.2)`);
    console.log(`month ${rows.length} / month 1, CPU (server + database): push ${ratio('push CPU ms')}, publish ${ratio('publish CPU ms')}, 2nd publish ${ratio('2nd publish CPU ms')} (target ≤ 1.2)`);
  }
  if (rows.length >= 6) {
    // A single month moves by ±10–20 % between runs on a shared machine; three against three shows a trend better.
    const mean = (part: typeof rows, key: string) => part.reduce((n, r) => n + Number(r[key]), 0) / part.length;
    const trend = (key: string) => (mean(rows.slice(-3), key) / mean(rows.slice(0, 3), key)).toFixed(2);
    console.log(`last 3 months / first 3, wall: push ${trend('push ms')}, publish ${trend('publish ms')}, 2nd publish ${trend('2nd publish ms')}; CPU: push ${trend('push CPU ms')}, publish ${trend('publish CPU ms')}, 2nd publish ${trend('2nd publish CPU ms')}, background ${trend('background CPU ms')}`);
  }
  const worst = (key: string) => Math.max(...rows.map((r) => Number(r[key]))).toFixed(2);
  if (storage) {
    console.log(
      `stored: ${storage.observations.toLocaleString('en')} observations, ${storage.figures.toLocaleString('en')} figures (${storage.current.toLocaleString('en')} current), ` +
        `${storage.changes.toLocaleString('en')} feed entries; database ${(storage.bytes / 2 ** 20).toFixed(0)} MiB, of which the tables that grow ${(storage.growing / 2 ** 20).toFixed(0)} MiB ` +
        `(${Math.round(storage.growing / storage.observations)} bytes per observation: ${storage.tables})`,
    );
  }
  console.log(`publish / push, worst month: wall ${worst('publish/push')}, CPU ${worst('publish/push CPU')} (target ≤ 2); conflicts left by the last reconciliation: ${conflicts}; requests retried after a 503: ${retried}`);
} finally {
  for (const child of running) await stopServer(child);
  await cleanup();
}

async function databaseSize(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string; growing: string; tables: string; observations: string; figures: string; current: string; changes: string }>(`
      select pg_database_size(current_database()) as bytes,
        (select sum(pg_total_relation_size(t::regclass)) from unnest($1::text[]) t) as growing,
        (select string_agg(t || ' ' || round(pg_total_relation_size(t::regclass) / 1048576.0)::text || ' MiB', ', ') from unnest($1::text[]) t) as tables,
        (select count(*) from observations) as observations,
        (select count(*) from reconciled_figures) as figures,
        (select count(*) from reconciled_figures where valid_to is null) as current,
        (select count(*) from figure_changes) as changes`, [GROWING]);
    const r = rows[0]!;
    return { bytes: Number(r.bytes), growing: Number(r.growing), tables: r.tables, observations: Number(r.observations), figures: Number(r.figures), current: Number(r.current), changes: Number(r.changes) };
  } finally {
    await client.end();
  }
}
