import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const db = ctx.database.db;

await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINSOS-6501', '65.01');
const admin = await ctx.login('admin');

/** Every secret this file has seen, to prove none of them is ever stored or shown again. */
const secretsSeen: string[] = [admin.secret];

interface ClientBody {
  client_id: string;
  name: string;
  role: string;
  agency: string | null;
  status: string;
  created_at: string;
  disabled_at: string | null;
  last_token_at: string | null;
  secret_rotated_at: string;
}

const CLIENT_KEYS = ['agency', 'client_id', 'created_at', 'disabled_at', 'last_token_at', 'name', 'role', 'secret_rotated_at', 'status'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function create(payload: Record<string, unknown>, headers: Record<string, string> = admin.auth) {
  const res = await app.inject({ method: 'POST', url: '/v1/clients', headers, payload });
  if (res.statusCode === 201) secretsSeen.push(res.json().client_secret as string);
  return res;
}

function issueToken(clientId: string, secret: string) {
  return app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } });
}

function problem(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `${status} ${code}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json() as { code: string; detail: string; errors?: { location: string; pointer: string; code: string; detail: string }[] };
  t.equal(body.code, code);
  return body;
}

function auditRows(entityId: string) {
  return db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'client').where('entity_id', '=', entityId).orderBy('id').execute();
}

t.test('create a consumer: 201, Location, secret shown once and it works', async (t) => {
  const res = await create({ name: 'Dasbor Bappeda Kaltara', role: 'consumer' });
  t.equal(res.statusCode, 201, 'created');
  const body = res.json() as { client: ClientBody; client_secret: string };
  t.same(Object.keys(body).sort(), ['client', 'client_secret']);
  t.same(Object.keys(body.client).sort(), CLIENT_KEYS);
  t.match(body.client.client_id, /^sde-consumer-[0-9a-f]{16}$/);
  t.equal(body.client.name, 'Dasbor Bappeda Kaltara');
  t.equal(body.client.role, 'consumer');
  t.equal(body.client.agency, null);
  t.equal(body.client.status, 'active');
  t.equal(body.client.disabled_at, null);
  t.equal(body.client.last_token_at, null);
  t.match(body.client.created_at, ISO);
  t.match(body.client.secret_rotated_at, ISO);
  t.ok(body.client_secret.length >= 40, 'a long secret');
  t.equal(res.headers['location'], `/v1/clients/${body.client.client_id}`);
  t.equal(res.headers['cache-control'], 'no-store', 'the secret must not be cached');

  const tok = await issueToken(body.client.client_id, body.client_secret);
  t.equal(tok.statusCode, 200, 'the secret gets a token');
  t.equal(tok.json().role, 'consumer');
  const use = await app.inject({ url: '/v1/indicators?limit=1', headers: { authorization: `Bearer ${tok.json().access_token as string}` } });
  t.equal(use.statusCode, 200);

  const fetched = await app.inject({ url: res.headers['location'] as string, headers: admin.auth });
  t.equal(fetched.statusCode, 200, 'the Location resolves');
  t.equal(fetched.json().client_id, body.client.client_id);
  t.notOk(fetched.body.includes(body.client_secret), 'GET does not show the secret again');
  t.notOk('client_secret' in fetched.json());
  t.not(fetched.json().last_token_at, null, 'last_token_at is set after a token was issued');
});

t.test('two clients never share a secret or an id', async (t) => {
  const a = (await create({ name: 'Klien A', role: 'consumer' })).json();
  const b = (await create({ name: 'Klien B', role: 'consumer' })).json();
  t.not(a.client.client_id, b.client.client_id);
  t.not(a.client_secret, b.client_secret);
  const cross = await issueToken(a.client.client_id as string, b.client_secret as string);
  t.equal(cross.statusCode, 401, "one client's secret does not open another");
});

t.test('create a producer bound to an agency', async (t) => {
  const res = await create({ name: 'SIKS Dinsos Tarakan', role: 'producer', agency: 'DINSOS-6571' });
  t.equal(res.statusCode, 201, 'created');
  const body = res.json();
  t.match(body.client.client_id, /^sde-producer-[0-9a-f]{16}$/);
  t.equal(body.client.agency, 'DINSOS-6571');
  const tok = await issueToken(body.client.client_id as string, body.client_secret as string);
  t.equal(tok.json().agency, 'DINSOS-6571', 'the token is for that agency');
});

t.test('a walidata may have an agency or none', async (t) => {
  const withAgency = await create({ name: 'Walidata Kaltara', role: 'walidata', agency: 'DINSOS-6501' });
  t.equal(withAgency.statusCode, 201);
  t.equal(withAgency.json().client.agency, 'DINSOS-6501');
  const without = await create({ name: 'Walidata Pusat', role: 'walidata' });
  t.equal(without.statusCode, 201);
  t.equal(without.json().client.agency, null);
});

t.test('a producer without an agency → 422 REFERENCE_INVALID on /agency', async (t) => {
  const before = await db.selectFrom('clients').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const body = problem(t, await create({ name: 'Produsen tanpa instansi', role: 'producer' }), 422, 'REFERENCE_INVALID');
  t.equal(body.errors?.length, 1);
  t.equal(body.errors?.[0]?.pointer, '/agency');
  t.equal(body.errors?.[0]?.location, 'body');
  t.equal(body.errors?.[0]?.code, 'inconsistent');
  t.match(body.errors?.[0]?.detail, /instansi/);
  const after = await db.selectFrom('clients').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  t.equal(Number(after.n), Number(before.n), 'nothing was created');
});

t.test('an unknown agency → 422 REFERENCE_INVALID naming it', async (t) => {
  for (const role of ['producer', 'consumer']) {
    const body = problem(t, await create({ name: 'Instansi fiktif', role, agency: 'DINSOS-9999' }), 422, 'REFERENCE_INVALID');
    t.equal(body.errors?.[0]?.pointer, '/agency', role);
    t.equal(body.errors?.[0]?.code, 'unknown-code', role);
    t.match(body.errors?.[0]?.detail, /DINSOS-9999/, role);
  }
  const listed = await app.inject({ url: '/v1/clients?agency=DINSOS-9999', headers: admin.auth });
  t.same(listed.json().data, [], 'nothing was created');
});

t.test('invalid input → 400 VALIDATION_FAILED', async (t) => {
  const role = problem(t, await create({ name: 'Peran palsu', role: 'superuser' }), 400, 'VALIDATION_FAILED');
  t.ok(role.errors?.some((e) => e.pointer === '/role'), JSON.stringify(role.errors));

  const missingRole = problem(t, await create({ name: 'Tanpa peran' }), 400, 'VALIDATION_FAILED');
  t.ok(missingRole.errors?.some((e) => e.pointer === '/role' || e.pointer === ''), JSON.stringify(missingRole.errors));

  const shortName = problem(t, await create({ name: 'ab', role: 'consumer' }), 400, 'VALIDATION_FAILED');
  t.ok(shortName.errors?.some((e) => e.pointer === '/name'), JSON.stringify(shortName.errors));

  // A caller must not be able to choose its own id or secret.
  problem(t, await create({ name: 'Pilih rahasia sendiri', role: 'consumer', client_secret: 'my-own-chosen-secret-0123456789' }), 400, 'VALIDATION_FAILED');
  problem(t, await create({ name: 'Pilih id sendiri', role: 'consumer', client_id: 'my-chosen-id' }), 400, 'VALIDATION_FAILED');

  const badAgency = problem(t, await create({ name: 'Kode instansi salah', role: 'producer', agency: 'dinsos tarakan' }), 400, 'VALIDATION_FAILED');
  t.ok(badAgency.errors?.some((e) => e.pointer === '/agency'), JSON.stringify(badAgency.errors));
});

t.test('list: all clients ordered by id, never with secrets', async (t) => {
  const res = await app.inject({ url: '/v1/clients', headers: admin.auth });
  t.equal(res.statusCode, 200);
  const body = res.json() as { data: ClientBody[]; page: { next_cursor: string | null; limit: number } };
  t.equal(body.page.next_cursor, null);
  t.equal(body.page.limit, 100);
  const ids = body.data.map((c) => c.client_id);
  t.same(ids, [...ids].sort(), 'ordered by id');
  t.ok(ids.includes(admin.clientId));
  const stored = await db.selectFrom('clients').select('id').execute();
  t.equal(ids.length, stored.length, 'every client is listed');
  for (const c of body.data) t.same(Object.keys(c).sort(), CLIENT_KEYS);
  for (const secret of secretsSeen) t.notOk(res.body.includes(secret), 'no secret in the list');
  t.notMatch(res.body, /secret_hash|scrypt\$/, 'no hash in the list');
});

t.test('list filters by role and by agency', async (t) => {
  const producers = await app.inject({ url: '/v1/clients?role=producer', headers: admin.auth });
  t.equal(producers.statusCode, 200);
  const p = producers.json().data as ClientBody[];
  t.ok(p.length >= 1);
  t.ok(p.every((c) => c.role === 'producer'), 'only producers');

  const admins = (await app.inject({ url: '/v1/clients?role=admin', headers: admin.auth })).json().data as ClientBody[];
  t.ok(admins.every((c) => c.role === 'admin'));
  t.ok(admins.some((c) => c.client_id === admin.clientId));

  const ofTarakan = (await app.inject({ url: '/v1/clients?agency=DINSOS-6571', headers: admin.auth })).json().data as ClientBody[];
  t.ok(ofTarakan.length >= 1);
  t.ok(ofTarakan.every((c) => c.agency === 'DINSOS-6571'), 'only that agency');

  const both = (await app.inject({ url: '/v1/clients?agency=DINSOS-6501&role=walidata', headers: admin.auth })).json().data as ClientBody[];
  t.same(both.map((c) => [c.role, c.agency, c.name]), [['walidata', 'DINSOS-6501', 'Walidata Kaltara']]);

  const none = (await app.inject({ url: '/v1/clients?agency=DINSOS-6501&role=producer', headers: admin.auth })).json().data;
  t.same(none, []);

  problem(t, await app.inject({ url: '/v1/clients?role=root', headers: admin.auth }), 400, 'VALIDATION_FAILED');
});

t.test('list paginates with limit=1 and the cursor, without gaps or repeats', async (t) => {
  const all = ((await app.inject({ url: '/v1/clients', headers: admin.auth })).json().data as ClientBody[]).map((c) => c.client_id);
  t.ok(all.length >= 3, 'enough clients to page through');
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/clients?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ url, headers: admin.auth });
    t.equal(res.statusCode, 200);
    const body = res.json() as { data: ClientBody[]; page: { next_cursor: string | null; limit: number } };
    t.equal(body.data.length, 1);
    t.equal(body.page.limit, 1);
    seen.push(body.data[0]!.client_id);
    cursor = body.page.next_cursor;
    pages += 1;
  } while (cursor && pages < all.length + 2);
  t.same(seen, all, 'the pages together are the full list, in order');
  t.equal(cursor, null, 'the last page has no next cursor');

  const producersPage = await app.inject({ url: '/v1/clients?role=consumer&limit=1', headers: admin.auth });
  const first = producersPage.json() as { data: ClientBody[]; page: { next_cursor: string | null } };
  t.not(first.page.next_cursor, null, 'several consumers → a next page');
  const second = await app.inject({ url: `/v1/clients?role=consumer&limit=1&cursor=${first.page.next_cursor!}`, headers: admin.auth });
  const secondBody = second.json() as { data: ClientBody[] };
  t.equal(secondBody.data[0]?.role, 'consumer', 'the filter holds on later pages');
  t.ok(secondBody.data[0]!.client_id > first.data[0]!.client_id);
});

t.test('an invalid cursor → 400 INVALID_CURSOR', async (t) => {
  for (const cursor of ['not-a-cursor', Buffer.from('{"x":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
    problem(t, await app.inject({ url: `/v1/clients?cursor=${cursor}`, headers: admin.auth }), 400, 'INVALID_CURSOR');
  }
  problem(t, await app.inject({ url: '/v1/clients?limit=0', headers: admin.auth }), 400, 'VALIDATION_FAILED');
});

t.test('get one client; unknown id → 404 CLIENT_NOT_FOUND', async (t) => {
  const created = (await create({ name: 'Klien untuk dibaca', role: 'consumer' })).json();
  const id = created.client.client_id as string;
  const res = await app.inject({ url: `/v1/clients/${id}`, headers: admin.auth });
  t.equal(res.statusCode, 200);
  t.same(res.json(), created.client, 'same as returned at creation');
  t.notOk(res.body.includes(created.client_secret as string));

  const missing = await app.inject({ url: '/v1/clients/sde-consumer-0000000000000000', headers: admin.auth });
  const body = problem(t, missing, 404, 'CLIENT_NOT_FOUND');
  t.equal(body.detail, 'Klien "sde-consumer-0000000000000000" tidak terdaftar.');
  const en = await app.inject({ url: '/v1/clients/sde-consumer-0000000000000000', headers: { ...admin.auth, 'accept-language': 'en' } });
  t.equal(en.json().detail, 'Client "sde-consumer-0000000000000000" is not registered.');

  problem(t, await app.inject({ url: '/v1/clients/a', headers: admin.auth }), 400, 'VALIDATION_FAILED');
});

t.test('disable: 200 disabled; a second time → 409 CLIENT_ALREADY_DISABLED; unknown → 404', async (t) => {
  const created = (await create({ name: 'Klien untuk dinonaktifkan', role: 'consumer' })).json();
  const id = created.client.client_id as string;
  const res = await app.inject({ method: 'POST', url: `/v1/clients/${id}/disable`, headers: admin.auth });
  t.equal(res.statusCode, 200);
  const body = res.json() as ClientBody;
  t.equal(body.client_id, id);
  t.equal(body.status, 'disabled');
  t.match(body.disabled_at, ISO);
  t.notOk(res.body.includes(created.client_secret as string));

  const fetched = (await app.inject({ url: `/v1/clients/${id}`, headers: admin.auth })).json() as ClientBody;
  t.equal(fetched.status, 'disabled', 'it stays disabled');
  t.equal(fetched.disabled_at, body.disabled_at);

  const tok = await issueToken(id, created.client_secret as string);
  t.equal(tok.statusCode, 401, 'a disabled client cannot get a token');

  const again = problem(t, await app.inject({ method: 'POST', url: `/v1/clients/${id}/disable`, headers: admin.auth }), 409, 'CLIENT_ALREADY_DISABLED');
  t.match(again.detail, id);

  problem(t, await app.inject({ method: 'POST', url: '/v1/clients/sde-consumer-0000000000000000/disable', headers: admin.auth }), 404, 'CLIENT_NOT_FOUND');

  const rows = await auditRows(id);
  const disabled = rows.filter((r) => r.action === 'client.disabled');
  t.equal(disabled.length, 1, 'one audit row: the refused second attempt is not recorded');
  t.equal(disabled[0]?.actor_id, admin.clientId);
  t.equal(disabled[0]?.actor_role, 'admin');
  t.equal((disabled[0]?.before as Record<string, unknown> | null)?.status, 'active');
  t.equal((disabled[0]?.after as Record<string, unknown> | null)?.status, 'disabled');
  t.equal(disabled[0]?.request_id, res.headers['x-request-id']);
});

t.test('rotate-secret: 200 with a new secret; the new one works, the old one does not', async (t) => {
  const created = (await create({ name: 'Klien untuk rotasi', role: 'producer', agency: 'DINSOS-6571' })).json();
  const id = created.client.client_id as string;
  const oldSecret = created.client_secret as string;
  t.equal((await issueToken(id, oldSecret)).statusCode, 200, 'old secret works before');

  const res = await app.inject({ method: 'POST', url: `/v1/clients/${id}/rotate-secret`, headers: admin.auth });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json() as { client: ClientBody; client_secret: string };
  secretsSeen.push(body.client_secret);
  t.same(Object.keys(body).sort(), ['client', 'client_secret']);
  t.equal(body.client.client_id, id);
  t.equal(body.client.status, 'active');
  t.equal(body.client.agency, 'DINSOS-6571');
  t.not(body.client_secret, oldSecret);
  t.ok(body.client_secret.length >= 40);
  t.ok(Date.parse(body.client.secret_rotated_at) > Date.parse(created.client.secret_rotated_at as string), 'secret_rotated_at moves forward');

  const fresh = await issueToken(id, body.client_secret);
  t.equal(fresh.statusCode, 200, 'new secret works');
  t.equal(fresh.json().agency, 'DINSOS-6571');
  const old = await issueToken(id, oldSecret);
  t.equal(old.statusCode, 401, 'old secret does not');
  t.equal(old.json().code, 'INVALID_CLIENT');

  const fetched = await app.inject({ url: `/v1/clients/${id}`, headers: admin.auth });
  t.notOk(fetched.body.includes(body.client_secret), 'the new secret is not shown by GET');
  t.equal(fetched.json().secret_rotated_at, body.client.secret_rotated_at);

  problem(t, await app.inject({ method: 'POST', url: '/v1/clients/sde-consumer-0000000000000000/rotate-secret', headers: admin.auth }), 404, 'CLIENT_NOT_FOUND');
});

t.test('each write is audited with the admin as actor', async (t) => {
  const res = await create({ name: 'Klien untuk audit', role: 'walidata', agency: 'DINSOS-6571' }, { ...admin.auth, 'x-request-id': 'audit-create-1' });
  const id = res.json().client.client_id as string;
  const rot = await app.inject({ method: 'POST', url: `/v1/clients/${id}/rotate-secret`, headers: { ...admin.auth, 'x-request-id': 'audit-rotate-1' } });
  secretsSeen.push(rot.json().client_secret as string);
  const dis = await app.inject({ method: 'POST', url: `/v1/clients/${id}/disable`, headers: { ...admin.auth, 'x-request-id': 'audit-disable-1' } });
  t.equal(dis.statusCode, 200);

  const rows = await auditRows(id);
  t.same(rows.map((r) => r.action), ['client.created', 'client.secret-rotated', 'client.disabled']);
  for (const row of rows) {
    t.equal(row.actor_id, admin.clientId, `${row.action}: actor is the admin`);
    t.equal(row.actor_role, 'admin');
    t.equal(row.entity_type, 'client');
    t.equal(row.entity_id, id);
  }
  t.same(rows.map((r) => r.request_id), ['audit-create-1', 'audit-rotate-1', 'audit-disable-1']);
  const createdAfter = rows[0]?.after as Record<string, unknown> | null;
  t.equal(createdAfter?.client_id, id, 'the created row records the new client');
  t.equal(createdAfter?.role, 'walidata');
  t.equal(createdAfter?.agency, 'DINSOS-6571');

  const viaApi = await app.inject({ url: `/v1/audit-log?entity_type=client&entity_id=${id}`, headers: admin.auth });
  t.equal(viaApi.statusCode, 200);
  t.same((viaApi.json().data as { action: string }[]).map((e) => e.action), ['client.disabled', 'client.secret-rotated', 'client.created'], 'readable through /v1/audit-log, newest first');
});

t.test('no secret and no secret hash ever reaches the audit log', async (t) => {
  t.ok(secretsSeen.length >= 10, `${secretsSeen.length} secrets were issued in this file`);
  const rows = await db.selectFrom('audit_log').selectAll().execute();
  t.ok(rows.length > 0);
  const json = JSON.stringify(rows);
  for (const secret of secretsSeen) t.notOk(json.includes(secret), 'secret not in audit_log');
  t.notMatch(json, /scrypt\$|secret_hash|client_secret/, 'no hash or secret field in audit_log');

  const api = await app.inject({ url: '/v1/audit-log?limit=1000', headers: admin.auth });
  t.equal(api.statusCode, 200);
  for (const secret of secretsSeen) t.notOk(api.body.includes(secret), 'secret not in /v1/audit-log');
});

t.test('secrets are stored only as hashes', async (t) => {
  const rows = await db.selectFrom('clients').select(['id', 'secret_hash']).execute();
  for (const row of rows) t.match(row.secret_hash, /^scrypt\$/, `${row.id} is hashed`);
  const json = JSON.stringify(rows);
  for (const secret of secretsSeen) t.notOk(json.includes(secret), 'no plain secret in clients');
});

t.test('only admins may use the client API', async (t) => {
  const consumer = await ctx.login('consumer');
  for (const [method, url] of [
    ['GET', '/v1/clients'],
    ['GET', `/v1/clients/${admin.clientId}`],
    ['POST', `/v1/clients/${admin.clientId}/disable`],
    ['POST', `/v1/clients/${admin.clientId}/rotate-secret`],
  ] as const) {
    problem(t, await app.inject({ method, url, headers: consumer.auth }), 403, 'FORBIDDEN');
  }
  problem(t, await create({ name: 'Naik pangkat', role: 'admin' }, consumer.auth), 403, 'FORBIDDEN');
  const me = (await app.inject({ url: `/v1/clients/${admin.clientId}`, headers: admin.auth })).json() as ClientBody;
  t.equal(me.status, 'active', 'the admin was not disabled');
  t.equal((await issueToken(admin.clientId, admin.secret)).statusCode, 200, 'nor its secret rotated');
  problem(t, await app.inject({ url: '/v1/clients' }), 401, 'UNAUTHENTICATED');
});

// Last: this leaves the first admin disabled.
t.test('the last active admin cannot be disabled → 409 LAST_ACTIVE_ADMIN', async (t) => {
  const admins = ((await app.inject({ url: '/v1/clients?role=admin', headers: admin.auth })).json().data as ClientBody[]).filter((c) => c.status === 'active');
  t.same(admins.map((c) => c.client_id), [admin.clientId], 'one active admin to start with');

  const self = problem(t, await app.inject({ method: 'POST', url: `/v1/clients/${admin.clientId}/disable`, headers: admin.auth }), 409, 'LAST_ACTIVE_ADMIN');
  t.match(self.detail, admin.clientId);
  t.equal((await app.inject({ url: '/v1/clients?limit=1', headers: admin.auth })).statusCode, 200, 'the admin still works');

  const second = (await create({ name: 'Admin kedua', role: 'admin' })).json();
  const secondId = second.client.client_id as string;
  const secondTok = await issueToken(secondId, second.client_secret as string);
  const secondAuth = { authorization: `Bearer ${secondTok.json().access_token as string}` };

  const dis = await app.inject({ method: 'POST', url: `/v1/clients/${admin.clientId}/disable`, headers: secondAuth });
  t.equal(dis.statusCode, 200, 'with two active admins one may go');
  t.equal(dis.json().status, 'disabled');

  problem(t, await app.inject({ method: 'POST', url: `/v1/clients/${secondId}/disable`, headers: secondAuth }), 409, 'LAST_ACTIVE_ADMIN');
  const stillThere = (await app.inject({ url: `/v1/clients/${secondId}`, headers: secondAuth })).json() as ClientBody;
  t.equal(stillThere.status, 'active');

  const en = await app.inject({ method: 'POST', url: `/v1/clients/${secondId}/disable`, headers: { ...secondAuth, 'accept-language': 'en' } });
  t.equal(en.json().detail, `Client "${secondId}" is the last active admin; create another admin before disabling it.`);

  const oldAdmin = await app.inject({ url: '/v1/clients', headers: admin.auth });
  t.equal(oldAdmin.statusCode, 401, "the disabled admin's token no longer works");
  t.equal(oldAdmin.json().code, 'TOKEN_REVOKED');
});
