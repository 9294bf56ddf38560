import t from 'tap';
import { KeptPoints } from '../../../src/modules/anomalies/kept-points.js';
import { RegionPlace } from '../../../src/modules/anomalies/region-place.js';
import type { Observation } from '../../../src/domain/finding.js';

const obs = (indicator: string, region: string, value: string, row: number, disagg: Observation['disagg'] = {}): Observation => ({
  indicator_code: indicator,
  region_code: region,
  period: '2025',
  disagg,
  value,
  obs_status: 'A',
  note: null,
  row,
});

const tarakan = new RegionPlace(2, '65');
tarakan.populations.push({ year: 2025, sex: '', population: { value: 255310, year: 2025 } }, { year: 2025, sex: 'P', population: { value: 124000, year: 2025 } });
const places = new Map([
  ['65.71', tarakan],
  ['65.01', new RegionPlace(2, '65')],
]);

t.test('kept points come back per indicator, placed with their region facts and the population of their breakdown', async (t) => {
  const kept = new KeptPoints(10);
  kept.keep([obs('PPKS-06', '65.71', '12', 2), obs('PPKS-01', '65.71', '3.5', 3), obs('PPKS-06', '65.01', '0', 4)]);
  kept.keep([obs('PPKS-06', '65.71', '7', 5, { sex: 'P' })]);
  t.ok(kept.complete);
  t.same(kept.points('PPKS-06', places), [
    { region: '65.71', level: 2, parent: '65', disaggKey: '', disagg: {}, period: '2025', value: 12, row: 2, population: { value: 255310, year: 2025 } },
    { region: '65.01', level: 2, parent: '65', disaggKey: '', disagg: {}, period: '2025', value: 0, row: 4, population: null },
    { region: '65.71', level: 2, parent: '65', disaggKey: 'sex=P', disagg: { sex: 'P' }, period: '2025', value: 7, row: 5, population: { value: 124000, year: 2025 } },
  ]);
  t.same(kept.points('PPKS-01', places).map((p) => p.value), [3.5], 'values are numbers, decimals included');
  t.same(kept.points('PPKS-99', places), [], 'an indicator the push does not have');
});

t.test('an observation whose key an earlier one holds is not kept: the database stores only the first', async (t) => {
  const kept = new KeptPoints(10);
  kept.keep([obs('PPKS-06', '65.71', '12', 2), obs('PPKS-06', '65.71', '99', 3), obs('PPKS-06', '65.01', '5', 4)], [1]);
  t.same(kept.points('PPKS-06', places).map((p) => [p.row, p.value]), [[2, 12], [4, 5]]);
});

t.test('past the limit nothing is kept, so the checks read the points back; up to it everything is', async (t) => {
  const kept = new KeptPoints(3);
  kept.keep([obs('PPKS-06', '65.71', '1', 2), obs('PPKS-06', '65.01', '2', 3)]);
  kept.keep([obs('PPKS-06', '65.71', '3', 4, { sex: 'P' })]);
  t.ok(kept.complete, 'exactly at the limit');
  kept.keep([obs('PPKS-06', '65.01', '4', 5, { sex: 'P' })]);
  t.notOk(kept.complete);
  t.same(kept.points('PPKS-06', places), [], 'what was kept is let go');
  kept.keep([obs('PPKS-01', '65.71', '5', 6)]);
  t.notOk(kept.complete, 'and stays so for the rest of the push');

  const skipping = new KeptPoints(2);
  skipping.keep([obs('PPKS-06', '65.71', '1', 2), obs('PPKS-06', '65.71', '1', 3), obs('PPKS-06', '65.01', '2', 4)], [1]);
  t.ok(skipping.complete, 'skipped observations do not count against the limit');
  t.ok(new KeptPoints(0).complete, 'nothing pushed, nothing missing');
});
