import Type from 'typebox';
import { REGION_CODE_PATTERN } from '../../domain/region-code.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { CELL_FILTERS } from './compliance.js';
import { TIME_ZONES } from './deadline.js';
import { LOGO_MAX_BYTES } from './letterhead.js';
import { DIMENSION_CODELISTS } from './service.js';

const DATE = { format: 'date' as const, description: 'A local date (yyyy-mm-dd) in the cycle\'s time zone.' };
const PERIOD = Type.String({ pattern: '^\\d{4}(-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$' });
const Zone = Type.Enum(Object.keys(TIME_ZONES) as (keyof typeof TIME_ZONES)[], { description: 'WIB Asia/Jakarta, WITA Asia/Makassar, WIT Asia/Jayapura; default: the zone of the cycle\'s region.' });
const Status = Type.Enum(['planned', 'open', 'closed']);
const Milestones = Type.Record(Type.String({ maxLength: 64 }), Type.String({ format: 'date' }), {
  description: 'Named dates of the schedule, e.g. validation_until, reconciliation_until, report_due.',
});

const cycleExample = {
  id: '5a0c1a4e-3b7e-4c8d-9b1a-0f2e3d4c5b6a',
  name: 'IKESOS Kota Tarakan 2025',
  region_code: '65.71',
  reference_periods: ['2025'],
  time_zone: 'Asia/Makassar',
  opens_on: '2026-01-05',
  deadline: '2026-01-31',
  original_deadline: '2026-01-31',
  deadline_ends_at: '2026-01-31T16:00:00.000Z',
  milestones: { validation_until: '2026-02-14', reconciliation_until: '2026-02-21', report_due: '2026-03-31' },
  status: 'open',
  closed_at: null,
  created_by: 'walidata-6571',
  created_at: '2026-01-02T02:00:00.000Z',
  updated_at: '2026-01-02T02:00:00.000Z',
};

export const CycleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    region_code: Type.String(),
    reference_periods: Type.Array(Type.String()),
    time_zone: Zone,
    opens_on: Type.String({ format: 'date' }),
    deadline: Type.String({ format: 'date' }),
    original_deadline: Type.String({ format: 'date', description: 'The deadline first set; the compliance report can be asked for against it.' }),
    deadline_ends_at: Type.String({ format: 'date-time', description: 'The instant the deadline ends: midnight after it in the cycle\'s zone.' }),
    milestones: Milestones,
    status: Status,
    closed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the status became closed (cleared when reopened). Deliveries after it count as late, even before the deadline ends.',
    }),
    created_by: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Cycle', examples: [cycleExample] },
);

export const CyclePage = Type.Object(
  { data: Type.Array(CycleSchema), page: Type.Object({ next_cursor: Type.Union([Type.String(), Type.Null()]), limit: Type.Integer() }) },
  { title: 'CyclePage', examples: [{ data: [cycleExample], page: { next_cursor: null, limit: 100 } }] },
);

export const CycleCreate = Type.Object(
  {
    name: Type.String({ minLength: 3, maxLength: 200 }),
    region: Type.String({ pattern: REGION_CODE_PATTERN, description: 'The region the cycle collects for (the walidata\'s).' }),
    reference_periods: Type.Array(PERIOD, { minItems: 1, maxItems: 24, uniqueItems: true }),
    time_zone: Type.Optional(Zone),
    opens_on: Type.String(DATE),
    deadline: Type.String({ ...DATE, description: 'Last day to deliver (end of day in the zone); not before opens_on (400).' }),
    milestones: Type.Optional(Milestones),
    status: Type.Optional(Status),
  },
  {
    title: 'CycleCreate',
    additionalProperties: false,
    examples: [{ name: 'IKESOS Kota Tarakan 2025', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2026-01-31', milestones: { report_due: '2026-03-31' }, status: 'open' }],
  },
);

export const CyclePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    reference_periods: Type.Optional(Type.Array(PERIOD, { minItems: 1, maxItems: 24, uniqueItems: true })),
    opens_on: Type.Optional(Type.String(DATE)),
    deadline: Type.Optional(Type.String(DATE)),
    milestones: Type.Optional(Milestones),
    status: Type.Optional(Status),
    reason: Type.Optional(Type.String({ maxLength: 2000, description: 'Required when moving a deadline from or to a day already past; kept in the audit log.' })),
  },
  { title: 'CyclePatch', additionalProperties: false, examples: [{ deadline: '2026-02-07', reason: 'Surat Wali Kota No. 050/123: perpanjangan karena banjir.' }] },
);

export const ObligationsBody = Type.Object(
  {
    obligations: Type.Optional(
      Type.Array(
        Type.Object(
          {
            agency: Type.String({ maxLength: 64 }),
            indicator: IndicatorCode,
            region: Type.String({ pattern: REGION_CODE_PATTERN }),
            scope_level: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'Every region of this level (1 provinsi … 4 desa) inside `region`, instead of `region` itself.' })),
            disaggregations: Type.Optional(Type.Array(Type.Enum(Object.keys(DIMENSION_CODELISTS) as (keyof typeof DIMENSION_CODELISTS)[]), { uniqueItems: true, maxItems: Object.keys(DIMENSION_CODELISTS).length, description: 'Breakdowns required besides the total: each code of each dimension is a cell.' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 5000 },
      ),
    ),
    from_catalogue: Type.Optional(
      Type.Object(
        { indicators: Type.Optional(Type.Array(IndicatorCode, { maxItems: 200, description: 'Default: the IKESOS indicators.' })) },
        {
          additionalProperties: false,
          description:
            "One obligation per indicator and per agency of the cycle's region whose kind the catalogue names as a source: an indicator with two or three source agencies gets two or three obligations (each agency owes its figure; conflicts arise there), so the 15 IKESOS indicators make about 19.",
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ from_catalogue: {} }, { obligations: [{ agency: 'DINSOS-65', indicator: 'PPKS-06', region: '65', scope_level: 2, disaggregations: ['sex'] }] }],
  },
);

export const ObligationList = Type.Object(
  {
    data: Type.Array(
      Type.Object({
        id: Type.String(),
        cycle_id: Type.String(),
        agency: Type.String(),
        indicator_code: Type.String(),
        region_code: Type.String(),
        scope_level: Type.Union([Type.Integer(), Type.Null()]),
        disaggregations: Type.Array(Type.String()),
        created_at: Type.String({ format: 'date-time' }),
      }),
    ),
  },
  { title: 'ObligationList', examples: [{ data: [{ id: '7', cycle_id: cycleExample.id, agency: 'DINSOS-6571', indicator_code: 'IKS-01', region_code: '65.71', scope_level: null, disaggregations: [], created_at: '2026-01-02T02:00:00.000Z' }] }] },
);

const Kpi = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()]),
  target: Type.Number(),
  cells: Type.String({ description: 'Lists the cells behind the number (those keeping it from its target).' }),
});

const AgencyCompliance = Type.Object({
  agency: Type.String(),
  agency_name: Type.String(),
  light: Type.Enum(['green', 'amber', 'red'], { description: 'green: all on time; amber: all delivered, some late; red: something missing.' }),
  expected: Type.Integer({ description: 'Cells the obligations expect (agency × indicator × region × period × breakdown).' }),
  delivered: Type.Integer(),
  on_time: Type.Integer(),
  late: Type.Integer(),
  missing: Type.Integer(),
  completeness_pct: Type.Union([Type.Number(), Type.Null()]),
  timeliness_pct: Type.Union([Type.Number(), Type.Null()]),
  max_days_late: Type.Integer(),
  consistency: Type.Object({
    in_conflict_pct: Type.Union([Type.Number(), Type.Null()], { description: 'Share of its delivered cells whose key was in conflict with another agency.' }),
    unresolved_pct: Type.Union([Type.Number(), Type.Null()], { description: 'Share still unresolved after reconciliation.' }),
  }),
  quality: Type.Object({
    versions: Type.Integer({ description: "Versions pushed since the cycle opened (00.00 in its zone) holding an indicator and reference period the agency owes in it." }),
    rejected: Type.Integer({ description: 'Of those, rejected at ingest (error findings).' }),
    returned: Type.Integer({ description: 'Of those, returned by a walidata.' }),
    findings_per_100_rows: Type.Object({ error: Type.Number(), warning: Type.Number() }, { description: 'Findings per 100 observations pushed in those versions, by severity.' }),
  }),
  metadata_completeness_avg: Type.Union([Type.Integer(), Type.Null()]),
  links: Type.Object(
    { all: Type.String(), missing: Type.String(), late: Type.String(), in_conflict: Type.String(), unresolved: Type.String() },
    { description: 'The cells behind the numbers: its expected, missing, late, in-conflict and still unresolved cells.' },
  ),
});

const CellSchema = Type.Object({
  agency: Type.String(),
  indicator: Type.String(),
  region: Type.String(),
  period: Type.String(),
  disagg_key: Type.String({ description: 'The breakdown ("" for the total, e.g. "sex=L").' }),
  state: Type.Enum(['on_time', 'late', 'missing']),
  delivered_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  days_late: Type.Integer({ description: "Days (started) after `deadline_used.on_time_until`." }),
  conflict: Type.Enum(['none', 'open', 'resolved'], { description: 'Whether its key is or was in conflict with another agency.' }),
  final: Type.Boolean({ description: 'Its key has a final reconciled figure.' }),
});

export const ComplianceSchema = Type.Object(
  {
    cycle: Type.Object({ id: Type.String(), name: Type.String(), region: Type.String(), reference_periods: Type.Array(Type.String()), time_zone: Zone, status: Type.String() }),
    deadline_used: Type.Object(
      {
        which: Type.Enum(['current', 'original']),
        date: Type.String(),
        ends_at: Type.String({ format: 'date-time' }),
        original: Type.String(),
        current: Type.String(),
        closed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the cycle was closed, if it is.' }),
        on_time_until: Type.String({ format: 'date-time', description: 'The earlier of the deadline end and the closing: what "on time" was measured against.' }),
      },
      { description: 'Which deadline the report was computed with; when it was moved, both dates are named.' },
    ),
    generated_at: Type.String({ format: 'date-time' }),
    kpis: Type.Object({
      agencies: Type.Integer(),
      indicators: Type.Integer(),
      agencies_fully_on_time_pct: Kpi,
      indicators_complete_pct: Kpi,
      indicators_complete_on_time_pct: Kpi,
      inconsistency_after_reconciliation_pct: Kpi,
      days_deadline_to_final: Kpi,
    }),
    agencies: Type.Array(AgencyCompliance),
    missing: Type.Array(Type.Object({ indicator: Type.String(), agency: Type.String(), cells: Type.Integer() }), { description: 'Indicators with cells never delivered, and by whom.' }),
    cells: Type.Optional(Type.Array(CellSchema, { description: 'With ?cells=: the cells behind the numbers.' })),
  },
  {
    title: 'ComplianceReport',
    examples: [
      {
        cycle: { id: cycleExample.id, name: cycleExample.name, region: '65.71', reference_periods: ['2025'], time_zone: 'Asia/Makassar', status: 'closed' },
        deadline_used: {
          which: 'current',
          date: '2026-01-31',
          ends_at: '2026-01-31T16:00:00.000Z',
          original: '2026-01-31',
          current: '2026-01-31',
          closed_at: '2026-03-31T08:00:00.000Z',
          on_time_until: '2026-01-31T16:00:00.000Z',
        },
        generated_at: '2026-02-01T01:00:00.000Z',
        kpis: {
          agencies: 10,
          indicators: 15,
          agencies_fully_on_time_pct: { value: 50, target: 100, cells: `/v1/cycles/${cycleExample.id}/compliance?cells=not_on_time` },
          indicators_complete_pct: { value: 73.3, target: 100, cells: `/v1/cycles/${cycleExample.id}/compliance?cells=missing` },
          indicators_complete_on_time_pct: { value: 53.3, target: 100, cells: `/v1/cycles/${cycleExample.id}/compliance?cells=not_on_time` },
          inconsistency_after_reconciliation_pct: { value: 0, target: 0, cells: `/v1/cycles/${cycleExample.id}/compliance?cells=unresolved` },
          days_deadline_to_final: { value: null, target: 30, cells: `/v1/cycles/${cycleExample.id}/compliance?cells=not_final` },
        },
        agencies: [],
        missing: [{ indicator: 'IKS-04', agency: 'BPJS-TK-6571', cells: 1 }],
      },
    ],
  },
);

export const ComplianceQuery = Type.Object(
  {
    deadline: Type.Optional(Type.Enum(['current', 'original'], { default: 'current', description: 'Compute against the deadline in force or the one first set.' })),
    format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: one row per agency (as does Accept: text/csv), or per cell with `cells`.' })),
    cells: Type.Optional(Type.Enum([...CELL_FILTERS], { description: 'List the cells behind the numbers: all, missing, late, on_time, not_on_time (late or missing), in_conflict, unresolved (delivered cells whose key is or is still in conflict), not_final (no final reconciled figure yet).' })),
  },
  { additionalProperties: false },
);

export const AgencyComplianceQuery = Type.Object(
  {
    deadline: ComplianceQuery.properties.deadline,
    cells: ComplianceQuery.properties.cells,
  },
  { additionalProperties: false },
);

export const OverdueSchema = Type.Object(
  {
    cycle_id: Type.String(),
    deadline: Type.String(),
    deadline_ends_at: Type.String({ format: 'date-time' }),
    days_before: Type.Integer(),
    reminding: Type.Boolean({ description: 'True from `days` before the deadline on; before that the list is empty.' }),
    agencies: Type.Array(Type.Object({ agency: Type.String(), agency_name: Type.String(), missing: Type.Integer(), indicators: Type.Array(Type.String()) })),
  },
  { title: 'OverdueReport', examples: [{ cycle_id: cycleExample.id, deadline: '2026-01-31', deadline_ends_at: '2026-01-31T16:00:00.000Z', days_before: 7, reminding: true, agencies: [{ agency: 'BPJS-TK-6571', agency_name: 'BPJS Ketenagakerjaan Tarakan', missing: 1, indicators: ['IKS-04'] }] }] },
);

// A tiny valid PNG (1×1, transparent) for the examples; real logos are larger, up to the limit.
const LOGO_EXAMPLE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const Line = (maxLength: number, description: string) => Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength }), Type.Null()], { description }));
const NIP = { pattern: '^[0-9 ]{1,30}$', description: "The signatory's NIP (civil servant number), printed under the name." };

export const LetterheadBody = Type.Object(
  {
    office_name: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'The issuing office as its heading names it; a line break separates lines (e.g. the government above the office).',
    }),
    office_address: Line(300, 'Address line of the heading.'),
    office_contact: Line(200, 'Telephone, e-mail, website: the last line of the heading.'),
    logo: Type.Optional(
      Type.Union([Type.String({ maxLength: 1_000_000 }), Type.Null()], {
        description: `A base64 data: URL of a PNG or JPEG (image/png, image/jpeg), at most ${LOGO_MAX_BYTES} bytes once decoded (413 LOGO_TOO_LARGE); another type, or content that is not the declared type → 422 LOGO_INVALID. SVG is refused: it can carry scripts and links.`,
      }),
    ),
    signatory_name: Line(120, 'Who signs, as printed under the signature.'),
    signatory_position: Line(200, 'The position printed above the signature, e.g. "Kepala Dinas Sosial Kota Tarakan".'),
    signatory_nip: Type.Optional(Type.Union([Type.String(NIP), Type.Null()], { description: NIP.description })),
    place: Line(100, 'The place written before the date of signing, e.g. "Tarakan".'),
  },
  {
    additionalProperties: false,
    examples: [
      {
        office_name: 'PEMERINTAH KOTA TARAKAN\nDINAS SOSIAL DAN PEMBERDAYAAN MASYARAKAT',
        office_address: 'Jl. Jenderal Sudirman No. 76, Tarakan, Kalimantan Utara 77111',
        office_contact: 'Telepon (0551) 21000 · dinsos@tarakankota.go.id',
        logo: LOGO_EXAMPLE,
        signatory_name: 'Dra. Siti Rahmah, M.Si.',
        signatory_position: 'Kepala Dinas Sosial dan Pemberdayaan Masyarakat',
        signatory_nip: '19700101 199503 2 001',
        place: 'Tarakan',
      },
    ],
  },
);

export const LetterheadSchema = Type.Object(
  {
    region: Type.String(),
    office_name: Type.String(),
    office_address: Type.Union([Type.String(), Type.Null()]),
    office_contact: Type.Union([Type.String(), Type.Null()]),
    logo: Type.Union([Type.String(), Type.Null()], { description: 'The data: URL as stored.' }),
    signatory_name: Type.Union([Type.String(), Type.Null()]),
    signatory_position: Type.Union([Type.String(), Type.Null()]),
    signatory_nip: Type.Union([Type.String(), Type.Null()]),
    place: Type.Union([Type.String(), Type.Null()]),
    updated_by: Type.String(),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        region: '65.71',
        office_name: 'PEMERINTAH KOTA TARAKAN\nDINAS SOSIAL DAN PEMBERDAYAAN MASYARAKAT',
        office_address: 'Jl. Jenderal Sudirman No. 76, Tarakan, Kalimantan Utara 77111',
        office_contact: null,
        logo: LOGO_EXAMPLE,
        signatory_name: 'Dra. Siti Rahmah, M.Si.',
        signatory_position: 'Kepala Dinas Sosial dan Pemberdayaan Masyarakat',
        signatory_nip: '19700101 199503 2 001',
        place: 'Tarakan',
        updated_by: 'walidata-6571',
        updated_at: '2026-12-07T07:05:00.000Z',
      },
    ],
  },
);

const PrintText = (maxLength: number, description: string) => Type.Optional(Type.String({ minLength: 1, maxLength, description }));

export const ComplianceHtmlQuery = Type.Object(
  {
    deadline: ComplianceQuery.properties.deadline,
    place: PrintText(100, "For this print: the place of signing (default: the region's letterhead)."),
    signed_on: Type.Optional(Type.String({ format: 'date', description: 'For this print: the date of signing (default: the day the report is made, in the cycle\'s zone).' })),
    signatory_name: PrintText(120, 'For this print: who signs (e.g. a deputy).'),
    signatory_position: PrintText(200, 'For this print: the position above the signature (e.g. "a.n. Kepala Dinas, Sekretaris").'),
    signatory_nip: Type.Optional(Type.String(NIP)),
  },
  { additionalProperties: false },
);
