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

// The shape of a NIK (nomor induk kependudukan): 16 digits, written as one number or in
// groups — 3201.2345.6789.0123, 3201 2345 6789 0123, 32-01-23-450167-0123 or a mix.
// Groups are joined by one dot or dash inside a token, and tokens by one space.
const JOIN = '[.\\-\\u2010-\\u2013\\u2212]';
const GAP = '[ \\t\\u00a0]';
const SEP = `(?:${JOIN}|${GAP})`;
// A run of digit groups that adds up to 16 digits with nothing but separators around it:
// 17 digits, or 15, are not a NIK.
const GROUPED = `(?<!\\d${SEP}?)\\d(?:${SEP}?\\d){15}(?!${SEP}?\\d)`;
// Tokens that group digits for another reason: years, dates and periods (2024, 2024-07,
// 01-07-2024, 2020-2021), dotted region codes (33.73.01.2001) and thousands (1.234.567).
// A run made only of these (2024-07-01 2025-06-30, 2020 2021 2022 2023) is not a NIK: a real
// NIK's third group of four is a birth month and year, never a year itself.
const YEAR = '(?:19|20)\\d\\d';
const MONTH = '(?:0?[1-9]|1[0-2])';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const ORDINARY_TOKEN = [
  `${YEAR}(?:${JOIN}${MONTH}(?:${JOIN}${DAY})?)?`,
  `${YEAR}${JOIN}${YEAR}`,
  `(?:${DAY}${JOIN})?${MONTH}${JOIN}${YEAR}`,
  '\\d\\d\\.\\d\\d(?:\\.\\d\\d(?:\\.\\d{4})?)?',
  '\\d{1,3}(?:\\.\\d{3})+',
].join('|');
const ORDINARY_RUN = `(?:(?:${ORDINARY_TOKEN})${GAP})*(?:${ORDINARY_TOKEN})(?!${SEP}?\\d)`;
// Also 16 digits in a row inside a longer run (12.3571012345670001): one number is one number.
const NIK = `(?<!\\d)\\d{16}(?!\\d)|(?=${GROUPED})(?!${ORDINARY_RUN})\\d(?:${SEP}?\\d){15}`;
// A UUID's hex groups are all digits often enough (one UUID in ~500) to read as a grouped NIK:
// a UUID is matched first, as a whole, and left alone.
const UUID = '(?<![0-9A-Za-z])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])';
const NIK_RUN = new RegExp(`(${UUID})|${NIK}`, 'gu');

/** True when the text holds a NIK-like value: 16 digits, alone or in separated groups. */
export function containsNik(text: string): boolean {
  for (const match of text.matchAll(NIK_RUN)) if (match[1] === undefined) return true;
  return false;
}

/**
 * Masks every NIK-like value to its first two and last four digits, separators kept:
 * `35**********0001`, `32**.****.****.0123`.
 */
export function maskNik(text: string): string {
  return text.replace(NIK_RUN, (nik, uuid: string | undefined) => {
    if (uuid !== undefined) return uuid;
    let digit = 0;
    return nik.replace(/\d/g, (d) => (digit++ < 2 || digit > 12 ? d : '*'));
  });
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
  // A header cell can be anything the operator typed, a NIK included.
  if (spec.column !== undefined) finding.column = maskNik(spec.column);
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
