import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { decodeDigitsCursor, paginate } from '../../http/pagination.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import type { Principal } from '../../domain/principal.js';
import type { Candidate } from './policy.js';
import { reopenConflict, resolveConflict } from './conflicts.js';
import { findConflict, findingsOnCandidates, listConflicts, type ConflictRow } from './repository.js';
import { ConflictDetail, ConflictPage, ConflictParams, ConflictQuery, ConflictSchema, ReopenBody, ResolveConflictBody } from './schemas.js';

function presentConflict(row: ConflictRow) {
  return {
    id: row.id,
    indicator: row.indicator_code,
    region: row.region_code,
    period: row.period,
    disaggregation: row.disagg,
    status: row.status as 'open' | 'resolved',
    candidates: row.candidates as Candidate[],
    proposal: row.proposal as never,
    resolution: row.resolution as never,
    resolved_by: row.resolved_by,
    resolved_at: row.resolved_at?.toISOString() ?? null,
    opened_at: row.opened_at.toISOString(),
  };
}

/** Producers see the conflicts their agency is part of; others do not exist for them. */
function assertVisible(viewer: Principal, row: ConflictRow | undefined, id: string): ConflictRow {
  const involved = row && (viewer.role !== 'producer' || (row.candidates as Candidate[]).some((c) => c.agency_id === viewer.agency?.id));
  if (!row || !involved) throw new AppError('CONFLICT_NOT_FOUND', { id });
  return row;
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'listConflicts',
        summary: 'List conflicts between agencies',
        description:
          "Keys (indicator × region × period × breakdown) where published figures of two or more agencies disagree beyond the indicator's tolerance, open or resolved, oldest first. Filters: status, indicator, region (and everything inside it), period, agency (a candidate). Producers see only conflicts their agency is part of.",
        querystring: ConflictQuery,
        response: { 200: ConflictPage },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const { limit = 100, cursor, agency, ...filters } = request.query;
      const rows = await listConflicts(db, { ...filters, agency: viewer.role === 'producer' ? viewer.agency?.code : agency, after: decodeDigitsCursor(cursor, 18), limit });
      return paginate(rows, limit, (r) => r.id, presentConflict);
    },
  );

  app.get(
    '/:id',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'getConflict',
        summary: 'Get one conflict',
        description: "Every candidate value with its agency, version, observation status and note; the policy's proposal, if any; the resolution; and the anomaly findings on the candidates.",
        params: ConflictParams,
        response: { 200: ConflictDetail, 404: problem('No such conflict, or not visible to this token (CONFLICT_NOT_FOUND).') },
      },
    },
    async (request) => {
      const row = assertVisible(principalOf(request), await findConflict(db, request.params.id), request.params.id);
      const candidates = row.candidates as Candidate[];
      const findings = await findingsOnCandidates(db, row, candidates.map((c) => c.version_id));
      const byVersion = new Map(candidates.map((c) => [c.version_id, c]));
      return {
        ...presentConflict(row),
        findings: findings.map((f) => ({
          id: f.id,
          agency: byVersion.get(f.version_id)!.agency,
          version: byVersion.get(f.version_id)!.version,
          code: f.code,
          severity: f.severity,
          status: f.status,
          message: { id: f.message_id, en: f.message_en },
        })),
      };
    },
  );

  app.post(
    '/:id/resolve',
    {
      config: { access: ['walidata'] },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'resolveConflict',
        summary: 'Resolve a conflict',
        description:
          "A walidata of the key's region (or a region above it) chooses one candidate agency's figure (`agency`), or enters an adjudicated `value` with a mandatory `rationale` (e.g. the minutes of the reconciliation meeting). The reconciled figure becomes final with method `manual` and the change feed reports it as `resolved`. A resolved conflict is decided again only with `reopen: true` (409 otherwise). If a later publication changes a candidate, the conflict reopens by itself. Audited.",
        params: ConflictParams,
        body: ResolveConflictBody,
        response: {
          200: ConflictSchema,
          403: problem("Not a walidata, or of a region outside the key's (FORBIDDEN, REVIEW_NOT_PERMITTED)."),
          404: problem('No such conflict (CONFLICT_NOT_FOUND).'),
          409: problem('Already resolved and `reopen` not set (CONFLICT_ALREADY_RESOLVED).'),
          422: problem('`agency` is not one of the candidates (REFERENCE_INVALID).'),
        },
      },
    },
    async (request) => presentConflict(await resolveConflict(db, principalOf(request), request.id, request.params.id, request.body)),
  );

  app.post(
    '/:id/reopen',
    {
      config: { access: ['walidata'] },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'reopenConflict',
        summary: 'Reopen a resolved conflict',
        description: 'Takes a decision back, with a rationale: the figure is served as `disputed` again (change feed: `disputed`) until the conflict is resolved anew. Audited.',
        params: ConflictParams,
        body: ReopenBody,
        response: {
          200: ConflictSchema,
          403: problem("Not a walidata, or of a region outside the key's (FORBIDDEN, REVIEW_NOT_PERMITTED)."),
          404: problem('No such conflict (CONFLICT_NOT_FOUND).'),
          409: problem('The conflict is open already (CONFLICT_ALREADY_OPEN).'),
        },
      },
    },
    async (request) => presentConflict(await reopenConflict(db, principalOf(request), request.id, request.params.id, request.body.rationale)),
  );
};

export default routes;
