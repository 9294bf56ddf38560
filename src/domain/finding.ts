import type { Detector } from './quality-rules.js';

/**
 * The vocabulary of validation: every check on a push produces findings of this shape,
 * whatever the format the data came in.
 */
export type Severity = 'error' | 'warning';

/**
 * The four Satu Data Indonesia principles (Perpres 39/2019) a finding belongs to, plus
 * `kewajaran` (plausibility): what the anomaly detectors find in figures that conform.
 */
export type Principle = 'standar-data' | 'metadata' | 'interoperabilitas' | 'kode-referensi' | 'kewajaran';

export interface Bilingual {
  id: string;
  en: string;
}

export interface Finding {
  /** Stable code, e.g. `SD_COUNT_NOT_INTEGER`; never changes meaning once published. */
  code: string;
  /** `error` blocks the version; `warning` does not. */
  severity: Severity;
  principle: Principle;
  /** Row number in the file as a spreadsheet shows it (header is row 1), for CSV/XLSX. */
  row?: number;
  /** JSON pointer into the pushed document, for JSON bodies and dataset metadata. */
  pointer?: string;
  /** Column (CSV/XLSX header name, or JSON field name) the value sits in. */
  column?: string;
  /** The offending value as text, exactly as received (truncated to 200 characters). */
  value?: string;
  message: Bilingual;
  hint?: Bilingual;
  /** Anomaly findings only: which detector, on which series, and the numbers behind it. */
  anomaly?: AnomalyDetails;
}

export interface AnomalyDetails {
  detector: Detector;
  indicator: string;
  region: string;
  period: string;
  disaggregation: Disaggregation;
  /** The pushed value, the values it was compared with, and the threshold that was crossed. */
  details: Record<string, unknown>;
}

/** Disaggregation of an observation (data terpilah); absent keys mean "total". */
export interface Disaggregation {
  sex?: string;
  age_group?: string;
  disability?: string;
  desil?: string;
  /** ISO date the DTSEN decile ranking was made; required with `desil`. */
  desil_ranking_date?: string;
}

/**
 * One observation as received, before any checking: every field is whatever the format
 * gave (text from CSV/XLSX cells, any JSON value from JSON). `row`/`pointer` locate it.
 */
export interface RawObservation {
  row?: number;
  pointer?: string;
  indicator: unknown;
  region: unknown;
  period: unknown;
  value: unknown;
  unit?: unknown;
  obs_status?: unknown;
  note?: unknown;
  sex?: unknown;
  age_group?: unknown;
  disability?: unknown;
  desil?: unknown;
  desil_ranking_date?: unknown;
}

/** An observation that passed every error-level rule, ready to store. */
export interface Observation {
  indicator_code: string;
  region_code: string;
  period: string;
  disagg: Disaggregation;
  /** Decimal text (e.g. "1234", "12.5"): values are stored as numeric, never as floats. */
  value: string;
  /** SDMX OBS_STATUS code; `A` (normal) when not given. */
  obs_status: string;
  note: string | null;
  /** Where it came from, to tie later findings (anomalies) back to the file. */
  row?: number;
  pointer?: string;
}

/** Truncates offending values so one 10 MB cell cannot bloat a report. */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
