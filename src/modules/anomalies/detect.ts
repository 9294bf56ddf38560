import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Finding } from '../validation/finding.js';
import { anyDetectorOn } from './quality-rules.js';
import { childCounts, indicatorsWithHistory, loadQualityRules, pushedPoints, pushPlaces, seriesHistory, storedFigures, versionIndicators } from './repository.js';
import { coherenceParents, detectVersionAnomalies } from './version-anomalies.js';

const PEOPLE_UNITS = new Set(['orang', 'jiwa']);

/**
 * The anomaly findings of a version whose observations are already written (in the push's
 * own transaction). Set-based: a few queries per indicator in the push, never one per row.
 */
export async function detectAnomalies(db: Kysely<DB>, version: { id: string; agencyId: string }): Promise<Finding[]> {
  const indicators = await versionIndicators(db, version.id);
  const rules = await loadQualityRules(db, indicators.map((i) => i.code));
  const withHistory = await indicatorsWithHistory(db, version.id, version.agencyId, indicators.map((i) => i.code));
  const findings: Finding[] = [];
  const places = await pushPlaces(db, version.id);
  for (const indicator of indicators) {
    const r = rules.get(indicator.code)!;
    if (!anyDetectorOn(r)) continue;
    const points = await pushedPoints(db, version.id, indicator.code, places);
    const seriesOn = [r.jump, r.zero, r.flat].some((d) => d.severity !== 'off');
    const isCount = indicator.measure === 'jumlah';
    const coherenceOn = isCount && r.coherence.severity !== 'off';
    // Peers and parents beyond the push: a kab/kota agency pushes one kab/kota, whose
    // neighbours and province other agencies publish.
    const stored = coherenceOn || r.outlier.severity !== 'off' ? await storedFigures(db, version.id, indicator.code) : [];
    findings.push(
      ...detectVersionAnomalies({
        indicator: indicator.code,
        isCount,
        countsPeople: isCount && PEOPLE_UNITS.has(indicator.unit),
        rules: r,
        points,
        // A push of several periods is a series by itself, with or without earlier versions.
        history: seriesOn && withHistory.has(indicator.code) ? await seriesHistory(db, version.id, version.agencyId, indicator.code) : [],
        stored,
        childCounts: coherenceOn ? await childCounts(db, coherenceParents(points, stored)) : new Map(),
      }),
    );
  }
  return findings;
}
