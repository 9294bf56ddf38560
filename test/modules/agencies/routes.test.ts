import t from 'tap';
import { createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const walidata = await ctx.login('walidata');
const { auth } = walidata;

interface Agency {
  code: string;
  name: string;
  kind: string;
  jurisdiction_region_code: string;
  jurisdiction_region_name: string;
  created_at: string;
  updated_at: string;
}
interface AuditEntry {
  id: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}

function post(payload: Record<string, unknown>, headers: Record<string, string> = auth) {
  return app.inject({ method: 'POST', url: '/v1/agencies', headers, payload });
}

async function create(code: string, jurisdiction: string, kind = 'DINSOS'): Promise<Agency> {
  const res = await post({ code, name: `Dinas ${code}`, kind, jurisdiction_region_code: jurisdiction });
  if (res.statusCode !== 201) throw new Error(`create ${code} → ${res.statusCode}: ${res.body}`);
  return res.json() as Agency;
}

async function codes(query: string): Promise<string[]> {
  const res = await app.inject({ url: `/v1/agencies?${query}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`GET /v1/agencies?${query} → ${res.statusCode}: ${res.body}`);
  return (res.json() as { data: Agency[] }).data.map((a) => a.code);
}

async function audit(entityId: string): Promise<AuditEntry[]> {
  const res = await app.inject({ url: `/v1/audit-log?entity_type=agency&entity_id=${entityId}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`audit → ${res.statusCode}: ${res.body}`);
  return (res.json() as { data: AuditEntry[] }).data;
}

t.test('POST registers an agency', async (t) => {
  const res = await post({ code: 'DINSOS-6571', name: 'Dinas Sosial Kota Tarakan', kind: 'DINSOS', jurisdiction_region_code: '65.71' });
  t.equal(res.statusCode, 201);
  t.equal(res.headers.location, '/v1/agencies/DINSOS-6571');
  const body = res.json() as Agency;
  t.match(body, {
    code: 'DINSOS-6571',
    name: 'Dinas Sosial Kota Tarakan',
    kind: 'DINSOS',
    jurisdiction_region_code: '65.71',
    jurisdiction_region_name: 'Kota Tarakan',
  });
  t.ok(!Number.isNaN(Date.parse(body.created_at)), 'created_at is a timestamp');
  t.equal(body.created_at, body.updated_at);

  const got = await app.inject({ url: '/v1/agencies/DINSOS-6571', headers: auth });
  t.equal(got.statusCode, 200);
  t.same(got.json(), body, 'GET returns what POST returned');
});

t.test('POST is audited with the state after', async (t) => {
  const entries = await audit('DINSOS-6571');
  t.equal(entries.length, 1);
  t.match(entries[0], {
    action: 'agency.created',
    entity_type: 'agency',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    before: null,
    after: { code: 'DINSOS-6571', name: 'Dinas Sosial Kota Tarakan', jurisdiction_region_code: '65.71' },
  });
});

t.test('an agency code already in use is a 409 and leaves the first one as it was', async (t) => {
  const res = await post({ code: 'DINSOS-6571', name: 'Another name', kind: 'DINKES', jurisdiction_region_code: '33.73' });
  t.equal(res.statusCode, 409);
  const body = res.json();
  t.equal(body.code, 'AGENCY_CODE_TAKEN');
  t.match(body.detail, /"DINSOS-6571"/);
  const got = (await app.inject({ url: '/v1/agencies/DINSOS-6571', headers: auth })).json() as Agency;
  t.equal(got.name, 'Dinas Sosial Kota Tarakan');
  t.equal(got.kind, 'DINSOS');
  t.equal((await audit('DINSOS-6571')).length, 1, 'the refused attempt is not audited');
});

t.test('an unknown kind is a 422 pointing at kind, and nothing is created', async (t) => {
  const res = await post({ code: 'DINASX-6571', name: 'Dinas X', kind: 'DINAS-X', jurisdiction_region_code: '65.71' });
  t.equal(res.statusCode, 422);
  const body = res.json();
  t.equal(body.code, 'REFERENCE_INVALID');
  t.same(body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]), [['/kind', 'unknown-code']]);
  t.match(body.errors[0].detail, /"DINAS-X"/);
  t.equal((await app.inject({ url: '/v1/agencies/DINASX-6571', headers: auth })).statusCode, 404);
});

t.test('an unknown jurisdiction region is a 422 pointing at it', async (t) => {
  const res = await post({ code: 'DINSOS-6599', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '65.99' });
  t.equal(res.statusCode, 422);
  const body = res.json();
  t.equal(body.code, 'REFERENCE_INVALID');
  t.same(body.errors.map((e: { pointer: string }) => e.pointer), ['/jurisdiction_region_code']);
  t.match(body.errors[0].detail, /"65\.99"/);
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-6599', headers: auth })).statusCode, 404);
});

t.test('an unknown kind and region are reported together', async (t) => {
  const res = await post({ code: 'X-9999', name: 'Dinas X', kind: 'NOPE', jurisdiction_region_code: '99' });
  t.equal(res.statusCode, 422);
  t.same(res.json().errors.map((e: { pointer: string }) => e.pointer).sort(), ['/jurisdiction_region_code', '/kind']);
});

t.test('a malformed jurisdiction is a 400 explaining the code', async (t) => {
  const res = await post({ code: 'DINSOS-651', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '65.1' });
  t.equal(res.statusCode, 400);
  const body = res.json();
  t.equal(body.code, 'VALIDATION_FAILED');
  t.match(body.errors, [{ location: 'body', pointer: '/jurisdiction_region_code', code: 'region-code-malformed' }]);
  t.match(body.errors[0].detail, /"65\.1"/);
});

t.test('malformed bodies are 400 naming each field', async (t) => {
  const missing = await post({ code: 'DINSOS-3373', kind: 'DINSOS', jurisdiction_region_code: '33.73' });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().errors, [{ pointer: '/name', code: 'required' }]);

  const extra = await post({ code: 'DINSOS-3373', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '33.73', email: 'x@y.id' });
  t.equal(extra.statusCode, 400);
  t.match(extra.json().errors, [{ pointer: '/email', code: 'additionalProperties' }]);

  const badCode = await post({ code: 'dinsos 3373', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '33.73' });
  t.equal(badCode.statusCode, 400);
  t.match(badCode.json().errors, [{ pointer: '/code', code: 'pattern' }]);

  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-3373', headers: auth })).statusCode, 404, 'none of them created it');
});

t.test('only walidata and admin may register agencies', async (t) => {
  const consumer = await ctx.login('consumer');
  const res = await post({ code: 'DINSOS-3373', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '33.73' }, consumer.auth);
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'FORBIDDEN');

  const producer = await ctx.login('producer', 'DINSOS-6571');
  const asProducer = await post({ code: 'DINSOS-3373', name: 'Dinas Sosial', kind: 'DINSOS', jurisdiction_region_code: '33.73' }, producer.auth);
  t.equal(asProducer.statusCode, 403);

  const admin = await ctx.login('admin');
  const asAdmin = await post({ code: 'BPS-3373', name: 'BPS Kota Salatiga', kind: 'BPS', jurisdiction_region_code: '33.73' }, admin.auth);
  t.equal(asAdmin.statusCode, 201);

  const anonymous = await app.inject({ method: 'POST', url: '/v1/agencies', payload: { code: 'X-1' } });
  t.equal(anonymous.statusCode, 401);
});

t.test('GET list filters by kind and by region', async (t) => {
  await create('DINSOS-3373', '33.73');
  await create('DINKES-6571', '65.71', 'DINKES');
  await create('DINSOS-657101', '65.71.01');
  await create('DINSOS-65', '65');
  await create('DINSOS-6501', '65.01');

  const all = await codes('');
  t.same(all, [...all].sort(), 'ordered by code');
  t.ok(['DINSOS-6571', 'DINSOS-3373', 'DINKES-6571', 'BPS-3373'].every((c) => all.includes(c)));

  const in65 = await codes('within=65');
  t.ok(in65.includes('DINSOS-6571'), 'within=65 finds an agency at 65.71');
  t.ok(in65.includes('DINSOS-657101'), 'and one at a kecamatan of 65');
  t.ok(in65.includes('DINSOS-65'), 'and one at 65 itself');
  t.notOk(in65.includes('DINSOS-3373'), 'but not one at 33.73');
  t.notOk(in65.includes('BPS-3373'));

  t.same((await codes('within=65.71')).sort(), ['DINKES-6571', 'DINSOS-6571', 'DINSOS-657101'], 'within=65.71 excludes the provinsi and its other kab/kota');
  t.same((await codes('within=33.73')).sort(), ['BPS-3373', 'DINSOS-3373']);
  t.same(await codes('within=11'), []);

  t.same(await codes('kind=DINKES'), ['DINKES-6571']);
  t.same(await codes('kind=BPS'), ['BPS-3373']);
  t.same(await codes('kind=DINSOS&within=33.73'), ['DINSOS-3373'], 'kind and within combine');
  t.same(await codes('kind=DISDIK'), []);
});

t.test('GET list pages with a cursor', async (t) => {
  const all = await codes('');
  const seen: string[] = [];
  let url = '/v1/agencies?limit=2';
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ url, headers: auth });
    t.equal(res.statusCode, 200);
    const body = res.json() as { data: Agency[]; page: { next_cursor: string | null } };
    t.ok(body.data.length <= 2);
    seen.push(...body.data.map((a) => a.code));
    if (body.page.next_cursor === null) break;
    url = `/v1/agencies?limit=2&cursor=${body.page.next_cursor}`;
  }
  t.same(seen, all, 'every agency once, in order');

  const bad = await app.inject({ url: '/v1/agencies?cursor=zzz', headers: auth });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'INVALID_CURSOR');
});

t.test('within must be a well-formed region code', async (t) => {
  const res = await app.inject({ url: '/v1/agencies?within=65.1', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.json().errors, [{ location: 'query', pointer: '/within', code: 'region-code-malformed' }]);
});

t.test('any authenticated caller can read agencies', async (t) => {
  const consumer = await ctx.login('consumer');
  const res = await app.inject({ url: '/v1/agencies/DINSOS-3373', headers: consumer.auth });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { code: 'DINSOS-3373', jurisdiction_region_name: 'Kota Salatiga' });
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-3373' })).statusCode, 401);
});

t.test('GET an unknown agency is a 404 AGENCY_NOT_FOUND', async (t) => {
  const res = await app.inject({ url: '/v1/agencies/DINSOS-0000', headers: auth });
  t.equal(res.statusCode, 404);
  const body = res.json();
  t.equal(body.code, 'AGENCY_NOT_FOUND');
  t.match(body.detail, /"DINSOS-0000"/);
});

t.test('PATCH changes only the name and is audited with before and after', async (t) => {
  const before = (await app.inject({ url: '/v1/agencies/DINSOS-3373', headers: auth })).json() as Agency;
  const res = await app.inject({
    method: 'PATCH',
    url: '/v1/agencies/DINSOS-3373',
    headers: { ...auth, 'x-request-id': 'patch-agency-3373' },
    payload: { name: 'Dinas Sosial, P3A Kota Salatiga' },
  });
  t.equal(res.statusCode, 200);
  const after = res.json() as Agency;
  t.equal(after.name, 'Dinas Sosial, P3A Kota Salatiga');
  t.equal(after.kind, before.kind);
  t.equal(after.jurisdiction_region_code, '33.73');
  t.equal(after.created_at, before.created_at);
  t.ok(Date.parse(after.updated_at) >= Date.parse(before.updated_at), 'updated_at moves forward');

  const got = (await app.inject({ url: '/v1/agencies/DINSOS-3373', headers: auth })).json() as Agency;
  t.equal(got.name, 'Dinas Sosial, P3A Kota Salatiga', 'the change is stored');

  const [latest] = await audit('DINSOS-3373');
  t.match(latest, {
    action: 'agency.updated',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    request_id: 'patch-agency-3373',
    before: { name: before.name, kind: 'DINSOS' },
    after: { name: 'Dinas Sosial, P3A Kota Salatiga', kind: 'DINSOS' },
  });
});

t.test('PATCH a jurisdiction updates the region name shown', async (t) => {
  const res = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6501', headers: auth, payload: { jurisdiction_region_code: '65.02', reason: ' Perbup Malinau 7/2026 ' } });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { jurisdiction_region_code: '65.02', jurisdiction_region_name: 'Kabupaten Malinau' });
  t.notOk('reason' in res.json(), 'the reason belongs to the audit log, not to the agency');
  const [latest] = await audit('DINSOS-6501');
  t.match(latest, { before: { jurisdiction_region_code: '65.01' }, after: { jurisdiction_region_code: '65.02', reason: 'Perbup Malinau 7/2026' } });
});

t.test('a change of jurisdiction without a reason is a 400 and changes nothing', async (t) => {
  for (const reason of [undefined, '   ']) {
    const res = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6501', headers: auth, payload: { jurisdiction_region_code: '65.03', ...(reason === undefined ? {} : { reason }) } });
    t.equal(res.statusCode, 400);
    t.match(res.json(), { code: 'VALIDATION_FAILED', errors: [{ pointer: '/reason', code: 'required' }] });
  }
  const same = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6501', headers: auth, payload: { jurisdiction_region_code: '65.02', name: 'Dinas DINSOS-6501' } });
  t.equal(same.statusCode, 200, 'sending the jurisdiction it already has is no change, and needs no reason');
  t.equal(((await app.inject({ url: '/v1/agencies/DINSOS-6501', headers: auth })).json() as Agency).jurisdiction_region_code, '65.02');
});

t.test('PATCH with an unknown kind or region is a 422 and changes nothing', async (t) => {
  const auditBefore = (await audit('DINSOS-6571')).length;
  const res = await app.inject({
    method: 'PATCH',
    url: '/v1/agencies/DINSOS-6571',
    headers: auth,
    payload: { name: 'Renamed', kind: 'NOPE', jurisdiction_region_code: '65.98', reason: 'Pemekaran' },
  });
  t.equal(res.statusCode, 422);
  t.same(res.json().errors.map((e: { pointer: string }) => e.pointer).sort(), ['/jurisdiction_region_code', '/kind']);
  const got = (await app.inject({ url: '/v1/agencies/DINSOS-6571', headers: auth })).json() as Agency;
  t.equal(got.name, 'Dinas Sosial Kota Tarakan', 'the name in the same request did not change either');
  t.equal((await audit('DINSOS-6571')).length, auditBefore, 'a refused change is not audited');
});

t.test('PATCH an unknown agency is a 404', async (t) => {
  const res = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-0000', headers: auth, payload: { name: 'Ghost agency' } });
  t.equal(res.statusCode, 404);
  t.equal(res.json().code, 'AGENCY_NOT_FOUND');
});

t.test('PATCH needs at least one known field; the code is permanent', async (t) => {
  const empty = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6571', headers: auth, payload: {} });
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().code, 'VALIDATION_FAILED');

  const code = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6571', headers: auth, payload: { code: 'DINSOS-9999' } });
  t.equal(code.statusCode, 400);
  t.match(code.json().errors, [{ pointer: '/code', code: 'additionalProperties' }]);

  const consumer = await ctx.login('consumer');
  const forbidden = await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6571', headers: consumer.auth, payload: { name: 'Hijacked' } });
  t.equal(forbidden.statusCode, 403);
  t.equal(((await app.inject({ url: '/v1/agencies/DINSOS-6571', headers: auth })).json() as Agency).name, 'Dinas Sosial Kota Tarakan');
});

t.test('a walidata registers and changes agencies only inside its jurisdiction', async (t) => {
  await create('DISKOMINFO-65', '65', 'DISKOMINFO');
  await create('DISKOMINFO-6571', '65.71', 'DISKOMINFO');
  await create('DINSOS-3374', '33.74');
  const province = await ctx.login('walidata', 'DISKOMINFO-65');
  const city = await ctx.login('walidata', 'DISKOMINFO-6571');
  const admin = await ctx.login('admin');
  const patch = (code: string, payload: Record<string, unknown>, headers: Record<string, string>) =>
    app.inject({ method: 'PATCH', url: `/v1/agencies/${code}`, headers, payload });
  const refused = async (res: Awaited<ReturnType<typeof post>>, code: string, what: string) => {
    t.equal(res.statusCode, 403, what);
    t.equal(res.json().code, code, what);
  };
  const auditCount = async () => ((await app.inject({ url: '/v1/audit-log?entity_type=agency&limit=1000', headers: auth })).json() as { data: unknown[] }).data.length;
  const before = await auditCount();

  await refused(await patch('DISKOMINFO-6571', { jurisdiction_region_code: '65', reason: 'x' }, city.auth), 'OUTSIDE_JURISDICTION', 'a city walidata cannot widen its own agency to the province');
  await refused(await patch('DISKOMINFO-6571', { jurisdiction_region_code: '31', reason: 'x' }, city.auth), 'OUTSIDE_JURISDICTION', 'nor move it to DKI Jakarta');
  await refused(await patch('DISKOMINFO-6571', { jurisdiction_region_code: '65.71.01', reason: 'x' }, city.auth), 'OWN_JURISDICTION_LOCKED', 'nor hand its own authority down without the region above');
  await refused(await patch('DINSOS-3374', { name: 'Diambil alih' }, city.auth), 'OUTSIDE_JURISDICTION', "nor change another city's agency");
  await refused(await patch('DISKOMINFO-65', { name: 'Diambil alih' }, city.auth), 'OUTSIDE_JURISDICTION', "nor the province's agency above it");
  await refused(await post({ code: 'DINSOS-31', name: 'Dinas Sosial DKI', kind: 'DINSOS', jurisdiction_region_code: '31' }, city.auth), 'OUTSIDE_JURISDICTION', 'nor register an agency for another province');
  await refused(await post({ code: 'DINSOS-65', name: 'Dinsos Kaltara', kind: 'DINSOS', jurisdiction_region_code: '65' }, city.auth), 'OUTSIDE_JURISDICTION', 'nor one for its own province');
  await refused(await patch('DISKOMINFO-65', { jurisdiction_region_code: '31', reason: 'x' }, province.auth), 'OUTSIDE_JURISDICTION', 'a province walidata cannot move its own agency out');
  await refused(await patch('DISKOMINFO-65', { jurisdiction_region_code: '65.01', reason: 'x' }, province.auth), 'OWN_JURISDICTION_LOCKED', 'nor down');
  await refused(await patch('DINSOS-6571', { jurisdiction_region_code: '33.73', reason: 'x' }, province.auth), 'OUTSIDE_JURISDICTION', 'nor move an agency of its province outside it');
  t.equal(await auditCount(), before, 'no refusal is audited');
  t.equal(((await app.inject({ url: '/v1/agencies/DISKOMINFO-6571', headers: auth })).json() as Agency).jurisdiction_region_code, '65.71');
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-31', headers: auth })).statusCode, 404, 'nothing was created');

  t.equal((await patch('DISKOMINFO-6571', { name: 'Diskominfo Kota Tarakan' }, city.auth)).statusCode, 200, 'its own agency\'s name is its to change');
  const created = await post({ code: 'DISDIK-6571', name: 'Dinas Pendidikan Kota Tarakan', kind: 'DISDIK', jurisdiction_region_code: '65.71' }, city.auth);
  t.equal(created.statusCode, 201, 'it registers agencies of its own city');
  t.equal((await patch('DISDIK-6571', { jurisdiction_region_code: '65.71.01', reason: 'UPT kecamatan' }, city.auth)).statusCode, 200, 'and moves them inside it');
  t.equal((await patch('DISKOMINFO-6571', { jurisdiction_region_code: '65.03', reason: 'Koreksi' }, province.auth)).statusCode, 200, 'the province moves a city agency inside the province');
  t.equal((await patch('DISKOMINFO-65', { jurisdiction_region_code: '64', reason: 'Koreksi kode' }, admin.auth)).statusCode, 200, 'an admin is national');
});
