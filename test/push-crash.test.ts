import t from 'tap';
import { freePort, processDatabase, run, waitReady } from './helpers/server-process.js';

// Kill the process in the middle of a push: after a restart the version is entirely absent
// (one transaction), and the job says it was interrupted.
const ADMIN = { id: 'crash-admin', secret: 'crash-admin-secret-0123456789abcdef' };
const database = await processDatabase(t);
const env = {
  ...database,
  JWT_SECRET: 'crash-test-secret-crash-test-secret-000001',
  BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.id,
  BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.secret,
  PUSH_ASYNC_ROWS: '1000',
  UPLOAD_LIMIT_BYTES: String(64 * 1024 * 1024),
};

async function start() {
  const port = await freePort();
  const proc = run({ ...env, PORT: String(port) });
  t.teardown(() => void proc.child.kill('SIGKILL'));
  if (!(await waitReady(port, proc.exited))) throw new Error(`not ready: ${proc.output.stderr.slice(0, 500)}`);
  const base = `http://127.0.0.1:${port}`;
  const token = async (id: string, secret: string) => {
    const res = await fetch(`${base}/v1/auth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const call = async (auth: string, method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': type }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> & { data?: unknown[] } };
  };
  return { proc, token, call };
}

t.test('SIGKILL while a push is being written leaves no trace of it', { timeout: 240_000 }, async (t) => {
  const first = await start();
  const admin = await first.token(ADMIN.id, ADMIN.secret);
  t.equal((await first.call(admin, 'POST', '/v1/agencies', { code: 'DINSOS-65', name: 'Dinas Sosial Kalimantan Utara', kind: 'DINSOS', jurisdiction_region_code: '65' })).status, 201);
  const client = await first.call(admin, 'POST', '/v1/clients', { name: 'SIKS Kaltara', role: 'producer', agency: 'DINSOS-65' });
  const producer = await first.token((client.json.client as { client_id: string }).client_id, client.json.client_secret as string);
  const indicators = Array.from({ length: 12 }, (_, i) => `PPKS-${String(i + 1).padStart(2, '0')}`);
  const dataset = await first.call(producer, 'POST', '/v1/datasets', {
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
  t.equal(dataset.status, 201);
  const id = dataset.json.id as string;

  // Every desa of Kalimantan Utara × 12 indicators × 20 years: long enough to be killed in.
  const children = async (parent: string) =>
    ((await first.call(admin, 'GET', `/v1/regions?parent=${parent}&limit=1000`)).json.data as { code: string }[]).map((r) => r.code);
  const desa: string[] = [];
  for (const kab of await children('65')) for (const kec of await children(kab)) desa.push(...(await children(kec)));
  t.ok(desa.length > 400, `${desa.length} desa`);
  let csv = 'indicator,region,period,value\n';
  for (let year = 2006; year <= 2025; year++) for (const code of desa) for (const indicator of indicators) csv += `${indicator},${code},${year},${(year + code.length) % 37}\n`;
  const pushed = await first.call(producer, 'POST', `/v1/datasets/${id}/versions`, csv, 'text/csv');
  t.equal(pushed.status, 202, 'a large push runs as a job');
  const job = (pushed.json.links as { self: string }).self;

  // Wait until rows are being written, then kill the process outright. On PGlite the job's
  // transaction holds the only connection, so progress cannot be polled: give it time instead.
  if (database.DATABASE_URL) {
    for (let i = 0; i < 600; i++) {
      const progress = (await first.call(admin, 'GET', job)).json.progress as { rows_read: number } | null;
      if (progress && progress.rows_read >= 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    t.equal((await first.call(admin, 'GET', job)).json.status, 'running', 'killed while running');
  } else {
    await new Promise((r) => setTimeout(r, 3000));
  }
  first.proc.child.kill('SIGKILL');
  await first.proc.exited;

  const second = await start();
  const admin2 = await second.token(ADMIN.id, ADMIN.secret);
  const versions = await second.call(admin2, 'GET', `/v1/datasets/${id}/versions`);
  t.same(versions.json.data, [], 'no version, not even a partial one');
  const after = (await second.call(admin2, 'GET', job)).json;
  t.not(after.status, 'succeeded');
  if (database.PGLITE_DATA_DIR) {
    // PGlite belongs to one process, so a restart knows every unfinished job is dead.
    t.match(after, { status: 'failed', problem: { code: 'JOB_INTERRUPTED' } });
  }
  second.proc.child.kill('SIGTERM');
  await second.proc.exited;
});
