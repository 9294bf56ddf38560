/**
 * DHIS2 period identifiers (Web API, "Date and period format") and the service's canonical
 * periods. The service holds yearly, six-monthly, quarterly and monthly figures only; the
 * other DHIS2 period types are recognised so the report can say why they are refused, rather
 * than calling a well-formed DHIS2 period malformed.
 */

export type PeriodReading =
  | { ok: true; period: string }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'unsupported'; type: string };

const SUPPORTED: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(\d{4})$/, (m) => m[1]!],
  [/^(\d{4})S([12])$/, (m) => `${m[1]}-S${m[2]}`],
  [/^(\d{4})Q([1-4])$/, (m) => `${m[1]}-Q${m[2]}`],
  [/^(\d{4})(0[1-9]|1[0-2])$/, (m) => `${m[1]}-${m[2]}`],
];

const UNSUPPORTED: readonly [RegExp, string][] = [
  [/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/, 'Daily'],
  [/^\d{4}(Wed|Thu|Sat|Sun)?W([1-9]|[1-4]\d|5[0-3])$/, 'Weekly'],
  [/^\d{4}BiW([1-9]|1\d|2[0-7])$/, 'BiWeekly'],
  [/^\d{4}(0[1-6])B$/, 'BiMonthly'],
  [/^\d{4}(April|Nov)S[12]$/, 'SixMonthlyApril/SixMonthlyNov'],
  [/^\d{4}(April|July|Oct|Nov)$/, 'Financial year'],
];

/** Reads a DHIS2 period identifier (`2024`, `2024S1`, `2024Q3`, `202407`) as a canonical period. */
export function fromDhis2Period(text: string): PeriodReading {
  for (const [pattern, canonical] of SUPPORTED) {
    const m = pattern.exec(text);
    if (m) return { ok: true, period: canonical(m) };
  }
  for (const [pattern, type] of UNSUPPORTED) if (pattern.test(text)) return { ok: false, reason: 'unsupported', type };
  return { ok: false, reason: 'malformed' };
}

/** The DHIS2 identifier of a canonical period (`2024-Q3` → `2024Q3`, `2024-07` → `202407`). */
export function toDhis2Period(period: string): string {
  return period.replace('-', '');
}
