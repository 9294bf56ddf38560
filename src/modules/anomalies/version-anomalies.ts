import { groupBy } from '../../util/group-by.js';
import type { Disaggregation, Finding } from '../../domain/finding.js';
import { coherenceFinding, outlierFinding, populationFinding, seriesFinding, type ComparedFigure, type FigureSource, type PointRef } from './anomaly-findings.js';

import { detectFlat, detectIncoherence, detectJump, detectPeerOutliers, detectZero, exceedsPopulation, type Hit, type SeriesPoint } from './detectors.js';
import type { QualityRules } from '../../domain/quality-rules.js';

/**
 * Runs the detectors over one indicator of one pushed version: the pushed points against
 * the agency's own history of each series, against their peers and their parents or
 * children (in the push, or as published by anyone), and against the population
 * reference. Pure: the service gathers the inputs.
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
  /** The earliest point read of a series whose earlier periods lie beyond the look-back (seriesLookback). */
  earlierUnread?: boolean;
}

/**
 * A figure currently served for a region the push does not cover (same indicator, period
 * and breakdown): a sibling, a child or the parent of a pushed region. A kab/kota agency
 * only pushes its own kab/kota, so its peers and its province come from here.
 */
export interface StoredFigure {
  region: string;
  level: number;
  parent: string | null;
  disaggKey: string;
  period: string;
  value: number;
  /** Population of the region (matching the breakdown's sex), when known. */
  population: number | null;
  source: FigureSource;
}

export interface IndicatorInput {
  indicator: string;
  /** Counts (jumlah) must add up to their parents; counts of people must fit the population. */
  isCount: boolean;
  countsPeople: boolean;
  rules: QualityRules;
  points: readonly PushedPoint[];
  history: readonly HistoryPoint[];
  /** Served figures of neighbouring regions outside the push (see StoredFigure). */
  stored: readonly StoredFigure[];
  /** How many children each region has in the Kemendagri reference (for every region coherenceParents names). */
  childCounts: ReadonlyMap<string, number>;
}

const SEP = '\u001f';
const seriesKey = (region: string, disaggKey: string) => `${region}${SEP}${disaggKey}`;

function ref(indicator: string, p: PushedPoint): PointRef {
  return { indicator, region: p.region, period: p.period, disagg: p.disagg, value: p.value, row: p.row };
}

/**
 * The checks of each series and of each point alone (jump, zero, flat; population): given
 * whole series (every period of a region's breakdown), a part of the push finds what the
 * whole would for it.
 */
export function seriesAnomalies(input: IndicatorInput): Finding[] {
  const { rules } = input;
  const out: Finding[] = [];
  if (rules.jump.severity !== 'off' || rules.zero.severity !== 'off' || rules.flat.severity !== 'off') out.push(...seriesFindings(input));
  if (input.countsPeople && rules.population.severity !== 'off') {
    for (const p of input.points) {
      if (p.population && exceedsPopulation(p.value, p.population.value)) out.push(populationFinding(ref(input.indicator, p), p.population, rules));
    }
  }
  return out;
}

/**
 * The checks among regions (peers, coherence): given whole period × breakdown pairs (every
 * region of each, pushed and stored), a part of the push finds what the whole would for it.
 */
export function groupAnomalies(input: IndicatorInput): Finding[] {
  const { rules } = input;
  const out: Finding[] = [];
  const checksPeers = rules.outlier.severity !== 'off';
  const checksCoherence = input.isCount && rules.coherence.severity !== 'off';
  const all = checksPeers || checksCoherence ? figures(input) : [];
  if (checksPeers) out.push(...peerFindings(input, all));
  if (checksCoherence) out.push(...coherenceFindings(input, all));
  return out;
}

type SeriesEntry = SeriesPoint & { pushed: PushedPoint | null; earlierUnread?: boolean };

/** Whether any series can hold two figures: not when one period is pushed and nothing came before. */
function hasSeries(input: IndicatorInput): boolean {
  if (input.history.length > 0) return true;
  const first = input.points[0]?.period;
  return input.points.some((p) => p.period !== first);
}

function seriesFindings(input: IndicatorInput): Finding[] {
  const { rules } = input;
  if (!hasSeries(input)) return [];
  const series = new Map<string, Map<string, SeriesEntry>>();
  const entries = (key: string) => {
    let m = series.get(key);
    if (!m) series.set(key, (m = new Map()));
    return m;
  };
  for (const h of input.history) entries(seriesKey(h.region, h.disaggKey)).set(h.period, { period: h.period, value: h.value, pushed: null, earlierUnread: h.earlierUnread === true });
  // The push replaces the agency's earlier figure for the same period.
  for (const p of input.points) entries(seriesKey(p.region, p.disaggKey)).set(p.period, { period: p.period, value: p.value, pushed: p });

  const out: Finding[] = [];
  for (const byPeriod of series.values()) {
    // A lone figure has nothing to jump from, fall from or repeat.
    if (byPeriod.size < 2) continue;
    const ordered = [...byPeriod.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
    const earlierUnread = ordered[0]!.earlierUnread === true;
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
      if (rules.flat.severity !== 'off' && !runGoesOn) pushHit(hits, detectFlat(before, point, rules.flat, earlierUnread));
      for (const hit of hits) out.push(seriesFinding(ref(input.indicator, entry.pushed), hit, rules));
    });
  }
  return out;
}

function pushHit(hits: Hit[], hit: Hit | null) {
  if (hit) hits.push(hit);
}

/** A pushed or stored figure, with what the groupings need. */
interface Figure extends Omit<StoredFigure, 'source'> {
  pushed: PushedPoint | null;
  source: 'push' | FigureSource;
}

/** Built once per slice, field by field: spreading each point was the detectors' main cost. */
function figures(input: IndicatorInput): Figure[] {
  const out: Figure[] = [];
  for (const p of input.points) {
    out.push({ region: p.region, level: p.level, parent: p.parent, disaggKey: p.disaggKey, period: p.period, value: p.value, population: p.population?.value ?? null, pushed: p, source: 'push' });
  }
  for (const f of input.stored) out.push({ ...f, pushed: null });
  return out;
}


const compared = (f: Figure): ComparedFigure => ({ region: f.region, value: f.value, source: f.source });

/** Peers are regions of the same level and parent for the same period and breakdown, pushed or published; only pushed points are judged. */
function peerFindings(input: IndicatorInput, all: readonly Figure[]): Finding[] {
  const groups = groupBy(all, (f) => `${f.period}${SEP}${f.disaggKey}${SEP}${f.level}${SEP}${f.parent ?? ''}`);
  const out: Finding[] = [];
  for (const group of groups.values()) {
    if (!group.some((f) => f.pushed)) continue;
    const hits = detectPeerOutliers(
      group.map((f) => ({ key: f, value: f.value, population: f.population })),
      input.rules.outlier,
    );
    if (hits.length === 0) continue;
    const peers = group.map(compared);
    for (const hit of hits) {
      if (hit.key.pushed) out.push(outlierFinding(ref(input.indicator, hit.key.pushed), hit, peers, input.rules));
    }
  }
  return out;
}

/** The regions whose figure and children's figures can be compared: every parent of a pushed or stored figure that itself has a figure. */
export function coherenceParents(points: readonly PushedPoint[], stored: readonly StoredFigure[]): string[] {
  if (!spansLevels(points, stored)) return [];
  const regions = new Set<string>();
  for (const list of [points, stored]) for (const f of list) regions.add(f.region);
  const parents = new Set<string>();
  for (const list of [points, stored]) for (const f of list) if (f.parent !== null && regions.has(f.parent)) parents.add(f.parent);
  return [...parents];
}

/** Whether the figures are of more than one region level: a parent and its children never share one. */
function spansLevels(...lists: readonly (readonly { level: number }[])[]): boolean {
  const level = lists.find((l) => l.length > 0)?.[0]?.level;
  return lists.some((list) => list.some((f) => f.level !== level));
}

/**
 * A parent and its children for one period and breakdown, wherever each figure comes from,
 * checked when the push has a part in it. The finding sits on the pushed parent, or, when
 * the parent is a published figure, on the pushed child with the largest value (the one
 * most likely to tip the sum), once per parent rather than once per child.
 */
function coherenceFindings(input: IndicatorInput, all: readonly Figure[]): Finding[] {
  const groupKey = (region: string, f: Figure) => `${region}${SEP}${f.period}${SEP}${f.disaggKey}`;
  // A push of one level alone, with nothing stored around it, has no parent to add up to.
  if (!spansLevels(all)) return [];
  const children = groupBy(
    all.filter((f) => f.parent !== null),
    (f) => groupKey(f.parent!, f),
  );
  const out: Finding[] = [];
  for (const parent of all) {
    const kids = children.get(groupKey(parent.region, parent));
    if (!kids) continue;
    const at = parent.pushed ?? kids.filter((k) => k.pushed).sort((a, b) => b.value - a.value)[0]?.pushed;
    if (!at) continue;
    const hit = detectIncoherence(
      parent.value,
      kids.map((k) => k.value),
      input.childCounts.get(parent.region) ?? kids.length,
      input.rules.coherence,
    );
    if (hit) out.push(coherenceFinding(ref(input.indicator, at), { parent: compared(parent), children: kids.map(compared) }, hit, input.rules));
  }
  return out;
}
