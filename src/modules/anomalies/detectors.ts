import type { QualityRules } from '../../domain/quality-rules.js';

/**
 * The anomaly detectors: pure arithmetic over figures the service gathered in a few
 * set-based queries. Each returns what fired with the numbers behind it (the compared
 * values and the threshold), so a person can judge the finding, or null.
 */

export interface SeriesPoint {
  period: string;
  value: number;
}

export type Hit =
  | { kind: 'jump'; previous: SeriesPoint; ratio: number; change: number }
  | { kind: 'drop-to-zero'; recent: SeriesPoint[]; typical: number }
  | { kind: 'from-zero'; recent: SeriesPoint[] }
  | { kind: 'flat-run'; run: SeriesPoint[]; mayStartEarlier: boolean }
  | { kind: 'low-variance'; window: SeriesPoint[]; cv: number; mean: number };

/** Period-on-period change against the latest earlier point. Zeros are the zero detector's. */
export function detectJump(previous: SeriesPoint | undefined, value: number, rules: QualityRules['jump']): Hit | null {
  if (!previous || previous.value <= 0 || value <= 0) return null;
  const ratio = Math.max(value, previous.value) / Math.min(value, previous.value);
  const change = value - previous.value;
  if (ratio <= rules.max_ratio || Math.abs(change) < rules.min_change) return null;
  return { kind: 'jump', previous, ratio, change };
}

/** `history` is the series before this point, oldest first. */
export function detectZero(history: readonly SeriesPoint[], value: number, rules: QualityRules['zero']): Hit | null {
  const recent = history.slice(-Math.max(rules.min_history, 3));
  if (recent.length < rules.min_history) return null;
  if (value === 0) {
    // Only a history of real counts makes a zero suspicious; one earlier zero is not a pattern.
    if (recent.some((p) => p.value <= 0)) return null;
    const typical = mean(recent.map((p) => p.value));
    return typical >= rules.min_typical ? { kind: 'drop-to-zero', recent, typical } : null;
  }
  const zeros = recent.slice(-rules.min_history);
  if (value >= rules.min_typical && zeros.every((p) => p.value === 0)) return { kind: 'from-zero', recent: zeros };
  return null;
}

/**
 * Copied-forward series: an unbroken run of one value, or a spread too small to be counted.
 * `earlierUnread`: the series has periods before `history` that were not read (the look-back
 * ends there), so a run reaching back to its start may be longer than it shows.
 */
export function detectFlat(history: readonly SeriesPoint[], point: SeriesPoint, rules: QualityRules['flat'], earlierUnread = false): Hit | null {
  const series = [...history, point];
  let start = series.length - 1;
  while (start > 0 && series[start - 1]!.value === point.value) start--;
  const run = series.slice(start);
  if (run.length >= rules.min_run && !(rules.ignore_zero && point.value === 0)) return { kind: 'flat-run', run, mayStartEarlier: start === 0 && earlierUnread };
  if (run.length > 1) return null; // a shorter exact run is not "low variance" evidence either
  const window = series.slice(-rules.cv_window);
  if (window.length < rules.cv_window) return null;
  const values = window.map((p) => p.value);
  const m = mean(values);
  if (m < rules.cv_min_mean || m <= 0) return null;
  const cv = standardDeviation(values, m) / m;
  return cv < rules.min_cv ? { kind: 'low-variance', window, cv, mean: m } : null;
}

export interface PeerValue<K> {
  key: K;
  value: number;
  /** Population of the region (matching the breakdown's sex), when known. */
  population: number | null;
}

export interface OutlierHit<K> {
  key: K;
  z: number;
  median: number;
  mad: number;
  peers: number;
  basis: 'value' | 'per-capita';
  /** What was compared: the value, or the value per 1,000 population. */
  compared: number;
}

// 0.6745 = Φ⁻¹(0.75): scales the MAD to a standard deviation for normal data (Iglewicz & Hoaglin).
const MAD_SCALE = 0.6745;

/**
 * Robust z-scores within one group of peers (same indicator, period, breakdown, level and
 * parent). Per capita when asked and every peer's population is known, so a big city is
 * not an outlier for being big.
 */
export function detectPeerOutliers<K>(group: readonly PeerValue<K>[], rules: QualityRules['outlier']): OutlierHit<K>[] {
  if (group.length < rules.min_peers) return [];
  const perCapita = rules.per_capita && group.every((p) => p.population !== null && p.population > 0);
  const compared = group.map((p) => (perCapita ? (p.value / p.population!) * 1000 : p.value));
  const med = median(compared);
  const mad = median(compared.map((v) => Math.abs(v - med)));
  // With more than half the peers identical the MAD is 0 and every z infinite: no evidence.
  if (mad === 0) return [];
  const hits: OutlierHit<K>[] = [];
  group.forEach((p, i) => {
    const z = (MAD_SCALE * (compared[i]! - med)) / mad;
    if (Math.abs(z) > rules.max_z) {
      hits.push({ key: p.key, z, median: med, mad, peers: group.length, basis: perCapita ? 'per-capita' : 'value', compared: compared[i]! });
    }
  });
  return hits;
}

export type CoherenceHit =
  | { kind: 'children-exceed'; parent: number; sum: number; children: number; expected: number }
  | { kind: 'children-diverge'; parent: number; sum: number; children: number; expected: number; difference: number };

/**
 * A count must add up: the children's sum may not exceed the parent's figure, and when every
 * child is reported it should match it within the tolerance.
 */
export function detectIncoherence(parent: number, children: readonly number[], expected: number, rules: QualityRules['coherence']): CoherenceHit | null {
  if (children.length === 0) return null;
  const sum = children.reduce((a, b) => a + b, 0);
  const slack = rules.tolerance * Math.max(parent, 1);
  if (sum > parent + slack) return { kind: 'children-exceed', parent, sum, children: children.length, expected };
  if (children.length >= expected && Math.abs(sum - parent) > slack) {
    return { kind: 'children-diverge', parent, sum, children: children.length, expected, difference: (sum - parent) / Math.max(parent, 1) };
  }
  return null;
}

export function exceedsPopulation(value: number, population: number | null): boolean {
  return population !== null && value > population;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function standardDeviation(values: readonly number[], m: number): number {
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
