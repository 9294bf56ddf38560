import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { nationalWriters } from '../../domain/principal.js';
import { assertIndicator, replaceIndicatorSetting } from '../indicators/indicator-settings.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { DEFAULT_QUALITY_RULES, effectiveRules, type QualityRulesPatch } from '../../domain/quality-rules.js';
import { saveQualityRules, storedQualityRules } from './repository.js';
import { QualityRulesPut, QualityRulesView } from './schemas.js';

const CodeParams = Type.Object({ code: IndicatorCode });

async function view(db: Kysely<DB>, code: string) {
  await assertIndicator(db, code);
  const stored = await storedQualityRules(db, code);
  const customised = (stored?.config ?? {}) as QualityRulesPatch;
  return {
    indicator: code,
    rules: effectiveRules(customised),
    customised,
    defaults: DEFAULT_QUALITY_RULES,
    updated_by: stored?.updated_by ?? null,
    updated_at: stored?.updated_at.toISOString() ?? null,
  };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '/:code/quality-rules',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Indicators'],
        operationId: 'getQualityRules',
        summary: "An indicator's anomaly thresholds",
        description:
          'The thresholds the anomaly detectors use for this indicator on every push: jump (period-on-period ratio and minimum change), zero (drop to / rise from zero), flat (copied-forward runs and implausibly low variance), outlier (robust z-score against regions of the same level and parent, per capita for counts of people), coherence (children summing above or away from their parent, counts only) and population (a count of people above the population). Peers, parents and children are taken from the push and, for regions it does not cover, from the final reconciled figures currently published by any agency; each finding lists the values it was compared with and where each came from. Each can be `warning`, `error` or `off`.',
        params: CodeParams,
        response: { 200: QualityRulesView, 404: problem('No such indicator (INDICATOR_NOT_FOUND).') },
      },
    },
    async (request) => view(db, request.params.code),
  );

  app.put(
    '/:code/quality-rules',
    {
      config: { access: nationalWriters('aturan mutu / quality rules') },
      schema: {
        tags: ['Indicators'],
        operationId: 'putQualityRules',
        summary: "Set an indicator's anomaly thresholds",
        description:
          'National walidata or admin (thresholds apply to every region). Sends the thresholds to customise (partial per detector; anything left out follows the default) and replaces the earlier customisation; `{}` restores every default. Out-of-range values (a negative tolerance, a ratio of 1 or less, a z of 1000) → 400. Applies to pushes from now on; audited with the before and after.',
        params: CodeParams,
        body: QualityRulesPut,
        response: { 200: QualityRulesView, 404: problem('No such indicator (INDICATOR_NOT_FOUND).') },
      },
    },
    async (request) =>
      replaceIndicatorSetting(db, {
        actor: principalOf(request),
        requestId: request.id,
        code: request.params.code,
        action: 'indicator.quality-rules-updated',
        view,
        save: (trx) => saveQualityRules(trx, request.params.code, request.body, principalOf(request).clientId),
        audited: (v) => ({ customised: v.customised }),
      }),
  );
};

export default routes;
