import t from 'tap';
import { detectFlat, detectIncoherence, detectJump, detectPeerOutliers, detectZero, exceedsPopulation, median } from '../../../src/modules/anomalies/detectors.js';
import { DEFAULT_QUALITY_RULES as R, effectiveRules, seriesLookback } from '../../../src/domain/quality-rules.js';
import { coherenceParents, groupAnomalies, seriesAnomalies, type HistoryPoint, type PushedPoint, type StoredFigure } from '../../../src/modules/anomalies/version-anomalies.js';

const series = (...values: number[]) => values.map((value, i) => ({ period: String(2020 + i), value }));
/** Runs a detector over every point of a series, as the push does; returns the periods that fire. */
function firing(values: number[], detect: (before: ReturnType<typeof series>, point: { period: string; value: number }) => unknown): string[] {
  const s = series(...values);
  return s.flatMap((p, i) => (detect(s.slice(0, i), p) ? [p.period] : []));
}

t.test('jump: a four-fold rise fires on that point only; small counts and plausible moves do not', async (t) => {
  t.same(firing([40, 44, 41, 43, 190], (b, p) => detectJump(b[b.length - 1], p.value, R.jump)), ['2024']);
  t.same(firing([2, 5, 2, 5], (b, p) => detectJump(b[b.length - 1], p.value, R.jump)), [], '2 → 5 is under the minimum change');
  t.same(firing([100, 110, 95, 120, 104], (b, p) => detectJump(b[b.length - 1], p.value, R.jump)), []);
  t.match(detectJump({ period: '2023', value: 400 }, 100, R.jump), { kind: 'jump', ratio: 4, change: -300 }, 'a fall of the same ratio fires');
  t.equal(detectJump({ period: '2023', value: 50 }, 100, R.jump), null, 'exactly at the ratio does not fire');
  t.equal(detectJump({ period: '2023', value: 0 }, 100, R.jump), null, 'zeros are the zero detector\'s');
  t.equal(detectJump(undefined, 100, R.jump), null, 'no history, no jump');
});

t.test('zero: a real series falling to 0 fires, a sporadic one does not; a zero series suddenly large fires', async (t) => {
  t.match(detectZero(series(12, 15, 14), 0, R.zero), { kind: 'drop-to-zero', typical: (12 + 15 + 14) / 3 });
  t.equal(detectZero(series(12, 0, 14), 0, R.zero), null, 'an earlier 0 makes it no pattern');
  t.equal(detectZero(series(14), 0, R.zero), null, 'too little history');
  t.equal(detectZero(series(2, 3, 1), 0, R.zero), null, 'small counts fall to 0 plausibly');
  t.match(detectZero(series(0, 0, 0), 30, R.zero), { kind: 'from-zero' });
  t.equal(detectZero(series(0, 0), 2, R.zero), null, 'under min_typical');
});

t.test('flat: copied-forward runs and implausibly steady series', async (t) => {
  t.match(detectFlat(series(7, 7, 7, 7), { period: '2024', value: 7 }, R.flat), { kind: 'flat-run', mayStartEarlier: false });
  t.match(detectFlat(series(7, 7, 7, 7), { period: '2024', value: 7 }, R.flat, true), { kind: 'flat-run', mayStartEarlier: true }, 'a run from the first point read may go on before it');
  t.match(detectFlat(series(5, 7, 7, 7), { period: '2024', value: 7 }, { ...R.flat, min_run: 3 }, true), { kind: 'flat-run', mayStartEarlier: false }, 'a run that starts after a different value is whole');
  t.equal(detectFlat(series(7, 7), { period: '2022', value: 7 }, R.flat), null, 'a run shorter than min_run');
  t.equal(detectFlat(series(0, 0, 0, 0), { period: '2024', value: 0 }, R.flat), null, 'runs of 0 are ignored by default');
  t.match(detectFlat(series(0, 0, 0, 0), { period: '2024', value: 0 }, { ...R.flat, ignore_zero: false }), { kind: 'flat-run' });
  t.match(detectFlat(series(1000, 1001, 1000, 1001, 1000), { period: '2025', value: 1001 }, R.flat), { kind: 'low-variance' });
  t.equal(detectFlat(series(40, 44, 41, 43, 45), { period: '2025', value: 42 }, R.flat), null, 'a plausible series');
});

t.test('peer outliers: robust z among peers, per capita when populations are known', async (t) => {
  const peers = [10, 12, 11, 13, 12, 90].map((value, i) => ({ key: `r${i}`, value, population: null }));
  t.same(detectPeerOutliers(peers, R.outlier).map((h) => h.key), ['r5']);
  // A big city with proportionally more cases is not an outlier per capita.
  const perCapita = [10, 12, 11, 13, 120].map((value, i) => ({ key: `r${i}`, value, population: i === 4 ? 1_000_000 : 100_000 }));
  t.same(detectPeerOutliers(perCapita, R.outlier), []);
  t.same(detectPeerOutliers(perCapita, { ...R.outlier, per_capita: false }).map((h) => h.key), ['r4']);
  t.same(detectPeerOutliers(peers.slice(0, 4), R.outlier), [], 'fewer than min_peers');
  t.same(detectPeerOutliers([5, 5, 5, 5, 9].map((value, i) => ({ key: i, value, population: null })), R.outlier), [], 'MAD 0 gives no evidence');
});

t.test('coherence and population', async (t) => {
  t.match(detectIncoherence(100, [60, 50], 5, R.coherence), { kind: 'children-exceed', sum: 110 });
  t.match(detectIncoherence(100, [20, 20, 20, 20, 10], 5, R.coherence), { kind: 'children-diverge', sum: 90 });
  t.equal(detectIncoherence(100, [20, 20], 5, R.coherence), null, 'some children missing and under the parent');
  t.equal(detectIncoherence(100, [20, 20, 20, 20, 20.5], 5, R.coherence), null, 'within the tolerance');
  t.ok(exceedsPopulation(201, 200));
  t.notOk(exceedsPopulation(200, 200));
  t.notOk(exceedsPopulation(5, null));
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
});

t.test('effective rules lay the customised thresholds over the defaults', async (t) => {
  const rules = effectiveRules({ jump: { max_ratio: 3 }, flat: { severity: 'off' } });
  t.same(rules.jump, { severity: 'warning', max_ratio: 3, min_change: 10 });
  t.equal(rules.flat.severity, 'off');
  t.same(effectiveRules(null), R);
  t.not(effectiveRules(null), R, 'a copy, so callers cannot change the defaults');
});

// Peers and parents beyond the push: a kab/kota agency pushes one kab/kota, and the figures
// of its siblings and its province come from what other agencies published.
const point = (region: string, parent: string | null, value: number, level = 2): PushedPoint => ({
  region,
  level,
  parent,
  disaggKey: '',
  disagg: {},
  period: '2024',
  value,
  row: 2,
  population: null,
});
const source = { kind: 'reconciled' as const, method: 'single-source', agency: 'DINSOS-65', dataset_id: 'd1', version: 3 };
const stored = (region: string, parent: string | null, value: number, level = 2): StoredFigure => ({
  region,
  level,
  parent,
  disaggKey: '',
  period: '2024',
  value,
  population: null,
  source,
});
const input = (points: PushedPoint[], figures: StoredFigure[], rules = effectiveRules({ outlier: { per_capita: false } })) => ({
  indicator: 'PPKS-06',
  isCount: true,
  countsPeople: false,
  rules,
  points,
  history: [],
  stored: figures,
  childCounts: new Map([['65', 5]]),
});

t.test('a lone pushed kab/kota is judged against its siblings published by others', async (t) => {
  const siblings = [stored('65.01', '65', 10), stored('65.02', '65', 12), stored('65.03', '65', 11), stored('65.04', '65', 13)];
  const findings = groupAnomalies(input([point('65.71', '65', 90)], siblings));
  const outliers = findings.filter((f) => f.code === 'AN_PEER_OUTLIER');
  t.equal(outliers.length, 1);
  t.equal(outliers[0]!.anomaly!.region, '65.71');
  t.match(outliers[0]!.anomaly!.details, { peers: 5, median: 12, peer_values: [{ region: '65.71', value: 90, source: 'push' }, { region: '65.01', value: 10, source }] });
  t.match(outliers[0]!.message.en, /1 from this push, 4 published/);
  t.same(groupAnomalies(input([point('65.71', '65', 12)], siblings)).filter((f) => f.code === 'AN_PEER_OUTLIER'), [], 'a plausible value among the same peers');
  // A published outlier among the peers is not this push's to answer.
  const withOddSibling = [...siblings.slice(1), stored('65.01', '65', 900)];
  t.same(groupAnomalies(input([point('65.71', '65', 12)], withOddSibling)).filter((f) => f.code === 'AN_PEER_OUTLIER'), []);
});

t.test('coherence: a pushed kab/kota against the published province, and a pushed province against published kab/kota', async (t) => {
  const siblings = [stored('65.01', '65', 20), stored('65.02', '65', 20)];
  const province = stored('65', null, 100, 1);
  const [exceed] = groupAnomalies(input([point('65.71', '65', 70)], [...siblings, province])).filter((f) => f.anomaly!.detector === 'coherence');
  t.equal(exceed!.code, 'AN_CHILDREN_EXCEED_PARENT');
  t.equal(exceed!.anomaly!.region, '65.71', 'the finding sits on the pushed child when the parent is published');
  t.match(exceed!.anomaly!.details, {
    value: 70,
    parent: { region: '65', value: 100, source },
    children: [{ region: '65.71', value: 70, source: 'push' }, { region: '65.01', source }, { region: '65.02', source }],
    children_sum: 110,
  });
  t.match(exceed!.message.en, /more than PPKS-06 · 65 itself \(100; published, DINSOS-65 v3\)/);
  t.same(groupAnomalies(input([point('65.71', '65', 50)], [...siblings, province])).filter((f) => f.anomaly!.detector === 'coherence'), [], 'under the parent with children missing');
  // Two pushed children under a published parent: one finding, on the larger.
  const two = groupAnomalies(input([{ ...point('65.71', '65', 70), row: 2 }, { ...point('65.03', '65', 30), row: 3 }], [...siblings, province]));
  t.same(two.filter((f) => f.anomaly!.detector === 'coherence').map((f) => [f.anomaly!.region, f.row]), [['65.71', 2]]);

  const children = ['65.01', '65.02', '65.03', '65.04', '65.71'].map((r) => stored(r, '65', 20));
  const [diverge] = groupAnomalies(input([point('65', null, 150, 1)], children)).filter((f) => f.anomaly!.detector === 'coherence');
  t.equal(diverge!.code, 'AN_CHILDREN_DIVERGE', 'every child published, summing to 100 against a pushed 150');
  t.equal(diverge!.anomaly!.region, '65');
  t.same(groupAnomalies(input([point('65', null, 100, 1)], children)).filter((f) => f.anomaly!.detector === 'coherence'), []);
  t.same(coherenceParents([point('65.71', '65', 1)], [province]), ['65']);
  t.same(coherenceParents([point('65.71', '65', 1)], siblings), [], 'no parent figure, nothing to check');
});

t.test('look-back: as far as the enabled series checks reach, at least the previous period', async (t) => {
  t.equal(seriesLookback(R), 5, 'the defaults: a flat window of 6 is the furthest');
  t.equal(seriesLookback(effectiveRules({ flat: { severity: 'off' } })), 3, 'without flat: the zero check\'s recent three');
  t.equal(seriesLookback(effectiveRules({ flat: { severity: 'off' }, zero: { severity: 'off' } })), 1, 'the jump check alone: the previous period');
  t.equal(seriesLookback(effectiveRules({ flat: { severity: 'off' }, zero: { severity: 'off' }, jump: { severity: 'off' } })), 1);
  t.equal(seriesLookback(effectiveRules({ flat: { min_run: 12 } })), 11, 'a longer run needs more history');
  t.equal(seriesLookback(effectiveRules({ zero: { min_history: 8 } })), 8);
});

t.test('a series judged with only its look-back of history finds what it finds with all of it', async (t) => {
  // Twenty years of history in shapes that stress each check, then one pushed year.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const shapes: Record<string, () => number[]> = {
    flat: () => Array(21).fill(1_500),
    noisy: () => Array.from({ length: 21 }, () => Math.round(100 + random() * 40)),
    jumpy: () => Array.from({ length: 21 }, (_, i) => (i === 20 ? 900 : Math.round(100 + random() * 20))),
    zeros: () => Array.from({ length: 21 }, (_, i) => (i >= 17 ? 0 : 50)),
    fromZero: () => Array.from({ length: 21 }, (_, i) => (i === 20 ? 80 : i > 12 ? 0 : 30)),
    steady: () => Array.from({ length: 21 }, (_, i) => 1_000 + (i % 2)),
  };
  const years = Array.from({ length: 21 }, (_, i) => String(2005 + i));
  for (const rules of [R, effectiveRules({ flat: { min_run: 3, cv_window: 4 } }), effectiveRules({ flat: { severity: 'off' }, zero: { min_history: 4 } })]) {
    const lookback = seriesLookback(rules);
    const points: PushedPoint[] = [];
    const full: HistoryPoint[] = [];
    const bounded: HistoryPoint[] = [];
    for (const [region, shape] of Object.entries(shapes)) {
      const values = shape();
      values.slice(0, 20).forEach((value, i) => {
        full.push({ region, disaggKey: '', period: years[i]!, value });
        if (i >= 20 - lookback) bounded.push({ region, disaggKey: '', period: years[i]!, value, ...(i === 20 - lookback ? { earlierUnread: true } : {}) });
      });
      points.push({ ...point(region, '65', values[20]!), period: '2025' });
    }
    const base = { indicator: 'PPKS-06', isCount: true, countsPeople: false, rules, points, stored: [], childCounts: new Map() };
    const found = (history: HistoryPoint[]) => seriesAnomalies({ ...base, history }).map((f) => `${f.code} ${f.anomaly!.region} ${f.anomaly!.period}`).sort();
    const all = found(full);
    t.ok(all.length >= 2, `the shapes fire (${all.join(', ')})`);
    t.same(found(bounded), all, `look-back ${lookback}`);
  }
});
