import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { WRITERS_OF_REFERENCE } from '../auth/principal.js';
import { assertIndicator, replaceIndicatorSetting } from '../indicators/indicator-settings.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { effectivePolicy, type ReconciliationPolicy } from './policy.js';
import { savePolicy, storedPolicy } from './repository.js';
import { PolicyBody, PolicyView } from './schemas.js';

const CodeParams = Type.Object({ code: IndicatorCode });

async function view(db: Kysely<DB>, code: string) {
  await assertIndicator(db, code);
  const stored = await storedPolicy(db, code);
  return {
    indicator: code,
    policy: effectivePolicy(stored?.config as Partial<ReconciliationPolicy> | undefined),
    is_default: !stored,
    updated_by: stored?.updated_by ?? null,
    updated_at: stored?.updated_at.toISOString() ?? null,
  };
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
          'How one figure is chosen when agencies disagree on this indicator: the tolerance within which values agree, the agency priority, the method when no priority applies (`manual` by default) and whether automatic choices need confirmation. Without a stored policy the default applies: exact agreement, no priority, manual.',
        params: CodeParams,
        response: { 200: PolicyView, 404: problem('No such indicator (INDICATOR_NOT_FOUND).') },
      },
    },
    async (request) => view(db, request.params.code),
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
          'Walidata or admin. Replaces the policy as a whole; it applies to publications from now on (figures already reconciled keep their decision until a candidate changes). Audited with the before and after.',
        params: CodeParams,
        body: PolicyBody,
        response: { 200: PolicyView, 404: problem('No such indicator (INDICATOR_NOT_FOUND).') },
      },
    },
    async (request) =>
      replaceIndicatorSetting(db, {
        actor: principalOf(request),
        requestId: request.id,
        code: request.params.code,
        action: 'indicator.reconciliation-policy-updated',
        view,
        save: (trx) => savePolicy(trx, request.params.code, request.body, principalOf(request).clientId),
        audited: (v) => ({ policy: v.policy, is_default: v.is_default }),
      }),
  );
};

export default routes;
