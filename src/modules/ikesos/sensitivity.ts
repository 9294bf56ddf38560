import type { MethodologyConfig } from './methodology.js';
import { scoreAll, type FigureInput } from './scoring.js';

/**
 * How robust a score and its rank are: every weight moved by ±10 % and every indicator left
 * out in turn, each recomputed over all the regions compared (ranks move with the others).
 */
export interface Scenario {
  kind: 'indicator-weight' | 'dimension-weight' | 'leave-out';
  target: string;
  change: '+10%' | '-10%' | null;
  score: number | null;
  delta: number | null;
  rank: number | null;
  rank_change: number | null;
}

function scenarios(config: MethodologyConfig): { kind: Scenario['kind']; target: string; change: Scenario['change']; config: MethodologyConfig }[] {
  const out: ReturnType<typeof scenarios> = [];
  const withDimensions = (dimensions: MethodologyConfig['dimensions']) => ({ ...config, dimensions });
  for (const [factor, change] of [[1.1, '+10%'], [0.9, '-10%']] as const) {
    for (const d of config.dimensions) {
      out.push({ kind: 'dimension-weight', target: d.code, change, config: withDimensions(config.dimensions.map((x) => (x === d ? { ...x, weight: x.weight * factor } : x))) });
      for (const i of d.indicators) {
        out.push({
          kind: 'indicator-weight',
          target: i.code,
          change,
          config: withDimensions(config.dimensions.map((x) => (x === d ? { ...x, indicators: x.indicators.map((y) => (y === i ? { ...y, weight: y.weight * factor } : y)) } : x))),
        });
      }
    }
  }
  for (const d of config.dimensions) {
    for (const i of d.indicators) {
      const rest = d.indicators.filter((y) => y !== i);
      // Leaving out a dimension's only indicator leaves the dimension out with it.
      const dimensions = rest.length > 0 ? config.dimensions.map((x) => (x === d ? { ...x, indicators: rest } : x)) : config.dimensions.filter((x) => x !== d);
      out.push({ kind: 'leave-out', target: i.code, change: null, config: withDimensions(dimensions) });
    }
  }
  return out;
}

export function sensitivity(config: MethodologyConfig, regions: ReadonlyMap<string, ReadonlyMap<string, FigureInput>>, region: string) {
  const base = scoreAll(config, regions);
  const baseScore = base.scores.get(region)?.score ?? null;
  const baseRank = base.ranks.get(region) ?? null;
  const results: Scenario[] = scenarios(config).map((s) => {
    const { scores, ranks } = scoreAll(s.config, regions);
    const score = scores.get(region)?.score ?? null;
    const rank = ranks.get(region) ?? null;
    return {
      kind: s.kind,
      target: s.target,
      change: s.change,
      score,
      delta: score !== null && baseScore !== null ? score - baseScore : null,
      rank,
      rank_change: rank !== null && baseRank !== null ? rank - baseRank : null,
    };
  });
  return { score: baseScore, rank: baseRank, compared: base.compared, scenarios: results };
}
