import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Finding } from '../../domain/finding.js';
import type { KeptPoints } from './kept-points.js';
import { anyDetectorOn, seriesLookback } from '../../domain/quality-rules.js';
import { groupSlices, seriesSlices, type GroupCount, type PointSlice, type RegionCount } from './point-slice.js';
import type { RegionPlace } from './region-place.js';
import {
  childCounts,
  groupCounts,
  indicatorsWithFinalFigures,
  indicatorsWithHistory,
  loadQualityRules,
  pushedPoints,
  pushPlaces,
  regionCounts,
  seriesHistory,
  storedFigures,
  versionIndicators,
} from './repository.js';
import { coherenceParents, groupAnomalies, seriesAnomalies, type PushedPoint } from './version-anomalies.js';

const PEOPLE_UNITS = new Set(['orang', 'jiwa']);

/** Where the pushed points come from: memory when the push kept them all, else the database. */
interface PointSource {
  regionCounts(indicator: string): Promise<RegionCount[]>;
  groupCounts(indicator: string): Promise<GroupCount[]>;
  points(indicator: string, slice: PointSlice): Promise<PushedPoint[]>;
}

function pointSource(db: Kysely<DB>, versionId: string, places: ReadonlyMap<string, RegionPlace>, kept: KeptPoints | undefined): PointSource {
  if (kept?.complete) {
    return {
      regionCounts: async (indicator) => kept.regionCounts(indicator),
      groupCounts: async (indicator) => kept.groupCounts(indicator),
      points: async (indicator, slice) => kept.points(indicator, places, slice),
    };
  }
  return {
    regionCounts: (indicator) => regionCounts(db, versionId, indicator),
    groupCounts: (indicator) => groupCounts(db, versionId, indicator),
    points: (indicator, slice) => pushedPoints(db, versionId, indicator, places, slice),
  };
}

/**
 * The anomaly findings of a version whose observations are already written (in the push's
 * own transaction), handed to `found` as they come. Set-based, a few queries per slice of
 * each indicator, never one per row; memory holds one slice (`slicePoints` points, with its
 * history, neighbours and findings), so it does not grow with the push.
 */
export async function detectAnomalies(
  db: Kysely<DB>,
  version: { id: string; agencyId: string },
  options: { kept?: KeptPoints; slicePoints: number; found: (findings: Finding[]) => Promise<void> },
): Promise<void> {
  const indicators = await versionIndicators(db, version.id);
  const rules = await loadQualityRules(db, indicators.map((i) => i.code));
  const checked = indicators.filter((i) => anyDetectorOn(rules.get(i.code)!));
  if (checked.length === 0) return;
  const codes = checked.map((i) => i.code);
  const withHistory = await indicatorsWithHistory(db, version.id, version.agencyId, codes);
  const published = await indicatorsWithFinalFigures(db, codes);
  const source = pointSource(db, version.id, await pushPlaces(db, version.id), options.kept);
  for (const indicator of checked) {
    const r = rules.get(indicator.code)!;
    const seriesOn = [r.jump, r.zero, r.flat].some((d) => d.severity !== 'off');
    const isCount = indicator.measure === 'jumlah';
    const countsPeople = isCount && PEOPLE_UNITS.has(indicator.unit);
    const coherenceOn = isCount && r.coherence.severity !== 'off';
    const base = { indicator: indicator.code, isCount, countsPeople, rules: r, history: [], stored: [], childCounts: new Map<string, number>() };
    if (seriesOn || (countsPeople && r.population.severity !== 'off')) {
      for (const slice of seriesSlices(await source.regionCounts(indicator.code), options.slicePoints)) {
        const points = await source.points(indicator.code, slice);
        // A push of several periods is a series by itself, with or without earlier versions.
        const history = seriesOn && withHistory.has(indicator.code) ? await seriesHistory(db, version.id, version.agencyId, indicator.code, slice, seriesLookback(r)) : [];
        await options.found(seriesAnomalies({ ...base, points, history }));
      }
    }
    if (coherenceOn || r.outlier.severity !== 'off') {
      for (const slice of groupSlices(await source.groupCounts(indicator.code), options.slicePoints)) {
        const points = await source.points(indicator.code, slice);
        // Peers and parents beyond the push: a kab/kota agency pushes one kab/kota, whose
        // neighbours and province other agencies publish.
        const stored = published.has(indicator.code) ? await storedFigures(db, version.id, indicator.code, slice) : [];
        const children = coherenceOn ? await childCounts(db, coherenceParents(points, stored)) : base.childCounts;
        await options.found(groupAnomalies({ ...base, points, stored, childCounts: children }));
      }
    }
  }
}
