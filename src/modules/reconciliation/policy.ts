/**
 * How one trusted figure is chosen when agencies report a key (indicator × region × period ×
 * breakdown) differently. The policy is per indicator and is data a walidata manages
 * (PUT /v1/indicators/{code}/reconciliation-policy); these functions apply it.
 */
export const AUTO_METHODS = ['manual', 'median', 'latest'] as const;
export type FallbackMethod = (typeof AUTO_METHODS)[number];

export interface ReconciliationPolicy {
  /** Values agree when max − min ≤ absolute, or (max − min) / max(|values|) ≤ relative. */
  tolerance: { absolute: number; relative: number };
  /** Agency codes or agency kinds, most trusted first (e.g. BPS before DINSOS before DISDUKCAPIL). */
  priority: string[];
  /** What to do when no listed agency reported the key. */
  method: FallbackMethod;
  /** An automatic choice (priority, median, latest) still waits for a walidata to confirm it. */
  requires_confirmation: boolean;
}

export const DEFAULT_POLICY: ReconciliationPolicy = {
  tolerance: { absolute: 0, relative: 0 },
  priority: [],
  method: 'manual',
  requires_confirmation: false,
};

export function effectivePolicy(stored: Partial<ReconciliationPolicy> | null | undefined): ReconciliationPolicy {
  return { ...DEFAULT_POLICY, ...stored, tolerance: { ...DEFAULT_POLICY.tolerance, ...stored?.tolerance } };
}

/** A stored policy with the region it governs (null: national). */
export interface ScopedPolicy {
  region: string | null;
  policy: ReconciliationPolicy;
}

/**
 * The policy that governs a key in `region`: the stored one of the nearest region containing
 * it (a city's before its province's), then the national one, then the default. A region's
 * walidata can thereby decide for its own figures without changing anyone else's.
 */
export function policyFor(scoped: readonly ScopedPolicy[], region: string): ScopedPolicy | null {
  let best: ScopedPolicy | null = null;
  for (const s of scoped) {
    const applies = s.region === null || region === s.region || region.startsWith(`${s.region}.`);
    if (applies && (best === null || (s.region?.length ?? -1) > (best.region?.length ?? -1))) best = s;
  }
  return best;
}

/** One agency's latest published figure for a key. */
export interface Candidate {
  agency: string;
  agency_kind: string;
  agency_id: string;
  dataset_id: string;
  version: number;
  version_id: string;
  /** Decimal text as stored. */
  value: string;
  obs_status: string;
  note: string | null;
  published_at: string;
}

export type FigureMethod = 'single-source' | 'agreement' | 'priority' | 'median' | 'latest' | 'manual';

export type Decision =
  | { kind: 'final'; method: FigureMethod; value: string; source: Candidate | null; rationale?: string }
  | { kind: 'conflict'; proposal: { method: 'priority' | 'median' | 'latest'; value: string; source: Candidate | null } | null };

export function agree(values: readonly number[], tolerance: ReconciliationPolicy['tolerance']): boolean {
  const spread = Math.max(...values) - Math.min(...values);
  if (spread <= tolerance.absolute) return true;
  const scale = Math.max(...values.map(Math.abs));
  return scale > 0 && spread / scale <= tolerance.relative;
}

/** The candidate of the most trusted agency present, by code first and then by kind. */
export function byPriority(candidates: readonly Candidate[], priority: readonly string[]): Candidate | null {
  for (const entry of priority) {
    const found = candidates.find((c) => c.agency === entry) ?? candidates.find((c) => c.agency_kind === entry);
    if (found) return found;
  }
  return null;
}

function decimalMedian(candidates: readonly Candidate[]): string {
  const sorted = [...candidates].sort((a, b) => Number(a.value) - Number(b.value));
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!.value;
  // The mean of the middle two: rounded to the precision the inputs carry, so no float noise.
  const decimals = Math.max(...sorted.map((c) => c.value.split('.')[1]?.length ?? 0)) + 1;
  return String(Number(((Number(sorted[mid - 1]!.value) + Number(sorted[mid]!.value)) / 2).toFixed(decimals)));
}

function latest(candidates: readonly Candidate[]): Candidate {
  return [...candidates].sort((a, b) => b.published_at.localeCompare(a.published_at) || b.version - a.version)[0]!;
}

/**
 * Agreeing values: the most trusted agency's, as a disagreement would be settled; with no
 * listed agency among them, the median, which no single report (nor the timing of the last
 * publication) can pull away from the others. Which rule chose is said in the rationale.
 */
function agreement(candidates: readonly Candidate[], policy: ReconciliationPolicy): Decision {
  const preferred = byPriority(candidates, policy.priority);
  if (preferred) {
    return {
      kind: 'final',
      method: 'agreement',
      value: preferred.value,
      source: preferred,
      rationale: `Nilai para instansi sepakat dalam toleransi; disajikan nilai ${preferred.agency}, instansi dengan prioritas tertinggi dalam kebijakan rekonsiliasi indikator.`,
    };
  }
  const value = decimalMedian(candidates);
  // An odd count (or equal middle values) makes the median a reported value: name the first
  // agency that published it. The mean of two different middle values has no single source.
  const reporting = [...candidates]
    .filter((c) => Number(c.value) === Number(value))
    .sort((a, b) => a.published_at.localeCompare(b.published_at) || a.version - b.version)[0];
  return {
    kind: 'final',
    method: 'agreement',
    value: reporting?.value ?? value,
    source: reporting ?? null,
    rationale: 'Nilai para instansi sepakat dalam toleransi dan tidak ada instansi prioritas dalam kebijakan; disajikan median nilai-nilai tersebut.',
  };
}

/**
 * The figure for one key given every agency's latest published value: one source or
 * agreeing sources give a final figure; disagreement is a conflict, with an automatic
 * proposal where the policy allows one.
 */
export function decide(candidates: readonly Candidate[], policy: ReconciliationPolicy): Decision {
  if (candidates.length === 0) throw new RangeError('decide needs at least one candidate');
  if (candidates.length === 1) return { kind: 'final', method: 'single-source', value: candidates[0]!.value, source: candidates[0]! };
  if (agree(candidates.map((c) => Number(c.value)), policy.tolerance)) return agreement(candidates, policy);
  const preferred = byPriority(candidates, policy.priority);
  const proposal = preferred
    ? { method: 'priority' as const, value: preferred.value, source: preferred }
    : policy.method === 'median'
      ? { method: 'median' as const, value: decimalMedian(candidates), source: null }
      : policy.method === 'latest'
        ? { method: 'latest' as const, value: latest(candidates).value, source: latest(candidates) }
        : null;
  if (proposal && !policy.requires_confirmation) return { kind: 'final', ...proposal };
  return { kind: 'conflict', proposal };
}
