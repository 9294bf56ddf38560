/**
 * Pull benchmark: ~1M reconciled figures loaded, then `GET /v1/figures` for one indicator
 * across the 514 kab/kota and one period, 50 connections over loopback, as a consumer;
 * next to a bare Fastify route in the same run serving the same bytes from memory (the ratio
 * is the figure), and the same figures as an SDMX data query. The page is loaded again while
 * another indicator (PPKS-01) is published over and over through the API (push, verify,
 * publish), which must leave it kept. Then the change feed: time to drain 100k changes, 1,000
 * per page. Clients ask for gzip, as browsers, curl --compressed and HTTP libraries do by
 * default (the bare route sends the same page gzipped); one row asks for the page as it is.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:pull
 */
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { ADMIN, benchDatabase, freePort, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) throw new Error('BENCH_DATABASE_URL is required (the figures are loaded with SQL while the server runs)');
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_S = 2;
const CONNECTIONS = 50;
const PERIODS = Array.from({ length: 48 }, (_, i) => String(1978 + i)); // 41 indicators × 514 kab/kota × 48 ≈ 1.01M
const PATH = '/v1/figures?indicator=PPKS-06&regionLevel=kabkota&period=2025&limit=1000';
// The same 514 figures as an SDMX data query (structure-specific SDMX-ML, the default format).
const SDMX_PATH = '/sdmx/2.1/data/SATUDATA,PPKS-06,1.0/all?startPeriod=2025&endPeriod=2025';

const { env, url, cleanup } = await benchDatabase(serverUrl);
const port = await freePort();

async function call(auth: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The bench's producer, walidata and the dataset of the indicator published during the load. */
interface Publisher {
  producer: string;
  verifier: string;
  approver: string;
  dataset: string;
}

// The 5 kab/kota of Kalimantan Utara, in the bench agency's jurisdiction.
const PUBLISHED_REGIONS = ['65.01', '65.02', '65.03', '65.04', '65.71'];

/**
 * Publishes new PPKS-01 figures, one version after another, until `stop` says so; returns how
 * many versions were published and how long each took.
 */
async function publishWhile(p: Publisher, running: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let round = 1; running(); round++) {
    const started = performance.now();
    const observations = PUBLISHED_REGIONS.map((region, i) => ({ indicator: 'PPKS-01', region, period: '2025', value: round * 10 + i }));
    const version = (await call(p.producer, 'POST', `/v1/datasets/${p.dataset}/versions`, { observations })) as { version: number; status: string };
    if (version.status !== 'submitted') throw new Error(`push: ${JSON.stringify(version)}`);
    const review = `/v1/datasets/${p.dataset}/versions/${version.version}/review`;
    await call(p.verifier, 'POST', review, { action: 'verify' });
    await call(p.approver, 'POST', review, { action: 'publish' });
    times.push(performance.now() - started);
  }
  return times;
}

async function load(target: string, headers: Record<string, string>) {
  // A short unrecorded run first, so both routes are measured warm (JIT, sockets), not on their first requests.
  // A timeout longer than autocannon's 10 s: on a shared, loaded machine a slow answer is a figure, not an error.
  await autocannon({ url: target, connections: CONNECTIONS, duration: WARM_UP_S, headers, timeout: 60 });
  const result = await autocannon({ url: target, connections: CONNECTIONS, duration: DURATION_S, headers, timeout: 60 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

try {
  const { child } = await startServer(env, port);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const bare = Fastify();
  try {
    const admin = await token(port, ADMIN.id, ADMIN.secret);
    await call(admin, 'POST', '/v1/agencies', { code: 'DINSOS-BENCH', name: 'Dinas Sosial (bench)', kind: 'DINSOS', jurisdiction_region_code: '65' });
    const producer = (await call(admin, 'POST', '/v1/clients', { name: 'bench producer', role: 'producer', agency: 'DINSOS-BENCH' })) as { client: { client_id: string }; client_secret: string };
    const consumer = (await call(admin, 'POST', '/v1/clients', { name: 'bench consumer', role: 'consumer' })) as { client: { client_id: string }; client_secret: string };
    const producerToken = await token(port, producer.client.client_id, producer.client_secret);
    const dataset = await call(producerToken, 'POST', '/v1/datasets', {
      title: 'Bench source',
      indicators: ['PPKS-06'],
      reference_periods: ['2025'],
      update_schedule: 'tahunan',
      primary_source: 'Bench',
      responsible_institution: 'Bench',
      steward_name: 'Bench',
      steward_contact: 'bench@example.go.id',
      access_classification: 'terbuka',
    });
    const walidata = async (name: string) => {
      const made = (await call(admin, 'POST', '/v1/clients', { name, role: 'walidata' })) as { client: { client_id: string }; client_secret: string };
      return token(port, made.client.client_id, made.client_secret);
    };
    const publishedDataset = await call(producerToken, 'POST', '/v1/datasets', {
      title: 'Bench source published during the load',
      indicators: ['PPKS-01'],
      reference_periods: ['2025'],
      update_schedule: 'bulanan',
      primary_source: 'Bench',
      responsible_institution: 'Bench',
      steward_name: 'Bench',
      steward_contact: 'bench@example.go.id',
      access_classification: 'terbuka',
    });
    const publisher: Publisher = { producer: producerToken, verifier: await walidata('bench verifier'), approver: await walidata('bench publisher'), dataset: publishedDataset.id as string };
    const candidates = JSON.stringify([{ agency: 'DINSOS-BENCH', agency_kind: 'DINSOS', dataset_id: dataset.id, version: 1, value: '0', obs_status: 'A', note: null, published_at: '2026-01-01T00:00:00Z' }]);

    const started = performance.now();
    await db.query(
      `insert into reconciled_figures (indicator_code, region_code, period, disagg_key, disagg, status, value, method, candidates, decided_by)
       select i.code, r.code, p.period, '', '{}'::jsonb, 'final', (abs(hashtext(i.code || r.code || p.period)) % 5000)::numeric, 'single-source', $2::jsonb, 'bench'
       from indicators i cross join regions r cross join unnest($1::text[]) as p(period)
       where r.level = 2`,
      [PERIODS, candidates],
    );
    // Each entry as writeFigures writes it (migrations 0019, 0023): the figure, its region's labels, visible to consumers (an open
    // source), and its JSON as served (no source: the figures have no source version).
    await db.query(
      `insert into figure_changes (figure_id, kind, at, indicator_code, region_code, region_name, region_level, period, disagg_key, disagg, status, value, method, decided_by, valid_from, consumer_visible, prev_consumer_visible, unchanged, entry)
       select f.id, 'new', f.valid_from, f.indicator_code, f.region_code, r.name, r.level, f.period, f.disagg_key, f.disagg, f.status, f.value, f.method, f.decided_by, f.valid_from, true, false, false,
              json_build_object('kind', 'new', 'at', to_json(f.valid_from), 'figure', json_build_object(
                'indicator', f.indicator_code, 'indicator_name', i.name, 'unit', i.unit, 'definition', i.metadata->>'definisi', 'formula', i.metadata->>'metode_perhitungan',
                'region', f.region_code, 'region_name', r.name, 'region_level', 'kabkota', 'period', f.period, 'disaggregation', f.disagg, 'status', f.status,
                'value', f.value::text, 'method', f.method, 'source', null, 'conflict_id', null, 'rationale', null, 'decided_by', f.decided_by,
                'valid_from', to_json(f.valid_from), 'valid_to', null))::text
       from reconciled_figures f join regions r on r.code = f.region_code join indicators i on i.code = f.indicator_code order by f.id`,
    );
    await db.query('analyze reconciled_figures; analyze figure_changes');
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from reconciled_figures');
    console.log(`loaded ${rows[0]!.n.toLocaleString('en')} figures and their changes in ${Math.round(performance.now() - started)} ms`);

    const auth = `Bearer ${await token(port, consumer.client.client_id, consumer.client_secret)}`;
    const sample = await fetch(`http://127.0.0.1:${port}${PATH}`, { headers: { authorization: auth } });
    const body = await sample.text();
    const served = (JSON.parse(body) as { data: unknown[] }).data.length;
    // The bytes ready to send, gzipped, as the service keeps its pages: the fastest a route can serve them.
    const bytes = gzipSync(Buffer.from(body));
    bare.get('/figures', async (_request, reply) => reply.type('application/json; charset=utf-8').header('content-encoding', 'gzip').send(bytes));
    const barePort = await freePort();
    await bare.listen({ port: barePort, host: '127.0.0.1' });

    const sdmxSample = await (await fetch(`http://127.0.0.1:${port}${SDMX_PATH}`, { headers: { authorization: auth } })).text();
    const sdmxServed = sdmxSample.match(/<Obs /g)?.length ?? 0;

    const gzip = { authorization: auth, 'accept-encoding': 'gzip' };
    const api = await load(`http://127.0.0.1:${port}${PATH}`, gzip);
    const identity = await load(`http://127.0.0.1:${port}${PATH}`, { authorization: auth });
    // The same load while PPKS-01 is published again and again: its own pages are rebuilt,
    // the PPKS-06 page must stay kept (its loop stops with the load, so the run stays bounded).
    let loading = true;
    const publishing = publishWhile(publisher, () => loading);
    const busy = await load(`http://127.0.0.1:${port}${PATH}`, gzip).finally(() => (loading = false));
    const publications = await publishing;
    const after = await fetch(`http://127.0.0.1:${port}${PATH}`, { headers: { authorization: auth } });
    const publishedNow = (await call(auth.slice(7), 'GET', '/v1/figures?indicator=PPKS-01&region=65.71&period=2025')) as { data: { value: string }[] };
    const sdmx = await load(`http://127.0.0.1:${port}${SDMX_PATH}`, gzip);
    const baseline = await load(`http://127.0.0.1:${barePort}/figures`, gzip);
    const ratio = api.requests.average / baseline.requests.average;

    console.log(`\nGET ${PATH} (${served} figures, ${(body.length / 1024).toFixed(0)} KiB, ${(bytes.length / 1024).toFixed(0)} KiB gzipped), ${CONNECTIONS} connections, ${DURATION_S} s`);
    console.table([
      { route: 'service /v1/figures (gzip)', 'req/s': Math.round(api.requests.average), 'p50 ms': api.latency.p50, 'p99 ms': api.latency.p99 },
      { route: 'same, no Accept-Encoding', 'req/s': Math.round(identity.requests.average), 'p50 ms': identity.latency.p50, 'p99 ms': identity.latency.p99 },
      { route: 'same, while PPKS-01 is being published', 'req/s': Math.round(busy.requests.average), 'p50 ms': busy.latency.p50, 'p99 ms': busy.latency.p99 },
      { route: `service SDMX data (${sdmxServed} obs, ${(sdmxSample.length / 1024).toFixed(0)} KiB)`, 'req/s': Math.round(sdmx.requests.average), 'p50 ms': sdmx.latency.p50, 'p99 ms': sdmx.latency.p99 },
      { route: 'bare Fastify, same gzipped bytes from memory', 'req/s': Math.round(baseline.requests.average), 'p50 ms': baseline.latency.p50, 'p99 ms': baseline.latency.p99 },
    ]);
    console.log(`ratio service/bare: ${ratio.toFixed(2)} (target ≥ 0.25); p99 ${api.latency.p99} ms (target < 50 ms)`);
    const publishMs = publications.length ? [...publications].sort((a, b) => a - b)[Math.floor(publications.length / 2)]! : NaN;
    console.log(
      `while publishing: ${publications.length} PPKS-01 versions published (push + verify + publish, median ${Math.round(publishMs)} ms each; PPKS-01 65.71 now ${publishedNow.data[0]?.value}); ` +
        `p99 ${busy.latency.p99} ms (target < 50 ms), ${(busy.requests.average / api.requests.average).toFixed(2)} of the idle req/s; the PPKS-06 page afterwards: ${after.headers.get('cache-status')}`,
    );

    const drainStarted = performance.now();
    let since: string | undefined;
    let drained = 0;
    while (drained < 100_000) {
      const page = (await call(auth.slice(7), 'GET', `/v1/figures/changes?limit=1000${since ? `&since=${since}` : ''}`)) as { data: unknown[]; next_cursor: string };
      drained += page.data.length;
      since = page.next_cursor;
      if (page.data.length === 0) break;
    }
    console.log(`change feed: ${drained.toLocaleString('en')} changes drained in ${Math.round(performance.now() - drainStarted)} ms (1,000 per page)`);
  } finally {
    await bare.close();
    await db.end();
    await stopServer(child);
  }
} finally {
  await cleanup();
}
