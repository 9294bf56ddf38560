/**
 * Crash safety: ~300 small JSON pushes, a few at a time, each with its own Idempotency-Key,
 * while the server is SIGKILLed three times (and restarted) and its database connections are
 * terminated twice, at seeded random moments. Every push not acknowledged is retried with
 * its key until it is. Then the database is compared with what was acknowledged.
 *
 *   npx tsc -p tsconfig.json --outDir .bench-build && node .bench-build/bench/crash-safety.js
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server;
 * the run creates and drops its own database, sde_crash_bench. BENCH_SEED, BENCH_PUSHES,
 * BENCH_CONCURRENCY and BENCH_TIMEOUT_S vary the run. Everything listens on 127.0.0.1.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ADMIN, freePort, startServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SEED = Number(process.env.BENCH_SEED ?? 14);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const DEADLINE = Date.now() + Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
const KILLS = 3;
const TERMINATIONS = 2;
const NAME = 'sde_crash_bench';

/** mulberry32: small, seeded, good enough to place events and shape pushes reproducibly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);

const REGIONS = ['65', '65.01', '65.02', '65.03', '65.04', '65.71'];
const PERIODS = Array.from({ length: 10 }, (_, i) => String(2016 + i));

interface Push {
  key: string;
  body: { observations: { indicator: string; region: string; period: string; value: number }[] };
  sha256: string;
  acknowledged?: { version: number; replayed: boolean };
  attempts: number;
  conflicts: number;
}

function makePushes(): Push[] {
  return Array.from({ length: PUSHES }, (_, i) => {
    const cells = REGIONS.flatMap((region) => PERIODS.map((period) => ({ region, period })));
    for (let j = cells.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [cells[j], cells[k]] = [cells[k]!, cells[j]!];
    }
    const rows = 2 + Math.floor(rand() * 9);
    const observations = cells.slice(0, rows).map((c, j) => ({ indicator: 'PPKS-06', region: c.region, period: c.period, value: i * 100 + j }));
    const body = { observations };
    // The service hashes a JSON push as parsed and serialised again: the same text as here.
    return { key: `crash-${SEED}-${i}`, body, sha256: createHash('sha256').update(JSON.stringify(body)).digest('hex'), attempts: 0, conflicts: 0 };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${NAME} with (force)`);
  await admin.query(`create database ${NAME}`);
  const url = new URL(serverUrl);
  url.pathname = `/${NAME}`;
  const sql = new pg.Client({ connectionString: url.toString(), application_name: 'crash-bench' });
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const env = { DATABASE_URL: url.toString() };
    const started = await startServer(env, port);
    child = started.child;
    await sql.connect();
    const base = `http://127.0.0.1:${port}`;
    const call = async (auth: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown>, replayed: res.headers.get('idempotent-replayed') === 'true' };
    };
    const adminToken = await token(port, ADMIN.id, ADMIN.secret);
    await call(adminToken, 'POST', '/v1/agencies', { code: 'DINSOS-65', name: 'Dinas Sosial Kalimantan Utara', kind: 'DINSOS', jurisdiction_region_code: '65' });
    const client = await call(adminToken, 'POST', '/v1/clients', { name: 'SIKS Kaltara', role: 'producer', agency: 'DINSOS-65' });
    const producer = await token(port, (client.json.client as { client_id: string }).client_id, client.json.client_secret as string);
    const dataset = await call(producer, 'POST', '/v1/datasets', {
      title: 'PPKS Kalimantan Utara (crash-safety bench)',
      indicators: ['PPKS-06'],
      reference_periods: PERIODS,
      update_schedule: 'tahunan',
      primary_source: 'Pendataan PPKS',
      responsible_institution: 'Dinas Sosial Provinsi Kalimantan Utara',
      steward_name: 'Siti Rahmawati',
      steward_contact: 'data@dinsos.kaltaraprov.go.id',
      access_classification: 'terbatas',
      estimation_levels: ['provinsi', 'kabkota'],
    });
    const datasetId = dataset.json.id as string;
    if (!datasetId) throw new Error(`could not create the dataset: ${JSON.stringify(dataset.json)}`);

    // Events happen when so many pushes have been acknowledged: each at a seeded random point
    // of its own fifth of the run, the kinds in a seeded order.
    const kinds = [...Array<'kill'>(KILLS).fill('kill'), ...Array<'terminate'>(TERMINATIONS).fill('terminate')];
    for (let j = kinds.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [kinds[j], kinds[k]] = [kinds[k]!, kinds[j]!];
    }
    const events = kinds.map((kind, slot) => ({ kind, at: Math.floor(PUSHES * (0.05 + (0.9 * (slot + rand())) / kinds.length)) }));
    const happened: string[] = [];
    let restarting: Promise<void> | undefined;
    let acknowledged = 0;

    async function chaos() {
      while (events.length > 0 && events[0]!.at <= acknowledged) {
        const event = events.shift()!;
        if (event.kind === 'terminate') {
          const { rows } = await sql.query<{ n: number }>(`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and application_name like 'satu-data-exchange%'`, [NAME]);
          happened.push(`terminated ${rows[0]!.n} connections after ${acknowledged} acknowledged`);
        } else {
          const dying = child!;
          const exited = new Promise((resolve) => dying.once('exit', resolve));
          dying.kill('SIGKILL');
          restarting = (async () => {
            await exited;
            child = (await startServer(env, port)).child;
          })();
          await restarting;
          restarting = undefined;
          happened.push(`SIGKILL after ${acknowledged} acknowledged, restarted`);
        }
      }
    }

    const pushes = makePushes();
    const queue = [...pushes];
    const path = `/v1/datasets/${datasetId}/versions`;
    async function worker() {
      for (let push = queue.shift(); push; push = queue.shift()) {
        while (!push.acknowledged) {
          if (Date.now() > DEADLINE) throw new Error('deadline passed before every push was acknowledged');
          await restarting;
          push.attempts++;
          const answer = await call(producer, 'POST', path, push.body, { 'idempotency-key': push.key }).catch(() => undefined);
          if (answer && (answer.status === 201 || answer.status === 200)) {
            push.acknowledged = { version: answer.json.version as number, replayed: answer.replayed };
            acknowledged++;
            await chaos();
          } else {
            if (answer?.status === 409) push.conflicts++;
            else if (answer && answer.status !== 503) throw new Error(`push ${push.key}: unexpected ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`);
            // Down, restarting or briefly without its database: the client backs off and retries.
            await sleep(100);
          }
        }
      }
    }
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - startedAt) / 1000;

    // Every key once more: each must replay its version, and store nothing new.
    let replaysWrong = 0;
    for (const push of pushes) {
      const again = await call(producer, 'POST', path, push.body, { 'idempotency-key': push.key });
      if (!(again.status === 201 && again.replayed && again.json.version === push.acknowledged!.version)) replaysWrong++;
    }

    const { rows: versions } = await sql.query<{ version: number; content_sha256: string; row_count: number; stored: number }>(
      `select v.version, v.content_sha256, v.row_count, (select count(*)::int from observations o where o.version_id = v.id) as stored
       from dataset_versions v where v.dataset_id = $1`,
      [datasetId],
    );
    const bySha = new Map<string, typeof versions>();
    for (const v of versions) bySha.set(v.content_sha256, [...(bySha.get(v.content_sha256) ?? []), v]);
    const { rows: unfinished } = await sql.query<{ n: number }>(`select count(*)::int as n from idempotency_keys where status = 'in_progress'`);
    const found = pushes.filter((p) => bySha.has(p.sha256));
    const result = {
      pushes: PUSHES,
      acknowledged: pushes.filter((p) => p.acknowledged).length,
      found: found.length,
      lost: pushes.filter((p) => p.acknowledged && !bySha.has(p.sha256)).length,
      partial: versions.filter((v) => {
        const push = pushes.find((p) => p.sha256 === v.content_sha256);
        return !push || v.row_count !== push.body.observations.length || v.stored !== push.body.observations.length;
      }).length,
      duplicated: found.filter((p) => bySha.get(p.sha256)!.length > 1).length,
      'stuck keys (409 on a retry)': pushes.filter((p) => p.conflicts > 0).length,
      'keys left in_progress': unfinished[0]!.n,
      'replays not matching': replaysWrong,
      'acknowledged by a replay': pushes.filter((p) => p.acknowledged?.replayed).length,
      'attempts beyond the first': pushes.reduce((n, p) => n + p.attempts - 1, 0),
    };
    console.log(`Satu Data Exchange — crash-safety bench (postgres, node ${process.version}, seed ${SEED}, ${CONCURRENCY} at a time, ${seconds.toFixed(1)} s)`);
    for (const line of happened) console.log(`  ${line}`);
    console.table(result);
    const ok = result.acknowledged === PUSHES && result.found === PUSHES && result.lost + result.partial + result.duplicated + result['stuck keys (409 on a retry)'] + result['keys left in_progress'] + result['replays not matching'] === 0;
    console.log(ok ? 'all targets met' : 'TARGETS MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    child?.kill('SIGKILL');
    await sql.end().catch(() => undefined);
    await admin.query(`drop database if exists ${NAME} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

await main();
