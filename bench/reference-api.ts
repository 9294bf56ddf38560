/**
 * Reference API benchmark. The service runs as its own process (as in production) and
 * autocannon loads it from this one, so the two do not share an event loop.
 *
 * Prints: first start (a new database: migrations and 91,599 regions on the server, the build's
 * seed unpacked on PGlite, see src/db/pglite-seed.ts) and restart time to readiness, then
 * throughput and latency per endpoint next to GET /health/live, the baseline measured in
 * the same run, and the server's peak resident memory (VmHWM).
 *
 *   npm run bench                                                             # PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench  # server
 */
import autocannon from 'autocannon';
import { ADMIN, benchDatabase, freePort, peakRssMiB, startServer, stopServer, token } from './server-process.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const serverUrl = process.env.BENCH_DATABASE_URL;
const { env, cleanup } = await benchDatabase(serverUrl);
const port = await freePort();
try {
  const first = await startServer(env, port);
  await stopServer(first.child);
  const { child, readyMs } = await startServer(env, port);

  const headers = { authorization: `Bearer ${await token(port, ADMIN.id, ADMIN.secret)}` };

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
  const peak = await peakRssMiB(child.pid);
  await stopServer(child);

  console.log(`\nSatu Data Exchange — reference API benchmark (${serverUrl ? 'postgres' : 'pglite'}, node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s each)`);
  console.log(`first start to ready (${serverUrl ? 'migrations + 91,599 regions' : 'a new data directory, from the PGlite seed `npm run bench:build` made'}): ${first.readyMs} ms`);
  console.log(`restart to ready (data already loaded): ${readyMs} ms`);
  console.table(rows);
  console.log(`server peak RSS: ${peak} MiB`);
} finally {
  await cleanup();
}
