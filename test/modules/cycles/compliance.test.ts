import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// The "done when": an IKESOS cycle with 15 indicators from 10 agencies where 8
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

async function deliver(agency: string, indicators: string[], submittedAt: string) {
  const producer = await ctx.login('producer', agency);
  const dataset = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, title: `IKESOS ${agency}`, indicators, estimation_levels: ['kabkota'] } });
  const id = dataset.json().id as string;
  const pushed = await app.inject({
    method: 'POST',
    url: `/v1/datasets/${id}/versions`,
    headers: producer.auth,
    payload: { observations: indicators.map((indicator) => ({ indicator, region: '65.71', period: '2025', value: 50 })) },
  });
  if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
  // The push happened "now"; date it as the scenario says.
  await sql`update dataset_versions set submitted_at = ${submittedAt}::timestamptz where dataset_id = ${id}::uuid`.execute(db);
}

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
  t.match(r.deadline_used, { which: 'current', date: '2026-01-31', ends_at: '2026-01-31T16:00:00.000Z' });

  const cells = await app.inject({ url: `/v1/cycles/${cycleId}/compliance/DPUPR-6571?cells=late`, headers: consumer.auth });
  t.same(cells.json().cells.map((c: { indicator: string; days_late: number }) => [c.indicator, c.days_late]), [['IKS-09', 10], ['IKS-10', 10]], 'the cells behind the number');
  const own = await ctx.login('producer', 'DPUPR-6571');
  t.equal((await app.inject({ url: `/v1/cycles/${cycleId}/compliance/DPUPR-6571`, headers: own.auth })).statusCode, 200, 'an agency sees its own');

  const csv = await app.inject({ url: `/v1/cycles/${cycleId}/compliance?format=csv`, headers: walidata.auth });
  t.match(csv.body, /^agency,light,expected,delivered,on_time,late,missing,completeness_pct,timeliness_pct,max_days_late\n/);
  t.match(csv.body, /DPUPR-6571,amber,2,2,0,2,0,100,0,10/);
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
t.test('the HTML report renders in headless Chromium and shows the numbers', { skip: existsSync(chromium) || process.env.CI ? false : 'Debian chromium is not installed (apt-get install chromium)' }, async (t) => {
  const res = await app.inject({ url: `/v1/cycles/${cycleId}/compliance.html`, headers: walidata.auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  t.notMatch(res.body, /(src|href)="https?:/, 'no external assets');
  const dir = await mkdtemp(join(tmpdir(), 'sde-html-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  await writeFile(file, res.body);
  const { stdout } = await promisify(execFile)(
    chromium,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${file}`],
    { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 },
  );
  t.match(stdout, /Laporan Kepatuhan Penyerahan Data — IKESOS Kota Tarakan 2025/);
  t.match(stdout, /Indikator yang lengkap dan tepat waktu<\/td><td class="num">53,3 %<\/td>/, 'the KPI, in Indonesian number format');
  for (const [indicator, agency] of [['IKS-04', 'BPJSTK-6571'], ['IKS-12', 'BPS-6571'], ['IKS-13', 'DISNAKER-6571'], ['IKS-15', 'DISPMD-6571']]) {
    t.match(stdout, new RegExp(`<li>${indicator} — ${agency}`), `${indicator} named as missing`);
  }
  t.match(stdout, /<svg[^>]*aria-label="Kelengkapan dan ketepatan waktu per instansi"/, 'the bar chart');
});
