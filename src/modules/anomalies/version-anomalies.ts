import type { Disaggregation, Finding } from '../validation/finding.js';
import { coherenceFinding, outlierFinding, populationFinding, seriesFinding, type PointRef } from './anomaly-findings.js';
import { detectFlat, detectIncoherence, detectJump, detectPeerOutliers, detectZero, exceedsPopulation, type Hit, type SeriesPoint } from './detectors.js';
import type { QualityRules } from './quality-rules.js';

/**
 * Runs the detectors over one indicator of one pushed version: the pushed points against
 * the agency's own history of each series, against their peers in the push, and against
 * their parents and the population reference. Pure: the service gathers the inputs.
 */

/** One pushed observation with the reference facts the detectors need. */
export interface PushedPoint {
  region: string;
  level: number;
  parent: string | null;
  disaggKey: string;
  disagg: Disaggregation;
  period: string;
  value: number;
  row: number | null;
  population: { value: number; year: number } | null;
}

/** An earlier figure of the same agency for a series the push touches. */
export interface HistoryPoint {
  region: string;
  disaggKey: string;
  period: string;
  value: number;
}

export interface IndicatorInput {
  indicator: string;
  /** Counts (jumlah) must add up to their parents; counts of people must fit the population. */
  isCount: boolean;
  countsPeople: boolean;
  rules: QualityRules;
  points: readonly PushedPoint[];
  history: readonly HistoryPoint[];
  /** How many children each region has in the Kemendagri reference. */
  childCounts: ReadonlyMap<string, number>;
}

const SEP = '\u001f';
const seriesKey = (region: string, disaggKey: string) => `${region}${SEP}${disaggKey}`;

function ref(indicator: string, p: PushedPoint): PointRef {
  return { indicator, region: p.region, period: p.period, disagg: p.disagg, value: p.value, row: p.row };
}

export function detectVersionAnomalies(input: IndicatorInput): Finding[] {
  const { rules } = input;
  const out: Finding[] = [];
  if (rules.jump.severity !== 'off' || rules.zero.severity !== 'off' || rules.flat.severity !== 'off') out.push(...seriesFindings(input));
  if (rules.outlier.severity !== 'off') out.push(...peerFindings(input));
  if (input.isCount && rules.coherence.severity !== 'off') out.push(...coherenceFindings(input));
  if (input.countsPeople && rules.population.severity !== 'off') {
    for (const p of input.points) {
      if (p.population && exceedsPopulation(p.value, p.population.value)) out.push(populationFinding(ref(input.indicator, p), p.population, rules));
    }
  }
  return out;
}

type SeriesEntry = SeriesPoint & { pushed: PushedPoint | null };

function seriesFindings(input: IndicatorInput): Finding[] {
  const { rules } = input;
  const series = new Map<string, Map<string, SeriesEntry>>();
  const entries = (key: string) => {
    let m = series.get(key);
    if (!m) series.set(key, (m = new Map()));
    return m;
  };
  for (const h of input.history) entries(seriesKey(h.region, h.disaggKey)).set(h.period, { period: h.period, value: h.value, pushed: null });
  // The push replaces the agency's earlier figure for the same period.
  for (const p of input.points) entries(seriesKey(p.region, p.disaggKey)).set(p.period, { period: p.period, value: p.value, pushed: p });

  const out: Finding[] = [];
  for (const byPeriod of series.values()) {
    const ordered = [...byPeriod.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
    ordered.forEach((entry, i) => {
      if (!entry.pushed) return;
      const before = ordered.slice(0, i).map(({ period, value }) => ({ period, value }));
      const point = { period: entry.period, value: entry.value };
      const hits: Hit[] = [];
      if (rules.jump.severity !== 'off') pushHit(hits, detectJump(before[before.length - 1], entry.value, rules.jump));
      if (rules.zero.severity !== 'off') pushHit(hits, detectZero(before, entry.value, rules.zero));
      // A run of pushed copies is reported once, at its last pushed point.
      const next = ordered[i + 1];
      const runGoesOn = next?.pushed && next.value === entry.value;
      if (rules.flat.severity !== 'off' && !runGoesOn) pushHit(hits, detectFlat(before, point, rules.flat));
      for (const hit of hits) out.push(seriesFinding(ref(input.indicator, entry.pushed), hit, rules));
    });
  }
  return out;
}

function pushHit(hits: Hit[], hit: Hit | null) {
  if (hit) hits.push(hit);
}

function peerFindings(input: IndicatorInput): Finding[] {
  const groups = new Map<string, PushedPoint[]>();
  for (const p of input.points) {
    const key = [p.period, p.disaggKey, p.level, p.parent ?? ''].join(SEP);
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  const out: Finding[] = [];
  for (const group of groups.values()) {
    const hits = detectPeerOutliers(
      group.map((p) => ({ key: p, value: p.value, population: p.population?.value ?? null })),
      input.rules.outlier,
    );
    for (const hit of hits) out.push(outlierFinding(ref(input.indicator, hit.key), hit, input.rules));
  }
  return out;
}

function coherenceFindings(input: IndicatorInput): Finding[] {
  const children = new Map<string, number[]>();
  for (const p of input.points) {
    if (p.parent === null) continue;
    const key = [p.parent, p.period, p.disaggKey].join(SEP);
    const values = children.get(key);
    if (values) values.push(p.value);
    else children.set(key, [p.value]);
  }
  const out: Finding[] = [];
  for (const parent of input.points) {
    const values = children.get([parent.region, parent.period, parent.disaggKey].join(SEP));
    if (!values) continue;
    const hit = detectIncoherence(parent.value, values, input.childCounts.get(parent.region) ?? values.length, input.rules.coherence);
    if (hit) out.push(coherenceFinding(ref(input.indicator, parent), hit, input.rules));
  }
  return out;
}
