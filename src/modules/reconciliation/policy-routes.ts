import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { requireCovers } from '../authority/authority.js';
import { requireNational } from '../../plugins/auth.js';
import { WRITERS_OF_REFERENCE, type Principal } from '../../domain/principal.js';
import { assertIndicator, replaceIndicatorSetting } from '../indicators/indicator-settings.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { findRegion } from '../regions/repository.js';
import { DEFAULT_POLICY, effectivePolicy, policyFor, type ReconciliationPolicy } from './policy.js';
import { deletePolicy, savePolicy, storedPolicies } from './repository.js';
import { PolicyBody, PolicyScopeQuery, PolicyView, RegionalPolicyQuery } from './schemas.js';

const CodeParams = Type.Object({ code: IndicatorCode });
const notFound = problem('No such indicator or region (INDICATOR_NOT_FOUND, REGION_NOT_FOUND).');
const refused = problem(
  "A role that may not (FORBIDDEN); the national policy asked for by a regional walidata (NATIONAL_AUTHORITY_REQUIRED); a region outside the walidata's jurisdiction (OUTSIDE_JURISDICTION). Nothing is written.",
);

async function view(db: Kysely<DB>, code: string, region: string | null) {
  await assertIndicator(db, code);
  if (region !== null && !(await findRegion(db, region))) throw new AppError('REGION_NOT_FOUND', { code: region });
  const rows = await storedPolicies(db, code, region);
  const scoped = rows.map((r) => ({ region: r.region_code, policy: effectivePolicy(r.config as Partial<ReconciliationPolicy>) }));
  const applies = region === null ? (scoped[0] ?? null) : policyFor(scoped, region);
  const row = applies && rows.find((r) => r.region_code === applies.region);
  return {
    indicator: code,
    region,
    policy: applies?.policy ?? DEFAULT_POLICY,
    scope: applies === null ? ('default' as const) : applies.region === null ? ('national' as const) : ('region' as const),
    scope_region: applies?.region ?? null,
    is_default: applies === null,
    updated_by: row?.updated_by ?? null,
    updated_at: row?.updated_at.toISOString() ?? null,
  };
}

/** The national policy is national reference data; a regional one belongs to the walidata of that region or above. */
function requireScope(actor: Principal, region: string | null) {
  if (region === null) requireNational(actor, 'kebijakan rekonsiliasi nasional / national reconciliation policy');
  else requireCovers(actor, region);
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '/:code/reconciliation-policy',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'getReconciliationPolicy',
        summary: "An indicator's reconciliation policy",
        description:
          'How one figure is chosen when agencies disagree on this indicator: the tolerance within which values agree, the agency priority, the method when no priority applies (`manual` by default) and whether automatic choices need confirmation. With `?region=`, the policy that governs keys of that region: its own, else that of the nearest region containing it, else the national one (`scope` says which). Without a stored policy the default applies: exact agreement, no priority, manual.',
        params: CodeParams,
        querystring: PolicyScopeQuery,
        response: { 200: PolicyView, 404: notFound },
      },
    },
    async (request) => view(db, request.params.code, request.query.region ?? null),
  );

  app.put(
    '/:code/reconciliation-policy',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'putReconciliationPolicy',
        summary: "Set an indicator's reconciliation policy",
        description:
          "Walidata or admin. Without `region`: the national policy, set by national walidata and admins only (403 NATIONAL_AUTHORITY_REQUIRED for a regional walidata). With `?region=`: that region's own policy, set by a walidata whose jurisdiction covers the region (403 OUTSIDE_JURISDICTION otherwise); it overrides the national one for every key inside the region (a city's own policy before its province's). Replaces the policy as a whole; it applies to publications from now on (figures already reconciled keep their decision until a candidate changes). Audited with the before and after.",
        params: CodeParams,
        querystring: PolicyScopeQuery,
        body: PolicyBody,
        response: { 200: PolicyView, 403: refused, 404: notFound },
      },
    },
    async (request) => {
      const actor = principalOf(request);
      const region = request.query.region ?? null;
      requireScope(actor, region);
      return replaceIndicatorSetting(db, {
        actor,
        requestId: request.id,
        code: request.params.code,
        action: 'indicator.reconciliation-policy-updated',
        view: (trx, code) => view(trx, code, region),
        save: (trx) => savePolicy(trx, request.params.code, region, request.body, actor.clientId),
        audited: (v) => ({ region, policy: v.policy, scope: v.scope, scope_region: v.scope_region, is_default: v.is_default }),
      });
    },
  );

  app.delete(
    '/:code/reconciliation-policy',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Reconciliation'],
        operationId: 'deleteRegionalReconciliationPolicy',
        summary: "Remove a region's own reconciliation policy",
        description:
          "Walidata whose jurisdiction covers the region, or admin (403 OUTSIDE_JURISDICTION otherwise). The region's keys fall back to the policy of the nearest region containing it, the national one, or the default, from the next publication on. The national policy is replaced, never removed. No policy of that region → 404 RECONCILIATION_POLICY_NOT_FOUND. Audited with the before and after.",
        params: CodeParams,
        querystring: RegionalPolicyQuery,
        response: {
          204: Type.Null({ description: 'Removed.' }),
          403: refused,
          404: problem('No such indicator or region, or no policy of that region (INDICATOR_NOT_FOUND, REGION_NOT_FOUND, RECONCILIATION_POLICY_NOT_FOUND).'),
        },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request);
      const { code } = request.params;
      const { region } = request.query;
      requireScope(actor, region);
      await replaceIndicatorSetting(db, {
        actor,
        requestId: request.id,
        code,
        action: 'indicator.reconciliation-policy-removed',
        view: (trx, c) => view(trx, c, region),
        save: async (trx) => {
          if (!(await deletePolicy(trx, code, region))) throw new AppError('RECONCILIATION_POLICY_NOT_FOUND', { code, region });
        },
        audited: (v) => ({ region, policy: v.policy, scope: v.scope, scope_region: v.scope_region, is_default: v.is_default }),
      });
      return reply.code(204).send(null);
    },
  );
};

export default routes;
