/**
 * Per-indicator thresholds of the anomaly detectors. Walidata tune them as data
 * (PUT /v1/indicators/{code}/quality-rules); what is stored is only what they changed, so a
 * better default reaches every indicator nobody customised.
 */
export type DetectorSeverity = 'warning' | 'error' | 'off';

export const DETECTORS = ['jump', 'zero', 'flat', 'outlier', 'coherence', 'population'] as const;
export type Detector = (typeof DETECTORS)[number];

export interface QualityRules {
  /** Period-on-period change: fires when the larger value is more than `max_ratio` times the smaller and they differ by at least `min_change`. */
  jump: { severity: DetectorSeverity; max_ratio: number; min_change: number };
  /** A series whose recent values average at least `min_typical` reported as 0, or a zero series suddenly at least `min_typical`. */
  zero: { severity: DetectorSeverity; min_typical: number; min_history: number };
  /** The same value `min_run` periods running, or a coefficient of variation below `min_cv` over `cv_window` periods averaging at least `cv_min_mean`. */
  flat: { severity: DetectorSeverity; min_run: number; ignore_zero: boolean; cv_window: number; min_cv: number; cv_min_mean: number };
  /** Robust z-score (median/MAD) against regions of the same level and parent; per capita for counts of people when populations are known. */
  outlier: { severity: DetectorSeverity; max_z: number; min_peers: number; per_capita: boolean };
  /** Counts only: children summing above the parent, or (all children present) differing from it by more than `tolerance` (a fraction). */
  coherence: { severity: DetectorSeverity; tolerance: number };
  /** Counts of people only: a figure above the region's population. */
  population: { severity: DetectorSeverity };
}

export type QualityRulesPatch = { [D in Detector]?: Partial<QualityRules[D]> };

export const DEFAULT_QUALITY_RULES: QualityRules = {
  jump: { severity: 'warning', max_ratio: 2, min_change: 10 },
  zero: { severity: 'warning', min_typical: 5, min_history: 2 },
  flat: { severity: 'warning', min_run: 4, ignore_zero: true, cv_window: 6, min_cv: 0.001, cv_min_mean: 100 },
  outlier: { severity: 'warning', max_z: 3.5, min_peers: 5, per_capita: true },
  coherence: { severity: 'warning', tolerance: 0.01 },
  population: { severity: 'warning' },
};

/** The rules in force: the defaults with whatever was customised laid over them. */
export function effectiveRules(stored: QualityRulesPatch | null | undefined): QualityRules {
  const out = structuredClone(DEFAULT_QUALITY_RULES);
  if (!stored) return out;
  for (const detector of DETECTORS) Object.assign(out[detector], stored[detector] ?? {});
  return out;
}

export function anyDetectorOn(rules: QualityRules): boolean {
  return DETECTORS.some((d) => rules[d].severity !== 'off');
}

/**
 * How many of a series' periods before the first one pushed its checks can look at: the
 * previous one (jump), the recent ones (zero), a run or a window (flat). History is read this
 * far back and no further, so a push costs the same in the twentieth year as in the second.
 */
export function seriesLookback(rules: QualityRules): number {
  const on = (d: 'jump' | 'zero' | 'flat') => rules[d].severity !== 'off';
  return Math.max(
    1,
    on('zero') ? Math.max(rules.zero.min_history, 3) : 0,
    on('flat') ? Math.max(rules.flat.min_run, rules.flat.cv_window) - 1 : 0,
  );
}
