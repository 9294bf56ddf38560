import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { pastInstant } from '../../http/as-of.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { cacheStatus } from '../../http/cache-status.js';
import type { WatchedTable } from '../../db/change-signals.js';
import { fetchKept, memoryCache } from '../../util/memory-cache.js';
import { principalOf } from '../../plugins/auth.js';
import { nationalWriters } from '../../domain/principal.js';
import { levelNumber, type RegionLevel } from '../../domain/region-code.js';
import { findMethodology, listMethodologies } from './repository.js';
import {
  MethodologyCreate,
  MethodologyList,
  MethodologyParams,
  MethodologySchema,
  OfficialScoresBody,
  ScoreExplanation,
  ScoreList,
  ScoreParams,
  ScoreQuery,
  ScoresQuery,
  SensitivitySchema,
} from './schemas.js';
import { computeScores, explainScore, methodologyFor, methodologyIndicators, scoreSensitivity } from './service.js';
import type { MethodologyRow } from './repository.js';
import { activateDraft, createMethodology, loadOfficialScores, presentMethodology } from './methodology-service.js';

/** Consumers score from the figures the pull API serves them: none from a closed (tertutup) dataset. */
const hidesClosed = (request: FastifyRequest) => principalOf(request).role === 'consumer';

/** The closed-data rule of the score routes, in their descriptions. */
const CLOSED_RULE =
  'For consumers, scores, ranks (and the ranges of `observed` normalisation) are computed only from the figures the pull API serves them: a figure whose chosen source dataset is closed (`tertutup`), or that only closed datasets support, is left out as `restricted`, without value or source, and counts as missing in the coverage, so a consumer\'s score can differ from the one walidata, producers and admins see (computed from all figures).';

/**
 * Score lists are kept in memory as sent, as pages of figures are: computing the scores of 514
 * kab/kota costs a query over their figures, the arithmetic and the serialisation, while they
 * change only when a figure of one of the methodology's indicators does (or a methodology is
 * activated, a dataset reclassified, official scores loaded). 32 MiB (a list of 514 regions
 * is ~300 KiB). The expiry is longer than the figure pages' 10 s: a list costs seconds to
 * compute on a loaded machine, a live listening connection does not lose notifications, and
 * a dead one is noticed by its 5 s heartbeat (then nothing is kept).
 */
const SCORE_CACHE = { maxSize: 32 * 1024 * 1024, ttl: 60_000, sizeCalculation: (body: Buffer) => body.length };
const METHODOLOGY_CACHE = { max: 100, ttl: 10_000 };
// What a score list is read from besides the figures of the methodology's indicators: the
// methodology (its status is in the list), which figures a consumer may see, the regions
// listed, the official scores beside.
const SCORE_TABLES: readonly WatchedTable[] = ['reconciled_figures', 'ikesos_methodologies', 'datasets', 'regions', 'ikesos_official_scores'];
const METHODOLOGY_TABLES: readonly WatchedTable[] = ['ikesos_methodologies'];

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;
  const scoreLists = memoryCache<Buffer>(SCORE_CACHE);
  const methodologies = memoryCache<MethodologyRow>(METHODOLOGY_CACHE);

  /** The methodology a score request names (or the one in force), read once per change of methodologies. */
  async function scoringMethodology(id: string | undefined, asOf: string | undefined): Promise<MethodologyRow> {
    const stamp = app.changes.stamp(METHODOLOGY_TABLES);
    if (stamp === null) return methodologyFor(db, id, asOf);
    return (await fetchKept(methodologies, JSON.stringify([id, asOf, stamp]), () => methodologyFor(db, id, asOf))).value;
  }

  app.get(
    '/methodologies',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['IKESOS'],
        operationId: 'listIkesosMethodologies',
        summary: 'List IKESOS methodologies',
        description: 'Every methodology version, oldest first: draft, active (exactly one) or retired. The shipped default is labelled provisional.',
        response: { 200: MethodologyList },
      },
    },
    async () => ({ data: (await listMethodologies(db)).map(presentMethodology) }),
  );

  app.get(
    '/methodologies/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['IKESOS'],
        operationId: 'getIkesosMethodology',
        summary: 'Get one IKESOS methodology',
        description: 'Its dimensions, indicators with direction, weight and goalposts, normalisation, aggregation, scale, categories and missing-data rule.',
        params: MethodologyParams,
        response: { 200: MethodologySchema, 404: problem('No such methodology (METHODOLOGY_NOT_FOUND).') },
      },
    },
    async (request) => {
      const row = await findMethodology(db, request.params.id);
      if (!row) throw new AppError('METHODOLOGY_NOT_FOUND', { id: request.params.id });
      return presentMethodology(row);
    },
  );

  app.post(
    '/methodologies',
    {
      config: { access: nationalWriters('metodologi IKESOS / IKESOS methodology') },
      schema: {
        tags: ['IKESOS'],
        operationId: 'createIkesosMethodology',
        summary: 'Add a methodology version (draft)',
        description:
          'National walidata or admin. Stored as a draft; it is used only when asked for (`methodology=`) until activated. Checked as a whole (422 REFERENCE_INVALID naming each problem): every indicator exists and appears once, weights are positive, goalposts ordered (min < max), no empty dimension, a geometric mean has a floor above 0. A version label used before → 409. Audited.',
        body: MethodologyCreate,
        response: {
          201: withHeaders(MethodologySchema, RESPONSE_HEADERS.location('the new methodology')),
          409: problem('Version label already used (METHODOLOGY_VERSION_TAKEN).'),
          422: problem('The methodology cannot be used as it is (REFERENCE_INVALID); see errors.'),
        },
      },
    },
    async (request, reply) => {
      const created = await createMethodology(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/ikesos/methodologies/${created.id}`).send(created);
    },
  );

  app.post(
    '/methodologies/:id/activate',
    {
      config: { access: nationalWriters('metodologi IKESOS / IKESOS methodology') },
      schema: {
        tags: ['IKESOS'],
        operationId: 'activateIkesosMethodology',
        summary: 'Activate a methodology',
        description:
          'National walidata or admin. The draft becomes the active methodology and the one active before is retired (exactly one is active at a time); scores computed from now on use it, and `asOf` scores keep the one then in force. Only a draft can be activated: an active or retired one → 409 METHODOLOGY_NOT_DRAFT. When another draft is activated at the same moment, one of the two requests gets 409 METHODOLOGY_ACTIVATION_CONFLICT and changes nothing; check which is active, then retry if still wanted. Audited.',
        params: MethodologyParams,
        response: {
          200: MethodologySchema,
          404: problem('No such methodology (METHODOLOGY_NOT_FOUND).'),
          409: problem('Not a draft (METHODOLOGY_NOT_DRAFT), or another methodology was activated at the same moment (METHODOLOGY_ACTIVATION_CONFLICT).'),
        },
      },
    },
    async (request) => {
      return activateDraft(db, principalOf(request), request.id, request.params.id);
    },
  );

  app.get(
    '/scores',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['IKESOS'],
        operationId: 'listIkesosScores',
        summary: 'IKESOS scores of regions for a period',
        description:
          'Computed from the current reconciled figures (or those served at `asOf`) and kept in memory until a figure of one of the methodology\'s indicators changes (or the methodology, a dataset\'s classification or the official scores do), so a changed figure changes the score at once and a repeated request is served from memory (`Cache-Status`). Per region: score (0–100 by default), category, rank among the regions listed, each dimension\'s score and the coverage (indicators present / expected). Too little coverage gives `score: null` with the reason, never a number. Disputed figures are never used. ' +
          CLOSED_RULE +
          ' The methodology is named in the response and flagged when provisional; official ministry scores, where loaded, are shown beside with the difference. Regions: `region`, or `regionLevel` and/or `within` (default: every kab/kota).',
        querystring: ScoresQuery,
        response: { 200: withHeaders(ScoreList, RESPONSE_HEADERS.cacheStatus), 404: problem('No such methodology (METHODOLOGY_NOT_FOUND).') },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const level = q.regionLevel ?? (q.region ? undefined : 'kabkota');
      const asOf = pastInstant(q.asOf);
      const methodology = await scoringMethodology(q.methodology, asOf);
      const scoring = {
        period: q.period,
        selection: { region: q.region, within: q.within, level: level ? levelNumber(level as RegionLevel) : undefined },
        methodology,
        asOf,
        hideClosed: hidesClosed(request),
      };
      // Taken before the figures are read, so a list is never filed under a state newer than its data.
      const stamp = app.changes.stamp(SCORE_TABLES, methodologyIndicators(methodology));
      if (stamp === null) {
        reply.header('cache-status', cacheStatus('bypass'));
        return computeScores(db, scoring);
      }
      const key = JSON.stringify([methodology.id, scoring.period, scoring.selection, asOf, scoring.hideClosed, stamp]);
      // Serialised by the route's own response schema, once per list.
      const { value, outcome } = await fetchKept(scoreLists, key, async () => Buffer.from(reply.serialize(await computeScores(db, scoring)) as string));
      return reply.header('cache-status', cacheStatus(outcome)).type('application/json; charset=utf-8').send(value);
    },
  );

  app.get(
    '/scores/:region/:period',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['IKESOS'],
        operationId: 'explainIkesosScore',
        summary: 'Explain one score',
        description:
          'Every input figure (value and reconciliation provenance) with its goalposts and normalised value, every dimension step (weight, coverage, score), the aggregation and scale, the rank among the regions of the same level and parent, what was left out and why (`missing`, `disputed` with its conflict, `restricted`), and the methodology version. Adds up by hand. ' + CLOSED_RULE,
        params: ScoreParams,
        querystring: ScoreQuery,
        response: { 200: ScoreExplanation, 404: problem('No such region or methodology (REGION_NOT_FOUND, METHODOLOGY_NOT_FOUND).') },
      },
    },
    async (request) =>
      explainScore(db, request.params.region, request.params.period, { methodology: request.query.methodology, asOf: pastInstant(request.query.asOf), hideClosed: hidesClosed(request) }),
  );

  app.get(
    '/scores/:region/:period/sensitivity',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['IKESOS'],
        operationId: 'getIkesosSensitivity',
        summary: 'How robust a score and its rank are',
        description: `The score and rank (among the regions of the same level and parent) when each dimension and indicator weight moves by ±10 %, and when each indicator is left out in turn. ${CLOSED_RULE}`,
        params: ScoreParams,
        querystring: ScoreQuery,
        response: { 200: SensitivitySchema, 404: problem('No such region or methodology (REGION_NOT_FOUND, METHODOLOGY_NOT_FOUND).') },
      },
    },
    async (request) =>
      scoreSensitivity(db, request.params.region, request.params.period, { methodology: request.query.methodology, asOf: pastInstant(request.query.asOf), hideClosed: hidesClosed(request) }),
  );

  app.post(
    '/official-scores',
    {
      config: { access: nationalWriters('skor IKESOS resmi / official IKESOS scores') },
      schema: {
        tags: ['IKESOS'],
        operationId: 'loadOfficialIkesosScores',
        summary: 'Load official scores published by the ministry',
        description:
          'National walidata or admin. Upserts per region and period (a reload replaces the earlier official score; no history is kept); they appear beside the computed scores with the difference, and with `asOf` only if loaded by then. Unknown region codes → 422 naming them. Audited.',
        body: OfficialScoresBody,
        response: {
          200: Type.Object({ loaded: Type.Integer() }, { examples: [{ loaded: 1 }] }),
          422: problem('A region code is not in the Kemendagri reference (REFERENCE_INVALID).'),
        },
      },
    },
    async (request) => {
      return loadOfficialScores(db, principalOf(request), request.id, request.body);
    },
  );
};

export default routes;
