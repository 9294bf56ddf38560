import t from 'tap';
import { agencySummary, cellMatches, cellState, cycleKpis, light, type Cell } from '../../../src/modules/cycles/compliance.js';
import { countedUntil, dayStart, daysLate, deadlineEnd, remindsNow, zoneOfRegion } from '../../../src/modules/cycles/deadline.js';

t.test('a deadline ends at midnight in its zone', async (t) => {
  t.equal(deadlineEnd('2026-01-31', 'Asia/Jakarta').toISOString(), '2026-01-31T17:00:00.000Z');
  t.equal(deadlineEnd('2026-01-31', 'Asia/Makassar').toISOString(), '2026-01-31T16:00:00.000Z');
  t.equal(deadlineEnd('2026-01-31', 'Asia/Jayapura').toISOString(), '2026-01-31T15:00:00.000Z');
  t.equal(deadlineEnd('2026-12-31', 'Asia/Jakarta').toISOString(), '2026-12-31T17:00:00.000Z', 'across a year end');
  t.equal(zoneOfRegion('65.71'), 'Asia/Makassar', 'Kalimantan Utara');
  t.equal(zoneOfRegion('33.73'), 'Asia/Jakarta', 'Kota Salatiga');
  t.equal(zoneOfRegion('91.01'), 'Asia/Jayapura', 'Papua');
  t.equal(zoneOfRegion('81'), 'Asia/Jayapura', 'Maluku');
  const end = deadlineEnd('2026-01-31', 'Asia/Makassar');
  t.equal(daysLate(new Date('2026-01-31T15:59:59Z'), end), 0, '23.59 WITA is on time');
  t.equal(daysLate(new Date('2026-01-31T16:00:00Z'), end), 0, 'midnight exactly is the end');
  t.equal(daysLate(new Date('2026-01-31T16:00:01Z'), end), 1, 'a second late is a day late');
  t.equal(daysLate(new Date('2026-02-10T03:00:00Z'), end), 10);
});

const end = deadlineEnd('2026-01-31', 'Asia/Jakarta');
const cell = (agency: string, indicator: string, delivered: string | null, conflict: Cell['conflict'] = 'none'): Cell => ({
  agency,
  agency_name: agency,
  indicator,
  region: '33.73',
  period: '2025',
  disagg_key: '',
  delivered_at: delivered ? new Date(delivered) : null,
  conflict,
});

t.test('compliance arithmetic', async (t) => {
  const cells = [
    cell('A', 'I1', '2026-01-20T00:00:00Z'),
    cell('A', 'I2', '2026-02-03T00:00:00Z', 'open'),
    cell('B', 'I3', null),
    cell('B', 'I4', '2026-01-30T00:00:00Z', 'resolved'),
  ];
  t.same(cells.map((c) => cellState(c, end)), ['on_time', 'late', 'missing', 'on_time']);
  t.match(agencySummary(cells.slice(0, 2), end), { expected: 2, delivered: 2, on_time: 1, late: 1, missing: 0, completeness_pct: 100, timeliness_pct: 50, max_days_late: 3, consistency: { in_conflict_pct: 50, unresolved_pct: 50 } });
  t.equal(light({ expected: 2, on_time: 2, missing: 0 }), 'green');
  t.equal(light({ expected: 2, on_time: 1, missing: 0 }), 'amber');
  t.equal(light({ expected: 2, on_time: 2, missing: 1 }), 'red');
  const k = cycleKpis(cells, end, null);
  t.match(k, {
    agencies: 2,
    indicators: 4,
    agencies_fully_on_time_pct: { value: 0 },
    indicators_complete_pct: { value: 75 },
    indicators_complete_on_time_pct: { value: 50 },
    inconsistency_after_reconciliation_pct: { value: 33.3, target: 0 },
    days_deadline_to_final: { value: null, target: 30 },
  });
  t.equal(cycleKpis(cells, end, new Date('2026-02-20T00:00:00Z')).days_deadline_to_final.value, 20);
  t.match(agencySummary([], end), { expected: 0, completeness_pct: null });
});

t.test('a closing before the deadline ends the on-time window; only open cycles remind', async (t) => {
  t.equal(dayStart('2026-01-05', 'Asia/Makassar').toISOString(), '2026-01-04T16:00:00.000Z', '00.00 WITA');
  const closedEarly = new Date('2026-01-25T00:00:00Z');
  t.equal(countedUntil(end, closedEarly), closedEarly, 'closed before the deadline: the closing counts');
  t.equal(countedUntil(end, new Date('2026-03-01T00:00:00Z')), end, 'closed after it: the deadline counts');
  t.equal(countedUntil(end, null), end);
  t.equal(cellState(cell('A', 'I1', '2026-01-26T00:00:00Z'), countedUntil(end, closedEarly)), 'late', 'delivered after closing, before the deadline: late');
  const week = end.getTime() - 7 * 86_400_000;
  t.ok(remindsNow('open', end, 7, week), 'open, 7 days before');
  t.notOk(remindsNow('open', end, 7, week - 1), 'not yet');
  t.notOk(remindsNow('closed', end, 7, week), 'a closed cycle reminds nobody');
  t.notOk(remindsNow('planned', end, 7, week), 'nor a planned one');
});

t.test('cell listings behind the numbers', async (t) => {
  const cells = [cell('A', 'I1', '2026-01-20T00:00:00Z', 'resolved'), cell('A', 'I2', '2026-02-03T00:00:00Z', 'open'), { ...cell('B', 'I3', null, 'open'), final: false }, { ...cell('B', 'I4', '2026-01-30T00:00:00Z'), final: true }];
  const listed = (f: Parameters<typeof cellMatches>[2]) => cells.filter((c) => cellMatches(c, end, f)).map((c) => c.indicator);
  t.same(listed('all'), ['I1', 'I2', 'I3', 'I4']);
  t.same(listed('on_time'), ['I1', 'I4']);
  t.same(listed('not_on_time'), ['I2', 'I3']);
  t.same(listed('in_conflict'), ['I1', 'I2'], 'delivered cells only, as the share');
  t.same(listed('unresolved'), ['I2']);
  t.same(listed('not_final'), ['I1', 'I2', 'I3']);
});
