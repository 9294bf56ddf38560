/**
 * A part of one indicator's pushed points that the plausibility checks can judge alone, so
 * memory holds one part at a time whatever the push's size: whole series (every period of some
 * regions' series, for the series and population checks), or whole peer groups (every region
 * of some period × breakdown pairs, for the checks among regions). Judged part by part, the
 * findings are those of the whole.
 */
export type PointSlice = SeriesSlice | GroupSlice;
export interface SeriesSlice {
  regions: string[];
}
export interface GroupSlice {
  periods: string[];
  disaggKeys: string[];
}

export interface RegionCount {
  region: string;
  n: number;
}

export interface GroupCount {
  period: string;
  disaggKey: string;
  n: number;
}

/**
 * Packs counted regions (or period × breakdown pairs) into runs of at most `limit` points; one
 * holding more is a run of its own, as its points belong together.
 */
function packSlices<T extends { n: number }>(counts: readonly T[], limit: number): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const c of counts) {
    if (current.length > 0 && size + c.n > limit) {
      runs.push(current);
      current = [];
      size = 0;
    }
    current.push(c);
    size += c.n;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

export const seriesSlices = (counts: readonly RegionCount[], limit: number): SeriesSlice[] => packSlices(counts, limit).map((run) => ({ regions: run.map((c) => c.region) }));

export const groupSlices = (counts: readonly GroupCount[], limit: number): GroupSlice[] =>
  packSlices(counts, limit).map((run) => ({ periods: run.map((c) => c.period), disaggKeys: run.map((c) => c.disaggKey) }));
