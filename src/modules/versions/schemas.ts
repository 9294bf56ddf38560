import Type from 'typebox';
import { INT4_MAX, PageOf, PageQuery } from '../../http/schemas.js';
import { VERSION_STATUSES } from '../../domain/review-rules.js';
import { OBSERVATION_COLUMNS } from '../../domain/columns.js';
import { FindingSchema, StoredFinding } from '../findings/schemas.js';

const csvExample = 'indicator,region,period,value,sex\nPPKS-06,65.71,2025,128,L\nPPKS-06,65.71,2025,97,P\n';

// What the readers refuse, with the settings and defaults; repeated in the README's configuration table.
const TABULAR_LIMITS =
  'Refused with 413 and nothing stored (a push run as a job fails with the same problem): a header or row of more than PUSH_MAX_COLUMNS cells (default 200; TOO_MANY_COLUMNS), a cell of more than PUSH_MAX_CELL_BYTES bytes of UTF-8 (default 65,536; CELL_TOO_LARGE)';
const CSV_LIMITS = `${TABULAR_LIMITS}, a line of more than PUSH_MAX_LINE_BYTES bytes (default 1,048,576; LINE_TOO_LONG).`;
const XLSX_LIMITS = `${TABULAR_LIMITS}; a workbook part that inflates past XLSX_MAX_INFLATED_BYTES (default 512 MiB; four times that for the whole workbook, at most 64 MiB for the shared strings and styles, which are read into memory) or more than 100 times its compressed size (XLSX_TOO_LARGE).`;
const JSON_LIMITS =
  'Every JSON body is refused with 413 when it nests arrays and objects deeper than JSON_MAX_DEPTH levels (default 32; JSON_TOO_DEEP) or holds an array of more than JSON_MAX_ARRAY_ITEMS items (default 200,000; JSON_ARRAY_TOO_LONG).';

export const ObservationInput = Type.Object(
  {
    indicator: Type.Unknown({ description: 'Indicator code, e.g. PPKS-06.' }),
    region: Type.Unknown({ description: 'Kemendagri region code as a string, e.g. "65.71" (never a number).' }),
    period: Type.Unknown({ description: '2025, 2025-S1, 2025-Q3 or 2025-07, fitting the indicator periodicity.' }),
    value: Type.Unknown({ description: 'A JSON number. Counts are non-negative integers; percentages 0–100.' }),
    unit: Type.Optional(Type.Unknown({ description: "Optional; must equal the indicator's unit." })),
    obs_status: Type.Optional(Type.Unknown({ description: 'SDMX OBS_STATUS (codelist obs-status); A when absent.' })),
    note: Type.Optional(Type.Unknown()),
    sex: Type.Optional(Type.Unknown({ description: 'Codelist sex.' })),
    age_group: Type.Optional(Type.Unknown({ description: 'Codelist age-group.' })),
    disability: Type.Optional(Type.Unknown({ description: 'Codelist disability.' })),
    desil: Type.Optional(Type.Unknown({ description: 'DTSEN decile 1–10 (codelist desil).' })),
    desil_ranking_date: Type.Optional(Type.Unknown({ description: 'YYYY-MM-DD; required with desil.' })),
  },
  { title: 'ObservationInput', additionalProperties: false },
);

export const PushJson = Type.Object(
  { observations: Type.Array(ObservationInput, { maxItems: 200_000, description: 'At most 200,000 observations; send more as CSV.' }) },
  {
    title: 'PushJson',
    additionalProperties: false,
    description: `Observations as JSON. Field types are checked per observation so that the report can point at each problem (JSON pointer) instead of refusing the whole body. ${JSON_LIMITS}`,
    examples: [
      {
        observations: [
          { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128, sex: 'L' },
          { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 97, sex: 'P', obs_status: 'P', note: 'angka sementara' },
        ],
      },
    ],
  },
);

export const PushCsv = Type.Unsafe<unknown>({
  description: `CSV with a header row, UTF-8 with or without BOM, comma or semicolon separated (semicolon files may use a decimal comma, which is reported). Columns: ${OBSERVATION_COLUMNS.map((c) => `\`${c.name}\`${c.required ? ' (required)' : ''} or \`${c.alias}\` — ${c.description}`).join('; ')} ${CSV_LIMITS}`,
  examples: [csvExample],
});

export const PushFile = Type.Unsafe<unknown>({
  description: `One file in the part named \`file\`: \`.csv\` (as above, with the same limits) or \`.xlsx\` (the first sheet, or the one named by \`?sheet=\`; header row first, same columns). XLSX: ${XLSX_LIMITS}`,
  examples: ['(binary .xlsx or .csv file)'],
});

export const reportExample = {
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  version: 4,
  status: 'rejected',
  dry_run: false,
  format: 'csv',
  content_sha256: '9f2c…',
  summary: {
    rows_read: 2,
    accepted: 1,
    rejected: 1,
    errors: 1,
    warnings: 0,
    metadata_completeness: { score: 89, required: { present: 9, total: 9 }, recommended: { present: 2, total: 3 }, missing: ['notes'] },
    by_code: [{ code: 'KR_REGION_MALFORMED', severity: 'error', principle: 'kode-referensi', count: 1 }],
    verdict: 'Ditolak: perbaiki temuan berkategori error lalu kirim ulang / rejected: fix the error findings and push again',
  },
  findings: [
    {
      code: 'KR_REGION_MALFORMED',
      severity: 'error',
      principle: 'kode-referensi',
      row: 3,
      column: 'region',
      value: '65.7',
      message: { id: 'kode wilayah tidak sesuai format Kemendagri', en: 'the region code does not follow the Kemendagri format' },
      hint: { id: 'segmen ke-2 "7" harus 2 digit', en: 'segment 2 "7" must have 2 digits' },
    },
  ],
  findings_truncated: false,
};

export const PushReportSchema = Type.Object(
  {
    dataset_id: Type.Union([Type.String(), Type.Null()], { description: 'Null for POST /v1/validate.' }),
    version: Type.Union([Type.Integer(), Type.Null()], { description: 'The new version number; null for a dry run.' }),
    status: Type.Enum(['submitted', 'rejected']),
    dry_run: Type.Boolean(),
    format: Type.Enum(['json', 'csv', 'xlsx', 'dhis2-json', 'dhis2-csv']),
    content_sha256: Type.String({ description: 'SHA-256 of the payload (for JSON, of the body as parsed and re-serialised).' }),
    summary: Type.Object({
      rows_read: Type.Integer(),
      accepted: Type.Integer(),
      rejected: Type.Integer({ description: 'Rows with at least one error.' }),
      errors: Type.Integer(),
      warnings: Type.Integer(),
      metadata_completeness: Type.Union(
        [
          Type.Object({
            score: Type.Integer({ description: '0–100: required fields weigh two thirds, recommended one third.' }),
            required: Type.Object({ present: Type.Integer(), total: Type.Integer() }),
            recommended: Type.Object({ present: Type.Integer(), total: Type.Integer() }),
            missing: Type.Array(Type.String()),
          }),
          Type.Null(),
        ],
        { description: 'Null only on POST /v1/validate without metadata.' },
      ),
      by_code: Type.Array(Type.Object({ code: Type.String(), severity: Type.String(), principle: Type.String(), count: Type.Integer() })),
      verdict: Type.String(),
    }),
    findings: Type.Array(FindingSchema, { description: 'The first 200 findings; the rest are paged from the report.' }),
    findings_truncated: Type.Boolean(),
  },
  { title: 'PushReport', examples: [reportExample] },
);

export const PushQuery = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Validate and report without storing anything.' })),
    sheet: Type.Optional(Type.String({ maxLength: 100, description: 'XLSX only: the worksheet to read (default: the first).' })),
  },
  { additionalProperties: false },
);

export const VersionParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  version: Type.Integer({ minimum: 1, maximum: INT4_MAX, description: 'Version number.' }),
});

const versionExample = {
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  version: 4,
  status: 'submitted',
  format: 'csv',
  content_sha256: '9f2c…',
  row_count: 2,
  accepted_count: 2,
  error_count: 0,
  warning_count: 0,
  metadata_score: 89,
  submitted_by: 'sde-producer-3f9a0c1d2b4e5f60',
  submitted_at: '2026-01-20T03:00:00.000Z',
  status_changed_at: null,
  published_at: null,
};

export const Version = Type.Object(
  {
    dataset_id: Type.String(),
    version: Type.Integer(),
    status: Type.Enum([...VERSION_STATUSES], {
      description:
        '`submitted` (awaiting review), `rejected` (has error findings; never used downstream), `verified` (checked by the walidata of its region), `published` (feeds reconciliation and the pull API) or `returned` (sent back with a note; the agency pushes a correction).',
    }),
    format: Type.String(),
    content_sha256: Type.String(),
    row_count: Type.Integer(),
    accepted_count: Type.Integer(),
    error_count: Type.Integer(),
    warning_count: Type.Integer(),
    metadata_score: Type.Integer(),
    submitted_by: Type.String(),
    submitted_at: Type.String({ format: 'date-time' }),
    status_changed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the last review step moved it; null while untouched.' }),
    published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'Version', examples: [versionExample] },
);

export const VersionPage = PageOf(Version, 'Versions, newest first.', [{ data: [versionExample], page: { next_cursor: null, limit: 100 } }], 'VersionPage');

export const ObservationRow = Type.Object({
  indicator: Type.String(),
  region: Type.String(),
  period: Type.String(),
  disaggregation: Type.Record(Type.String(), Type.String()),
  value: Type.String({ description: 'Decimal text, exactly as stored (numeric, no float rounding).' }),
  obs_status: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  row: Type.Union([Type.Integer(), Type.Null()], { description: 'Row in the pushed file (JSON: position in the array, from 1).' }),
}, { title: 'Observation' });

export const ObservationPage = PageOf(ObservationRow, 'Observations of a version in file order.', [
  {
    data: [{ indicator: 'PPKS-06', region: '65.71', period: '2025', disaggregation: { sex: 'L' }, value: '128', obs_status: 'A', note: null, row: 2 }],
    page: { next_cursor: null, limit: 100 },
  },
], 'ObservationPage');

export const ObservationQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv gives the page as a CSV table (as does Accept: text/csv).' })), ...PageQuery },
  { additionalProperties: false },
);

export const ReportQuery = Type.Object(
  {
    severity: Type.Optional(Type.Enum(['error', 'warning'])),
    code: Type.Optional(Type.String({ maxLength: 64 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ReportSchema = Type.Object(
  {
    version: Version,
    summary: PushReportSchema.properties.summary,
    findings: Type.Array(StoredFinding),
    page: PageOf(StoredFinding, '', []).properties.page,
  },
  { title: 'ValidationReport', examples: [{ version: versionExample, summary: reportExample.summary, findings: reportExample.findings.map((f, i) => ({ id: String(101 + i), ...f, status: 'open', answer: null, resolution: null })), page: { next_cursor: null, limit: 100 } }] },
);

/** The answer to a push run as a job (202): poll its link. */
export const AcceptedJobSchema = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    status: Type.Literal('running'),
    dataset_id: Type.String({ format: 'uuid' }),
    rows_expected: Type.Union([Type.Integer(), Type.Null()]),
    links: Type.Object({ self: Type.String() }),
  },
  { examples: [{ job_id: '3f1c2a9e-6b0d-4d3e-9f51-2c7a0e8b4d10', status: 'running', dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11', rows_expected: 1005144, links: { self: '/v1/jobs/3f1c2a9e-6b0d-4d3e-9f51-2c7a0e8b4d10' } }] },
);
