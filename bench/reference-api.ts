/**
 * Reference API benchmark. The service runs as its own process (as in production) and
 * autocannon loads it from this one, so the two do not share an event loop.
 *
 * Prints: first start (migrations + 91,599 regions) and restart time to readiness, then
 * throughput and latency per endpoint next to GET /health/live, the baseline measured in
 * the same run, and the server's peak resident memory (VmHWM).
 *
 *   npm run bench                                                             # PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench  # server
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const serverUrl = process.env.BENCH_DATABASE_URL;
const ADMIN = { id: 'bench-admin', secret: 'bench-admin-secret-0123456789abcdef' };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function databaseEnv(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (serverUrl) {
    const name = `sde_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      cleanup: async () => {
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-bench-'));
  return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function start(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [new URL('../src/server.js', import.meta.url).pathname], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001', BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.id, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.secret },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return { child, readyMs: Math.round(performance.now() - started) };
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const { env, cleanup } = await databaseEnv();
const port = await freePort();
try {
  const first = await start(env, port);
  await stop(first.child);
  const { child, readyMs } = await start(env, port);

  const tokenRes = await fetch(`http://127.0.0.1:${port}/v1/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${ADMIN.id}:${ADMIN.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const headers = { authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}` };

  const targets: [string, string][] = [
    ['baseline: GET /health/live', '/health/live'],
    ['GET /v1/regions?parent=65', '/v1/regions?parent=65'],
    ['GET /v1/regions?q=salatiga', '/v1/regions?q=salatiga'],
    ['GET /v1/regions?level=desa&limit=1000', '/v1/regions?level=desa&limit=1000'],
    ['GET /v1/regions/65.71.01.1001', '/v1/regions/65.71.01.1001'],
    ['GET /v1/indicators', '/v1/indicators'],
  ];
  const rows = [];
  let baseline = 0;
  for (const [label, path] of targets) {
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: CONNECTIONS, duration: DURATION_S, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const rps = result.requests.average;
    if (baseline === 0) baseline = rps;
    rows.push({ endpoint: label, 'req/s': Math.round(rps), 'vs baseline': `${((rps / baseline) * 100).toFixed(1)} %`, 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99 });
  }
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  await stop(child);

  console.log(`\nSatu Data Exchange — reference API benchmark (${serverUrl ? 'postgres' : 'pglite'}, node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s each)`);
  console.log(`first start to ready (migrations + 91,599 regions): ${first.readyMs} ms`);
  console.log(`restart to ready (data already loaded): ${readyMs} ms`);
  console.table(rows);
  console.log(`server peak RSS: ${Math.round(peakKb / 1024)} MiB`);
} finally {
  await cleanup();
}
