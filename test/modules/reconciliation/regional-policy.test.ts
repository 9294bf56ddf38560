import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing, type Auth } from './publishing.js';

// A region's walidata sets the reconciliation policy for its own figures: Kalimantan Utara
// trusts DP3AP2KB for child victims of violence, Kota Salatiga keeps the national rule.
const ctx = await createTestApp(t);
const { app } = ctx;
for (const [code, region, kind] of [
  ['DINSOS-6571', '65.71', 'DINSOS'],
  ['DP3AP2KB-6571', '65.71', 'DP3AP2KB'],
  ['DINSOS-3373', '33.73', 'DINSOS'],
  ['DP3AP2KB-3373', '33.73', 'DP3AP2KB'],
  ['DISKOMINFO-65', '65', 'DISKOMINFO'],
  ['DISKOMINFO-6571', '65.71', 'DISKOMINFO'],
] as const) {
  await createAgency(ctx, code, region, kind);
}
const producer = async (agency: string) => (await ctx.login('producer', agency)).auth;
const kaltara = await ctx.login('walidata', 'DISKOMINFO-65');
const tarakan = await ctx.login('walidata', 'DISKOMINFO-6571');
const national = await ctx.login('walidata');
const { publish } = await publishing(ctx);

const URL = '/v1/indicators/PPKS-06/reconciliation-policy';
const trustDp3 = { tolerance: { absolute: 0, relative: 0 }, priority: ['DP3AP2KB'], method: 'manual', requires_confirmation: false };
const trustDinsos = { ...trustDp3, priority: ['DINSOS'] };
const put = (auth: Auth, query: string, payload: object = trustDp3) => app.inject({ method: 'PUT', url: `${URL}${query}`, headers: auth, payload });
const del = (auth: Auth, query: string) => app.inject({ method: 'DELETE', url: `${URL}${query}`, headers: auth });
const get = async (query: string) => (await app.inject({ url: `${URL}${query}`, headers: national.auth })).json();
const policyAudits = async () =>
  ((await app.inject({ url: '/v1/audit-log?entity_type=indicator&entity_id=PPKS-06', headers: national.auth })).json().data as { action: string; after: Record<string, unknown> }[]).filter(
    (a) => a.action !== 'indicator.metadata-filled',
  );

async function figureOf(region: string, period: string) {
  const res = await app.inject({ url: `/v1/figures?indicator=PPKS-06&region=${region}&period=${period}`, headers: national.auth });
  return (res.json().data as { region: string; status: string; value: string | null; method: string | null }[])[0];
}

async function disagree(region: string, period: string, code: string) {
  await publish(await producer(`DINSOS-${code}`), [{ indicator: 'PPKS-06', region, period, value: 100 }]);
  await publish(await producer(`DP3AP2KB-${code}`), [{ indicator: 'PPKS-06', region, period, value: 120 }]);
}

t.test('only the walidata of a region (or above) sets its policy; the national one is national', async (t) => {
  const refusals: [Auth, string, string, string][] = [
    [tarakan.auth, '', 'NATIONAL_AUTHORITY_REQUIRED', 'a city walidata cannot set the national policy'],
    [tarakan.auth, '?region=65', 'OUTSIDE_JURISDICTION', 'nor its province’s'],
    [tarakan.auth, '?region=33.73', 'OUTSIDE_JURISDICTION', 'nor another city’s'],
    [kaltara.auth, '?region=33', 'OUTSIDE_JURISDICTION', 'a province walidata cannot set another province’s'],
  ];
  for (const [auth, query, code, what] of refusals) {
    const res = await put(auth, query);
    t.equal(res.statusCode, 403, what);
    t.equal(res.json().code, code, what);
  }
  t.equal((await del(tarakan.auth, '?region=65')).statusCode, 403, 'nor remove one above it');
  t.same(await policyAudits(), [], 'no refusal is audited');
  t.match(await get('?region=65.71'), { scope: 'default', is_default: true }, 'and nothing was stored');
  t.equal((await put(national.auth, '?region=65.98')).statusCode, 404, 'an unknown region');
  t.equal((await del(kaltara.auth, '?region=65')).json().code, 'RECONCILIATION_POLICY_NOT_FOUND', 'removing a policy that does not exist');
  t.equal((await app.inject({ method: 'DELETE', url: URL, headers: national.auth })).statusCode, 400, 'the national policy is replaced, never removed');
});

t.test("a province's policy decides its keys; other provinces keep the national rule", async (t) => {
  const saved = await put(kaltara.auth, '?region=65');
  t.equal(saved.statusCode, 200, saved.body);
  t.match(saved.json(), { region: '65', scope: 'region', scope_region: '65', is_default: false, policy: trustDp3, updated_by: kaltara.clientId });
  t.match(await get('?region=65.71.01'), { region: '65.71.01', scope: 'region', scope_region: '65', policy: trustDp3 }, 'a kecamatan of the province is governed by it');
  t.match(await get('?region=33.73'), { scope: 'default', policy: { priority: [] } }, 'Salatiga is not');
  t.match(await get(''), { region: null, scope: 'default' }, 'nor is the national policy changed');

  await disagree('65.71', '2024', '6571');
  await disagree('33.73', '2024', '3373');
  t.match(await figureOf('65.71', '2024'), { status: 'final', value: '120', method: 'priority' }, 'Tarakan: DP3AP2KB wins by the province’s priority');
  t.match(await figureOf('33.73', '2024'), { status: 'disputed', value: null }, 'Salatiga: a conflict for a walidata, as nationally');

  const [audit] = await policyAudits();
  t.match(audit, { action: 'indicator.reconciliation-policy-updated', after: { region: '65', scope: 'region', policy: trustDp3 } });
});

t.test("a city's own policy comes before its province's, and falls back to it when removed", async (t) => {
  t.equal((await put(tarakan.auth, '?region=65.71', trustDinsos)).statusCode, 200);
  t.match(await get('?region=65.71.01'), { scope: 'region', scope_region: '65.71', policy: trustDinsos });
  t.match(await get('?region=65.01'), { scope: 'region', scope_region: '65', policy: trustDp3 }, 'Kabupaten Bulungan keeps the province’s');
  await disagree('65.71', '2023', '6571');
  t.match(await figureOf('65.71', '2023'), { status: 'final', value: '100', method: 'priority' }, 'Dinas Sosial wins in Tarakan now');

  const removed = await del(tarakan.auth, '?region=65.71');
  t.equal(removed.statusCode, 204);
  t.match(await get('?region=65.71'), { scope: 'region', scope_region: '65', policy: trustDp3 });
  const [latest] = await policyAudits();
  t.match(latest, { action: 'indicator.reconciliation-policy-removed', after: { region: '65.71', scope: 'region', scope_region: '65' } });

  const nationalSet = await put(national.auth, '', trustDinsos);
  t.equal(nationalSet.statusCode, 200);
  t.match(await get('?region=33.73'), { scope: 'national', scope_region: null, policy: trustDinsos }, 'the national policy governs where no region has its own');
  t.match(await get('?region=65.71'), { scope: 'region', scope_region: '65' }, 'but not over a province’s own');
});
