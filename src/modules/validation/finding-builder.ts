import { shownValue, type Bilingual, type Finding, type Principle, type Severity } from './finding.js';

/** Where a finding points: a spreadsheet row, a JSON pointer, or both. */
export interface Location {
  row?: number;
  pointer?: string;
}

export interface FindingSpec {
  code: string;
  severity: Severity;
  column?: string;
  /** The offending value as received; leave undefined when the field was absent. */
  value?: unknown;
  message: Bilingual;
  hint?: Bilingual;
}

// Exactly 16 digits standing alone: the shape of a NIK (nomor induk kependudukan).
const NIK_RUN = /(?<!\d)\d{16}(?!\d)/g;

/** True when the text holds a 16-digit run, the shape of a NIK. */
export function containsNik(text: string): boolean {
  return text.search(NIK_RUN) !== -1;
}

/** Masks every NIK-like run to its first two and last four digits: `35**********0001`. */
export function maskNik(text: string): string {
  return text.replace(NIK_RUN, (nik) => `${nik.slice(0, 2)}${'*'.repeat(10)}${nik.slice(12)}`);
}

/**
 * The text a field carries, the same way `shownValue` renders it: strings as they are, other
 * JSON values as JSON. Bigints, which JSON.stringify refuses, become their digits.
 */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A code as looked up: trimmed text, or undefined for an empty cell (spreadsheets pad). */
export function codeText(value: unknown): string | undefined {
  const text = fieldText(value)?.trim();
  return text === '' ? undefined : text;
}

function masked(text: Bilingual): Bilingual {
  return { id: maskNik(text.id), en: maskNik(text.en) };
}

/**
 * The one way a finding is built. Every text is NIK-masked here, so no rule can leak a
 * personal number into a report by quoting the cell it complains about.
 */
export function makeFinding(at: Location, principle: Principle, spec: FindingSpec): Finding {
  const finding: Finding = { code: spec.code, severity: spec.severity, principle, message: masked(spec.message) };
  if (at.row !== undefined) finding.row = at.row;
  if (at.pointer !== undefined) finding.pointer = at.pointer;
  if (spec.column !== undefined) finding.column = spec.column;
  const text = fieldText(spec.value);
  if (text !== undefined) finding.value = shownValue(maskNik(text));
  else if (spec.value === null) finding.value = 'null';
  if (spec.hint) finding.hint = masked(spec.hint);
  return finding;
}

/** Findings of one principle about one location, gathered in order. */
export class FindingList {
  readonly findings: Finding[] = [];

  constructor(
    private readonly at: Location,
    private readonly principle: Principle,
  ) {}

  add(spec: FindingSpec): void {
    this.findings.push(makeFinding(this.at, this.principle, spec));
  }

  hasError(column?: string): boolean {
    return this.findings.some((f) => f.severity === 'error' && (column === undefined || f.column === column));
  }
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Quotes a value for a message; long values are cut like `shownValue` cuts them. */
export function quote(value: unknown): string {
  return `"${shownValue(fieldText(value) ?? '')}"`;
}
