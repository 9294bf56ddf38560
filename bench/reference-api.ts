/**
 * Reference API benchmark: start-up cost of the reference data, then throughput and
 * latency of the read endpoints against /health/live as the in-run baseline (same
 * process, same machine, same moment), plus peak memory.
 *
 *   npm run bench                      # embedded PGlite (a temporary data directory)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench
 */
import autocannon from 'autocannon';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig, type DatabaseConfig } from '../src/config.js';
import { createDb } from '../src/db/create-db.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createClient } from '../src/modules/clients/service.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const serverUrl = process.env.BENCH_DATABASE_URL;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function databaseConfig(): Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> }> {
  if (serverUrl) {
    const name = `sde_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      config: { kind: 'postgres', url: url.toString(), poolMax: 10, connectTimeoutMs: 5000, statementTimeoutMs: 30000 },
      cleanup: async () => {
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-bench-'));
  return { config: { kind: 'pglite', dataDir: join(dir, 'pglite') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, Math.round(performance.now() - start)];
}

const { config: dbConfig, cleanup } = await databaseConfig();
try {
  // Start-up: first start loads 91,599 regions; a restart must find them and load nothing.
  let database = createDb(dbConfig);
  const [first, firstMs] = await timed(async () => {
    await database.ping();
    return migrateToLatest(database.db);
  });
  await database.close();
  database = createDb(dbConfig);
  const [second, secondMs] = await timed(async () => {
    await database.ping();
    return migrateToLatest(database.db);
  });

  const config = loadConfig({ JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001', LOG_LEVEL: 'silent' });
  const app = await buildApp(config, { database, logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const { client, client_secret } = await createClient(database.db, { system: 'bench' }, undefined, { name: 'bench', role: 'consumer' });
  const tokenRes = await app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret },
  });
  const headers = { authorization: `Bearer ${tokenRes.json().access_token as string}` };

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
    const result = await autocannon({ url: `${address}${path}`, connections: CONNECTIONS, duration: DURATION_S, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const rps = result.requests.average;
    if (baseline === 0) baseline = rps;
    rows.push({
      endpoint: label,
      'req/s': Math.round(rps),
      'vs baseline': `${((rps / baseline) * 100).toFixed(0)} %`,
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
    });
  }
  await app.close();
  await database.close();

  console.log(`\nSatu Data Exchange — reference API benchmark (${dbConfig.kind}, node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s each)`);
  console.log(`first start (migrations + 91,599 regions): ${firstMs} ms, applied ${first.applied.join(', ')}`);
  console.log(`restart with data loaded: ${secondMs} ms, applied ${second.applied.length === 0 ? 'nothing' : second.applied.join(', ')}`);
  console.table(rows);
  console.log(`peak RSS: ${Math.round(peakRss / 1024 / 1024)} MiB`);
} finally {
  clearInterval(sampler);
  await cleanup();
}
