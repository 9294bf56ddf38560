import type { Disaggregation } from './finding.js';

/** Canonical text of a disaggregation: the same breakdown always gives the same key. */
export function disaggKey(disagg: Disaggregation): string {
  // Most observations are totals: no breakdown, no arrays to build.
  if (isTotal(disagg)) return '';
  return Object.entries(disagg)
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

/** Whether an observation is a total: no breakdown given. */
export function isTotal(disagg: Disaggregation): boolean {
  for (const key in disagg) if (disagg[key as keyof Disaggregation] !== undefined) return false;
  return true;
}
