/**
 * The SDMX 2.1 view of the reconciled figures: one dataflow per indicator, each with its own
 * data structure (the region, the breakdowns the indicator allows, the period), and the
 * codelists and concepts they use. Everything here is pure: the repository supplies the
 * catalogue, these functions give it SDMX identities.
 */
export const AGENCY = 'SATUDATA';
export const VERSION = '1.0';
export const CONCEPT_SCHEME = 'CS_SATUDATA';
/** The code of a breakdown dimension for "no breakdown" (SDMX's usual total code). */
export const TOTAL = '_T';
export const TIME_DIMENSION = 'TIME_PERIOD';
export const PRIMARY_MEASURE = 'OBS_VALUE';

export const STRUCTURE_RESOURCES = ['dataflow', 'datastructure', 'codelist', 'conceptscheme'] as const;
export type StructureResource = (typeof STRUCTURE_RESOURCES)[number];
export const REFERENCES = ['none', 'parents', 'children', 'descendants', 'all'] as const;
export type References = (typeof REFERENCES)[number];

export interface Text {
  id: string;
  en: string;
}

export interface Code {
  id: string;
  name: Text;
  description?: Text | undefined;
  parent?: string | undefined;
  /** Shown as SDMX annotations: type → title (the Kemendagri form of a region code, say). */
  annotations?: Record<string, string> | undefined;
}

export interface Codelist {
  id: string;
  name: Text;
  description?: Text | undefined;
  /** A list or a stream of batches: the region codelist holds 91,599 codes. */
  codes: Code[] | AsyncIterable<Code[]>;
}

export interface Concept {
  id: string;
  name: Text;
}

export interface Component {
  id: string;
  /** A codelist id, or a text format (SDMX textType) when uncoded. */
  codelist?: string | undefined;
  textType?: 'String' | 'Integer' | 'Decimal' | 'ObservationalTimePeriod' | 'DateTime' | undefined;
}

export interface DataStructure {
  id: string;
  name: Text;
  /** Key dimensions in key order, without the time dimension. */
  dimensions: Component[];
  attributes: Component[];
}

export interface Dataflow {
  id: string;
  name: Text;
  description?: Text | undefined;
  structure: string;
  annotations?: Record<string, string> | undefined;
}

/** A breakdown (data terpilah) as an SDMX dimension: its figure field and codelists. */
export interface Breakdown {
  id: string;
  field: 'sex' | 'age_group' | 'disability' | 'desil';
  codelist: string;
  /** The service's own codelist (GET /v1/codelists/{name}). */
  source: string;
}

export const BREAKDOWNS: readonly Breakdown[] = [
  { id: 'SEX', field: 'sex', codelist: 'CL_SEX', source: 'sex' },
  { id: 'AGE', field: 'age_group', codelist: 'CL_AGE', source: 'age-group' },
  { id: 'DISABILITY', field: 'disability', codelist: 'CL_DISABILITY', source: 'disability' },
  { id: 'DESIL', field: 'desil', codelist: 'CL_DESIL', source: 'desil' },
];

/** Codelists taken over from the service's own, by SDMX id. */
export const SERVICE_CODELISTS: Readonly<Record<string, string>> = {
  CL_OBS_STATUS: 'obs-status',
  CL_UNIT: 'units',
  ...Object.fromEntries(BREAKDOWNS.map((b) => [b.codelist, b.source])),
};

export const FIGURE_METHODS = ['single-source', 'agreement', 'priority', 'median', 'latest', 'manual'] as const;

/**
 * Region codes travel in their compact form: a key separates dimensions with dots, so
 * `33.73` is `3373` and `65.71.01.2001` is `6571012001`. Kemendagri parts have fixed widths
 * (2, 2, 2 and 4 digits), so the compact form is unique and reads back without a table.
 */
export function compactRegion(code: string): string {
  return code.replaceAll('.', '');
}

const REGION_PARTS = [2, 2, 2, 4];

export function kemendagriRegion(compact: string): string | undefined {
  if (!/^\d+$/.test(compact)) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (const width of REGION_PARTS) {
    if (at === compact.length) break;
    parts.push(compact.slice(at, at + width));
    at += width;
  }
  if (at !== compact.length || parts.at(-1)!.length !== REGION_PARTS[parts.length - 1]) return undefined;
  return parts.join('.');
}

/**
 * An SDMX identifier (IDType: letters, digits, `_ @ $ -`) for a code of the service that may
 * hold other characters: `75+` → `75_PLUS`, `per 1.000 kelahiran hidup` →
 * `per_1_000_kelahiran_hidup`. The code's name keeps the original.
 */
export function codeId(code: string): string {
  return code.replaceAll('+', '_PLUS').replace(/[^A-Za-z0-9_@$-]/g, '_');
}

export function dataStructureId(indicator: string): string {
  return `DSD_${indicator}`;
}

/** The key dimensions of an indicator's data: the region, then the breakdowns it allows, in a fixed order. */
export function breakdownsOf(disaggregations: readonly string[]): Breakdown[] {
  return BREAKDOWNS.filter((b) => disaggregations.includes(b.field));
}

export interface IndicatorEntry {
  code: string;
  name: string;
  name_en: string;
  unit: string;
  measure: string;
  periodicity: string;
  disaggregations: string[];
  definition: string | null;
  formula: string | null;
}

export function dataStructureOf(indicator: IndicatorEntry): DataStructure {
  const breakdowns = breakdownsOf(indicator.disaggregations);
  return {
    id: dataStructureId(indicator.code),
    name: { id: `Struktur data ${indicator.code}`, en: `Data structure of ${indicator.code}` },
    dimensions: [{ id: 'REF_AREA', codelist: 'CL_AREA' }, ...breakdowns.map((b) => ({ id: b.id, codelist: b.codelist }))],
    attributes: [
      { id: 'OBS_STATUS', codelist: 'CL_OBS_STATUS' },
      { id: 'FIGURE_STATUS', codelist: 'CL_FIGURE_STATUS' },
      { id: 'UNIT_MEASURE', codelist: 'CL_UNIT' },
      { id: 'METHOD', codelist: 'CL_METHOD' },
      { id: 'SOURCE_AGENCY', textType: 'String' },
      { id: 'SOURCE_VERSION', textType: 'Integer' },
      { id: 'CONFLICT_ID', textType: 'String' },
      ...(breakdowns.some((b) => b.field === 'desil') ? [{ id: 'DESIL_RANKING_DATE', textType: 'String' as const }] : []),
    ],
  };
}

export function dataflowOf(indicator: IndicatorEntry): Dataflow {
  return {
    id: indicator.code,
    name: { id: indicator.name, en: indicator.name_en },
    ...(indicator.definition ? { description: { id: indicator.definition, en: indicator.definition } } : {}),
    structure: dataStructureId(indicator.code),
    annotations: {
      UNIT: indicator.unit,
      MEASURE: indicator.measure,
      PERIODICITY: indicator.periodicity,
      ...(indicator.formula ? { FORMULA: indicator.formula } : {}),
    },
  };
}

/** Concepts of every structure: the dimensions, the measure and the attributes. */
export const CONCEPTS: readonly Concept[] = [
  { id: 'REF_AREA', name: { id: 'Wilayah (kode Kemendagri ringkas)', en: 'Reference area (compact Kemendagri code)' } },
  { id: 'SEX', name: { id: 'Jenis kelamin', en: 'Sex' } },
  { id: 'AGE', name: { id: 'Kelompok umur', en: 'Age group' } },
  { id: 'DISABILITY', name: { id: 'Status disabilitas', en: 'Disability status' } },
  { id: 'DESIL', name: { id: 'Desil DTSEN', en: 'DTSEN welfare decile' } },
  { id: TIME_DIMENSION, name: { id: 'Periode', en: 'Time period' } },
  { id: PRIMARY_MEASURE, name: { id: 'Nilai', en: 'Observation value' } },
  { id: 'OBS_STATUS', name: { id: 'Status observasi', en: 'Observation status' } },
  { id: 'FIGURE_STATUS', name: { id: 'Status angka (final atau sengketa)', en: 'Figure status (final or disputed)' } },
  { id: 'UNIT_MEASURE', name: { id: 'Satuan', en: 'Unit of measure' } },
  { id: 'METHOD', name: { id: 'Metode rekonsiliasi', en: 'Reconciliation method' } },
  { id: 'SOURCE_AGENCY', name: { id: 'Instansi sumber', en: 'Source agency' } },
  { id: 'SOURCE_VERSION', name: { id: 'Versi dataset sumber', en: 'Source dataset version' } },
  { id: 'CONFLICT_ID', name: { id: 'Nomor konflik', en: 'Conflict id' } },
  { id: 'DESIL_RANKING_DATE', name: { id: 'Tanggal pemeringkatan desil', en: 'Decile ranking date' } },
];

export const FIGURE_STATUS_CODES: Code[] = [
  { id: 'final', name: { id: 'Final', en: 'Final' } },
  { id: 'disputed', name: { id: 'Sengketa: instansi berbeda pendapat, tanpa nilai', en: 'Disputed: agencies disagree, no value' } },
];

export const METHOD_CODES: Code[] = [
  { id: 'single-source', name: { id: 'Satu sumber', en: 'Single source' } },
  { id: 'agreement', name: { id: 'Sumber-sumber sepakat', en: 'Sources agree' } },
  { id: 'priority', name: { id: 'Prioritas instansi', en: 'Agency priority' } },
  { id: 'median', name: { id: 'Median para sumber', en: 'Median of the sources' } },
  { id: 'latest', name: { id: 'Terbitan terbaru', en: 'Latest publication' } },
  { id: 'manual', name: { id: 'Keputusan walidata', en: 'Walidata decision' } },
];

/** A dataflow reference of a data query: `PPKS-06`, `SATUDATA,PPKS-06` or `SATUDATA,PPKS-06,1.0` (or `latest`). */
export function parseFlowRef(flowRef: string): { flow: string } | undefined {
  const parts = flowRef.split(',');
  if (parts.length === 1) return { flow: parts[0]! };
  const [agency, flow, version] = parts;
  if (parts.length > 3 || (agency !== AGENCY && agency !== 'all') || !flow) return undefined;
  if (version !== undefined && version !== VERSION && version !== 'latest') return undefined;
  return { flow };
}

/**
 * A series key of a data query against the dimensions of a structure: one part per
 * dimension, each empty (any code) or codes joined by `+`; `all` is every key. Undefined
 * when the key does not have one part per dimension.
 */
export function parseKey(key: string, dimensions: readonly Component[]): (string[] | null)[] | undefined {
  if (key === 'all' || key === '') return dimensions.map(() => null);
  const parts = key.split('.');
  if (parts.length !== dimensions.length) return undefined;
  return parts.map((p) => (p === '' ? null : p.split('+')));
}
