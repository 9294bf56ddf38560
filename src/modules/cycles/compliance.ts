import { groupBy } from '../../util/group-by.js';
import { daysLate } from './deadline.js';

/**
 * Compliance arithmetic over expected cells (agency × indicator × region × period ×
 * breakdown) and when each was first delivered. Pure: the service fetches the cells.
 */
export interface Cell {
  agency: string;
  agency_name: string;
  indicator: string;
  region: string;
  period: string;
  disagg_key: string;
  /** First submission of a live (not rejected) version holding it; null if never. */
  delivered_at: Date | null;
  /** Its key is or was in a conflict with another agency, and whether still open. */
  conflict: 'none' | 'open' | 'resolved';
  /** Its key has a final reconciled figure now. */
  final?: boolean;
}

export type CellState = 'on_time' | 'late' | 'missing';

export function cellState(c: Pick<Cell, 'delivered_at'>, end: Date): CellState {
  if (!c.delivered_at) return 'missing';
  return daysLate(c.delivered_at, end) === 0 ? 'on_time' : 'late';
}

/** Which cells a `?cells=` listing shows; each KPI and agency figure links to the one behind it. */
export const CELL_FILTERS = ['all', 'missing', 'late', 'on_time', 'not_on_time', 'in_conflict', 'unresolved', 'not_final'] as const;
export type CellFilter = (typeof CELL_FILTERS)[number];

export function cellMatches(c: Cell, end: Date, filter: CellFilter): boolean {
  const state = cellState(c, end);
  switch (filter) {
    case 'all':
      return true;
    case 'not_on_time':
      return state !== 'on_time';
    // The consistency shares are over delivered cells, so are their listings.
    case 'in_conflict':
      return state !== 'missing' && c.conflict !== 'none';
    case 'unresolved':
      return state !== 'missing' && c.conflict === 'open';
    case 'not_final':
      return c.final !== true;
    default:
      return state === filter;
  }
}

const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

export function agencySummary(cells: readonly Cell[], end: Date) {
  const states = cells.map((c) => cellState(c, end));
  const delivered = states.filter((s) => s !== 'missing').length;
  const onTime = states.filter((s) => s === 'on_time').length;
  const deliveredCells = cells.filter((c) => c.delivered_at);
  const inConflict = deliveredCells.filter((c) => c.conflict !== 'none').length;
  const stillOpen = deliveredCells.filter((c) => c.conflict === 'open').length;
  return {
    expected: cells.length,
    delivered,
    on_time: onTime,
    late: delivered - onTime,
    missing: cells.length - delivered,
    completeness_pct: pct(delivered, cells.length),
    timeliness_pct: pct(onTime, cells.length),
    max_days_late: Math.max(0, ...cells.map((c) => (c.delivered_at ? daysLate(c.delivered_at, end) : 0))),
    consistency: { in_conflict_pct: pct(inConflict, delivered), unresolved_pct: pct(stillOpen, delivered) },
  };
}

/** Traffic light of an agency: green all on time, amber all delivered, red something missing. */
export function light(s: { expected: number; on_time: number; missing: number }): 'green' | 'amber' | 'red' {
  if (s.missing > 0) return 'red';
  return s.on_time === s.expected ? 'green' : 'amber';
}

export function cycleKpis(cells: readonly Cell[], end: Date, finalisedAt: Date | null) {
  const byAgency = groupBy(cells, (c) => c.agency);
  const byIndicator = groupBy(cells, (c) => c.indicator);
  const agenciesOnTime = [...byAgency.values()].filter((cs) => cs.every((c) => cellState(c, end) === 'on_time')).length;
  const indicatorsComplete = [...byIndicator.values()].filter((cs) => cs.every((c) => c.delivered_at)).length;
  const indicatorsOnTime = [...byIndicator.values()].filter((cs) => cs.every((c) => cellState(c, end) === 'on_time')).length;
  const delivered = cells.filter((c) => c.delivered_at);
  return {
    agencies: byAgency.size,
    indicators: byIndicator.size,
    agencies_fully_on_time_pct: { value: pct(agenciesOnTime, byAgency.size), target: 100 },
    indicators_complete_pct: { value: pct(indicatorsComplete, byIndicator.size), target: 100 },
    indicators_complete_on_time_pct: { value: pct(indicatorsOnTime, byIndicator.size), target: 100 },
    inconsistency_after_reconciliation_pct: { value: pct(delivered.filter((c) => c.conflict === 'open').length, delivered.length), target: 0 },
    days_deadline_to_final: { value: finalisedAt ? Math.max(0, Math.ceil((finalisedAt.getTime() - end.getTime()) / 86_400_000)) : null, target: 30 },
  };
}

