/**
 * Publishing benchmark: one version of ~1M keys published (reconciled into figures) by one
 * agency, then a second agency's version over the same keys (every key a candidate pair: the
 * agreement and conflict paths), and with BENCH_REVISION=1 a revision of the first
 * (supersession, history). Each publication is timed next to the push of the same version in
 * the same run (the baseline), with the server's peak resident memory during it (the
 * service's 256 MiB heap budget).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:publish
 *   BENCH_PROVINCE=65 BENCH_YEARS=2 npm run bench:publish     # smaller (and on PGlite without a URL)
 *
 * A producer pushes only inside its jurisdiction, so one version of 1M keys is one province's
 * desa × 12 PPKS × 10 years (Jawa Tengah: 8,563 desa → 1,027,560 keys).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readReferenceCsv } from '../migrations/reference-files.js';
import { ADMIN, benchDatabase, freePort, peakRssMiB, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
const province = process.env.BENCH_PROVINCE ?? '33';
const years = Number(process.env.BENCH_YEARS ?? 10);
const INDICATORS = Array.from({ length: 12 }, (_, i) => `PPKS-${String(i + 1).padStart(2, '0')}`);
const PERIODS = Array.from({ length: years }, (_, i) => String(2025 - years + 1 + i));

/**
 * A request without a client-side time limit (fetch gives up waiting for headers after 300 s,
 * and a push or publication of a million keys on a loaded machine takes longer).
 */
function call(port: number, auth: string, method: string, path: string, body: Readable | string | undefined, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${auth}`, 'content-type': contentType } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

async function api(port: number, auth: string, method: string, path: string, body?: unknown) {
  const res = await call(port, auth, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json).slice(0, 1000)}`);
  return res.json;
}

/** What a publication answered, or, answered with a job (202), that job's result once it has ended. */
async function ended(port: number, credentials: { id: string; secret: string }, answer: Record<string, unknown>): Promise<Record<string, unknown>> {
  const self = (answer.links as { self?: string } | undefined)?.self;
  if (answer.status !== 'running' || !self?.startsWith('/v1/jobs/')) return answer;
  // A token lives 15 minutes, and a client may ask for 20 a minute: one per poll of 2 s would not do.
  let auth = await token(port, credentials.id, credentials.secret);
  let minted = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (performance.now() - minted > 600_000) [auth, minted] = [await token(port, credentials.id, credentials.secret), performance.now()];
    const job = await api(port, auth, 'GET', self);
    if (job.status === 'succeeded') return job.result as Record<string, unknown>;
    if (job.status !== 'running') throw new Error(`publication job ${self}: ${JSON.stringify(job).slice(0, 1000)}`);
  }
}

/** Every desa × indicator × period; `variant` changes some values (0: none). */
async function writeCsv(path: string, desa: string[], variant: number): Promise<{ rows: number; bytes: number }> {
  function* lines() {
    yield 'indicator,region,period,value\n';
    let seed = 7;
    for (const code of desa) {
      let chunk = '';
      for (const indicator of INDICATORS) {
        for (const period of PERIODS) {
          seed = (seed * 48271) % 2147483647;
          // A variant disagrees on every `variant`-th key, by one.
          const value = (seed % 40) + (variant > 0 && seed % variant === 0 ? 1 : 0);
          chunk += `${indicator},${code},${period},${value}\n`;
        }
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
  return { rows: desa.length * INDICATORS.length * PERIODS.length, bytes: (await stat(path)).size };
}

/** Resets the peak resident memory Linux keeps for a process (VmHWM), so the next reading is of what follows. */
async function resetPeak(pid: number | undefined) {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

const desa = readReferenceCsv('wilayah-kepmendagri-2025.csv')
  .map((r) => r.code!)
  .filter((c) => c.startsWith(`${province}.`) && c.split('.').length === 4);
const { env, cleanup } = await benchDatabase(serverUrl);
const dir = await mkdtemp(join(tmpdir(), 'sde-publish-'));
const port = await freePort();
// The server running now, stopped in the end whatever happens.
let running: { child: import('node:child_process').ChildProcess } | undefined;
try {
  // Pushes synchronous, so each request's own time is what is measured; a publication of more
  // than PUBLISH_ASYNC_KEYS runs as the job it is in service, timed until it has ended. The
  // heap (256 MiB) and the statement timeout (30 s) stay the service's.
  const serverEnv = { ...env, PUSH_ASYNC_ROWS: '100000000', REQUEST_TIMEOUT_MS: '3600000' };
  const pushing = (running = await startServer(serverEnv, port));
  const adminToken = await token(port, ADMIN.id, ADMIN.secret);
  const client = async (role: string, agency?: string) => {
    const made = (await api(port, adminToken, 'POST', '/v1/clients', { name: 'bench', role, ...(agency ? { agency } : {}) })) as { client: { client_id: string }; client_secret: string };
    return made;
  };
  const agencies = [
    { code: `DINSOS-${province}`, kind: 'DINSOS' },
    { code: `DP3AP2KB-${province}`, kind: 'DP3AP2KB' },
  ];
  const producers: { token: string; dataset: string; credentials: { id: string; secret: string } }[] = [];
  for (const a of agencies) {
    await api(port, adminToken, 'POST', '/v1/agencies', { code: a.code, name: a.code, kind: a.kind, jurisdiction_region_code: province });
    const made = await client('producer', a.code);
    const producer = await token(port, made.client.client_id, made.client_secret);
    const dataset = await api(port, producer, 'POST', '/v1/datasets', {
      title: `PPKS per desa ${province} (${a.code})`,
      indicators: INDICATORS,
      reference_periods: PERIODS,
      update_schedule: 'tahunan',
      primary_source: 'Pendataan PPKS',
      responsible_institution: a.code,
      steward_name: 'Petugas Data',
      steward_contact: 'data@example.go.id',
      access_classification: 'terbatas',
      estimation_levels: ['desa'],
    });
    producers.push({ token: producer, dataset: dataset.id as string, credentials: { id: made.client.client_id, secret: made.client_secret } });
  }
  const walidata = await Promise.all([client('walidata'), client('walidata')]);
  const credentials = walidata.map((w) => ({ id: w.client.client_id, secret: w.client_secret }));
  const files = [
    { label: `${agencies[0]!.code} v1`, producer: 0, ...(await writeCsv(join(dir, 'a1.csv'), desa, 0)), path: join(dir, 'a1.csv') },
    { label: `${agencies[1]!.code} v1, same keys, 1 in 7 values differ`, producer: 1, ...(await writeCsv(join(dir, 'b1.csv'), desa, 7)), path: join(dir, 'b1.csv') },
  ];
  // BENCH_REVISION=1: then a revision of the first (supersession and history paths).
  if (process.env.BENCH_REVISION) {
    files.push({ label: `${agencies[0]!.code} v2, revision, 1 in 5 values differ`, producer: 0, ...(await writeCsv(join(dir, 'a2.csv'), desa, 5)), path: join(dir, 'a2.csv') });
  }
  const fresh = async (c: { id: string; secret: string }) => token(port, c.id, c.secret);

  const pushed: { pushMs: number; pushPeak: number; version: number }[] = [];
  for (const file of files) {
    const p = producers[file.producer]!;
    await resetPeak(pushing.child.pid);
    const started = performance.now();
    const res = await call(port, await fresh(p.credentials), 'POST', `/v1/datasets/${p.dataset}/versions`, createReadStream(file.path), 'text/csv');
    const report = res.json as { status: string; version: number; summary: { accepted: number } };
    const pushMs = performance.now() - started;
    if (res.status !== 201 || report.status !== 'submitted' || report.summary.accepted !== file.rows) {
      throw new Error(`push ${file.label} failed: ${res.status} ${JSON.stringify(report).slice(0, 500)}`);
    }
    const pushPeak = await peakRssMiB(pushing.child.pid);
    pushed.push({ pushMs, pushPeak, version: report.version });
    await api(port, await fresh(credentials[0]!), 'POST', `/v1/datasets/${p.dataset}/versions/${report.version}/review`, { action: 'verify' });
    console.error(`${file.label}: push ${Math.round(pushMs)} ms, peak RSS ${pushPeak} MiB (load ${loadavg()[0]!.toFixed(1)})`);
  }
  await stopServer(pushing.child);

  // A server in service has long loaded the reference data: a restarted one publishes.
  const { child } = (running = await startServer(serverEnv, port));
  const results: { label: string; rows: number; pushMs: number; pushPeak: number; publishMs: number; publishPeak: number; load: string; outcome: unknown }[] = [];
  for (const [i, file] of files.entries()) {
    const p = producers[file.producer]!;
    const { version, pushMs, pushPeak } = pushed[i]!;
    const publisher = await fresh(credentials[1]!);
    await resetPeak(child.pid);
    const started = performance.now();
    const published = await ended(port, credentials[1]!, await api(port, publisher, 'POST', `/v1/datasets/${p.dataset}/versions/${version}/review`, { action: 'publish' }));
    const publishMs = performance.now() - started;
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    results.push({ label: file.label, rows: file.rows, pushMs, pushPeak, publishMs, publishPeak: await peakRssMiB(child.pid), load, outcome: { reconciliation: published.reconciliation, supersedes: published.supersedes } });
    console.error(`${file.label}: publish ${Math.round(publishMs)} ms (load ${load})`);
  }
  await stopServer(child);

  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en');
  console.log(`\nSatu Data Exchange — publish benchmark (${serverUrl ? 'postgres' : 'pglite'}, node ${process.version})`);
  console.log(`province ${province}: ${desa.length.toLocaleString('en')} desa × ${INDICATORS.length} indicators × ${PERIODS.length} years = ${results[0]!.rows.toLocaleString('en')} keys per version`);
  for (const r of results) {
    console.log(`\n${r.label}`);
    console.log(`  push (baseline):  ${Math.round(r.pushMs)} ms, ${rate(r.rows, r.pushMs)} rows/s, peak RSS ${r.pushPeak} MiB`);
    console.log(`  publish:          ${Math.round(r.publishMs)} ms, ${rate(r.rows, r.publishMs)} keys/s, peak RSS ${r.publishPeak} MiB; publish/push ${(r.publishMs / r.pushMs).toFixed(2)}`);
    console.log(`  outcome:          ${JSON.stringify(r.outcome)}`);
    console.log(`  load average after publishing: ${r.load}`);
  }
  console.log(`\ntargets: publish of a version within 2× its push; peak RSS within the 256 MiB heap budget's process (< 300 MiB)`);
} finally {
  if (running && running.child.exitCode === null && running.child.signalCode === null) await stopServer(running.child);
  await rm(dir, { recursive: true, force: true });
  await cleanup();
}
