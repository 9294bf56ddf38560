import { disaggKey } from '../../domain/disagg-key.js';
import type { Disaggregation, Observation } from '../../domain/finding.js';
import type { GroupCount, PointSlice, RegionCount } from './point-slice.js';
import { placedPoint, type RegionPlace } from './region-place.js';
import type { PushedPoint } from './version-anomalies.js';

/** One indicator's kept observations, column by column: a few machine words per point. */
interface Columns {
  regions: string[];
  disaggKeys: string[];
  disaggs: Disaggregation[];
  periods: string[];
  values: number[];
  rows: (number | null)[];
}

const TOTAL: Disaggregation = Object.freeze({});

/**
 * The observations a push has stored, kept in memory for its plausibility checks so they need
 * not be read back from the database once the last batch is in (reading a million points back
 * was a third of the anomaly phase). Kept up to a limit, so memory stays bounded whatever the
 * push's size: past it nothing is kept, and the checks read the points back instead.
 */
export class KeptPoints {
  private readonly byIndicator = new Map<string, Columns>();
  // The same region, period and breakdown recur once per indicator: held once each.
  private readonly regions = new Interner();
  private readonly periods = new Interner();
  private readonly disaggKeys = new Interner();
  // Each breakdown once too: a push repeats a handful, so a point with one costs what a total does.
  private readonly breakdowns = new Map<string, Disaggregation>();
  private size = 0;
  private overflowed = false;

  constructor(private readonly limit: number) {}

  /** Whether every stored observation is kept; when not, none is. */
  get complete(): boolean {
    return !this.overflowed;
  }

  /** Keeps a batch as stored: without the observations at `skipped`, whose key an earlier one holds. */
  keep(stored: readonly Observation[], skipped: readonly number[] = []): void {
    if (this.overflowed) return;
    if (this.size + stored.length - skipped.length > this.limit) {
      this.overflowed = true;
      this.byIndicator.clear();
      for (const strings of [this.regions, this.periods, this.disaggKeys]) strings.clear();
      this.breakdowns.clear();
      return;
    }
    const skip = skipped.length === 0 ? null : new Set(skipped);
    stored.forEach((o, i) => {
      if (skip?.has(i)) return;
      const c = this.columns(o.indicator_code);
      const key = disaggKey(o.disagg);
      c.regions.push(this.regions.intern(o.region_code));
      c.disaggKeys.push(this.disaggKeys.intern(key));
      c.disaggs.push(key === '' ? TOTAL : this.breakdown(key, o.disagg));
      c.periods.push(this.periods.intern(o.period));
      c.values.push(Number(o.value));
      c.rows.push(o.row ?? null);
      this.size++;
    });
  }

  /** How many points each region of one indicator holds. */
  regionCounts(indicator: string): RegionCount[] {
    const counts = new Map<string, number>();
    for (const region of this.byIndicator.get(indicator)?.regions ?? []) counts.set(region, (counts.get(region) ?? 0) + 1);
    return [...counts].map(([region, n]) => ({ region, n }));
  }

  /** How many points each period × breakdown pair of one indicator holds. */
  groupCounts(indicator: string): GroupCount[] {
    const c = this.byIndicator.get(indicator);
    const counts = new Map<string, GroupCount>();
    c?.periods.forEach((period, i) => {
      const key = `${period}\u001f${c.disaggKeys[i]!}`;
      const count = counts.get(key);
      if (count) count.n++;
      else counts.set(key, { period, disaggKey: c.disaggKeys[i]!, n: 1 });
    });
    return [...counts.values()];
  }

  /** The kept points of one indicator (of one slice of it), placed as the detectors take them. */
  points(indicator: string, places: ReadonlyMap<string, RegionPlace>, slice?: PointSlice): PushedPoint[] {
    const c = this.byIndicator.get(indicator);
    if (!c) return [];
    const wanted = slice === undefined ? () => true : inSlice(slice);
    const out: PushedPoint[] = [];
    c.regions.forEach((region, i) => {
      if (!wanted(region, c.periods[i]!, c.disaggKeys[i]!)) return;
      out.push(placedPoint(places, { region, disaggKey: c.disaggKeys[i]!, disagg: c.disaggs[i]!, period: c.periods[i]!, value: c.values[i]!, row: c.rows[i]! }));
    });
    return out;
  }

  private breakdown(key: string, disagg: Disaggregation): Disaggregation {
    let held = this.breakdowns.get(key);
    if (held === undefined) this.breakdowns.set(key, (held = disagg));
    return held;
  }

  private columns(indicator: string): Columns {
    let c = this.byIndicator.get(indicator);
    if (!c) this.byIndicator.set(indicator, (c = { regions: [], disaggKeys: [], disaggs: [], periods: [], values: [], rows: [] }));
    return c;
  }
}

/** One copy of each text; the text just seen is checked first, as rows of a file mostly repeat it. */
class Interner {
  private readonly known = new Map<string, string>();
  private last = '';

  intern(text: string): string {
    if (text === this.last) return this.last;
    let held = this.known.get(text);
    if (held === undefined) this.known.set(text, (held = text));
    return (this.last = held);
  }

  clear(): void {
    this.known.clear();
    this.last = '';
  }
}

/** Whether a point is in a slice: one of its regions, or of its period × breakdown pairs. */
function inSlice(slice: PointSlice): (region: string, period: string, disaggKey: string) => boolean {
  if ('regions' in slice) {
    const regions = new Set(slice.regions);
    return (region) => regions.has(region);
  }
  const pairs = new Set(slice.periods.map((period, i) => `${period}\u001f${slice.disaggKeys[i]!}`));
  return (_region, period, disaggKey) => pairs.has(`${period}\u001f${disaggKey}`);
}
