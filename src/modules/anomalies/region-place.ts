import type { Disaggregation } from '../../domain/finding.js';
import type { PushedPoint } from './version-anomalies.js';

interface PlacePopulation {
  year: number;
  sex: string;
  population: { value: number; year: number } | null;
}

/** The sex a population is looked up by: `L`, `P`, or '' for the total. */
const sexOf = (disagg: Disaggregation) => (disagg.sex === 'L' || disagg.sex === 'P' ? disagg.sex : '');

/** Where a pushed region is and how many people live there, per year and sex the push reports. */
export class RegionPlace {
  readonly populations: PlacePopulation[] = [];

  constructor(
    readonly level: number,
    readonly parent: string | null,
  ) {}

  /** The population nearest the period's year, of the breakdown's sex when it has one. */
  population(period: string, disagg: Disaggregation): { value: number; year: number } | null {
    const year = Number(period.slice(0, 4));
    const sex = sexOf(disagg);
    // A region has an entry per year and sex the push reports: a handful, so a scan beats a keyed lookup.
    for (const p of this.populations) if (p.year === year && p.sex === sex) return p.population;
    return null;
  }
}

/** One pushed observation with its region's facts, however it was obtained (kept in memory or read back). */
export function placedPoint(
  places: ReadonlyMap<string, RegionPlace>,
  p: { region: string; disaggKey: string; disagg: Disaggregation; period: string; value: number; row: number | null },
): PushedPoint {
  const place = places.get(p.region)!;
  // Field by field, in one order: the detectors walk up to a million of these.
  return {
    region: p.region,
    level: place.level,
    parent: place.parent,
    disaggKey: p.disaggKey,
    disagg: p.disagg,
    period: p.period,
    value: p.value,
    row: p.row,
    population: place.population(p.period, p.disagg),
  };
}
