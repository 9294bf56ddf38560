import type { Test } from 'tap';
import { freePort, run, waitReady } from './server-process.js';

/**
 * A real server process to talk to over HTTP, for tests that kill it or cut its database
 * connections. Its admin and JWT secret are fixed, so tokens outlive a restart.
 */
export const ADMIN = { id: 'live-admin', secret: 'live-admin-secret-0123456789abcdef' };

export interface Answer {
  /** 0 when no answer came at all (the process died, or the connection was cut). */
  status: number;
  type: string;
  json: Record<string, unknown> & { data?: unknown[]; code?: string };
  headers: Headers;
}

export type LiveServer = Awaited<ReturnType<typeof startServer>>;

export async function startServer(t: Test, env: Record<string, string>) {
  const port = await freePort();
  const proc = run({
    JWT_SECRET: 'live-server-test-secret-live-server-000001',
    BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.id,
    BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.secret,
    ...env,
    PORT: String(port),
  });
  t.teardown(() => void proc.child.kill('SIGKILL'));
  if (!(await waitReady(port, proc.exited))) throw new Error(`not ready: ${proc.output.stderr.slice(0, 500)}${proc.output.stdout.slice(-2000)}`);
  const base = `http://127.0.0.1:${port}`;
  let alive = true;
  void proc.exited.then(() => (alive = false));

  async function call(auth: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const type = typeof body === 'string' ? 'text/csv' : 'application/json';
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': type }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type') ?? '', json: text ? JSON.parse(text) : {}, headers: res.headers };
    } catch {
      return { status: 0, type: '', json: {}, headers: new Headers() };
    }
  }

  async function token(id: string, secret: string): Promise<string> {
    const res = await fetch(`${base}/v1/auth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  return {
    proc,
    base,
    call,
    token,
    get alive() {
      return alive;
    },
    /** SIGKILL, as a crash or an OOM killer would: nothing runs after it. */
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    async stop() {
      proc.child.kill('SIGTERM');
      return proc.exited;
    },
    /** SIGSTOP, as a hung or starved process: alive, connections open, doing nothing until resumed. */
    pause() {
      proc.child.kill('SIGSTOP');
    },
    resume() {
      proc.child.kill('SIGCONT');
    },
  };
}

/** The producer of DINSOS-65 (Kalimantan Utara) and one dataset of its, made through the API. */
export async function producerWithDataset(server: LiveServer, indicators = ['PPKS-01', 'PPKS-06']) {
  const admin = await server.token(ADMIN.id, ADMIN.secret);
  const agency = await server.call(admin, 'POST', '/v1/agencies', { code: 'DINSOS-65', name: 'Dinas Sosial Kalimantan Utara', kind: 'DINSOS', jurisdiction_region_code: '65' });
  if (agency.status !== 201) throw new Error(`agency: ${agency.status} ${JSON.stringify(agency.json)}`);
  const client = await server.call(admin, 'POST', '/v1/clients', { name: 'SIKS Kaltara', role: 'producer', agency: 'DINSOS-65' });
  const producer = await server.token((client.json.client as { client_id: string }).client_id, client.json.client_secret as string);
  const dataset = await server.call(producer, 'POST', '/v1/datasets', {
    title: 'PPKS per desa Kalimantan Utara',
    indicators,
    reference_periods: ['2025'],
    update_schedule: 'tahunan',
    primary_source: 'Pendataan PPKS',
    responsible_institution: 'Dinas Sosial Provinsi Kalimantan Utara',
    steward_name: 'Siti Rahmawati',
    steward_contact: 'data@dinsos.kaltaraprov.go.id',
    access_classification: 'terbatas',
    estimation_levels: ['desa'],
  });
  if (dataset.status !== 201) throw new Error(`dataset: ${dataset.status} ${JSON.stringify(dataset.json)}`);
  return { admin, producer, datasetId: dataset.json.id as string };
}

/** Every desa of Kalimantan Utara (65), read through the API. */
export async function desaOf65(server: LiveServer, auth: string): Promise<string[]> {
  const children = async (parent: string) => ((await server.call(auth, 'GET', `/v1/regions?parent=${parent}&limit=1000`)).json.data as { code: string }[]).map((r) => r.code);
  const desa: string[] = [];
  for (const kab of await children('65')) for (const kec of await children(kab)) desa.push(...(await children(kec)));
  return desa;
}

/** A CSV of `years` years × every given region × every indicator: big enough to be caught mid-way. */
export function bigCsv(regions: string[], indicators: string[], years: number): string {
  let csv = 'indicator,region,period,value\n';
  for (let year = 2026 - years; year <= 2025; year++) for (const code of regions) for (const indicator of indicators) csv += `${indicator},${code},${year},${(year + code.length) % 37}\n`;
  return csv;
}

/**
 * Polls `check` until it holds: the test waits on a condition, never on a fixed time, and
 * has no deadline of its own: how long a busy machine takes must not decide the outcome; the
 * test file's timeout is the limit.
 */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
