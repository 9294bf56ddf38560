import t, { type Test } from 'tap';
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createAgency, createTestApp, TEST_JWT_SECRET } from '../../helpers/test-app.js';
import { createClient } from '../../../src/modules/clients/service.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const db = ctx.database.db;

await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await createClient(db, { system: 'test' }, undefined, { name: 'SIKS Tarakan', role: 'producer', agency: 'DINSOS-6571' });
const consumer = await createClient(db, { system: 'test' }, undefined, { name: 'Dashboard BPS', role: 'consumer' });
const producerId = producer.client.client_id;
const producerSecret = producer.client_secret;

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string; signingInput: string } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`not a JWS compact token: ${token}`);
  const [h, p, s] = parts as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: s,
    signingInput: `${h}.${p}`,
  };
}

function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`, 'utf8').toString('base64')}`;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function postForm(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(fields),
  });
}

function postJson(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/auth/token', headers, payload: body });
}

function assertProblem(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.equal(body.type, `urn:satu-data-exchange:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  t.type(body.title, 'string');
  t.type(body.detail, 'string');
  t.equal(body.instance, '/v1/auth/token');
  t.equal(body.request_id, res.headers['x-request-id']);
  t.notOk('access_token' in body, 'no token in an error');
  return body;
}

async function tokenWorks(token: string): Promise<number> {
  const res = await app.inject({ url: '/v1/indicators?limit=1', headers: { authorization: `Bearer ${token}` } });
  return res.statusCode;
}

t.test('form-encoded body: issues a Bearer token with the client role and agency', async (t) => {
  const res = await postForm({ grant_type: 'client_credentials', client_id: producerId, client_secret: producerSecret });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers['cache-control'], 'no-store');
  t.equal(res.headers['pragma'], 'no-cache');
  const body = res.json();
  t.equal(body.token_type, 'Bearer');
  t.equal(body.expires_in, 900);
  t.equal(body.expires_in, ctx.config.jwt.ttlSeconds);
  t.equal(body.role, 'producer');
  t.equal(body.agency, 'DINSOS-6571');
  t.type(body.access_token, 'string');
  t.same(Object.keys(body).sort(), ['access_token', 'agency', 'expires_in', 'role', 'token_type']);
  t.equal(await tokenWorks(body.access_token), 200, 'the token opens a protected route');
});

t.test('JSON body: issues a token too; a consumer has no agency', async (t) => {
  const res = await postJson({ grant_type: 'client_credentials', client_id: consumer.client.client_id, client_secret: consumer.client_secret });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json();
  t.equal(body.token_type, 'Bearer');
  t.equal(body.expires_in, 900);
  t.equal(body.role, 'consumer');
  t.equal(body.agency, null);
  t.equal(await tokenWorks(body.access_token), 200);
});

t.test('HTTP Basic credentials with only grant_type in the body', async (t) => {
  const res = await postForm({ grant_type: 'client_credentials' }, { authorization: basic(producerId, producerSecret) });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json();
  t.equal(body.token_type, 'Bearer');
  t.equal(body.role, 'producer');
  t.equal(body.agency, 'DINSOS-6571');
  t.equal(await tokenWorks(body.access_token), 200);

  const json = await postJson({ grant_type: 'client_credentials' }, { authorization: basic(producerId, producerSecret) });
  t.equal(json.statusCode, 200, 'Basic works with a JSON body as well');
});

t.test('HTTP Basic with a wrong secret is refused even if the body is empty of credentials', async (t) => {
  const res = await postForm({ grant_type: 'client_credentials' }, { authorization: basic(producerId, `${producerSecret}x`) });
  const body = assertProblem(t, res, 401, 'INVALID_CLIENT');
  t.equal(body.error, 'invalid_client');
});

t.test('the JWT carries HS256, exp − iat = TTL, iss, aud, sub, role and agency', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const res = await postJson({ grant_type: 'client_credentials', client_id: producerId, client_secret: producerSecret });
  const after = Math.ceil(Date.now() / 1000);
  t.equal(res.statusCode, 200);
  const token = res.json().access_token as string;
  const { header, payload, signature, signingInput } = decodeJwt(token);
  t.equal(header.alg, 'HS256');
  t.type(payload.iat, 'number');
  t.type(payload.exp, 'number');
  t.equal((payload.exp as number) - (payload.iat as number), 900, 'exp − iat is the configured TTL');
  t.ok((payload.iat as number) >= before - 1 && (payload.iat as number) <= after, 'iat is now');
  t.equal(payload.iss, 'satu-data-exchange');
  t.equal(payload.aud, 'satu-data-exchange-api');
  t.equal(payload.sub, producerId);
  t.equal(payload.role, 'producer');
  t.equal(payload.agency, 'DINSOS-6571');
  t.type(payload.jti, 'string');
  t.notOk(JSON.stringify(payload).includes(producerSecret), 'the secret is not in the token');
  const expected = createHmac('sha256', TEST_JWT_SECRET).update(signingInput).digest('base64url');
  t.equal(signature, expected, 'signed with the configured JWT secret');

  const again = await postJson({ grant_type: 'client_credentials', client_id: producerId, client_secret: producerSecret });
  t.not(decodeJwt(again.json().access_token as string).payload.jti, payload.jti, 'every token has its own jti');
});

t.test('a consumer token has no agency claim', async (t) => {
  const res = await postJson({ grant_type: 'client_credentials', client_id: consumer.client.client_id, client_secret: consumer.client_secret });
  const { payload } = decodeJwt(res.json().access_token as string);
  t.equal(payload.role, 'consumer');
  t.notOk('agency' in payload);
  t.equal(payload.sub, consumer.client.client_id);
});

t.test('wrong secret → 401 INVALID_CLIENT with OAuth2 error invalid_client', async (t) => {
  const res = await postJson({ grant_type: 'client_credentials', client_id: producerId, client_secret: 'definitely-not-the-secret' });
  const body = assertProblem(t, res, 401, 'INVALID_CLIENT');
  t.equal(body.error, 'invalid_client');
  t.equal(body.title, 'Kredensial klien salah', 'Indonesian by default');
  t.equal(res.headers['content-language'], 'id');
});

t.test('unknown client id → 401 with a body identical to the wrong-secret one', async (t) => {
  const wrong = await postJson({ grant_type: 'client_credentials', client_id: producerId, client_secret: 'definitely-not-the-secret' });
  const unknown = await postJson({ grant_type: 'client_credentials', client_id: 'sde-producer-0000000000000000', client_secret: 'definitely-not-the-secret' });
  const unknownBody = assertProblem(t, unknown, 401, 'INVALID_CLIENT');
  const wrongBody = wrong.json() as Record<string, unknown>;
  t.same(Object.keys(unknownBody).sort(), Object.keys(wrongBody).sort(), 'same keys');
  const strip = (b: Record<string, unknown>) => {
    const { request_id: _r, instance: _i, ...rest } = b;
    return rest;
  };
  t.same(strip(unknownBody), strip(wrongBody), 'same code, title, detail, error, type and status');
  t.equal(unknown.headers['content-type'], wrong.headers['content-type']);

  const basicUnknown = await postForm({ grant_type: 'client_credentials' }, { authorization: basic('no-such-client', 'whatever-secret') });
  t.same(strip(basicUnknown.json() as Record<string, unknown>), strip(wrongBody), 'same through HTTP Basic');
});

t.test('a disabled client cannot get a token even with its right secret', async (t) => {
  const victim = await createClient(db, { system: 'test' }, undefined, { name: 'to be disabled', role: 'consumer' });
  const ok = await postJson({ grant_type: 'client_credentials', client_id: victim.client.client_id, client_secret: victim.client_secret });
  t.equal(ok.statusCode, 200, 'works before disabling');

  const admin = await ctx.login('admin');
  const dis = await app.inject({ method: 'POST', url: `/v1/clients/${victim.client.client_id}/disable`, headers: admin.auth });
  t.equal(dis.statusCode, 200, 'disable answers 200');

  const res = await postJson({ grant_type: 'client_credentials', client_id: victim.client.client_id, client_secret: victim.client_secret });
  const body = assertProblem(t, res, 401, 'INVALID_CLIENT');
  t.equal(body.error, 'invalid_client');
  const wrong = (await postJson({ grant_type: 'client_credentials', client_id: producerId, client_secret: 'nope-nope-nope' })).json() as Record<string, unknown>;
  t.equal(body.detail, wrong.detail, 'indistinguishable from a wrong secret');
});

t.test('grant_type other than client_credentials → 400 UNSUPPORTED_GRANT_TYPE', async (t) => {
  for (const grant of ['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS']) {
    const res = await postForm({ grant_type: grant, client_id: producerId, client_secret: producerSecret });
    const body = assertProblem(t, res, 400, 'UNSUPPORTED_GRANT_TYPE');
    t.equal(body.error, 'unsupported_grant_type', grant);
  }
});

t.test('missing grant_type → 400 VALIDATION_FAILED naming the field', async (t) => {
  const res = await postJson({ client_id: producerId, client_secret: producerSecret });
  const body = assertProblem(t, res, 400, 'VALIDATION_FAILED');
  const errors = body.errors as { pointer: string }[];
  t.ok(errors.some((e) => e.pointer === '/grant_type'), JSON.stringify(errors));
});

t.test('missing credentials → 401 INVALID_CLIENT', async (t) => {
  const cases: [string, Record<string, string>][] = [
    ['no credentials at all', { grant_type: 'client_credentials' }],
    ['no secret', { grant_type: 'client_credentials', client_id: producerId }],
    ['no client id', { grant_type: 'client_credentials', client_secret: producerSecret }],
  ];
  for (const [name, fields] of cases) {
    const res = await postForm(fields);
    t.equal(res.statusCode, 401, name);
    const body = res.json() as Record<string, unknown>;
    t.equal(body.code, 'INVALID_CLIENT', name);
    t.equal(body.error, 'invalid_client', name);
  }
  const noColon = await postForm({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(producerId).toString('base64')}` });
  t.equal(noColon.statusCode, 401, 'Basic without a colon carries no credentials');
  t.equal(noColon.json().code, 'INVALID_CLIENT');
});

t.test('a Basic header with broken percent-encoding is a 401, not a server error', async (t) => {
  const header = `Basic ${Buffer.from(`${producerId}:%E0%A4%A`, 'utf8').toString('base64')}`;
  const res = await postForm({ grant_type: 'client_credentials' }, { authorization: header });
  const body = assertProblem(t, res, 401, 'INVALID_CLIENT');
  t.equal(body.error, 'invalid_client');
});

t.test('errors are in English with Accept-Language: en', async (t) => {
  const res = await postJson(
    { grant_type: 'client_credentials', client_id: producerId, client_secret: 'wrong-wrong-wrong' },
    { 'accept-language': 'en' },
  );
  const body = assertProblem(t, res, 401, 'INVALID_CLIENT');
  t.equal(body.title, 'Invalid client credentials');
  t.equal(body.detail, 'client_id or client_secret is wrong, or the client is disabled.');
  t.equal(res.headers['content-language'], 'en');
});

t.test('issuing a token is audited as client.token-issued and sets last_token_at', async (t) => {
  const fresh = await createClient(db, { system: 'test' }, undefined, { name: 'audit me', role: 'producer', agency: 'DINSOS-6571' });
  const id = fresh.client.client_id;
  const before = await db.selectFrom('audit_log').selectAll().where('action', '=', 'client.token-issued').where('entity_id', '=', id).execute();
  t.equal(before.length, 0);

  const res = await postJson(
    { grant_type: 'client_credentials', client_id: id, client_secret: fresh.client_secret },
    { 'x-request-id': 'token-audit-req-1' },
  );
  t.equal(res.statusCode, 200);
  const rows = await db.selectFrom('audit_log').selectAll().where('action', '=', 'client.token-issued').where('entity_id', '=', id).execute();
  t.equal(rows.length, 1);
  const row = rows[0]!;
  t.equal(row.entity_type, 'client');
  t.equal(row.actor_id, id);
  t.equal(row.actor_role, 'producer');
  t.equal(row.request_id, 'token-audit-req-1');
  t.notOk(JSON.stringify(row).includes(fresh.client_secret), 'the secret is not recorded');
  t.notOk(JSON.stringify(row).includes(res.json().access_token as string), 'the token is not recorded');

  const stored = await db.selectFrom('clients').select('last_token_at').where('id', '=', id).executeTakeFirstOrThrow();
  t.ok(stored.last_token_at instanceof Date, 'last_token_at is set');

  const failed = await postJson({ grant_type: 'client_credentials', client_id: id, client_secret: 'wrong-wrong-wrong' });
  t.equal(failed.statusCode, 401);
  const after = await db.selectFrom('audit_log').selectAll().where('action', '=', 'client.token-issued').where('entity_id', '=', id).execute();
  t.equal(after.length, 1, 'a refused request issues no token and records no issuance');
});
