/** Running the compiled service as its own process, as in production, for benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const ADMIN = { id: 'bench-admin', secret: 'bench-admin-secret-0123456789abcdef' };

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A fresh database for one benchmark run: a new database on the server, or a temporary PGlite directory. */
export async function benchDatabase(serverUrl: string | undefined): Promise<{ env: Record<string, string>; url?: string; cleanup: () => Promise<void> }> {
  if (serverUrl) {
    const name = `sde_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      url: url.toString(),
      cleanup: async () => {
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-bench-'));
  return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const SERVICE_NODE_OPTIONS = '--max-old-space-size=256';

export async function startServer(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  // BENCH_SERVER_ARGS passes Node flags to the server alone, e.g. `--cpu-prof` to profile it.
  const nodeArgs = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, new URL('../src/server.js', import.meta.url).pathname], {
    env: {
      // The heap budget `npm start` and the Dockerfile give the service, unless the caller sets its own.
      NODE_OPTIONS: SERVICE_NODE_OPTIONS,
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.id,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.secret,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return { child, readyMs: Math.round(performance.now() - started) };
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Peak resident memory of a process so far (Linux VmHWM), in MiB. */
export async function peakRssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

export async function token(port: number, id: string, secret: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`token for ${id}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
