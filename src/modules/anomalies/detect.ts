import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Finding } from '../validation/finding.js';
import { anyDetectorOn } from './quality-rules.js';
import { childCounts, loadQualityRules, pushedPoints, seriesHistory, versionIndicators } from './repository.js';
import { detectVersionAnomalies, type PushedPoint } from './version-anomalies.js';

/** Regions of the push that also have children in it: the only ones coherence can check. */
function reportedParents(points: readonly PushedPoint[]): string[] {
  const regions = new Set(points.map((p) => p.region));
  return [...new Set(points.flatMap((p) => (p.parent !== null && regions.has(p.parent) ? [p.parent] : [])))];
}

const PEOPLE_UNITS = new Set(['orang', 'jiwa']);

/**
 * The anomaly findings of a version whose observations are already written (in the push's
 * own transaction). Set-based: a few queries per indicator in the push, never one per row.
 */
export async function detectAnomalies(db: Kysely<DB>, version: { id: string; agencyId: string }): Promise<Finding[]> {
  const indicators = await versionIndicators(db, version.id);
  const rules = await loadQualityRules(db, indicators.map((i) => i.code));
  const findings: Finding[] = [];
  for (const indicator of indicators) {
    const r = rules.get(indicator.code)!;
    if (!anyDetectorOn(r)) continue;
    const points = await pushedPoints(db, version.id, indicator.code);
    const seriesOn = [r.jump, r.zero, r.flat].some((d) => d.severity !== 'off');
    const isCount = indicator.measure === 'jumlah';
    findings.push(
      ...detectVersionAnomalies({
        indicator: indicator.code,
        isCount,
        countsPeople: isCount && PEOPLE_UNITS.has(indicator.unit),
        rules: r,
        points,
        history: seriesOn ? await seriesHistory(db, version.id, version.agencyId, indicator.code) : [],
        childCounts: isCount && r.coherence.severity !== 'off' ? await childCounts(db, reportedParents(points)) : new Map(),
      }),
    );
  }
  return findings;
}
