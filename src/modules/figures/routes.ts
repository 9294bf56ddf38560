import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import Negotiator from 'negotiator';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../http/app-error.js';
import { pastInstant } from '../../http/as-of.js';
import { decodeCursor, decodeDigitsCursor, encodeCursor } from '../../http/pagination.js';
import { RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { levelNumber, type RegionLevel } from '../../domain/region-code.js';
import type { Candidate } from '../reconciliation/policy.js';
import { csvRow, CSV_COLUMNS, presentFigure } from './present.js';
import { datasetClassifications, figureSeries, figuresState, listChanges, listFigures, type FigureCursor, type FigureFilter, type FigureRow } from './repository.js';
import { fetchKept, memoryCache } from '../../util/memory-cache.js';
import { cacheStatus } from '../../http/cache-status.js';
import type { WatchedTable } from '../../db/change-signals.js';
import { ChangePage, ChangesQuery, FigurePage, FigureQuery, SeriesQuery, SeriesSchema } from './schemas.js';

const READERS = ['consumer', 'producer', 'walidata', 'admin'] as const;

/**
 * `head`, the JSON `entries` separated by commas, and `tail`, as UTF-8 bytes, each encoded
 * once straight into the page. Joined into one string first, an entry with a character
 * beyond Latin-1 (a Σ in a formula) turns the whole page into a two-byte string, which
 * then costs more to build, to keep and to encode when sent than the entries themselves.
 */
function jsonBytes(head: string, entries: readonly string[], tail: string): Buffer {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const out = Buffer.allocUnsafe(3 * (head.length + tail.length + entries.reduce((n, e) => n + e.length + 1, 0)));
  let at = out.write(head);
  entries.forEach((entry, i) => {
    if (i > 0) at += out.write(',', at);
    at += out.write(entry, at);
  });
  at += out.write(tail, at);
  return out.subarray(0, at);
}

function figureCursor(cursor: string | undefined): FigureCursor | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.length === 4 && parsed.every((p) => typeof p === 'string')) return parsed as FigureCursor;
  } catch {
    // fall through
  }
  throw new AppError('INVALID_CURSOR');
}

function breakdownFilter(q: { sex?: string; age_group?: string; disability?: string; desil?: string; breakdown?: string }) {
  const disagg: Record<string, string> = {};
  for (const k of ['sex', 'age_group', 'disability', 'desil'] as const) if (q[k] !== undefined) disagg[k] = q[k]!;
  return { disagg, totalOnly: q.breakdown === 'total' };
}

/**
 * Consumers never see a figure whose value comes from a closed (tertutup) dataset or that only
 * closed datasets support, nor the candidates of restricted (terbatas) or closed ones; agencies
 * and walidata see everything.
 */
async function candidatesFor(request: FastifyRequest, rows: FigureRow[], include: boolean | undefined): Promise<(row: FigureRow) => Candidate[] | undefined> {
  if (!include) return () => undefined;
  const all = (row: FigureRow) => row.candidates as Candidate[];
  if (principalOf(request).role !== 'consumer') return all;
  const access = await datasetClassifications(request.server.database.db, [...new Set(rows.flatMap((r) => all(r).map((c) => c.dataset_id)))]);
  return (row) => all(row).filter((c) => access.get(c.dataset_id) === 'terbuka');
}

/** A page as served: its bytes, with a strong ETag over exactly them. */
interface CachedPage {
  body: Buffer;
  type: string;
  etag: string;
  /** The Link header of a CSV page with a next page. */
  link: string | null;
  /** The body gzipped, made for the first client that asks for it and kept with the page. */
  gzip?: Buffer;
}

/** Below this a page is sent as it is: compressing would save less than it costs. */
const GZIP_MIN_BYTES = 1024;

function tagged(text: string, type: string, link: string | null = null): CachedPage {
  const body = Buffer.from(text);
  return { body, type, link, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}

/**
 * A matching If-None-Match gets 304 and no body. A client that accepts gzip (as browsers,
 * curl --compressed and most HTTP libraries do by default) gets the page gzipped: a page
 * repeats each indicator's labels in every figure, so it shrinks ~15×, and it is compressed
 * once per page, not per request. Each encoding has its own strong ETag.
 */
function sendTagged(request: FastifyRequest, reply: FastifyReply, page: CachedPage) {
  const gzip = page.body.length >= GZIP_MIN_BYTES && new Negotiator(request).encoding(['gzip', 'identity']) === 'gzip';
  const etag = gzip ? `${page.etag.slice(0, -1)}-gzip"` : page.etag;
  reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'Accept, Accept-Encoding, Authorization');
  if (page.link) reply.header('link', page.link);
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
  if (!gzip) return reply.type(page.type).send(page.body);
  page.gzip ??= gzipSync(page.body);
  return reply.type(page.type).header('content-encoding', 'gzip').send(page.gzip);
}

/**
 * Pages are kept in memory, keyed by what decides their bytes: who asks (consumers see less),
 * the request, and the state of the data they were read from. Figures change only when
 * something is published, resolved or reclassified, while downstream systems poll the same
 * pages over and over, so a page is built once per change instead of once per request.
 * 64 MiB (a full page of 1,000 figures is ~400 KiB); the expiry is a safety net should a
 * change notification be lost.
 */
// A page's gzipped copy, made later, is about a fifteenth of its size: left out of the count.
const PAGE_CACHE = { maxSize: 64 * 1024 * 1024, ttl: 10_000, sizeCalculation: (page: CachedPage) => page.body.length };
// Everything a page shows: figures, their labels, and what decides which candidates a consumer
// sees. Figures and indicators are followed per indicator: a page of some indicators is kept
// while others are published.
const PAGE_TABLES: readonly WatchedTable[] = ['reconciled_figures', 'indicators', 'datasets', 'agencies', 'regions'];

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;
  const pages = memoryCache<CachedPage>(PAGE_CACHE);

  app.get(
    '',
    {
      config: { access: READERS },
      schema: {
        tags: ['Figures'],
        operationId: 'listFigures',
        summary: 'Pull reconciled figures',
        description:
          "One trusted figure per indicator × region × period × breakdown, with its provenance (method, source agency and version, conflict, who decided), the indicator's unit, definition and formula. Keys still in an open conflict are served with `status: disputed` and no value (add `includeCandidates=true` for the agency figures). Filters: indicator (repeatable), region, regionLevel, within (every region inside one), period or periodFrom/periodTo, breakdown and its dimensions, status; `asOf` gives the figures as served at an instant (history is never overwritten). Keyset pages (`cursor`; `limit` up to 1000, more → 400). JSON, or CSV with `Accept: text/csv` or `format=csv` (next page in the Link header). Strong ETag: send If-None-Match to get 304 when nothing changed. With `Accept-Encoding: gzip` the page comes gzipped (`Content-Encoding: gzip`, its own ETag), about a fifteenth of the bytes: figures repeat their indicator's labels, definition and formula. Pages are kept in memory until the data under them changes, so polling the same page is cheap; any publication, resolution, reclassification or label edit (an indicator's name or unit, a dataset's title) is served at once, by other processes of the service within milliseconds. A page filtered by indicator is kept while other indicators are published or edited; `Cache-Status` says whether a page came from memory. Consumers never see a figure whose value comes from a `tertutup` dataset or that only `tertutup` datasets support, nor the candidates of `terbatas` or `tertutup` datasets.",
        querystring: FigureQuery,
        headers: Type.Object({
          'If-None-Match': Type.Optional(Type.String({ description: 'The ETag of a page you hold: 304 with no body while it is still current.', examples: ['"3q2-7w6QZx0"'] })),
        }),
        response: {
          200: withHeaders({
            description: 'A page of figures.',
            content: {
              'application/json': { schema: FigurePage },
              'text/csv': { schema: Type.String({ examples: [`${CSV_COLUMNS.join(',')}\nPPKS-06,65.71,Kota Tarakan,2025,,,,,,final,141,orang,priority,DP3AP2KB-6571,2,12,2026-02-10T03:00:00.000Z\n`] }) },
            },
          }, RESPONSE_HEADERS.etag, RESPONSE_HEADERS.link, RESPONSE_HEADERS.contentEncoding, RESPONSE_HEADERS.cacheStatus),
          304: withHeaders({ description: 'Not modified (If-None-Match matched the ETag).', type: 'null' }, RESPONSE_HEADERS.etag, RESPONSE_HEADERS.cacheStatus),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const filter: FigureFilter = {
        indicators: q.indicator,
        region: q.region,
        level: q.regionLevel ? levelNumber(q.regionLevel as RegionLevel) : undefined,
        within: q.within,
        period: q.period,
        periodFrom: q.periodFrom,
        periodTo: q.periodTo,
        status: q.status,
        asOf: pastInstant(q.asOf),
        hideClosed: principalOf(request).role === 'consumer',
        ...breakdownFilter(q),
      };
      const after = figureCursor(q.cursor);
      const wantsCsv = q.format === 'csv' || (q.format === undefined && /text\/csv/.test(request.headers.accept ?? ''));
      const buildPage = async (): Promise<CachedPage> => {
        const rows = await listFigures(db, { ...filter, after, limit });
        const served = rows.slice(0, limit);
        const last = served[served.length - 1];
        const next = rows.length > limit && last ? encodeCursor(JSON.stringify([last.indicator_code, last.period, last.region_code, last.disagg_key])) : null;
        const candidates = await candidatesFor(request, served, q.includeCandidates);
        const data = served.map((r) => presentFigure(r, candidates(r)));
        if (!wantsCsv) return tagged(JSON.stringify({ data, page: { next_cursor: next, limit } }), 'application/json; charset=utf-8');
        let link: string | null = null;
        if (next) {
          const params = new URLSearchParams(request.url.split('?')[1] ?? '');
          params.set('cursor', next);
          params.set('format', 'csv');
          link = `</v1/figures?${params.toString()}>; rel="next"`;
        }
        return tagged(stringify(data.map(csvRow), { header: true, columns: [...CSV_COLUMNS] }), 'text/csv; charset=utf-8', link);
      };
      // The state is taken before the figures are read, so a page is never filed under a state newer than its data.
      const state = app.changes.stamp(PAGE_TABLES, filter.indicators?.length ? filter.indicators : undefined) ?? (await figuresState(db));
      const { value: page, outcome } = await fetchKept(pages, JSON.stringify([filter.hideClosed, wantsCsv, request.url, state]), buildPage);
      reply.header('cache-status', cacheStatus(outcome));
      return sendTagged(request, reply, page);
    },
  );

  app.get(
    '/series',
    {
      config: { access: READERS },
      schema: {
        tags: ['Figures'],
        operationId: 'getFigureSeries',
        summary: 'A time series with per-point provenance',
        description: 'Every period of one indicator for one region (each breakdown, or only the total with breakdown=total), oldest first, each point with its method and source; `asOf` as for /v1/figures.',
        querystring: SeriesQuery,
        response: { 200: SeriesSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await figureSeries(db, {
        indicators: [q.indicator],
        region: q.region,
        asOf: pastInstant(q.asOf),
        hideClosed: principalOf(request).role === 'consumer',
        ...breakdownFilter(q),
      });
      const candidates = await candidatesFor(request, rows, q.includeCandidates);
      return { indicator: q.indicator, region: q.region, data: rows.map((r) => presentFigure(r, candidates(r))) };
    },
  );

  app.get(
    '/changes',
    {
      config: { access: READERS },
      schema: {
        tags: ['Figures'],
        operationId: 'listFigureChanges',
        summary: 'Change feed of reconciled figures',
        description:
          "Every change to the figures in the order it was committed: `new` (first figure for a key), `revised` (a new value), `disputed` (agencies now disagree, or a decision was taken back) and `resolved` (a conflict was settled). Start without `since`, then pass `next_cursor` back as `since`: the cursor is opaque and stable, and replaying from an old cursor delivers every later change exactly once, in order. Each entry is a record of what was announced: the figure as written by that change, with the labels it had then (indicator name and unit; source agency and dataset title), and `valid_to` once a later change replaced it. The indicator's definition and formula are not repeated in every entry: GET /v1/indicators/{code} gives them (and /v1/figures with each figure). A label edited later shows at once in /v1/figures, and in the feed with the figure's next change; replaying a cursor returns the same entries. Consumers see only changes to figures they may see; when a figure they could see comes to be served from a `tertutup` dataset, they get a `withdrawn` entry with only the key (drop the figure: /v1/figures no longer serves it to them). The same happens when a dataset is reclassified to `tertutup` (PATCH /v1/datasets/{id}); when one is reclassified from `tertutup`, the figures it now lets them see arrive again, unchanged, with the kind of the change that made them, and their earlier entries are no longer replayed, so a replay still delivers each figure once. Apply entries as upserts by key: after a dataset is closed and reopened, a consumer that did not sync in between receives the same figure again. Only consumers get these re-announcements.",
        querystring: ChangesQuery,
        response: { 200: ChangePage },
      },
    },
    async (request, reply) => {
      const { since, limit = 500, indicator } = request.query;
      const after = decodeDigitsCursor(since, 18) ?? '0';
      const rows = await listChanges(db, { since: after, limit, hideClosed: principalOf(request).role === 'consumer', indicators: indicator });
      const served = rows.slice(0, limit);
      const last = served[served.length - 1];
      // The entries are stored as JSON (see listChanges): the page is written around them, not serialised again.
      const body = jsonBytes('{"data":[', served.map((r) => r.entry), `],"next_cursor":${JSON.stringify(encodeCursor(last ? last.seq : after))},"has_more":${rows.length > limit}}`);
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
};

export default routes;
