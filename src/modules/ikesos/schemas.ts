import Type from 'typebox';
import { REGION_CODE_PATTERN, REGION_LEVELS } from '../../domain/region-code.js';
import { IndicatorCode } from '../indicators/schemas.js';

const PERIOD = Type.String({ pattern: '^\\d{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$', description: 'Period, e.g. 2025.' });
const Mean = Type.Enum(['arithmetic', 'geometric']);
const Bilingual = Type.Object({ id: Type.String(), en: Type.String() });

export const MethodologyConfigSchema = Type.Object(
  {
    normalisation: Type.Enum(['goalposts', 'observed'], {
      description: '`goalposts`: fixed min/max per indicator (HDI-style); `observed`: min/max across the regions compared (when they are all equal, or one region is compared alone, every region gets 0.5 whatever the direction).',
    }),
    aggregation: Type.Object({ within: Mean, across: Mean }, { additionalProperties: false, description: 'Weighted mean within each dimension and across dimensions.' }),
    floor: Type.Number({ minimum: 0, maximum: 1, description: 'Lowest normalised value (0–1) fed to a geometric mean; must be > 0 when one is used.' }),
    scale: Type.Object({ min: Type.Number(), max: Type.Number() }, { additionalProperties: false }),
    categories: Type.Array(Type.Object({ label: Type.String({ minLength: 1, maxLength: 64 }), min: Type.Number() }, { additionalProperties: false }), {
      maxItems: 20,
      description: 'Ascending lower bounds on the scale; a score takes the label of the highest bound it reaches.',
    }),
    coverage: Type.Object(
      {
        min_dimension: Type.Number({ minimum: 0, maximum: 1, description: 'Share of a dimension\'s indicators needed for a dimension score.' }),
        min_overall: Type.Number({ minimum: 0, maximum: 1, description: 'Share of all indicators needed for a score; below it the score is null with the reason.' }),
      },
      { additionalProperties: false },
    ),
    dimensions: Type.Array(
      Type.Object(
        {
          code: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          weight: Type.Number({ description: 'Must be > 0 (422 otherwise).' }),
          indicators: Type.Array(
            Type.Object(
              {
                code: IndicatorCode,
                direction: Type.Enum(['positive', 'negative'], { description: 'positive: higher is better.' }),
                weight: Type.Number({ description: 'Must be > 0 (422 otherwise).' }),
                goalposts: Type.Optional(Type.Object({ min: Type.Number(), max: Type.Number() }, { additionalProperties: false })),
              },
              { additionalProperties: false },
            ),
            { maxItems: 100 },
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

const configExample = {
  normalisation: 'goalposts',
  aggregation: { within: 'arithmetic', across: 'geometric' },
  floor: 0.01,
  scale: { min: 0, max: 100 },
  categories: [
    { label: 'rendah', min: 0 },
    { label: 'sedang', min: 40 },
    { label: 'tinggi', min: 60 },
    { label: 'sangat tinggi', min: 80 },
  ],
  coverage: { min_dimension: 0.5, min_overall: 0.75 },
  dimensions: [
    {
      code: 'perlindungan_sosial',
      name: 'Perlindungan sosial',
      weight: 2,
      indicators: [
        { code: 'IKS-01', direction: 'positive', weight: 1, goalposts: { min: 0, max: 100 } },
        { code: 'IKS-12', direction: 'negative', weight: 2, goalposts: { min: 0, max: 40 } },
      ],
    },
  ],
};

export const MethodologyCreate = Type.Object(
  {
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Unique version label, e.g. 2026.1.' }),
    name: Type.String({ minLength: 3, maxLength: 200 }),
    description: Type.String({ maxLength: 4000, default: '' }),
    provisional: Type.Boolean({ default: false, description: 'Say so in every response that uses it.' }),
    config: MethodologyConfigSchema,
  },
  { title: 'MethodologyCreate', additionalProperties: false, examples: [{ version: '2026.1', name: 'IKESOS Kaltara 2026', description: 'Bobot perlindungan sosial dua kali lipat.', provisional: true, config: configExample }] },
);

const methodologyExample = {
  id: '2',
  version: '2026.1',
  name: 'IKESOS Kaltara 2026',
  description: '',
  provisional: true,
  status: 'draft',
  config: configExample,
  created_by: 'walidata-prov-65',
  created_at: '2026-01-05T02:00:00.000Z',
  activated_by: null,
  activated_at: null,
  retired_at: null,
};

export const MethodologySchema = Type.Object(
  {
    id: Type.String(),
    version: Type.String(),
    name: Type.String(),
    description: Type.String(),
    provisional: Type.Boolean(),
    status: Type.Enum(['draft', 'active', 'retired']),
    config: MethodologyConfigSchema,
    created_by: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    activated_by: Type.Union([Type.String(), Type.Null()]),
    activated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    retired_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'Methodology', examples: [methodologyExample] },
);

export const MethodologyList = Type.Object({ data: Type.Array(MethodologySchema) }, { examples: [{ data: [methodologyExample] }] });

const MethodologyLabel = Type.Object(
  {
    id: Type.String(),
    version: Type.String(),
    name: Type.String(),
    status: Type.String(),
    provisional: Type.Boolean(),
    notice: Type.Union([Bilingual, Type.Null()], { description: 'Present when the methodology is provisional: say so wherever the score is used.' }),
  },
  { description: 'The methodology every number in this response was computed with.' },
);

const Official = Type.Union(
  [
    Type.Object({
      score: Type.Number(),
      category: Type.Union([Type.String(), Type.Null()]),
      source: Type.String(),
      loaded_at: Type.String({ format: 'date-time' }),
      difference: Type.Union([Type.Number(), Type.Null()], { description: 'Computed minus official.' }),
    }),
    Type.Null(),
  ],
  {
    description:
      'The official score loaded from the ministry, if any, beside the computed one. With `asOf`, only a score loaded by then: a reload replaces the earlier value (no history is kept), so before the last load none is shown.',
  },
);

const Coverage = Type.Object({ present: Type.Integer(), expected: Type.Integer(), share: Type.Number() });

const labelExample = { id: '1', version: '2026.0-sementara', name: 'IKESOS bawaan (sementara)', status: 'active', provisional: true, notice: { id: 'Metodologi sementara: …', en: 'Provisional methodology: …' } };

export const ScoreList = Type.Object(
  {
    methodology: MethodologyLabel,
    period: Type.String(),
    as_of: Type.Union([Type.String(), Type.Null()]),
    compared: Type.Integer({ description: 'Regions ranked: those in this response that have a score (a region without one has `rank: null` and is not counted).' }),
    data: Type.Array(
      Type.Object({
        region: Type.String(),
        region_name: Type.String(),
        region_level: Type.Enum([...REGION_LEVELS]),
        score: Type.Union([Type.Number(), Type.Null()], { description: 'Null when coverage is too low: never a number without the data behind it.' }),
        category: Type.Union([Type.String(), Type.Null()]),
        rank: Type.Union([Type.Integer(), Type.Null()], { description: 'Among the regions in this response that have a score; ties share a rank.' }),
        coverage: Coverage,
        reason: Type.Union([Type.String(), Type.Null()], { description: 'Why there is no score.' }),
        dimensions: Type.Array(Type.Object({ code: Type.String(), score: Type.Union([Type.Number(), Type.Null()]), present: Type.Integer(), expected: Type.Integer() })),
        official: Official,
      }),
    ),
  },
  {
    title: 'ScoreList',
    examples: [
      {
        methodology: labelExample,
        period: '2025',
        as_of: null,
        compared: 5,
        data: [
          {
            region: '65.71',
            region_name: 'Kota Tarakan',
            region_level: 'kabkota',
            score: 63.4,
            category: 'tinggi',
            rank: 1,
            coverage: { present: 15, expected: 15, share: 1 },
            reason: null,
            dimensions: [{ code: 'perlindungan_sosial', score: 58.2, present: 3, expected: 3 }],
            official: null,
          },
        ],
      },
    ],
  },
);

export const ScoreExplanation = Type.Object(
  {
    methodology: MethodologyLabel,
    region: Type.String(),
    region_name: Type.String(),
    period: Type.String(),
    as_of: Type.Union([Type.String(), Type.Null()]),
    score: Type.Union([Type.Number(), Type.Null()]),
    category: Type.Union([Type.String(), Type.Null()]),
    rank: Type.Union([Type.Integer(), Type.Null()]),
    compared: Type.Integer({ description: 'Regions ranked: those of the same level under the same parent (this one included) that have a score. Regions without a score are not ranked and not counted; 0 when none has one.' }),
    coverage: Coverage,
    reason: Type.Union([Type.String(), Type.Null()]),
    method: Type.Record(Type.String(), Type.Unknown(), { description: 'Normalisation, aggregation, floor, scale, coverage rule and categories used.' }),
    dimensions: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        weight: Type.Number(),
        expected: Type.Integer(),
        present: Type.Integer(),
        score: Type.Union([Type.Number(), Type.Null()]),
        reason: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    indicators: Type.Array(
      Type.Object({
        code: Type.String(),
        dimension: Type.String(),
        direction: Type.String(),
        weight: Type.Number(),
        value: Type.Union([Type.Number(), Type.Null()]),
        normalised: Type.Union([Type.Number(), Type.Null()], { description: '0–1 after normalisation and direction.' }),
        goalposts: Type.Union([Type.Object({ min: Type.Number(), max: Type.Number() }), Type.Null()]),
        left_out: Type.Union([Type.Enum(['missing', 'disputed', 'restricted']), Type.Null()]),
        provenance: Type.Optional(
          Type.Record(Type.String(), Type.Unknown(), { description: 'The reconciled figure used: value, method, source agency and version, conflict. Absent when missing or restricted.' }),
        ),
      }),
    ),
    left_out: Type.Array(
      Type.Object({
        indicator: Type.String(),
        reason: Type.Enum(['missing', 'disputed', 'restricted'], {
          description:
            '`missing`: no reconciled figure; `disputed`: agencies disagree and the conflict is still open; `restricted` (consumers only): sumber data tertutup / closed source — the figure comes from a closed (tertutup) dataset, so neither its value nor its source is shown.',
        }),
        conflict_id: Type.Union([Type.String(), Type.Null()], { description: 'The open conflict (GET /v1/conflicts/{id}) when disputed.' }),
      }),
      { description: 'Indicators not used, and why (disputed figures are never used, nor closed ones for consumers). They count as not present in the coverage.' },
    ),
    official: Official,
  },
  {
    title: 'ScoreExplanation',
    examples: [
      {
        methodology: labelExample,
        region: '65.71',
        region_name: 'Kota Tarakan',
        period: '2025',
        as_of: null,
        score: 63.4,
        category: 'tinggi',
        rank: 1,
        compared: 5,
        coverage: { present: 14, expected: 15, share: 0.933 },
        reason: null,
        method: { normalisation: 'goalposts', aggregation: { within: 'arithmetic', across: 'arithmetic' } },
        dimensions: [{ code: 'jaminan_sosial', name: 'Jaminan sosial', weight: 1, expected: 2, present: 2, score: 71.5, reason: null }],
        indicators: [{ code: 'IKS-03', dimension: 'jaminan_sosial', direction: 'positive', weight: 1, value: 83, normalised: 0.83, goalposts: { min: 0, max: 100 }, left_out: null, provenance: { value: '83', method: 'priority', source_agency: 'BPJS-KES-6571' } }],
        left_out: [{ indicator: 'IKS-12', reason: 'disputed', conflict_id: '7' }],
        official: null,
      },
    ],
  },
);

export const SensitivitySchema = Type.Object(
  {
    methodology: MethodologyLabel,
    region: Type.String(),
    period: Type.String(),
    score: Type.Union([Type.Number(), Type.Null()]),
    rank: Type.Union([Type.Integer(), Type.Null()]),
    compared: Type.Integer({ description: 'Regions ranked: the same level and parent, with a score.' }),
    scenarios: Type.Array(
      Type.Object({
        kind: Type.Enum(['indicator-weight', 'dimension-weight', 'leave-out']),
        target: Type.String({ description: 'The indicator or dimension changed.' }),
        change: Type.Union([Type.Enum(['+10%', '-10%']), Type.Null()]),
        score: Type.Union([Type.Number(), Type.Null()]),
        delta: Type.Union([Type.Number(), Type.Null()]),
        rank: Type.Union([Type.Integer(), Type.Null()]),
        rank_change: Type.Union([Type.Integer(), Type.Null()], { description: 'Positive: a worse (higher) rank.' }),
      }),
    ),
  },
  {
    title: 'Sensitivity',
    examples: [
      { methodology: labelExample, region: '65.71', period: '2025', score: 63.4, rank: 1, compared: 5, scenarios: [{ kind: 'indicator-weight', target: 'IKS-12', change: '+10%', score: 63.1, delta: -0.3, rank: 2, rank_change: 1 }] },
    ],
  },
);

export const ScoresQuery = Type.Object(
  {
    period: PERIOD,
    region: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN })),
    regionLevel: Type.Optional(Type.Enum([...REGION_LEVELS], { description: 'Default kabkota when neither region nor regionLevel is given.' })),
    within: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: 'Regions inside this one.' })),
    methodology: Type.Optional(Type.String({ pattern: '^\\d{1,18}$', description: 'Methodology id; default: the one in force (at asOf).' })),
    asOf: Type.Optional(
      Type.String({ format: 'date-time', description: 'Scores as they were at this instant: figures and methodology then in force, and official scores only if loaded by then.' }),
    ),
  },
  { additionalProperties: false },
);

export const ScoreParams = Type.Object({ region: Type.String({ pattern: REGION_CODE_PATTERN }), period: PERIOD });

export const ScoreQuery = Type.Object(
  {
    methodology: ScoresQuery.properties.methodology,
    asOf: ScoresQuery.properties.asOf,
  },
  { additionalProperties: false },
);

export const MethodologyParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,18}$' }) });

export const OfficialScoresBody = Type.Object(
  {
    source: Type.String({ minLength: 3, maxLength: 300, description: 'Where the official scores come from (publication, letter number).' }),
    scores: Type.Array(
      Type.Object({ region: Type.String({ pattern: REGION_CODE_PATTERN }), period: PERIOD, score: Type.Number({ minimum: -1e6, maximum: 1e6 }), category: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 10000 },
    ),
  },
  { additionalProperties: false, examples: [{ source: 'Kemensos, Laporan IKESOS 2025', scores: [{ region: '65.71', period: '2025', score: 61.2, category: 'tinggi' }] }] },
);
