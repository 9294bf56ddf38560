import type { Mean, MethodologyConfig } from './methodology.js';

/**
 * IKESOS arithmetic: normalise each reconciled figure, aggregate within dimensions, then
 * across them, and keep every step so a score can be checked by hand. Missing, disputed or
 * restricted figures are left out and reported, never imputed.
 */

export interface FigureInput {
  /** `restricted`: a figure the reader may not see (a consumer, a closed dataset); it arrives without a value. */
  status: 'final' | 'disputed' | 'restricted';
  value: number | null;
  /** Whatever the caller wants echoed back with the step (the figure's provenance). */
  provenance?: unknown;
}

/** Why an indicator was not used: no figure, agencies disagree, or the reader may not see it. */
type LeftOut = 'missing' | 'disputed' | 'restricted';

export interface IndicatorStep {
  code: string;
  dimension: string;
  direction: 'positive' | 'negative';
  weight: number;
  value: number | null;
  /** 0–1 after normalisation (and direction); null when left out. */
  normalised: number | null;
  goalposts: { min: number; max: number } | null;
  left_out: LeftOut | null;
  provenance?: unknown;
}

export interface DimensionStep {
  code: string;
  name: string;
  weight: number;
  expected: number;
  present: number;
  /** On the methodology's scale; null when coverage is too low. */
  score: number | null;
  reason: string | null;
}

/** A region's score and the steps a list shows: each dimension's, not each indicator's. */
export interface RegionSummary {
  score: number | null;
  category: string | null;
  coverage: { present: number; expected: number; share: number };
  reason: string | null;
  dimensions: DimensionStep[];
}

/** A score with every step, as an explanation shows it. */
export interface RegionScore extends RegionSummary {
  indicators: IndicatorStep[];
}

export type Ranges = ReadonlyMap<string, { min: number; max: number }>;

/** For `observed` normalisation: each indicator's min and max across the regions compared. */
export function observedRanges(regions: Iterable<ReadonlyMap<string, FigureInput>>): Map<string, { min: number; max: number }> {
  const ranges = new Map<string, { min: number; max: number }>();
  for (const figures of regions) {
    for (const [code, f] of figures) {
      if (f.status !== 'final' || f.value === null) continue;
      const r = ranges.get(code);
      ranges.set(code, r ? { min: Math.min(r.min, f.value), max: Math.max(r.max, f.value) } : { min: f.value, max: f.value });
    }
  }
  return ranges;
}

/** Normalised value of an indicator whose range is a single point (observed, all regions equal). */
const NO_SPREAD = 0.5;

export function normalise(value: number, range: { min: number; max: number }, direction: 'positive' | 'negative'): number {
  // Observed normalisation with every region equal (or one region alone) says nothing about
  // how good the value is, only that no region is better than another. The middle of the
  // range claims neither: the best (1) would lift a lone region to the top category on no
  // evidence, the worst (0) would sink it. It is returned before the direction is applied,
  // so higher- and lower-is-better indicators get the same value.
  if (range.max === range.min) return NO_SPREAD;
  const share = Math.min(1, Math.max(0, (value - range.min) / (range.max - range.min)));
  return direction === 'positive' ? share : 1 - share;
}

export function weightedMean(values: readonly { value: number; weight: number }[], mean: Mean, floor: number): number {
  const total = values.reduce((s, v) => s + v.weight, 0);
  if (mean === 'arithmetic') return values.reduce((s, v) => s + v.value * v.weight, 0) / total;
  return Math.exp(values.reduce((s, v) => s + (v.weight / total) * Math.log(Math.max(v.value, floor)), 0));
}

export function categorise(score: number, categories: MethodologyConfig['categories']): string | null {
  let label: string | null = null;
  for (const c of categories) if (score >= c.min) label = c.label;
  return label;
}

/**
 * The arithmetic of one region's score. Each indicator's step is handed to `step` when one is
 * given: an explanation keeps them, a list of 514 regions has no use for 7,710 of them.
 */
function score(config: MethodologyConfig, figures: ReadonlyMap<string, FigureInput>, ranges: Ranges, step?: (s: IndicatorStep) => void): RegionSummary {
  const span = config.scale.max - config.scale.min;
  const dimensions: DimensionStep[] = [];
  const dimensionValues: { value: number; weight: number }[] = [];
  let present = 0;
  let expected = 0;
  for (const d of config.dimensions) {
    const used: { value: number; weight: number }[] = [];
    for (const i of d.indicators) {
      const f = figures.get(i.code);
      const range = config.normalisation === 'goalposts' ? (i.goalposts ?? null) : (ranges.get(i.code) ?? null);
      const usable = f?.status === 'final' && f.value !== null && range !== null;
      const normalised = usable ? normalise(f.value!, range!, i.direction) : null;
      if (normalised !== null) used.push({ value: normalised, weight: i.weight });
      step?.({
        code: i.code,
        dimension: d.code,
        direction: i.direction,
        weight: i.weight,
        value: f?.value ?? null,
        normalised,
        goalposts: range,
        left_out: normalised !== null ? null : f && f.status !== 'final' ? f.status : 'missing',
        ...(f?.provenance !== undefined ? { provenance: f.provenance } : {}),
      });
    }
    present += used.length;
    expected += d.indicators.length;
    const share = used.length / d.indicators.length;
    const enough = used.length > 0 && share >= config.coverage.min_dimension;
    const value = enough ? weightedMean(used, config.aggregation.within, config.floor) : null;
    if (value !== null) dimensionValues.push({ value, weight: d.weight });
    dimensions.push({
      code: d.code,
      name: d.name,
      weight: d.weight,
      expected: d.indicators.length,
      present: used.length,
      score: value === null ? null : config.scale.min + span * value,
      reason: enough ? null : `coverage ${used.length}/${d.indicators.length} below ${config.coverage.min_dimension}`,
    });
  }
  const coverage = { present, expected, share: expected === 0 ? 0 : present / expected };
  const missingDimension = dimensions.find((d) => d.score === null);
  const reason =
    coverage.share < config.coverage.min_overall
      ? `coverage ${present}/${expected} below ${config.coverage.min_overall}`
      : missingDimension
        ? `dimension ${missingDimension.code} has no score (${missingDimension.reason})`
        : null;
  const total = reason === null ? config.scale.min + span * weightedMean(dimensionValues, config.aggregation.across, config.floor) : null;
  return { score: total, category: total === null ? null : categorise(total, config.categories), coverage, reason, dimensions };
}

/** One region's score with every indicator step. */
export function scoreRegion(config: MethodologyConfig, figures: ReadonlyMap<string, FigureInput>, ranges: Ranges): RegionScore {
  const indicators: IndicatorStep[] = [];
  return { ...score(config, figures, ranges, (s) => indicators.push(s)), indicators };
}

/** Competition ranking, best first: equal scores share a rank; regions without a score have none. */
export function rankScores(scores: ReadonlyMap<string, number | null>): Map<string, number> {
  const ordered = [...scores].filter((e): e is [string, number] => e[1] !== null).sort((a, b) => b[1] - a[1]);
  const ranks = new Map<string, number>();
  ordered.forEach(([region, score], i) => {
    const previous = ordered[i - 1];
    ranks.set(region, previous && previous[1] === score ? ranks.get(previous[0])! : i + 1);
  });
  return ranks;
}

/**
 * Scores of every region given, under one methodology, and ranks among those that have a
 * score: a region without one is not a competitor, so `compared` counts only the scored.
 * With the ranges the regions were normalised with, to explain one of them (`scoreRegion`).
 */
export function scoreAll(config: MethodologyConfig, regions: ReadonlyMap<string, ReadonlyMap<string, FigureInput>>) {
  const ranges: Ranges = config.normalisation === 'observed' ? observedRanges(regions.values()) : new Map();
  const scores = new Map([...regions].map(([region, figures]) => [region, score(config, figures, ranges)]));
  const ranks = rankScores(new Map([...scores].map(([region, s]) => [region, s.score])));
  return { scores, ranks, compared: ranks.size, ranges };
}
