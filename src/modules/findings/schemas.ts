import Type from 'typebox';
import { INT4_MAX, PageOf, PageQuery } from '../../http/schemas.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { REGION_CODE_PATTERN } from '../regions/region-code.js';
import { DETECTORS } from '../anomalies/quality-rules.js';
import { FINDING_STATUSES, StoredFinding } from '../datasets/version-schemas.js';

export const FindingItem = Type.Object({
  ...StoredFinding.properties,
  dataset_id: Type.String({ format: 'uuid' }),
  version: Type.Integer(),
  version_status: Type.String(),
  agency: Type.String({ description: 'Code of the agency that pushed the version.' }),
});

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

export const FindingPage = PageOf(FindingItem, 'Findings, newest first.', [{ data: [findingExample], page: { next_cursor: null, limit: 100 } }]);

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
