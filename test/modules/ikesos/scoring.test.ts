import t, { type Test } from 'tap';
import { checkMethodology, type MethodologyConfig } from '../../../src/modules/ikesos/methodology.js';
import { categorise, normalise, observedRanges, rankScores, scoreAll, scoreRegion, weightedMean, type FigureInput } from '../../../src/modules/ikesos/scoring.js';
import { sensitivity } from '../../../src/modules/ikesos/sensitivity.js';

const config: MethodologyConfig = {
  normalisation: 'goalposts',
  aggregation: { within: 'arithmetic', across: 'arithmetic' },
  floor: 0.01,
  scale: { min: 0, max: 100 },
  categories: [
    { label: 'rendah', min: 0 },
    { label: 'sedang', min: 40 },
    { label: 'tinggi', min: 60 },
  ],
  coverage: { min_dimension: 0.5, min_overall: 0.75 },
  dimensions: [
    { code: 'a', name: 'A', weight: 1, indicators: [{ code: 'X1', direction: 'positive', weight: 1, goalposts: { min: 0, max: 100 } }, { code: 'X2', direction: 'negative', weight: 3, goalposts: { min: 0, max: 50 } }] },
    { code: 'b', name: 'B', weight: 1, indicators: [{ code: 'X3', direction: 'positive', weight: 1, goalposts: { min: 0, max: 100 } }] },
  ],
};
const figures = (values: Record<string, number | 'disputed' | 'restricted'>) =>
  new Map<string, FigureInput>(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? { status: v, value: null } : { status: 'final', value: v }]));

/** Float arithmetic: equal to 1e-9. */
function close(t: Test, actual: number | null | undefined, expected: number, message?: string) {
  t.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9, `${message ?? 'close'}: ${actual} ≈ ${expected}`);
}

t.test('normalise, means, categories, ranks', async (t) => {
  t.equal(normalise(25, { min: 0, max: 100 }, 'positive'), 0.25);
  t.equal(normalise(25, { min: 0, max: 100 }, 'negative'), 0.75);
  t.equal(normalise(-5, { min: 0, max: 100 }, 'positive'), 0, 'clamped below');
  t.equal(normalise(120, { min: 0, max: 100 }, 'positive'), 1, 'clamped above');
  t.equal(normalise(7, { min: 7, max: 7 }, 'positive'), 0.5, 'all regions equal: the middle, higher is better');
  t.equal(normalise(7, { min: 7, max: 7 }, 'negative'), 0.5, 'all regions equal: the same middle, lower is better');
  t.equal(weightedMean([{ value: 1, weight: 1 }, { value: 0, weight: 3 }], 'arithmetic', 0), 0.25);
  close(t, weightedMean([{ value: 0.25, weight: 1 }, { value: 1, weight: 1 }], 'geometric', 0.01), 0.5);
  close(t, weightedMean([{ value: 0, weight: 1 }, { value: 1, weight: 1 }], 'geometric', 0.01), 0.1, 'the floor keeps a zero from zeroing the mean');
  t.equal(categorise(39.99, config.categories), 'rendah');
  t.equal(categorise(40, config.categories), 'sedang');
  t.equal(categorise(-1, config.categories), null);
  t.same([...rankScores(new Map([['r1', 50], ['r2', 70], ['r3', 50], ['r4', null], ['r5', 10]]))], [['r2', 1], ['r1', 2], ['r3', 2], ['r5', 4]]);
});

t.test('ranks and the count compared leave out regions without a score', async (t) => {
  const scored = figures({ X1: 50, X2: 10, X3: 30 });
  const none = figures({});
  const one = scoreAll(config, new Map([['r1', scored], ['r2', none], ['r3', none]]));
  t.same([...one.ranks], [['r1', 1]], 'one scored region among three: rank 1');
  t.equal(one.compared, 1, 'compared with itself only, not with the two that have no score');
  const tied = scoreAll(config, new Map([['r1', scored], ['r2', figures({ X1: 50, X2: 10, X3: 30 })], ['r3', figures({ X1: 10, X2: 40, X3: 5 })], ['r4', none]]));
  t.same([...tied.ranks].sort(), [['r1', 1], ['r2', 1], ['r3', 3]], 'ties share a rank; the next rank skips');
  t.equal(tied.compared, 3);
  const empty = scoreAll(config, new Map([['r1', none], ['r2', none]]));
  t.equal(empty.ranks.size, 0, 'no region has a score: no ranks');
  t.equal(empty.compared, 0);
  t.same(scoreAll(config, new Map()).compared, 0, 'no regions at all');
  const s = sensitivity(config, new Map([['r1', scored], ['r2', none]]), 'r1');
  t.match(s, { rank: 1, compared: 1 }, 'sensitivity counts the same way');
  t.match(sensitivity(config, new Map([['r1', scored], ['r2', none]]), 'r2'), { score: null, rank: null, compared: 1 });
});

t.test('a score by hand, and what is left out', async (t) => {
  const s = scoreRegion(config, figures({ X1: 50, X2: 10, X3: 30 }), new Map());
  // a = (0.5·1 + 0.8·3) / 4 = 0.725; b = 0.3; score = (0.725 + 0.3) / 2 · 100
  close(t, s.dimensions[0]!.score, 72.5);
  close(t, s.score, 51.25);
  t.equal(s.category, 'sedang');
  const disputed = scoreRegion(config, figures({ X1: 50, X2: 'disputed', X3: 30 }), new Map());
  t.match(disputed.indicators.find((i) => i.code === 'X2'), { left_out: 'disputed', normalised: null });
  t.equal(disputed.score, null, '2 of 3 is below the overall coverage of 0.75');
  t.match(disputed.reason, /coverage 2\/3 below 0.75/);
  const restricted = scoreRegion(config, figures({ X1: 50, X2: 'restricted', X3: 30 }), new Map());
  t.match(restricted.indicators.find((i) => i.code === 'X2'), { left_out: 'restricted', value: null, normalised: null }, 'a figure the reader may not see is left out as restricted');
  t.same(restricted.coverage, disputed.coverage, 'and counts as missing, like a disputed one');
  const noB = scoreRegion({ ...config, coverage: { min_dimension: 0.5, min_overall: 0.5 } }, figures({ X1: 50, X2: 10 }), new Map());
  t.equal(noB.score, null);
  t.match(noB.reason, /dimension b has no score/);
  t.match(noB.indicators.find((i) => i.code === 'X3'), { left_out: 'missing' });
  const unit = scoreRegion({ ...config, scale: { min: 0, max: 1 } }, figures({ X1: 50, X2: 10, X3: 30 }), new Map());
  close(t, unit.score, 0.5125, 'another scale');
});

t.test('observed normalisation uses the regions compared', async (t) => {
  const observed = { ...config, normalisation: 'observed' as const };
  const regions = new Map([
    ['r1', figures({ X1: 10, X2: 10, X3: 10 })],
    ['r2', figures({ X1: 30, X2: 30, X3: 'disputed' })],
  ]);
  t.same([...observedRanges(regions.values())], [['X1', { min: 10, max: 30 }], ['X2', { min: 10, max: 30 }], ['X3', { min: 10, max: 10 }]]);
  t.same([...observedRanges([figures({ X1: 10 }), figures({ X1: 'restricted' })])], [['X1', { min: 10, max: 10 }]], 'a restricted figure does not widen the observed range');
  const { scores, ranks } = scoreAll(observed, regions);
  close(t, scores.get('r1')!.score, ((0.75 + 0.5) / 2) * 100, 'r1: X1 worst (0), X2 best (1) → a = 0.75; X3 alone (no spread) → 0.5');
  t.equal(ranks.get('r1'), 1);
  t.equal(scores.get('r2')!.score, null, 'r2 lacks its only b indicator');
  const lone = new Map([['r1', figures({ X1: 10, X2: 40, X3: 90 })]]);
  const alone = scoreRegion(observed, lone.get('r1')!, scoreAll(observed, lone).ranges);
  t.same(alone.indicators.map((i) => [i.code, i.direction, i.normalised]), [['X1', 'positive', 0.5], ['X2', 'negative', 0.5], ['X3', 'positive', 0.5]], 'a region compared with none: every indicator in the middle, whatever its direction');
  close(t, alone.score, 50);
});

t.test('a list scores each region as its explanation does, without the indicator steps', async (t) => {
  // Edge cases side by side: complete, a tie, missing, disputed and restricted figures, an
  // indicator every region reports equally (observed bounds equal), values past the goalposts.
  const regions = new Map([
    ['r1', figures({ X1: 50, X2: 10, X3: 30 })],
    ['r2', figures({ X1: 50, X2: 10, X3: 30 })],
    ['r3', figures({ X1: 120, X2: 60, X3: 30 })],
    ['r4', figures({ X1: 'disputed', X2: 20, X3: 30 })],
    ['r5', figures({ X1: 40, X2: 'restricted', X3: 30 })],
    ['r6', figures({ X2: 5 })],
    ['r7', figures({})],
  ]);
  const configs: [string, MethodologyConfig][] = [
    ['goalposts, arithmetic', config],
    ['observed, geometric', { ...config, normalisation: 'observed', aggregation: { within: 'geometric', across: 'geometric' }, coverage: { min_dimension: 0.5, min_overall: 0.5 } }],
  ];
  for (const [name, c] of configs) {
    const all = scoreAll(c, regions);
    for (const [region, f] of regions) {
      const { indicators, ...explained } = scoreRegion(c, f, all.ranges);
      t.same(all.scores.get(region), explained, `${name}: ${region}`);
      t.equal(indicators.length, 3, `${name}: ${region}'s explanation has every step`);
    }
    t.equal(all.ranks.get('r1'), all.ranks.get('r2'), `${name}: equal figures, equal rank`);
  }
});

t.test('sensitivity: every weight ±10 % and every indicator left out, with ranks', async (t) => {
  const regions = new Map([
    ['r1', figures({ X1: 90, X2: 40, X3: 50 })],
    ['r2', figures({ X1: 40, X2: 10, X3: 55 })],
  ]);
  const s = sensitivity(config, regions, 'r1');
  t.equal(s.scenarios.length, 2 * 2 + 2 * 3 + 3);
  t.equal(s.rank, 2);
  const dropX2 = s.scenarios.find((x) => x.kind === 'leave-out' && x.target === 'X2')!;
  t.equal(dropX2.rank, 1, 'without X2, r1 overtakes r2');
  t.equal(dropX2.rank_change, -1);
  t.ok(dropX2.delta! > 0);
  const dropX3 = s.scenarios.find((x) => x.kind === 'leave-out' && x.target === 'X3')!;
  t.ok(dropX3.score !== null, 'leaving out a dimension\'s only indicator leaves the dimension out');
});

t.test('checkMethodology names every problem at once', async (t) => {
  t.same(checkMethodology(config, () => true), []);
  const bad: MethodologyConfig = {
    ...config,
    aggregation: { within: 'geometric', across: 'arithmetic' },
    floor: 0,
    scale: { min: 1, max: 1 },
    categories: [{ label: 'x', min: 10 }, { label: 'y', min: 5 }],
    dimensions: [
      { code: 'a', name: 'A', weight: 0, indicators: [{ code: 'X1', direction: 'positive', weight: -1, goalposts: { min: 5, max: 5 } }, { code: 'X1', direction: 'positive', weight: 1 }] },
      { code: 'b', name: 'B', weight: 1, indicators: [] },
    ],
  };
  const codes = checkMethodology(bad, (c) => c !== 'X1').map((e) => `${e.pointer} ${e.code}`);
  t.same(codes, [
    '/config/dimensions/0/weight weight-not-positive',
    '/config/dimensions/0/indicators/0/code unknown-code',
    '/config/dimensions/0/indicators/0/weight weight-not-positive',
    '/config/dimensions/0/indicators/0/goalposts min-not-below-max',
    '/config/dimensions/0/indicators/1/code unknown-code',
    '/config/dimensions/0/indicators/1/code duplicate',
    '/config/dimensions/0/indicators/1/goalposts required',
    '/config/dimensions/1/indicators empty',
    '/config/floor geometric-needs-floor',
    '/config/scale min-not-below-max',
    '/config/categories/1/min not-ascending',
  ]);
  t.match(checkMethodology({ ...config, dimensions: [] }, () => true), [{ pointer: '/config/dimensions', code: 'empty' }]);
  const [a, b] = config.dimensions as [MethodologyConfig['dimensions'][number], MethodologyConfig['dimensions'][number]];
  const twice = checkMethodology({ ...config, dimensions: [a, { ...b, code: 'a' }, { ...b, code: 'c', indicators: [a.indicators[0]!] }] }, () => true);
  t.same(
    twice.map((e) => [e.pointer, e.code, e.detail.en]),
    [
      ['/config/dimensions/1/code', 'duplicate', 'dimension code a appears more than once'],
      ['/config/dimensions/2/indicators/0/code', 'duplicate', 'indicator X1 appears more than once (in dimensions a and c)'],
    ],
    'a dimension code used twice, and one indicator in two dimensions',
  );
});
