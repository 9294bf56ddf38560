import Type from 'typebox';
import { IndicatorCode } from '../indicators/schemas.js';
import { REGION_CODE_PATTERN, REGION_LEVELS } from '../../domain/region-code.js';
import { CandidateSchema } from '../reconciliation/schemas.js';

const PERIOD = '^\\d{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$';

export const FigureSchema = Type.Object({
  indicator: Type.String(),
  indicator_name: Type.String(),
  unit: Type.String({ description: 'Satuan of the indicator (orang, persen, …).' }),
  definition: Type.Union([Type.String(), Type.Null()], { description: 'MS-Ind definisi.' }),
  formula: Type.Union([Type.String(), Type.Null()], { description: 'MS-Ind metode/rumus perhitungan.' }),
  region: Type.String(),
  region_name: Type.String(),
  region_level: Type.Enum([...REGION_LEVELS]),
  period: Type.String(),
  disaggregation: Type.Record(Type.String(), Type.String(), { description: 'Empty for the total.' }),
  status: Type.Enum(['final', 'disputed'], { description: '`disputed`: agencies disagree and nobody has resolved it yet; no value is served.' }),
  value: Type.Union([Type.String(), Type.Null()], { description: 'Decimal text (no float rounding); null while disputed.' }),
  method: Type.Union([Type.Enum(['single-source', 'agreement', 'priority', 'median', 'latest', 'manual']), Type.Null()], {
    description:
      'How the value was chosen. `agreement`: every candidate within the tolerance; the value of the highest-priority agency of the policy that reported the key, else the median of the agreeing values (never simply the latest published).',
  }),
  source: Type.Union(
    [
      Type.Object({
        agency: Type.String(),
        agency_name: Type.String(),
        dataset_id: Type.String({ format: 'uuid' }),
        dataset_title: Type.String(),
        version: Type.Integer(),
        published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      }),
      Type.Null(),
    ],
    { description: 'The agency figure served; null for a median, an adjudicated value or a disputed key.' },
  ),
  conflict_id: Type.Union([Type.String(), Type.Null()], { description: 'The conflict this key went through, if any (GET /v1/conflicts/{id}).' }),
  rationale: Type.Union([Type.String(), Type.Null()], { description: "A walidata's reason for a manual value or a reopening; for `agreement`, which rule chose the value (priority agency or median)." }),
  decided_by: Type.Union([Type.String(), Type.Null()], { description: 'The walidata who decided, or system:reconciliation.' }),
  valid_from: Type.String({ format: 'date-time' }),
  valid_to: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Null while it is the figure served.' }),
  candidates: Type.Optional(Type.Array(CandidateSchema, { description: 'With includeCandidates=true: every agency figure behind it (consumers see only those of open datasets).' })),
}, { title: 'Figure' });

/**
 * A figure as the change feed and webhooks announce it: all /v1/figures gives but the
 * indicator's definition and formula, which would repeat ~0.8 kB in every change of the indicator.
 */
export const FeedFigureSchema = Type.Omit(FigureSchema, ['definition', 'formula', 'candidates'], {
  title: 'FeedFigure',
  description: "A figure as /v1/figures serves it, without the indicator's `definition` and `formula` (GET /v1/indicators/{code} gives them once) and without candidates.",
});

export const figureExample = {
  indicator: 'PPKS-06',
  indicator_name: 'Anak yang Menjadi Korban Tindak Kekerasan',
  unit: 'orang',
  definition: 'Anak usia 0–18 tahun yang mengalami tindak kekerasan.',
  formula: 'Jumlah anak korban kekerasan yang tercatat dalam tahun berjalan.',
  region: '65.71',
  region_name: 'Kota Tarakan',
  region_level: 'kabkota',
  period: '2025',
  disaggregation: {},
  status: 'final',
  value: '141',
  method: 'priority',
  source: { agency: 'DP3AP2KB-6571', agency_name: 'DP3AP2KB Kota Tarakan', dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11', dataset_title: 'Kekerasan terhadap anak', version: 2, published_at: '2026-02-10T03:00:00.000Z' },
  conflict_id: '12',
  rationale: null,
  decided_by: 'system:reconciliation',
  valid_from: '2026-02-10T03:00:00.000Z',
  valid_to: null,
};

const { definition: _definition, formula: _formula, ...feedFigureExample } = figureExample;
export { feedFigureExample };

const commonFilters = {
  indicator: Type.Optional(Type.Array(IndicatorCode, { maxItems: 50, description: 'One or more indicator codes (repeat the parameter).' })),
  sex: Type.Optional(Type.String({ maxLength: 16 })),
  age_group: Type.Optional(Type.String({ maxLength: 32 })),
  disability: Type.Optional(Type.String({ maxLength: 32 })),
  desil: Type.Optional(Type.String({ maxLength: 8 })),
  breakdown: Type.Optional(Type.Enum(['any', 'total'], { default: 'any', description: '`total`: only figures without a disaggregation.' })),
  asOf: Type.Optional(Type.String({ format: 'date-time', description: 'The figures as they were served at this instant (not in the future).' })),
  includeCandidates: Type.Optional(Type.Boolean({ default: false, description: 'Add every agency figure behind each figure (and disputed keys\' candidates).' })),
};

export const FigureQuery = Type.Object(
  {
    ...commonFilters,
    region: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: 'Exactly this region.' })),
    regionLevel: Type.Optional(Type.Enum([...REGION_LEVELS])),
    within: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: 'Every region inside this one (not itself).' })),
    period: Type.Optional(Type.String({ pattern: PERIOD, description: 'One period: 2025, 2025-S1, 2025-Q3 or 2025-07.' })),
    periodFrom: Type.Optional(Type.String({ pattern: PERIOD })),
    periodTo: Type.Optional(Type.String({ pattern: PERIOD, description: 'Inclusive; 2025 includes 2025-Q4.' })),
    status: Type.Optional(Type.Enum(['final', 'disputed'])),
    format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: a flat table (as does Accept: text/csv).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Figures per page, 1–1000 (more → 400).' })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const SeriesQuery = Type.Object(
  {
    ...commonFilters,
    indicator: IndicatorCode,
    region: Type.String({ pattern: REGION_CODE_PATTERN }),
  },
  { additionalProperties: false },
);

export const ChangesQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ maxLength: 512, description: 'The next_cursor of the previous call; omit to start from the beginning.' })),
    indicator: commonFilters.indicator,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
  },
  { additionalProperties: false },
);

export const FigurePage = Type.Object(
  { data: Type.Array(FigureSchema), page: Type.Object({ next_cursor: Type.Union([Type.String(), Type.Null()]), limit: Type.Integer() }) },
  { title: 'FigurePage', examples: [{ data: [figureExample], page: { next_cursor: null, limit: 100 } }] },
);

export const SeriesSchema = Type.Object(
  { indicator: Type.String(), region: Type.String(), data: Type.Array(FigureSchema, { description: 'One point per period (and breakdown), oldest first, each with its provenance.' }) },
  { title: 'FigureSeries', examples: [{ indicator: 'PPKS-06', region: '65.71', data: [figureExample] }] },
);

export const ChangePage = Type.Object(
  {
    data: Type.Array(
      Type.Union([
        Type.Object({
          kind: Type.Enum(['new', 'revised', 'disputed', 'resolved']),
          at: Type.String({ format: 'date-time' }),
          figure: FeedFigureSchema,
        }),
        Type.Object(
          {
            kind: Type.Literal('withdrawn'),
            at: Type.String({ format: 'date-time' }),
            figure: Type.Object({ indicator: Type.String(), region: Type.String(), period: Type.String(), disaggregation: Type.Record(Type.String(), Type.String()) }),
          },
          { description: 'Consumers only: the key is no longer served to you (its figure now comes from a `tertutup` dataset); drop your copy. Only the key is given.' },
        ),
      ]),
    ),
    next_cursor: Type.String({ description: 'Pass as `since` next time; it never goes backwards, and an empty page returns the cursor you sent.' }),
    has_more: Type.Boolean(),
  },
  { title: 'FigureChangePage', examples: [{ data: [{ kind: 'resolved', at: '2026-02-17T04:00:00.000Z', figure: { ...feedFigureExample, method: 'manual' } }], next_cursor: 'eyJrIjoiNDIifQ', has_more: false }] },
);
