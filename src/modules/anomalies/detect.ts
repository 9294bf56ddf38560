import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Finding } from '../../domain/finding.js';
import type { KeptPoints } from './kept-points.js';
import { anyDetectorOn } from '../../domain/quality-rules.js';
import { childCounts, indicatorsWithFinalFigures, indicatorsWithHistory, loadQualityRules, pushedPoints, pushPlaces, seriesHistory, storedFigures, versionIndicators } from './repository.js';
import { coherenceParents, detectVersionAnomalies } from './version-anomalies.js';

const PEOPLE_UNITS = new Set(['orang', 'jiwa']);

/**
 * The anomaly findings of a version whose observations are already written (in the push's
 * own transaction). Set-based: a few queries per indicator in the push, never one per row.
 * The pushed points come from memory when the push kept them all, else from the database.
 */
export async function detectAnomalies(db: Kysely<DB>, version: { id: string; agencyId: string }, kept?: KeptPoints): Promise<Finding[]> {
  const indicators = await versionIndicators(db, version.id);
  const rules = await loadQualityRules(db, indicators.map((i) => i.code));
  const checked = indicators.filter((i) => anyDetectorOn(rules.get(i.code)!));
  if (checked.length === 0) return [];
  const codes = checked.map((i) => i.code);
  const withHistory = await indicatorsWithHistory(db, version.id, version.agencyId, codes);
  const published = await indicatorsWithFinalFigures(db, codes);
  const places = await pushPlaces(db, version.id);
  const findings: Finding[] = [];
  const read = (i: number) => {
    const code = checked[i]?.code;
    const points = code === undefined ? Promise.resolve([]) : kept?.complete ? Promise.resolve(kept.points(code, places)) : pushedPoints(db, version.id, code, places);
    // Awaited in the next round; until then a failure must not count as unhandled.
    points.catch(() => {});
    return points;
  };
  let next = read(0);
  for (const [i, indicator] of checked.entries()) {
    const r = rules.get(indicator.code)!;
    const points = await next;
    const seriesOn = [r.jump, r.zero, r.flat].some((d) => d.severity !== 'off');
    const isCount = indicator.measure === 'jumlah';
    const coherenceOn = isCount && r.coherence.severity !== 'off';
    // Peers and parents beyond the push: a kab/kota agency pushes one kab/kota, whose
    // neighbours and province other agencies publish.
    const stored = (coherenceOn || r.outlier.severity !== 'off') && published.has(indicator.code) ? await storedFigures(db, version.id, indicator.code) : [];
    const input = {
      indicator: indicator.code,
      isCount,
      countsPeople: isCount && PEOPLE_UNITS.has(indicator.unit),
      rules: r,
      points,
      // A push of several periods is a series by itself, with or without earlier versions.
      history: seriesOn && withHistory.has(indicator.code) ? await seriesHistory(db, version.id, version.agencyId, indicator.code) : [],
      stored,
      childCounts: coherenceOn ? await childCounts(db, coherenceParents(points, stored)) : new Map<string, number>(),
    };
    // The database reads the next indicator's points while this one's are judged.
    next = read(i + 1);
    findings.push(...detectVersionAnomalies(input));
  }
  return findings;
}
