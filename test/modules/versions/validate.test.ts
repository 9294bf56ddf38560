import t from 'tap';
import { sql } from 'kysely';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const walidata = await ctx.login('walidata');

const observations = [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128 },
  { indicator: 'PPKS-06', region: '65.01', period: '2025', value: 3 },
];

t.test('validates JSON with metadata: same report as a push, nothing stored', async (t) => {
  const before = await sql<{ n: number }>`select (select count(*) from dataset_versions)::int + (select count(*) from findings)::int as n`.execute(ctx.database.db);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/validate',
    headers: producer.auth,
    payload: { metadata: { title: 'Uji', indicators: ['PPKS-06'], steward_contact: 'n/a' }, observations },
  });
  t.equal(res.statusCode, 200, res.body);
  const report = res.json();
  t.match(report, { dataset_id: null, version: null, dry_run: true, status: 'rejected', summary: { rows_read: 2, accepted: 1 } });
  const codes = report.findings.map((f: { code: string }) => f.code);
  t.ok(codes.includes('KR_REGION_OUTSIDE_JURISDICTION'), "a producer is held to its agency's jurisdiction");
  t.ok(codes.some((c: string) => c.startsWith('MD_')), 'metadata is checked');
  t.ok(report.summary.metadata_completeness.score < 100);
  const after = await sql<{ n: number }>`select (select count(*) from dataset_versions)::int + (select count(*) from findings)::int as n`.execute(ctx.database.db);
  t.equal(after.rows[0]!.n, before.rows[0]!.n);
});

t.test('a trial validation finds repeated keys too, and leaves no scratch rows behind', async (t) => {
  const twice = [observations[0], { ...observations[0], value: 130 }];
  const res = await app.inject({ method: 'POST', url: '/v1/validate', headers: producer.auth, payload: { observations: twice } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'rejected', summary: { accepted: 1 } });
  t.match(res.json().findings, [{ code: 'IO_DUPLICATE_KEY', pointer: '/observations/1' }]);
  const again = await app.inject({ method: 'POST', url: '/v1/validate', headers: producer.auth, payload: { observations: twice } });
  t.same(again.json().summary, res.json().summary, 'the next trial starts empty');
  const left = await sql<{ n: number }>`select count(*)::int as n from observations`.execute(ctx.database.db);
  t.equal(left.rows[0]!.n, 0, 'nothing stored');
});

t.test('without metadata or a jurisdiction: only the observations are judged', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/v1/validate', headers: walidata.auth, payload: { observations } });
  t.match(res.json(), { status: 'submitted', summary: { accepted: 2, metadata_completeness: null } });
});

t.test('CSV with declared indicators', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/validate?indicators=PPKS-01',
    headers: { ...walidata.auth, 'content-type': 'text/csv' },
    payload: 'indicator,region,period,value\nPPKS-06,65.71,2025,1\n',
  });
  t.equal(res.statusCode, 200);
  t.equal(res.json().findings[0].code, 'SD_INDICATOR_NOT_IN_DATASET');
  t.equal((await app.inject({ method: 'POST', url: '/v1/validate', payload: { observations } })).statusCode, 401);
  t.equal((await app.inject({ method: 'POST', url: '/v1/validate', headers: walidata.auth, payload: { observations, extra: true } })).statusCode, 400);
});
