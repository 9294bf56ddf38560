import { decide, type Candidate, type FigureMethod, type ReconciliationPolicy } from './policy.js';

/**
 * What publishing means for one key: the conflict record (opened, kept, closed) and the
 * figure to serve, given the candidates now and what was decided before. Pure.
 */

export interface PriorConflict {
  status: string;
  candidates: readonly Candidate[];
  resolution: { method: string; automatic?: boolean } | null;
}

export interface PriorFigure {
  status: string;
  value: string | null;
  method: string | null;
  source_version_id: string | null;
}

export interface ConflictUpdate {
  status: 'open' | 'resolved';
  proposal: object | null;
  resolution: object | null;
  resolvedBy: string | null;
}

export interface FigureTarget {
  status: 'final' | 'disputed';
  value: string | null;
  method: FigureMethod | null;
  source: Candidate | null;
  /** Why an automatic choice chose this value (for `agreement`: which rule), or null. */
  rationale: string | null;
}

export interface Settlement {
  /** Null: the key has no conflict record and needs none. */
  conflict: ConflictUpdate | null;
  /** Null: the served figure stays as it is. */
  figure: FigureTarget | null;
}

export const SYSTEM_DECIDER = 'system:reconciliation';

/** The same agencies with the same values: a person's decision about them still holds. */
export function sameFigures(a: readonly Candidate[], b: readonly Candidate[]): boolean {
  const key = (c: Candidate) => `${c.agency_id}|${Number(c.value)}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

export function settle(candidates: readonly Candidate[], policy: ReconciliationPolicy, prior: PriorConflict | undefined, current: PriorFigure | undefined): Settlement {
  const decision = decide(candidates, policy);
  let conflict: ConflictUpdate | null = null;
  let figure: FigureTarget;
  if (decision.kind === 'final') {
    figure = { status: 'final', value: decision.value, method: decision.method, source: decision.source, rationale: decision.rationale ?? null };
    const realConflict = decision.method !== 'single-source' && decision.method !== 'agreement';
    if (realConflict || prior) {
      // Closed by the policy: record how, so the conflict list shows every disagreement and its fate.
      conflict = {
        status: 'resolved',
        proposal: null,
        resolution: { method: decision.method, value: decision.value, source: decision.source, automatic: true },
        resolvedBy: SYSTEM_DECIDER,
      };
    }
  } else {
    const manuallySettled = prior?.status === 'resolved' && prior.resolution?.automatic !== true && sameFigures(prior.candidates, candidates);
    if (manuallySettled) return { conflict: null, figure: null };
    // New, or its candidates changed since a person resolved it: open (again).
    conflict = { status: 'open', proposal: decision.proposal, resolution: null, resolvedBy: null };
    figure = { status: 'disputed', value: null, method: null, source: null, rationale: null };
  }
  return { conflict, figure: unchanged(current, figure) ? null : figure };
}

function unchanged(current: PriorFigure | undefined, next: FigureTarget): boolean {
  if (!current) return false;
  const sameValue = current.value === null || next.value === null ? current.value === next.value : Number(current.value) === Number(next.value);
  return current.status === next.status && sameValue && current.method === next.method && current.source_version_id === (next.source?.version_id ?? null);
}

/** How a consumer's change feed labels the move from the current figure to the next. */
export function changeKind(current: PriorFigure | undefined, next: FigureTarget): 'new' | 'revised' | 'disputed' | 'resolved' {
  if (next.status === 'disputed') return 'disputed';
  if (!current) return 'new';
  return current.status === 'disputed' ? 'resolved' : 'revised';
}
