/**
 * Change-feed benchmark: ~100k figure changes written through writeFigures (the path every
 * publication takes, one transaction per indicator and period, a tenth of the keys from a
 * closed dataset), then the whole feed drained over HTTP, 1,000 per page, as a consumer and as
 * an admin; next to the same rows drained by a bare `select` in the same run (the ratio is the
 * figure). Then single pages: at the start and at the end of the feed, and a rare indicator
 * whose few changes come last (an index range, not a walk).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:change-feed
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { createDb } from '../src/db/create-db.js';
import { encodeCursor } from '../src/http/pagination.js';
import { writeFigures, type FigureWrite } from '../src/modules/reconciliation/repository.js';
import { ADMIN, benchDatabase, freePort, startServer, stopServer, token } from './server-process.js';

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) throw new Error('BENCH_DATABASE_URL is required (the changes are written straight to the database while the server runs)');
const PERIODS = ['2021', '2022', '2023', '2024', '2025'];
const PAGE = 1000;
const RARE_CHANGES = 20;

const { env, url, cleanup } = await benchDatabase(serverUrl);
const port = await freePort();
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function call(auth: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

type ChangePage = { data: unknown[]; next_cursor: string; has_more: boolean };

/** Every page from the start; how many changes and how long. */
async function drain(auth: string): Promise<{ changes: number; pages: number; ms: number }> {
  const started = performance.now();
  let since = '';
  let changes = 0;
  let pages = 0;
  for (;;) {
    const page = (await call(auth, 'GET', `/v1/figures/changes?limit=${PAGE}${since ? `&since=${since}` : ''}`)) as ChangePage;
    changes += page.data.length;
    pages += 1;
    since = page.next_cursor;
    if (!page.has_more) return { changes, pages, ms: performance.now() - started };
  }
}

/** Median time of one request, over `n`. */
async function median(n: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await f();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

const rate = (changes: number, ms: number) => Math.round((changes / ms) * 1000);

try {
  const { child } = await startServer(env, port);
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const database = createDb({ kind: 'postgres', url: url!, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 120_000 });
  try {
    console.log(`Satu Data Exchange — change-feed benchmark (postgres, node ${process.version}); load at start: ${load()}`);
    const admin = await token(port, ADMIN.id, ADMIN.secret);
    await call(admin, 'POST', '/v1/agencies', { code: 'DINSOS-BENCH', name: 'Dinas Sosial (bench)', kind: 'DINSOS', jurisdiction_region_code: '65' });
    const producer = (await call(admin, 'POST', '/v1/clients', { name: 'bench producer', role: 'producer', agency: 'DINSOS-BENCH' })) as { client: { client_id: string }; client_secret: string };
    const consumerClient = (await call(admin, 'POST', '/v1/clients', { name: 'bench consumer', role: 'consumer' })) as { client: { client_id: string }; client_secret: string };
    const producerToken = await token(port, producer.client.client_id, producer.client_secret);
    const consumer = await token(port, consumerClient.client.client_id, consumerClient.client_secret);
    const source = async (access: string) => {
      const dataset = await call(producerToken, 'POST', '/v1/datasets', {
        title: `Bench source (${access})`,
        indicators: ['PPKS-06'],
        reference_periods: PERIODS,
        update_schedule: 'tahunan',
        primary_source: 'Bench',
        responsible_institution: 'Bench',
        steward_name: 'Bench',
        steward_contact: 'bench@example.go.id',
        access_classification: access,
      });
      // A published version to be the figures' source, so entries carry a whole provenance.
      const { rows } = await raw.query<{ id: string }>(
        `insert into dataset_versions (dataset_id, version, status, format, content_sha256, row_count, accepted_count, error_count, warning_count, metadata_score, submitted_by, summary, published_at)
         values ($1, 1, 'published', 'json', 'bench', 0, 0, 0, 0, 100, 'bench', '{}', now()) returning id::text`,
        [dataset.id],
      );
      return { datasetId: dataset.id as string, versionId: rows[0]!.id };
    };
    const open = await source('terbuka');
    const closed = await source('tertutup');

    const indicators = (await raw.query<{ code: string }>('select code from indicators order by code')).rows.map((r) => r.code);
    const rare = indicators.pop()!;
    const regions = (await raw.query<{ code: string }>('select code from regions where level = 2 order by code')).rows.map((r) => r.code);
    const figure = (indicator: string, region: string, period: string, i: number): FigureWrite => {
      const from = i % 10 === 0 ? closed : open;
      const value = String(((i * 7919) % 5000) + 1);
      return {
        key: {
          indicator_code: indicator,
          region_code: region,
          period,
          disagg_key: '',
          disagg: {},
          candidates: [{ agency: 'DINSOS-BENCH', agency_kind: 'DINSOS', agency_id: '', dataset_id: from.datasetId, version: 1, version_id: from.versionId, value, obs_status: 'A', note: null, published_at: '2026-01-01T00:00:00Z' }],
        },
        state: { status: 'final', value, method: 'single-source', sourceVersionId: from.versionId, conflictId: null, rationale: null, decidedBy: 'system:reconciliation' },
        kind: 'new',
      };
    };
    const writeStarted = performance.now();
    let written = 0;
    for (const period of PERIODS) {
      for (const indicator of indicators) {
        const writes = regions.map((region, i) => figure(indicator, region, period, i));
        await database.db.transaction().execute((trx) => writeFigures(trx, writes));
        written += writes.length;
      }
    }
    // The rare indicator's few changes come last: a walk in sequence order would read the whole feed first.
    await database.db.transaction().execute((trx) => writeFigures(trx, regions.slice(0, RARE_CHANGES).map((region, i) => figure(rare, region, '2025', i + 1))));
    written += RARE_CHANGES;
    const writeMs = performance.now() - writeStarted;
    await raw.query('analyze figure_changes');
    console.log(`written through writeFigures: ${written.toLocaleString('en')} changes in ${Math.round(writeMs)} ms (${rate(written, writeMs).toLocaleString('en')} changes/s, one transaction per indicator and period); load ${load()}`);

    // The server derives webhook events from the same feed (2,000 changes a second at most);
    // the drains start once it has caught up, so they measure the feed, not that catch-up.
    const caughtUp = performance.now();
    for (const deadline = caughtUp + 300_000; performance.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const { rows } = await raw.query<{ behind: boolean }>(
        "select coalesce((select cursor from webhook_source_cursors where source = 'figure_changes'), 0) < (select max(seq) from figure_changes) as behind",
      );
      if (!rows[0]!.behind) break;
    }
    console.log(`webhook events derived from the feed: waited ${Math.round(performance.now() - caughtUp)} ms for the server to catch up`);

    // Baseline: the same rows, 1,000 at a time, by a bare select on one connection.
    const bareStarted = performance.now();
    let bareRows = 0;
    for (let since = '0'; ; ) {
      const { rows } = await raw.query<{ seq: string }>('select * from figure_changes where seq > $1 order by seq limit $2', [since, PAGE]);
      bareRows += rows.length;
      if (rows.length < PAGE) break;
      since = rows.at(-1)!.seq;
    }
    const bareMs = performance.now() - bareStarted;

    await drain(admin); // warm: JIT, plans, connections
    const asConsumer = await drain(consumer);
    const asAdmin = await drain(admin);
    console.log(`\ndrained, ${PAGE} per page (load ${load()}):`);
    console.table([
      { reader: 'consumer over HTTP', changes: asConsumer.changes, pages: asConsumer.pages, ms: Math.round(asConsumer.ms), 'changes/s': rate(asConsumer.changes, asConsumer.ms) },
      { reader: 'admin over HTTP', changes: asAdmin.changes, pages: asAdmin.pages, ms: Math.round(asAdmin.ms), 'changes/s': rate(asAdmin.changes, asAdmin.ms) },
      { reader: 'bare select of the same rows', changes: bareRows, pages: Math.ceil(bareRows / PAGE), ms: Math.round(bareMs), 'changes/s': rate(bareRows, bareMs) },
    ]);
    console.log(`ratio consumer/bare: ${(rate(asConsumer.changes, asConsumer.ms) / rate(bareRows, bareMs)).toFixed(2)}; target ≥ 50,000 changes/s as a consumer`);

    const { rows: ends } = await raw.query<{ last: string }>('select max(seq)::text as last from figure_changes');
    const nearEnd = encodeCursor(String(BigInt(ends[0]!.last) - BigInt(PAGE) - 1n));
    const page = (auth: string, query: string) => () => call(auth, 'GET', `/v1/figures/changes?${query}`);
    console.log(`\none page, median of 15 (load ${load()}):`);
    console.table([
      { page: `consumer, ${PAGE} from the start`, ms: +(await median(15, page(consumer, `limit=${PAGE}`))).toFixed(1) },
      { page: `consumer, ${PAGE} at the end`, ms: +(await median(15, page(consumer, `limit=${PAGE}&since=${nearEnd}`))).toFixed(1) },
      { page: `consumer, indicator ${rare} (${RARE_CHANGES} changes, all at the end)`, ms: +(await median(15, page(consumer, `indicator=${rare}&limit=${PAGE}`))).toFixed(1) },
      { page: `admin, indicator ${rare}`, ms: +(await median(15, page(admin, `indicator=${rare}&limit=${PAGE}`))).toFixed(1) },
    ]);
  } finally {
    await database.close();
    await raw.end();
    await stopServer(child);
  }
} finally {
  await cleanup();
}
