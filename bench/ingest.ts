/**
 * Ingest benchmark: a realistic CSV push, end to end (HTTP in, parsed as a stream,
 * validated, committed), next to a plain COPY of the same rows into an equivalent table
 * in the same run and database, as a ratio. Also the server's peak resident memory.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ingest
 *   BENCH_PROVINCE=33 npm run bench:ingest        # scope (default: all 83,762 desa)
 *
 * The pushing agency's jurisdiction is the province given (or, for the whole country, each
 * province's rows are pushed by that province's own agency, one push after the other).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ADMIN, benchDatabase, freePort, peakRssMiB, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
const province = process.env.BENCH_PROVINCE;
const INDICATORS = Array.from({ length: 12 }, (_, i) => `PPKS-${String(i + 1).padStart(2, '0')}`);
const HEADER = 'indicator,region,period,value\n';

async function api(port: number, auth: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** One CSV per province: every desa × 12 PPKS indicators, plausible counts. */
async function writeCsv(dir: string, desa: string[]): Promise<{ path: string; rows: number; bytes: number }> {
  const path = join(dir, `push-${desa[0]!.slice(0, 2)}.csv`);
  function* lines() {
    yield HEADER;
    let seed = 7;
    for (const code of desa) {
      let chunk = '';
      for (const indicator of INDICATORS) {
        seed = (seed * 48271) % 2147483647;
        chunk += `${indicator},${code},2025,${seed % 40}\n`;
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
  return { path, rows: desa.length * INDICATORS.length, bytes: (await stat(path)).size };
}

const { env, url, cleanup } = await benchDatabase(serverUrl);
const dir = await mkdtemp(join(tmpdir(), 'sde-ingest-'));
const port = await freePort();
try {
  // Every push synchronous, so the request's own time is the ingest time.
  const serverEnv = { ...env, PUSH_ASYNC_ROWS: '100000000' };
  const first = await startServer(serverEnv, port);
  const adminToken = await token(port, ADMIN.id, ADMIN.secret);

  const regions: { code: string }[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page = await api(port, adminToken, 'GET', `/v1/regions?level=desa&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    regions.push(...(page.data as { code: string }[]).filter((r) => !province || r.code.startsWith(`${province}.`)));
    cursor = (page.page as { next_cursor: string | null }).next_cursor;
  }
  const byProvince = new Map<string, string[]>();
  for (const r of regions) byProvince.set(r.code.slice(0, 2), [...(byProvince.get(r.code.slice(0, 2)) ?? []), r.code]);

  const pushes: { prov: string; producer: string; dataset: string; file: { path: string; rows: number; bytes: number } }[] = [];
  for (const [prov, desa] of byProvince) {
    const agency = `DINSOS-${prov}`;
    await api(port, adminToken, 'POST', '/v1/agencies', { code: agency, name: `Dinas Sosial ${prov}`, kind: 'DINSOS', jurisdiction_region_code: prov });
    const client = (await api(port, adminToken, 'POST', '/v1/clients', { name: 'bench', role: 'producer', agency })) as { client: { client_id: string }; client_secret: string };
    const producer = await token(port, client.client.client_id, client.client_secret);
    const dataset = await api(port, producer, 'POST', '/v1/datasets', {
      title: `PPKS per desa ${prov}`,
      indicators: INDICATORS,
      reference_periods: ['2025'],
      update_schedule: 'tahunan',
      primary_source: 'Pendataan PPKS',
      responsible_institution: `Dinas Sosial ${prov}`,
      steward_name: 'Petugas Data',
      steward_contact: 'data@example.go.id',
      access_classification: 'terbatas',
      estimation_levels: ['desa'],
    });
    pushes.push({ prov, producer, dataset: dataset.id as string, file: await writeCsv(dir, desa) });
  }
  // The first start loads the reference data; a server in service has long done that, so
  // the pushes go to a restarted one and its peak memory is the ingest's own.
  const firstStartPeak = await peakRssMiB(first.child.pid);
  await stopServer(first.child);
  const { child } = await startServer(serverEnv, port);

  let rows = 0;
  let bytes = 0;
  let pushMs = 0;
  const files = pushes.map((p) => p.file.path);
  for (const { prov, producer, dataset, file } of pushes) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/datasets/${dataset}/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${producer}`, 'content-type': 'text/csv', 'content-length': String(file.bytes) },
      body: Readable.toWeb(createReadStream(file.path)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const report = (await res.json()) as { status: string; summary: { accepted: number } };
    pushMs += performance.now() - started;
    if (res.status !== 201 || report.status !== 'submitted' || report.summary.accepted !== file.rows) {
      throw new Error(`push for ${prov} failed: ${res.status} ${JSON.stringify(report).slice(0, 500)}`);
    }
    rows += file.rows;
    bytes += file.bytes;
  }
  const peak = await peakRssMiB(child.pid);
  await stopServer(child);

  // Baselines: the same files by plain COPY into an equivalent table — a copy of the
  // observations table with its keys and indexes, the target's yardstick — and into a bare
  // four-column table (no keys, no checks), which shows what the keys alone cost. Each is the
  // median of three rounds (truncated in between): a single COPY varies by a third from run to run here.
  const copies: { label: string; ms: number }[] = [];
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('create table copy_bare (indicator_code text, region_code text, period text, value numeric)');
    await client.query('create table copy_keyed (like observations including defaults including constraints including indexes)');
    await client.query(`alter table copy_keyed alter column version_id set default '00000000-0000-0000-0000-000000000001'`);
    for (const [label, table, columns] of [
      ['COPY, observations table (keys, indexes)', 'copy_keyed', '(indicator_code, region_code, period, value)'],
      ['COPY, bare table (no checks, no keys)', 'copy_bare', ''],
    ] as const) {
      const rounds: number[] = [];
      for (let round = 0; round < 3; round++) {
        await client.query(`truncate ${table}`);
        const started = performance.now();
        for (const path of files) await pipeline(createReadStream(path), client.query(copyFrom(`copy ${table}${columns} from stdin with (format csv, header true)`)));
        rounds.push(performance.now() - started);
      }
      copies.push({ label, ms: rounds.sort((a, b) => a - b)[1]! });
    }
    await client.end();
  }

  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
  console.log(`\nSatu Data Exchange — ingest benchmark (${url ? 'postgres' : 'pglite'}, node ${process.version})`);
  console.log(`${rows.toLocaleString('en')} observations in ${byProvince.size} push(es), ${(bytes / 1024 / 1024).toFixed(1)} MiB of CSV`);
  console.log(`push (HTTP → parsed → validated → committed): ${Math.round(pushMs)} ms, ${rate(rows, pushMs).toLocaleString('en')} rows/s`);
  for (const { label, ms } of copies) {
    console.log(`${label}: ${Math.round(ms)} ms, ${rate(rows, ms).toLocaleString('en')} rows/s; push/this: ${(ms / pushMs).toFixed(2)}`);
  }
  if (copies[0]) console.log(`target: push at least 1/3 of the COPY into the equivalent (keyed) table: push/this ≥ 0.33`);
  console.log(`server peak RSS while pushing: ${peak} MiB (target < 300 MiB); first start, loading the reference data: ${firstStartPeak} MiB`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await cleanup();
}
