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
      // BENCH_KEEP_DATABASE=1 leaves it for a look at its plans afterwards (drop it yourself).
      cleanup: async () => {
        if (process.env.BENCH_KEEP_DATABASE === '1') console.error(`database ${name} kept`);
        else await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-bench-'));
  return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const SERVICE_NODE_OPTIONS = '--max-old-space-size=256';

/** Servers this bench started and has not seen exit. */
const servers = new Set<ChildProcess>();
const killServers = () => {
  for (const child of servers) child.kill('SIGKILL');
};
// A bench stopped half-way (Ctrl-C, kill, an error) takes its servers with it: left running,
// they would retry the database the bench dropped and load the machine the next run measures.
process.once('exit', killServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killServers();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

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
  servers.add(child);
  child.once('exit', () => servers.delete(child));
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

/** CPU time a process has used so far (utime + stime of /proc/<pid>/stat, 100 ticks a second), in ms; undefined once it is gone. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU time spent on the bench's work by the server process and, on Postgres, by the backends
 * of the bench's database. On a shared machine a wall time measures the others' load as much
 * as the work; CPU time much less. Backends are sampled every 250 ms, so one that ends between
 * samples loses at most its last quarter second.
 */
export class CpuMeter {
  readonly #latest = new Map<number, number>();
  #base = new Map<number, number>();
  readonly #client: pg.Client | undefined;
  readonly #timer: NodeJS.Timeout;
  #sampling: Promise<void> = Promise.resolve();

  private constructor(readonly serverPid: number, client: pg.Client | undefined) {
    this.#client = client;
    this.#timer = setInterval(() => void this.#sample(), 250);
  }

  static async start(serverPid: number, databaseUrl: string | undefined): Promise<CpuMeter> {
    const client = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined;
    await client?.connect();
    const meter = new CpuMeter(serverPid, client);
    await meter.mark();
    return meter;
  }

  #sample(): Promise<void> {
    this.#sampling = this.#sampling.then(async () => {
      const backends = this.#client
        ? (await this.#client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid)
        : [];
      for (const pid of [this.serverPid, ...backends]) {
        const cpu = await processCpuMs(pid);
        if (cpu !== undefined) this.#latest.set(pid, cpu);
      }
    });
    return this.#sampling;
  }

  /** Starts a new measure from now. */
  async mark(): Promise<void> {
    await this.#sample();
    this.#base = new Map(this.#latest);
  }

  /** CPU ms since the last mark: the server's and the database's. */
  async read(): Promise<{ server: number; database: number }> {
    await this.#sample();
    let server = 0;
    let database = 0;
    for (const [pid, cpu] of this.#latest) {
      const used = cpu - (this.#base.get(pid) ?? 0);
      if (pid === this.serverPid) server += used;
      else database += used;
    }
    return { server, database };
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.#client?.end();
  }
}
