import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The issue's "done when": an IKESOS cycle with 15 indicators from 10 agencies where 8
// indicators arrive complete and on time, 3 late and 4 never reports 53.3 % on-time
// completeness, names the 4 missing indicators and their agencies, and the HTML report
// shows it in a browser.
const ctx = await createTestApp(t);
const { app } = ctx;
const db = ctx.database.db;
const walidata = await ctx.login('walidata');
const consumer = await ctx.login('consumer');

const ASSIGNMENT: Record<string, [kind: string, indicators: string[]]> = {
  'DINSOS-6571': ['DINSOS', ['IKS-01', 'IKS-02', 'IKS-14']],
  'BPJSKES-6571': ['BPJS-KES', ['IKS-03']],
  'BPJSTK-6571': ['BPJS-TK', ['IKS-04']],
  'DISDIK-6571': ['DISDIK', ['IKS-05', 'IKS-06']],
  'DINKES-6571': ['DINKES', ['IKS-07', 'IKS-08']],
  'DPUPR-6571': ['DPUPR', ['IKS-09', 'IKS-10']],
  'PERKIM-6571': ['DISPERKIM', ['IKS-11']],
  'BPS-6571': ['BPS', ['IKS-12']],
  'DISNAKER-6571': ['DISNAKER', ['IKS-13']],
  'DISPMD-6571': ['DISPMD', ['IKS-15']],
};
const ON_TIME = ['DINSOS-6571', 'BPJSKES-6571', 'DISDIK-6571', 'DINKES-6571'];
const LATE = ['DPUPR-6571', 'PERKIM-6571'];

for (const [code, [kind]] of Object.entries(ASSIGNMENT)) await createAgency(ctx, code, '65.71', kind);

const created = await app.inject({
  method: 'POST',
  url: '/v1/cycles',
  headers: walidata.auth,
  payload: { name: 'IKESOS Kota Tarakan 2025', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2026-01-31', status: 'open' },
});
const cycleId = created.json().id as string;

type Auth = { authorization: string };
type Row = { indicator: string; region: string; period: string; value: number; sex?: string };

/** A new dataset of the agency and one push of these rows; returns the dataset and the push response. */
async function push(producer: Auth, indicators: string[], rows: Row[]) {
  const dataset = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer, payload: { ...datasetBody, title: `Data ${indicators.join(' ')}`, indicators, estimation_levels: ['kabkota'] } });
  const id = dataset.json().id as string;
  const res = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: producer, payload: { observations: rows } });
  return { id, res };
}

async function deliver(agency: string, indicators: string[], submittedAt?: string, region = '65.71') {
  const producer = await ctx.login('producer', agency);
  const { id, res } = await push(producer.auth, indicators, indicators.map((indicator) => ({ indicator, region, period: '2025', value: 50 })));
  if (res.json().status !== 'submitted') throw new Error(res.body);
  // The push happened "now"; date it as the scenario says.
  if (submittedAt) await sql`update dataset_versions set submitted_at = ${submittedAt}::timestamptz where dataset_id = ${id}::uuid`.execute(db);
  return res;
}

/** A local date `offset` days from today (UTC), for schedules relative to the real clock. */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function newCycle(payload: Record<string, unknown>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/cycles', headers: walidata.auth, payload: { reference_periods: ['2025'], ...payload } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id as string;
}

const compliance = async (url: string) => {
  const res = await app.inject({ url, headers: walidata.auth });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
};

t.test('a cycle: deadline rules and obligations', async (t) => {
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json(), { time_zone: 'Asia/Makassar', deadline_ends_at: '2026-01-31T16:00:00.000Z', status: 'open' }, 'Kalimantan Utara is WITA: the deadline ends at 24.00 WITA');
  const early = await app.inject({ method: 'POST', url: '/v1/cycles', headers: walidata.auth, payload: { name: 'Salah', region: '65.71', reference_periods: ['2025'], opens_on: '2026-02-01', deadline: '2026-01-31' } });
  t.equal(early.statusCode, 400, 'deadline before the opening');
  const producer = await ctx.login('producer', 'DINSOS-6571');
  t.equal((await app.inject({ method: 'POST', url: '/v1/cycles', headers: producer.auth, payload: { name: 'X', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-01', deadline: '2026-01-31' } })).statusCode, 403);

  const obligations = Object.entries(ASSIGNMENT).flatMap(([agency, [, indicators]]) => indicators.map((indicator) => ({ agency, indicator, region: '65.71' })));
  const bad = await app.inject({
    method: 'POST',
    url: `/v1/cycles/${cycleId}/obligations`,
    headers: walidata.auth,
    payload: { obligations: [{ agency: 'NOPE-1', indicator: 'IKS-01', region: '65.71' }, { agency: 'DINSOS-6571', indicator: 'NOPE-2', region: '65.99' }] },
  });
  t.equal(bad.statusCode, 422);
  t.same(bad.json().errors.map((e: { pointer: string }) => e.pointer), ['/obligations/0/agency', '/obligations/1/indicator', '/obligations/1/region'], 'names which');
  const added = await app.inject({ method: 'POST', url: `/v1/cycles/${cycleId}/obligations`, headers: walidata.auth, payload: { obligations } });
  t.equal(added.statusCode, 201, added.body);
  t.same(added.json(), { requested: 15, created: 15 });

  const own = await app.inject({ url: `/v1/cycles/${cycleId}/obligations`, headers: producer.auth });
  t.same(own.json().data.map((o: { indicator_code: string }) => o.indicator_code), ['IKS-01', 'IKS-02', 'IKS-14'], 'a producer sees its own obligations only');
  t.equal((await app.inject({ url: '/v1/agencies/BPS-6571/obligations', headers: producer.auth })).statusCode, 403);
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-6571/obligations', headers: producer.auth })).json().data.length, 3);
  t.equal((await app.inject({ url: `/v1/cycles/${cycleId}/compliance`, headers: producer.auth })).statusCode, 403, 'not the whole report');
  t.equal((await app.inject({ url: `/v1/cycles/${cycleId}/compliance/BPS-6571`, headers: producer.auth })).statusCode, 403);
});

t.test('8 on time, 3 late, 4 never: 53.3 % on-time completeness, the 4 missing named', async (t) => {
  for (const agency of ON_TIME) await deliver(agency, ASSIGNMENT[agency]![1], '2026-01-20T03:00:00Z');
  // The late ones come ten days after the deadline.
  for (const agency of LATE) await deliver(agency, ASSIGNMENT[agency]![1], '2026-02-10T03:00:00Z');

  const res = await app.inject({ url: `/v1/cycles/${cycleId}/compliance`, headers: walidata.auth });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json();
  t.match(r.kpis, {
    agencies: 10,
    indicators: 15,
    indicators_complete_on_time_pct: { value: 53.3, target: 100 },
    indicators_complete_pct: { value: 73.3, target: 100 },
    agencies_fully_on_time_pct: { value: 40, target: 100 },
  });
  t.same(
    r.missing.map((m: { indicator: string; agency: string }) => [m.indicator, m.agency]).sort(),
    [['IKS-04', 'BPJSTK-6571'], ['IKS-12', 'BPS-6571'], ['IKS-13', 'DISNAKER-6571'], ['IKS-15', 'DISPMD-6571']],
  );
  const dpupr = r.agencies.find((a: { agency: string }) => a.agency === 'DPUPR-6571');
  t.match(dpupr, { light: 'amber', expected: 2, delivered: 2, on_time: 0, late: 2, max_days_late: 10, completeness_pct: 100, timeliness_pct: 0 });
  t.match(r.agencies.find((a: { agency: string }) => a.agency === 'DINSOS-6571'), { light: 'green', metadata_completeness_avg: 100, quality: { versions: 1, rejected: 0 } });
  t.match(r.agencies.find((a: { agency: string }) => a.agency === 'BPS-6571'), { light: 'red', missing: 1 });
  t.match(r.deadline_used, { which: 'current', date: '2026-01-31', ends_at: '2026-01-31T16:00:00.000Z', closed_at: null, on_time_until: '2026-01-31T16:00:00.000Z' });

  // Every KPI links to the cells behind it.
  t.equal(r.kpis.indicators_complete_pct.cells, `/v1/cycles/${cycleId}/compliance?cells=missing`);
  const behind = await compliance(r.kpis.indicators_complete_pct.cells);
  t.same([...new Set(behind.cells.map((c: { indicator: string }) => c.indicator))].sort(), ['IKS-04', 'IKS-12', 'IKS-13', 'IKS-15'], 'the 4 incomplete indicators, cell by cell');
  const notOnTime = await compliance(r.kpis.indicators_complete_on_time_pct.cells);
  t.equal(new Set(notOnTime.cells.map((c: { indicator: string }) => c.indicator)).size, 7, '15 − 8 indicators keep the on-time KPI from 100 %');
  t.equal(dpupr.links.late, `/v1/cycles/${cycleId}/compliance/DPUPR-6571?cells=late`);
  const cellCsv = await app.inject({ url: `/v1/cycles/${cycleId}/compliance?cells=missing&format=csv`, headers: walidata.auth });
  t.match(cellCsv.body, /^agency,indicator,region,period,disagg_key,state,delivered_at,days_late,conflict,final\nBPJSTK-6571,IKS-04,65\.71,2025,,missing,,0,none,false\n/, 'the cells as CSV');

  const cells = await app.inject({ url: `/v1/cycles/${cycleId}/compliance/DPUPR-6571?cells=late`, headers: consumer.auth });
  t.same(cells.json().cells.map((c: { indicator: string; days_late: number }) => [c.indicator, c.days_late]), [['IKS-09', 10], ['IKS-10', 10]], 'the cells behind the number');
  const own = await ctx.login('producer', 'DPUPR-6571');
  t.equal((await app.inject({ url: `/v1/cycles/${cycleId}/compliance/DPUPR-6571`, headers: own.auth })).statusCode, 200, 'an agency sees its own');

  const csv = await app.inject({ url: `/v1/cycles/${cycleId}/compliance?format=csv`, headers: walidata.auth });
  t.match(csv.body, /^agency,light,expected,delivered,on_time,late,missing,completeness_pct,timeliness_pct,max_days_late\n/);
  t.match(csv.body, /DPUPR-6571,amber,2,2,0,2,0,100,0,10/);
});

t.test('obligations from the catalogue: one per indicator and source agency', async (t) => {
  const id = await newCycle({ name: 'IKESOS Kota Tarakan 2025 (katalog)', region: '65.71', opens_on: '2026-01-05', deadline: '2026-01-31' });
  const res = await app.inject({ method: 'POST', url: `/v1/cycles/${id}/obligations`, headers: walidata.auth, payload: { from_catalogue: {} } });
  t.equal(res.statusCode, 201, res.body);
  // IKS-03, IKS-11, IKS-12 and IKS-15 each have two source agencies in Tarakan (IKS-12's third
  // kind, DISDUKCAPIL, has no agency there): 15 indicators, 19 obligations.
  t.same(res.json(), { requested: 19, created: 19 });
  const list = (await app.inject({ url: `/v1/cycles/${id}/obligations`, headers: walidata.auth })).json().data as { agency: string; indicator_code: string; region_code: string; scope_level: null }[];
  const byIndicator = new Map<string, string[]>();
  for (const o of list) byIndicator.set(o.indicator_code, [...(byIndicator.get(o.indicator_code) ?? []), o.agency].sort());
  t.equal(byIndicator.size, 15, 'all 15 IKESOS indicators');
  t.same(byIndicator.get('IKS-03'), ['BPJSKES-6571', 'DINKES-6571']);
  t.same(byIndicator.get('IKS-11'), ['DPUPR-6571', 'PERKIM-6571']);
  t.same(byIndicator.get('IKS-12'), ['BPS-6571', 'DINSOS-6571']);
  t.same(byIndicator.get('IKS-15'), ['DINSOS-6571', 'DISPMD-6571']);
  t.ok(list.every((o) => o.region_code === '65.71' && o.scope_level === null), "for the cycle's region itself");
  const again = await app.inject({ method: 'POST', url: `/v1/cycles/${id}/obligations`, headers: walidata.auth, payload: { from_catalogue: {} } });
  t.same(again.json(), { requested: 19, created: 0 }, 'a second call adds nothing');
  const report = await compliance(`/v1/cycles/${id}/compliance`);
  t.match(report.kpis, { agencies: 10, indicators: 15 });
  t.match(report.agencies.find((a: { agency: string }) => a.agency === 'DINSOS-6571'), { expected: 5 }, 'IKS-01, 02, 12, 14 and 15');
});

t.test('cycles are listed (newest first, by status) and fetched one by one', async (t) => {
  const planned = await newCycle({ name: 'Siklus terencana', region: '65.71', opens_on: day(10), deadline: day(40), status: 'planned' });
  const all = await app.inject({ url: '/v1/cycles', headers: consumer.auth });
  t.equal(all.statusCode, 200);
  const ids = all.json().data.map((c: { id: string }) => c.id);
  t.equal(ids[0], planned, 'newest first');
  t.ok(ids.includes(cycleId));
  const open = (await app.inject({ url: '/v1/cycles?status=open', headers: consumer.auth })).json().data;
  t.ok(open.length > 0 && open.every((c: { status: string }) => c.status === 'open'), 'only open ones');
  t.notOk(open.some((c: { id: string }) => c.id === planned));
  const first = (await app.inject({ url: '/v1/cycles?limit=1', headers: consumer.auth })).json();
  t.same(first.data.map((c: { id: string }) => c.id), [planned]);
  const next = (await app.inject({ url: `/v1/cycles?limit=1&cursor=${first.page.next_cursor}`, headers: consumer.auth })).json();
  t.same(next.data.map((c: { id: string }) => c.id), [ids[1]], 'the cursor continues where the page ended');
  t.equal((await app.inject({ url: '/v1/cycles?status=finished', headers: consumer.auth })).statusCode, 400, 'unknown status');

  const one = await app.inject({ url: `/v1/cycles/${cycleId}`, headers: consumer.auth });
  t.match(one.json(), { id: cycleId, name: 'IKESOS Kota Tarakan 2025', time_zone: 'Asia/Makassar', deadline: '2026-01-31', original_deadline: '2026-01-31', status: 'open', closed_at: null });
  const unknown = await app.inject({ url: '/v1/cycles/00000000-0000-4000-8000-000000000000', headers: consumer.auth });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'CYCLE_NOT_FOUND');
  t.equal((await app.inject({ url: '/v1/cycles/not-a-uuid', headers: consumer.auth })).statusCode, 400, 'a malformed id');
});

t.test('a deadline moved from or to a day already past needs a reason; never before the opening', async (t) => {
  const id = await newCycle({ name: 'Siklus tenggat', region: '65.71', opens_on: day(-20), deadline: day(20), status: 'open' });
  const patch = (payload: object) => app.inject({ method: 'PATCH', url: `/v1/cycles/${id}`, headers: walidata.auth, payload });
  const future = await patch({ deadline: day(25) });
  t.equal(future.statusCode, 200, 'a future deadline moved to another future day: no reason needed');
  const cut = await patch({ deadline: day(-5) });
  t.equal(cut.statusCode, 400, 'a retroactive cut to a day already past');
  t.match(cut.json().errors, [{ pointer: '/reason', code: 'required' }]);
  const withReason = await patch({ deadline: day(-5), reason: 'Tenggat sebenarnya sesuai surat edaran.' });
  t.equal(withReason.statusCode, 200, withReason.body);
  const audit = await app.inject({ url: `/v1/audit-log?entity_type=cycle&entity_id=${id}`, headers: walidata.auth });
  t.match(audit.json().data[0], { action: 'cycle.updated', before: { deadline: day(25) }, after: { deadline: day(-5), reason: 'Tenggat sebenarnya sesuai surat edaran.' } });
  const beforeOpening = await patch({ deadline: day(-30), reason: 'salah ketik' });
  t.equal(beforeOpening.statusCode, 400, 'a deadline before opens_on');
  t.match(beforeOpening.json().errors, [{ pointer: '/deadline', code: 'before-opening' }]);
  t.equal((await patch({ opens_on: day(-1) })).statusCode, 400, 'nor an opening moved after the deadline');
});

t.test('a cycle closed before its deadline: later pushes are accepted but counted late, and nobody is reminded', async (t) => {
  await createAgency(ctx, 'DINSOS-6502', '65.02', 'DINSOS');
  const id = await newCycle({ name: 'IKESOS Bulungan 2025', region: '65.02', opens_on: day(-10), deadline: day(3), status: 'open' });
  const obligations = ['IKS-01', 'IKS-02', 'IKS-14'].map((indicator) => ({ agency: 'DINSOS-6502', indicator, region: '65.02' }));
  t.equal((await app.inject({ method: 'POST', url: `/v1/cycles/${id}/obligations`, headers: walidata.auth, payload: { obligations } })).statusCode, 201);
  await deliver('DINSOS-6502', ['IKS-01'], undefined, '65.02');

  const owing = await app.inject({ url: `/v1/cycles/${id}/overdue`, headers: walidata.auth });
  t.match(owing.json(), { reminding: true, agencies: [{ agency: 'DINSOS-6502', missing: 2, indicators: ['IKS-02', 'IKS-14'] }] }, 'open and 3 days before the deadline: reminded');
  const producer = await ctx.login('producer', 'DINSOS-6502');
  t.match((await app.inject({ url: '/v1/inbox', headers: producer.auth })).json().obligations_due, { count: 1, data: [{ cycle_id: id, missing: 2 }] });

  const closed = await app.inject({ method: 'PATCH', url: `/v1/cycles/${id}`, headers: walidata.auth, payload: { status: 'closed' } });
  t.equal(closed.statusCode, 200, closed.body);
  const closedAt = closed.json().closed_at as string;
  t.ok(Date.parse(closedAt) <= Date.now(), 'closing is recorded');
  const after = await deliver('DINSOS-6502', ['IKS-02'], undefined, '65.02');
  t.equal(after.statusCode, 201, 'a push after closing is accepted as data');

  const r = await compliance(`/v1/cycles/${id}/compliance`);
  t.match(r.deadline_used, { date: day(3), closed_at: closedAt, on_time_until: closedAt }, 'on time was measured against the closing, which came first');
  t.match(r.agencies, [{ agency: 'DINSOS-6502', light: 'red', expected: 3, delivered: 2, on_time: 1, late: 1, missing: 1 }], 'the post-close delivery is late though the deadline has not ended');
  const late = await compliance(r.agencies[0].links.late);
  t.match(late.cells, [{ indicator: 'IKS-02', state: 'late', days_late: 1 }]);

  const overdue = await app.inject({ url: `/v1/cycles/${id}/overdue`, headers: walidata.auth });
  t.match(overdue.json(), { reminding: false, agencies: [] }, 'a closed cycle reminds nobody');
  t.equal((await app.inject({ url: '/v1/inbox', headers: producer.auth })).json().obligations_due.count, 0, 'not in the inbox either');
  const html = await app.inject({ url: `/v1/cycles/${id}/compliance.html`, headers: walidata.auth });
  t.match(html.body, /Siklus ditutup .* sebelum tenggat berakhir; penyerahan sesudahnya dihitung terlambat\./, 'the page says so');
});

t.test('obligations for every kab/kota of a province with breakdowns; consistency and quality from what arrived', async (t) => {
  await createAgency(ctx, 'DINSOS-65', '65', 'DINSOS');
  await createAgency(ctx, 'DP3AP2KB-65', '65', 'DP3AP2KB');
  const dinsos = await ctx.login('producer', 'DINSOS-65');
  const dp3 = await ctx.login('producer', 'DP3AP2KB-65');
  const verifier = await ctx.login('walidata');
  const publisher = await ctx.login('walidata');
  const review = async (datasetId: string, version: number, action: string, note?: string) => {
    const res = await app.inject({ method: 'POST', url: `/v1/datasets/${datasetId}/versions/${version}/review`, headers: (action === 'publish' ? publisher : verifier).auth, payload: { action, ...(note ? { note } : {}) } });
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  const pushVersion = async (producer: Auth, datasetId: string, rows: Row[]) =>
    (await app.inject({ method: 'POST', url: `/v1/datasets/${datasetId}/versions`, headers: producer, payload: { observations: rows } })).json();

  const id = await newCycle({ name: 'PPKS Kalimantan Utara 2025', region: '65', opens_on: day(-30), deadline: day(30), status: 'open' });
  const added = await app.inject({
    method: 'POST',
    url: `/v1/cycles/${id}/obligations`,
    headers: walidata.auth,
    payload: {
      obligations: [
        { agency: 'DINSOS-65', indicator: 'PPKS-06', region: '65', scope_level: 2, disaggregations: ['sex'] },
        { agency: 'DP3AP2KB-65', indicator: 'PPKS-06', region: '65.71' },
      ],
    },
  });
  t.same(added.json(), { requested: 2, created: 2 });
  t.match((await app.inject({ url: `/v1/cycles/${id}/obligations`, headers: walidata.auth })).json().data, [
    { agency: 'DINSOS-65', region_code: '65', scope_level: 2, disaggregations: ['sex'] },
    { agency: 'DP3AP2KB-65', region_code: '65.71', scope_level: null, disaggregations: [] },
  ]);

  // Dinas Sosial: a first push with a negative count is rejected; the second holds the totals
  // of the five kab/kota and the breakdown by sex of Tarakan only.
  const kabkota = ['65.01', '65.02', '65.03', '65.04', '65.71'];
  const { id: dinsosData, res: first } = await push(dinsos.auth, ['PPKS-06'], [
    { indicator: 'PPKS-06', region: '65.01', period: '2025', value: -5 },
    { indicator: 'PPKS-06', region: '65.02', period: '2025', value: 10 },
  ]);
  t.equal(first.json().status, 'rejected');
  const second = await pushVersion(dinsos.auth, dinsosData, [
    ...kabkota.map((region, i) => ({ indicator: 'PPKS-06', region, period: '2025', value: region === '65.71' ? 128 : 10 + i })),
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 70, sex: 'L' },
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 58, sex: 'P' },
  ]);
  t.equal(second.status, 'submitted', JSON.stringify(second));
  await review(dinsosData, 2, 'verify');
  await review(dinsosData, 2, 'publish');
  // Not this cycle's data: another indicator. It is no part of the quality figures.
  await push(dinsos.auth, ['PPKS-01'], [{ indicator: 'PPKS-01', region: '65.71', period: '2025', value: -1 }]);

  // DP3AP2KB: returned once, then published with another number than Dinas Sosial's.
  const { id: dp3Data } = await push(dp3.auth, ['PPKS-06'], [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 141 }]);
  await review(dp3Data, 1, 'return', 'Lampirkan sumber data.');
  t.equal((await pushVersion(dp3.auth, dp3Data, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 141 }])).status, 'submitted');
  await review(dp3Data, 2, 'verify');
  await review(dp3Data, 2, 'publish');

  const r = await compliance(`/v1/cycles/${id}/compliance`);
  const dinsosRow = r.agencies.find((a: { agency: string }) => a.agency === 'DINSOS-65');
  const dp3Row = r.agencies.find((a: { agency: string }) => a.agency === 'DP3AP2KB-65');
  t.match(dinsosRow, { expected: 15, delivered: 7, missing: 8 }, '5 kab/kota × (total, L, P)');
  t.match(dinsosRow.consistency, { in_conflict_pct: 14.3, unresolved_pct: 14.3 }, '1 of its 7 figures disagrees with another agency');
  t.match(dp3Row, { expected: 1, delivered: 1, consistency: { in_conflict_pct: 100, unresolved_pct: 100 } });
  t.match(r.kpis.inconsistency_after_reconciliation_pct, { value: 25, target: 0 }, '2 of 8 delivered cells still in conflict');
  const unresolved = await compliance(r.kpis.inconsistency_after_reconciliation_pct.cells);
  t.same(unresolved.cells.map((c: { agency: string; region: string; disagg_key: string; conflict: string }) => [c.agency, c.region, c.disagg_key, c.conflict]), [
    ['DINSOS-65', '65.71', '', 'open'],
    ['DP3AP2KB-65', '65.71', '', 'open'],
  ]);
  t.same((await compliance(`/v1/cycles/${id}/compliance/DINSOS-65?cells=missing`)).cells.map((c: { region: string; disagg_key: string }) => `${c.region} ${c.disagg_key}`), [
    '65.01 sex=L', '65.01 sex=P', '65.02 sex=L', '65.02 sex=P', '65.03 sex=L', '65.03 sex=P', '65.04 sex=L', '65.04 sex=P',
  ], 'the breakdowns not delivered, region by region');

  // Quality counts only this cycle's versions: the rejected and the published push of PPKS-06.
  t.match(dinsosRow.quality, { versions: 2, rejected: 1, returned: 0 });
  t.ok(dinsosRow.quality.findings_per_100_rows.error > 0, 'error findings per 100 observations');
  const errors = (await db.selectFrom('dataset_versions').select(({ fn }) => fn.sum<number>('error_count').as('n')).where('dataset_id', '=', dinsosData).executeTakeFirstOrThrow()).n;
  t.equal(dinsosRow.quality.findings_per_100_rows.error, Math.round((Number(errors) / 9) * 10000) / 100, 'per 100 of the 9 observations pushed');
  t.match(dp3Row.quality, { versions: 2, rejected: 0, returned: 1 });

  // Reconciled: still counted as having been in conflict, no longer unresolved.
  const conflict = (await app.inject({ url: '/v1/conflicts?status=open&indicator=PPKS-06', headers: verifier.auth })).json().data[0];
  const resolved = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict.id}/resolve`, headers: publisher.auth, payload: { agency: 'DINSOS-65', rationale: 'Rapat rekonsiliasi.' } });
  t.equal(resolved.statusCode, 200, resolved.body);
  const after = await compliance(`/v1/cycles/${id}/compliance`);
  t.match(after.agencies.find((a: { agency: string }) => a.agency === 'DP3AP2KB-65').consistency, { in_conflict_pct: 100, unresolved_pct: 0 });
  t.match(after.kpis.inconsistency_after_reconciliation_pct, { value: 0 });
  t.match(after.kpis.days_deadline_to_final, { value: null }, 'not final while breakdowns are missing');
  t.equal((await compliance(after.kpis.days_deadline_to_final.cells)).cells.length, 8, 'the cells without a final figure');
});

t.test('moving a passed deadline needs a reason, is audited, and does not silently change who was on time', async (t) => {
  const noReason = await app.inject({ method: 'PATCH', url: `/v1/cycles/${cycleId}`, headers: walidata.auth, payload: { deadline: '2026-02-15' } });
  t.equal(noReason.statusCode, 400);
  const moved = await app.inject({ method: 'PATCH', url: `/v1/cycles/${cycleId}`, headers: walidata.auth, payload: { deadline: '2026-02-15', reason: 'Perpanjangan karena banjir.' } });
  t.equal(moved.statusCode, 200, moved.body);
  t.match(moved.json(), { deadline: '2026-02-15', original_deadline: '2026-01-31' });
  const now = (await app.inject({ url: `/v1/cycles/${cycleId}/compliance`, headers: walidata.auth })).json();
  t.match(now.deadline_used, { which: 'current', date: '2026-02-15', original: '2026-01-31' }, 'the report says which deadline');
  t.equal(now.kpis.indicators_complete_on_time_pct.value, 73.3);
  const original = (await app.inject({ url: `/v1/cycles/${cycleId}/compliance?deadline=original`, headers: walidata.auth })).json();
  t.equal(original.kpis.indicators_complete_on_time_pct.value, 53.3, 'and the original can still be asked for');
  const audit = await app.inject({ url: `/v1/audit-log?entity_type=cycle&entity_id=${cycleId}`, headers: walidata.auth });
  t.match(audit.json().data[0], { action: 'cycle.updated', before: { deadline: '2026-01-31' }, after: { deadline: '2026-02-15', reason: 'Perpanjangan karena banjir.' } });
  await app.inject({ method: 'PATCH', url: `/v1/cycles/${cycleId}`, headers: walidata.auth, payload: { deadline: '2026-01-31', reason: 'Kembali ke tenggat awal.' } });
});

t.test('overdue reminders, also in the inbox', async (t) => {
  const overdue = await app.inject({ url: `/v1/cycles/${cycleId}/overdue?days=7`, headers: walidata.auth });
  t.equal(overdue.statusCode, 200);
  t.match(overdue.json(), { reminding: true });
  t.same(overdue.json().agencies.map((a: { agency: string }) => a.agency).sort(), ['BPJSTK-6571', 'BPS-6571', 'DISNAKER-6571', 'DISPMD-6571']);
  const bps = await ctx.login('producer', 'BPS-6571');
  const inbox = await app.inject({ url: '/v1/inbox', headers: bps.auth });
  t.match(inbox.json().obligations_due, { count: 1, data: [{ cycle_id: cycleId, missing: 1, indicators: ['IKS-12'] }] });
  const dinsos = await ctx.login('producer', 'DINSOS-6571');
  t.equal((await app.inject({ url: '/v1/inbox', headers: dinsos.auth })).json().obligations_due.count, 0, 'nothing due from an agency that delivered');
});

const chromium = '/usr/bin/chromium';
t.test('the HTML report renders in headless Chromium as an official document and prints to PDF', { skip: existsSync(chromium) || process.env.CI ? false : 'Debian chromium is not installed (apt-get install chromium)' }, async (t) => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const letterhead = await app.inject({
    method: 'PUT',
    url: '/v1/regions/65.71/report-letterhead',
    headers: walidata.auth,
    payload: {
      office_name: 'PEMERINTAH KOTA TARAKAN\nDINAS SOSIAL DAN PEMBERDAYAAN MASYARAKAT',
      office_address: 'Jl. Jenderal Sudirman No. 76, Tarakan 77111',
      logo: `data:image/png;base64,${png.toString('base64')}`,
      signatory_name: 'Dra. Siti Rahmah, M.Si.',
      signatory_position: 'Kepala Dinas Sosial dan Pemberdayaan Masyarakat',
      place: 'Tarakan',
    },
  });
  t.equal(letterhead.statusCode, 201, letterhead.body);
  const res = await app.inject({ url: `/v1/cycles/${cycleId}/compliance.html?signed_on=2026-12-07`, headers: walidata.auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  t.notMatch(res.body, /(src|href)="https?:/, 'no external assets');
  const dir = await mkdtemp(join(tmpdir(), 'sde-html-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  await writeFile(file, res.body);
  // Each run is bounded: a browser that hangs fails the test instead of holding the suite.
  const browse = (...args: string[]) =>
    promisify(execFile)(
      chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, ...args, `file://${file}`],
      { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 },
    );

  // The structure of the page as Chromium built it: the elements an official document needs.
  const { stdout } = await browse('--dump-dom');
  t.match(stdout, /Laporan Kepatuhan Penyerahan Data — IKESOS Kota Tarakan 2025/);
  t.match(stdout, /<header class="kop"><img class="logo" src="data:image\/png;base64,[^"]+" alt="Logo"><div class="office"><div class="office-name">PEMERINTAH KOTA TARAKAN<br>DINAS SOSIAL DAN PEMBERDAYAAN MASYARAKAT<\/div><div class="office-address">Jl\. Jenderal Sudirman No\. 76, Tarakan 77111<\/div>/, 'the heading: logo, office, address');
  t.match(stdout, /Tenggat 31 Januari 2026 pukul 24\.00 WITA\. Dibuat <time class="generated" datetime="[^"]+">\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}\.\d{2} WITA<\/time>/, 'times in the cycle zone, written the Indonesian way');
  t.match(stdout, /10 instansi wajib menyerahkan data; 4 instansi lengkap dan tepat waktu; 2 instansi terlambat, paling lama 10 hari setelah tenggat; 4 instansi belum lengkap\./, 'late days stated plainly');
  t.match(stdout, /Indikator yang lengkap dan tepat waktu<\/td><td class="num">53,3 %<\/td>/, 'the KPI, in Indonesian number format');
  for (const [indicator, agency] of [['IKS-04', 'BPJSTK-6571'], ['IKS-12', 'BPS-6571'], ['IKS-13', 'DISNAKER-6571'], ['IKS-15', 'DISPMD-6571']]) {
    t.match(stdout, new RegExp(`<li>${indicator} — ${agency}`), `${indicator} named as missing`);
  }
  t.match(stdout, /<svg[^>]*aria-label="Kelengkapan dan ketepatan waktu per instansi"/, 'the bar chart');
  const axis = /<g class="axis"[^>]*>([\s\S]*?)<\/g>/.exec(stdout)?.[1] ?? '';
  t.same([...axis.matchAll(/<text class="tick-label"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]), ['0 %', '25 %', '50 %', '75 %', '100 %'], 'the chart has a 0–100 % scale');
  t.match(axis, /<line class="baseline"/);
  const zeroBars = [...stdout.matchAll(/<rect class="bar (completeness|timeliness) zero" data-value="0"[^>]* width="(\d+)"/g)];
  t.ok(zeroBars.length >= 4 && zeroBars.every((m) => Number(m[2]) >= 2), 'every 0 % bar is drawn as a marker');
  const row = (agency: string) => stdout.split('<tr>').find((r) => r.startsWith(`<td>${agency} — `)) ?? '';
  const cellsOf = (agency: string) => [...row(agency).matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
  t.same(cellsOf('DINSOS-6571'), ['DINSOS-6571 — Agency DINSOS-6571', 'Tepat waktu', '3', '3', '3', '0', '–', '0', '100 %', '100 %'], 'an agency on time: its row, the status in words');
  t.same(cellsOf('DPUPR-6571'), ['DPUPR-6571 — Agency DPUPR-6571', 'Terlambat', '2', '2', '0', '2', '10 hari', '0', '100 %', '0 %'], 'a late one, its longest delay in its own column');
  t.same(cellsOf('BPS-6571'), ['BPS-6571 — Agency BPS-6571', 'Belum lengkap', '1', '0', '0', '0', '–', '1', '0 %', '0 %'], 'one still missing');
  t.match(
    stdout,
    /<section class="signature" aria-label="Tanda tangan">\s*<p class="place-date">Tarakan, 7 Desember 2026<\/p>\s*<p class="position">Kepala Dinas Sosial dan Pemberdayaan Masyarakat,<\/p>\s*<div class="sign-space"><\/div>\s*<p class="signatory-name">Dra\. Siti Rahmah, M\.Si\.<\/p>/,
    'the signature block: place and date, position, room to sign, name',
  );

  // A screenshot of the A4-wide page: produced, of the asked size, and not blank (a blank
  // PNG of this size compresses to a few kilobytes). Its content is checked above, by structure.
  const shot = join(dir, 'report.png');
  await browse('--window-size=794,1123', `--screenshot=${shot}`);
  const image = await readFile(shot);
  t.same([...image.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  t.same([image.readUInt32BE(16), image.readUInt32BE(20)], [794, 1123], 'of the window size');
  t.ok(image.length > 30_000, `with content (${image.length} bytes)`);

  // Printed to PDF as a browser's "Save as PDF" does: A4 pages, titled as the page.
  const pdfFile = join(dir, 'report.pdf');
  await browse('--no-pdf-header-footer', `--print-to-pdf=${pdfFile}`);
  const pdf = (await readFile(pdfFile)).toString('latin1');
  t.match(pdf.slice(0, 8), /^%PDF-1\.\d/, 'a PDF');
  const pages = Number(/\/Type \/Pages[^>]*?\/Count (\d+)|\/Count (\d+)[^>]*?\/Type \/Pages/.exec(pdf)?.slice(1).find(Boolean) ?? 0);
  t.ok(pages >= 1 && pages <= 3, `${pages} page(s)`);
  const boxes = [...pdf.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
  t.ok(boxes.length >= 1 && boxes.every(([w, h]) => w === 595 && h === 842), 'every page is A4 portrait');
  const titleHex = /\/Title <FEFF([0-9A-F]+)>/.exec(pdf)?.[1] ?? '';
  t.equal(Buffer.from(titleHex, 'hex').swap16().toString('utf16le'), 'Laporan Kepatuhan — IKESOS Kota Tarakan 2025', 'the PDF carries the document title');
});
