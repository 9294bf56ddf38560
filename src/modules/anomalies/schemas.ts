import Type from 'typebox';
import { DEFAULT_QUALITY_RULES } from '../../domain/quality-rules.js';

const Severity = Type.Enum(['warning', 'error', 'off'], {
  description: '`warning` (reported), `error` (reported, and the version cannot be published until the finding is explained) or `off`.',
});

// Bounds keep a typo from silencing a detector or making it fire on everything.
const rules = {
  jump: Type.Object(
    {
      severity: Severity,
      max_ratio: Type.Number({ exclusiveMinimum: 1, maximum: 100, description: 'Fires when the larger of two consecutive values exceeds the smaller this many times.' }),
      min_change: Type.Number({ minimum: 0, maximum: 1e12, description: 'Minimum absolute change, so small counts (2 → 5) do not fire.' }),
    },
    { additionalProperties: false },
  ),
  zero: Type.Object(
    {
      severity: Severity,
      min_typical: Type.Number({ exclusiveMinimum: 0, maximum: 1e12, description: 'A drop to 0 fires when recent values average at least this; a rise from 0 when the value reaches it.' }),
      min_history: Type.Integer({ minimum: 1, maximum: 50, description: 'Earlier periods needed before the detector judges.' }),
    },
    { additionalProperties: false },
  ),
  flat: Type.Object(
    {
      severity: Severity,
      min_run: Type.Integer({ minimum: 2, maximum: 50, description: 'Identical consecutive values that count as copied forward.' }),
      ignore_zero: Type.Boolean({ description: 'Do not report runs of 0 (rare categories are often truly 0).' }),
      cv_window: Type.Integer({ minimum: 3, maximum: 50, description: 'Periods over which the coefficient of variation is measured.' }),
      min_cv: Type.Number({ minimum: 0, maximum: 1, description: 'Coefficient of variation below which a series is implausibly steady.' }),
      cv_min_mean: Type.Number({ minimum: 0, maximum: 1e12, description: 'Only series averaging at least this are judged for low variance.' }),
    },
    { additionalProperties: false },
  ),
  outlier: Type.Object(
    {
      severity: Severity,
      max_z: Type.Number({ minimum: 1, maximum: 100, description: 'Robust z-score (median/MAD) beyond which a value is an outlier among its peers.' }),
      min_peers: Type.Integer({ minimum: 3, maximum: 10000, description: 'Peers (same level and parent, this value included, pushed or published) needed before judging.' }),
      per_capita: Type.Boolean({ description: 'Compare per 1,000 population when every peer has a population figure.' }),
    },
    { additionalProperties: false },
  ),
  coherence: Type.Object(
    {
      severity: Severity,
      tolerance: Type.Number({ minimum: 0, maximum: 1, description: 'Relative difference allowed between the parent and the sum of its children.' }),
    },
    { additionalProperties: false },
  ),
  population: Type.Object({ severity: Severity }, { additionalProperties: false }),
};

export const QualityRulesSchema = Type.Object(rules, { additionalProperties: false });

export const QualityRulesPut = Type.Object(
  {
    jump: Type.Optional(Type.Partial(rules.jump, { additionalProperties: false })),
    zero: Type.Optional(Type.Partial(rules.zero, { additionalProperties: false })),
    flat: Type.Optional(Type.Partial(rules.flat, { additionalProperties: false })),
    outlier: Type.Optional(Type.Partial(rules.outlier, { additionalProperties: false })),
    coherence: Type.Optional(Type.Partial(rules.coherence, { additionalProperties: false })),
    population: Type.Optional(Type.Partial(rules.population, { additionalProperties: false })),
  },
  {
    title: 'QualityRulesPut',
    additionalProperties: false,
    description: 'The thresholds to customise; anything left out follows the default. Replaces the earlier customisation as a whole.',
    examples: [{ jump: { severity: 'error', max_ratio: 3 }, flat: { severity: 'off' } }],
  },
);

export const QualityRulesView = Type.Object(
  {
    indicator: Type.String(),
    rules: QualityRulesSchema,
    customised: QualityRulesPut,
    defaults: QualityRulesSchema,
    updated_by: Type.Union([Type.String(), Type.Null()]),
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  {
    title: 'QualityRules',
    description: 'The rules in force (`rules`) = the defaults with the customised thresholds laid over them.',
    examples: [
      {
        indicator: 'PPKS-06',
        rules: { ...DEFAULT_QUALITY_RULES, jump: { severity: 'error', max_ratio: 3, min_change: 10 } },
        customised: { jump: { severity: 'error', max_ratio: 3 } },
        defaults: DEFAULT_QUALITY_RULES,
        updated_by: 'walidata-prov-65',
        updated_at: '2026-01-05T02:00:00.000Z',
      },
    ],
  },
);
