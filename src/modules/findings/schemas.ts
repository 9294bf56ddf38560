import Type from 'typebox';
import { INT4_MAX, PageOf, PageQuery } from '../../http/schemas.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import { DETECTORS } from '../../domain/quality-rules.js';
import type { Disaggregation } from '../../domain/finding.js';

// The finding as reports, pages and the findings routes show it.
export const AnomalySchema = Type.Object(
  {
    detector: Type.Enum(['jump', 'zero', 'flat', 'outlier', 'coherence', 'population'], { description: 'Which detector fired (thresholds: GET /v1/indicators/{code}/quality-rules).' }),
    indicator: Type.String(),
    region: Type.String(),
    period: Type.String(),
    disaggregation: Type.Unsafe<Disaggregation>(Type.Record(Type.String(), Type.String(), { description: 'The breakdown of the series (sex, age_group, …); empty for the total.' })),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The numbers behind the finding: `value`, the `compared` value(s) (earlier points, peer median, children sum or population) and the `threshold` crossed.',
    }),
  },
  {
    title: 'Anomaly',
    description: 'Anomaly (plausibility) findings only: the series, the value and what it was compared with.',
    examples: [{ detector: 'jump', indicator: 'PPKS-06', region: '65.71', period: '2025', disaggregation: {}, details: { value: 190, compared: [{ period: '2024', value: 43 }], ratio: 4.42, change: 147, threshold: { max_ratio: 2, min_change: 10 } } }],
  },
);

export const FindingSchema = Type.Object({
  code: Type.String({ description: 'Stable rule code, e.g. SD_COUNT_NOT_INTEGER, KR_REGION_UNKNOWN, IO_RAGGED_ROW, MD_REQUIRED_MISSING.' }),
  severity: Type.Enum(['error', 'warning'], { description: '`error` rejects the version; `warning` does not.' }),
  principle: Type.Enum(['standar-data', 'metadata', 'interoperabilitas', 'kode-referensi', 'kewajaran'], {
    description: 'The Satu Data principle the rule checks, or `kewajaran` (plausibility) for anomaly detectors.',
  }),
  row: Type.Optional(Type.Integer({ description: 'Row in the file as a spreadsheet shows it (header = 1).' })),
  pointer: Type.Optional(Type.String({ description: 'JSON pointer (JSON pushes and metadata).' })),
  column: Type.Optional(Type.String()),
  value: Type.Optional(Type.String({ description: 'The offending value as received (NIK-like values masked).' })),
  message: Type.Object({ id: Type.String(), en: Type.String() }),
  hint: Type.Optional(Type.Object({ id: Type.String(), en: Type.String() })),
  anomaly: Type.Optional(AnomalySchema),
}, { title: 'ValidationFinding' });

export const FINDING_STATUSES = ['open', 'answered', 'explained', 'confirmed-error'] as const;

const Actorship = {
  by: Type.String({ description: 'Client id.' }),
  at: Type.String({ format: 'date-time' }),
};

/** A finding as stored: the report's finding with its id and where the conversation about it stands. */
export const StoredFinding = Type.Object({
  id: Type.String({ description: 'Finding id (digits; use it to answer or resolve the finding).' }),
  ...FindingSchema.properties,
  status: Type.Enum([...FINDING_STATUSES], {
    description: '`open` (new), `answered` (the agency explained it), `explained` (a walidata accepted the explanation) or `confirmed-error` (a walidata found the figure wrong).',
  }),
  answer: Type.Union([Type.Object({ text: Type.String(), ...Actorship }), Type.Null()], { description: "The agency's answer, if any." }),
  resolution: Type.Union([Type.Object({ status: Type.Enum(['explained', 'confirmed-error']), note: Type.String(), ...Actorship }), Type.Null()], {
    description: "A walidata's decision, if any.",
  }),
});

export const FindingItem = Type.Object({
  ...StoredFinding.properties,
  dataset_id: Type.String({ format: 'uuid' }),
  version: Type.Integer(),
  version_status: Type.String(),
  agency: Type.String({ description: 'Code of the agency that pushed the version.' }),
}, { title: 'Finding' });

export const findingExample = {
  id: '1842',
  code: 'AN_JUMP',
  severity: 'warning',
  principle: 'kewajaran',
  row: 6,
  column: 'value',
  value: '190',
  message: {
    id: 'Lonjakan pada PPKS-06 · 65.71: 190 pada 2025 dibanding 43 pada 2024 (+342%, 4.419 kali; ambang 2 kali dan selisih minimal 10).',
    en: 'Jump in PPKS-06 · 65.71: 190 in 2025 against 43 in 2024 (+342%, 4.419 times; threshold 2 times and a change of at least 10).',
  },
  anomaly: { detector: 'jump', indicator: 'PPKS-06', region: '65.71', period: '2025', disaggregation: {}, details: { value: 190, compared: [{ period: '2024', value: 43 }], ratio: 4.419, change: 147, threshold: { max_ratio: 2, min_change: 10 } } },
  status: 'answered',
  answer: { text: 'Program penjangkauan baru menemukan 147 anak tambahan.', by: 'dinsos-6571-sistem', at: '2026-02-03T02:00:00.000Z' },
  resolution: null,
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  version: 3,
  version_status: 'submitted',
  agency: 'DINSOS-6571',
};

export const FindingPage = PageOf(FindingItem, 'Findings, newest first.', [{ data: [findingExample], page: { next_cursor: null, limit: 100 } }], 'FindingPage');

export const FindingQuery = Type.Object(
  {
    agency: Type.Optional(Type.String({ maxLength: 64, description: 'Agency code (producers always see only their own).' })),
    dataset: Type.Optional(Type.String({ format: 'uuid' })),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: INT4_MAX, description: 'With `dataset`: one version.' })),
    indicator: Type.Optional(IndicatorCode),
    region: Type.Optional(Type.String({ pattern: REGION_CODE_PATTERN, description: 'Anomaly findings on this region or inside it.' })),
    detector: Type.Optional(Type.Enum([...DETECTORS])),
    kind: Type.Optional(Type.Enum(['anomaly', 'rule'], { description: '`anomaly`: plausibility findings only; `rule`: Satu Data rule findings only.' })),
    severity: Type.Optional(Type.Enum(['error', 'warning'])),
    status: Type.Optional(Type.Enum([...FINDING_STATUSES])),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const FindingParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,18}$', description: 'Finding id.' }) });

export const AnswerBody = Type.Object(
  { answer: Type.String({ minLength: 3, maxLength: 4000, description: "The agency's explanation of the figure." }) },
  { additionalProperties: false, examples: [{ answer: 'Program penjangkauan baru menemukan 550 anak tambahan.' }] },
);

export const ResolveBody = Type.Object(
  {
    status: Type.Enum(['explained', 'confirmed-error'], { description: '`explained`: the figure stands; `confirmed-error`: it is wrong (the version cannot be published; return it).' }),
    note: Type.String({ minLength: 3, maxLength: 4000, description: "Why: for `explained`, the agency's explanation as accepted; for `confirmed-error`, what is wrong." }),
  },
  { additionalProperties: false, examples: [{ status: 'explained', note: 'Dikonfirmasi dalam rapat rekonsiliasi 10 Feb: program penjangkauan baru.' }] },
);
