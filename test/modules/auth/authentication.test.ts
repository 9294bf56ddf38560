import t, { type Test } from 'tap';
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createAgency, createTestApp, TEST_JWT_SECRET } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;

const ISSUER = 'satu-data-exchange';
const AUDIENCE = 'satu-data-exchange-api';
const PROBLEM_KEYS = ['code', 'detail', 'instance', 'request_id', 'status', 'title', 'type'];

await createAgency(ctx, 'DINSOS-6571', '65.71');
const admin = await ctx.login('admin');
const walidata = await ctx.login('walidata');
const producer = await ctx.login('producer', 'DINSOS-6571');
const consumer = await ctx.login('consumer');

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A compact JWS built by hand, so every claim and the header can be got wrong on purpose. */
function handToken(
  payload: Record<string, unknown>,
  { secret = TEST_JWT_SECRET, header = { alg: 'HS256', typ: 'JWT' } as Record<string, unknown>, hash = 'sha256' } = {},
): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function goodClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { role: 'consumer', sub: consumer.clientId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...overrides };
}

function withoutClaim(name: string): Record<string, unknown> {
  const { [name]: _dropped, ...rest } = goodClaims();
  return rest;
}

function getIndicators(headers: Record<string, string> = {}) {
  return app.inject({ url: '/v1/indicators?limit=1', headers });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Every error body is RFC 9457 problem+json with exactly our members and nothing internal. */
function assertProblem(t: Test, res: LightMyRequestResponse, status: number, code: string, instance = '/v1/indicators?limit=1') {
  t.equal(res.statusCode, status, `status ${status} (${code})`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  t.same(Object.keys(body).sort(), PROBLEM_KEYS, 'exactly the problem members');
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.equal(body.type, `urn:satu-data-exchange:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  t.type(body.title, 'string');
  t.ok((body.title as string).length > 0);
  t.type(body.detail, 'string');
  t.ok((body.detail as string).length > 0);
  t.equal(body.instance, instance);
  t.equal(body.request_id, res.headers['x-request-id']);
  t.notMatch(res.body, /stack|node_modules|\bat \w+ \(|select |from "?clients|FAST_JWT|FST_JWT|Error:/i, 'no stack, SQL or library error leaks');
  return body;
}

t.test('control: the real token and a correctly hand-built token both work', async (t) => {
  t.equal((await getIndicators(consumer.auth)).statusCode, 200);
  const res = await getIndicators(bearer(handToken(goodClaims())));
  t.equal(res.statusCode, 200, `hand-built tokens are valid unless spoiled: ${res.body}`);
});

t.test('no Authorization header → 401 UNAUTHENTICATED', async (t) => {
  const res = await getIndicators();
  const body = assertProblem(t, res, 401, 'UNAUTHENTICATED');
  t.equal(body.title, 'Autentikasi diperlukan');
  t.match(body.detail, /Authorization: Bearer/);
  t.equal(res.headers['content-language'], 'id');
});

t.test('Bearer garbage → 401 TOKEN_INVALID', async (t) => {
  for (const garbage of ['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.']) {
    assertProblem(t, await getIndicators(bearer(garbage)), 401, 'TOKEN_INVALID');
  }
});

t.test('expired token → 401 TOKEN_EXPIRED', async (t) => {
  const token = handToken(goodClaims({ iat: now() - 3600, exp: now() - 600 }));
  const body = assertProblem(t, await getIndicators(bearer(token)), 401, 'TOKEN_EXPIRED');
  t.equal(body.title, 'Token kedaluwarsa');
});

t.test('expired token signed by the app itself → 401 TOKEN_EXPIRED', async (t) => {
  // Signed by the app's own signer (so every other claim is right) as if an hour ago: exp = iat + TTL is long past.
  const token = await app.jwt.sign({ role: 'consumer' }, { sub: consumer.clientId, clockTimestamp: Date.now() - 3_600_000 });
  const { iat, exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number };
  t.equal(exp - iat, ctx.config.jwt.ttlSeconds);
  t.ok(exp < now() - 60, 'really expired');
  assertProblem(t, await getIndicators(bearer(token)), 401, 'TOKEN_EXPIRED');
  const fresh = await app.jwt.sign({ role: 'consumer' }, { sub: consumer.clientId });
  t.equal((await getIndicators(bearer(fresh))).statusCode, 200, 'the same signer without back-dating gives a working token');
});

t.test('alg none is refused → 401 TOKEN_INVALID', async (t) => {
  const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.`;
  assertProblem(t, await getIndicators(bearer(unsigned)), 401, 'TOKEN_INVALID');
  const noneWithSig = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(goodClaims())}.${'A'.repeat(43)}`;
  assertProblem(t, await getIndicators(bearer(noneWithSig)), 401, 'TOKEN_INVALID');
});

t.test('another algorithm than HS256, even with the right key → 401 TOKEN_INVALID', async (t) => {
  const hs512 = handToken(goodClaims(), { header: { alg: 'HS512', typ: 'JWT' }, hash: 'sha512' });
  assertProblem(t, await getIndicators(bearer(hs512)), 401, 'TOKEN_INVALID');
});

t.test('wrong issuer, wrong audience, missing claims, other key → 401 TOKEN_INVALID', async (t) => {
  const cases: [string, string][] = [
    ['wrong issuer', handToken(goodClaims({ iss: 'someone-else' }))],
    ['wrong audience', handToken(goodClaims({ aud: 'another-api' }))],
    ['missing issuer', handToken(withoutClaim('iss'))],
    ['missing audience', handToken(withoutClaim('aud'))],
    ['missing sub', handToken(withoutClaim('sub'))],
    ['missing exp', handToken(withoutClaim('exp'))],
    ['missing iat', handToken(withoutClaim('iat'))],
    ['signed with another key', handToken(goodClaims(), { secret: 'another-secret-that-is-also-long-enough-0123456789' })],
    ['not yet valid (nbf in an hour)', handToken(goodClaims({ nbf: now() + 3600 }))],
  ];
  for (const [name, token] of cases) {
    t.test(name, async (t) => {
      assertProblem(t, await getIndicators(bearer(token)), 401, 'TOKEN_INVALID');
    });
  }
});

t.test('a well-signed token dated in the future, or living longer than TOKEN_TTL_SECONDS → 401 TOKEN_INVALID', async (t) => {
  const ttl = ctx.config.jwt.ttlSeconds;
  const toleranceS = ctx.config.jwt.clockToleranceMs / 1000;
  const refused: [string, Record<string, unknown>][] = [
    ['iat an hour ahead', goodClaims({ iat: now() + 3600, exp: now() + 3600 + 600 })],
    ['iat a minute beyond the clock tolerance', goodClaims({ iat: now() + toleranceS + 60, exp: now() + toleranceS + 660 })],
    ['exp ten years out', goodClaims({ exp: now() + 10 * 365 * 86400 })],
    ['a lifetime a minute over the TTL', goodClaims({ exp: now() + ttl + 60 })],
    ['iat not a number', goodClaims({ iat: String(now()) })],
  ];
  for (const [name, claims] of refused) {
    t.test(name, async (t) => {
      assertProblem(t, await getIndicators(bearer(handToken(claims))), 401, 'TOKEN_INVALID');
    });
  }
  const accepted: [string, Record<string, unknown>][] = [
    ['iat two seconds ahead, inside the clock tolerance', goodClaims({ iat: now() + 2, exp: now() + 2 + 600 })],
    ['a lifetime of exactly the TTL', goodClaims({ exp: now() + ttl })],
  ];
  for (const [name, claims] of accepted) {
    t.equal((await getIndicators(bearer(handToken(claims)))).statusCode, 200, name);
  }
});

t.test('a tampered payload breaks the signature → 401 TOKEN_INVALID', async (t) => {
  const [h, p, s] = consumer.token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = `${h}.${b64url({ ...claims, sub: admin.clientId, role: 'admin' })}.${s}`;
  assertProblem(t, await getIndicators(bearer(forged)), 401, 'TOKEN_INVALID');
  const clients = await app.inject({ url: '/v1/clients', headers: bearer(forged) });
  assertProblem(t, clients, 401, 'TOKEN_INVALID', '/v1/clients');
});

t.test('an expired token with a forged signature is TOKEN_INVALID, not TOKEN_EXPIRED', async (t) => {
  const token = handToken(goodClaims({ iat: now() - 3600, exp: now() - 600 }), { secret: 'another-secret-that-is-also-long-enough-0123456789' });
  assertProblem(t, await getIndicators(bearer(token)), 401, 'TOKEN_INVALID');
});

t.test('a well-signed token for a client that does not exist → 401 TOKEN_REVOKED', async (t) => {
  const token = handToken(goodClaims({ sub: 'sde-consumer-0000000000000000' }));
  assertProblem(t, await getIndicators(bearer(token)), 401, 'TOKEN_REVOKED');
});

t.test('access is decided by the client record, not by the role claim', async (t) => {
  // A token whose role claim says admin but whose client is a consumer (signed with the real key).
  const token = handToken(goodClaims({ role: 'admin' }));
  const res = await app.inject({ url: '/v1/clients', headers: bearer(token) });
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'FORBIDDEN');
  t.match(res.json().detail, /"consumer"/);
});

t.test('401 messages are English with Accept-Language: en', async (t) => {
  const none = await getIndicators({ 'accept-language': 'en' });
  const body = assertProblem(t, none, 401, 'UNAUTHENTICATED');
  t.equal(body.title, 'Authentication required');
  t.equal(body.detail, 'Send an Authorization: Bearer <token> header obtained from POST /v1/auth/token.');
  t.equal(none.headers['content-language'], 'en');

  const bad = await getIndicators({ ...bearer('garbage'), 'accept-language': 'en-US,id;q=0.5' });
  t.equal(assertProblem(t, bad, 401, 'TOKEN_INVALID').title, 'Invalid token');

  const expired = await getIndicators({ ...bearer(handToken(goodClaims({ iat: now() - 3600, exp: now() - 600 }))), 'accept-language': 'en' });
  t.equal(assertProblem(t, expired, 401, 'TOKEN_EXPIRED').title, 'Token expired');

  const preferId = await getIndicators({ 'accept-language': 'id, en;q=0.5' });
  t.equal(assertProblem(t, preferId, 401, 'UNAUTHENTICATED').title, 'Autentikasi diperlukan');
});

t.test('token of a client that is later disabled → 401 TOKEN_REVOKED at once', async (t) => {
  const victim = await ctx.login('consumer');
  t.equal((await getIndicators(victim.auth)).statusCode, 200, 'works before');
  const dis = await app.inject({ method: 'POST', url: `/v1/clients/${victim.clientId}/disable`, headers: admin.auth });
  t.equal(dis.statusCode, 200, 'disable answers 200');
  const body = assertProblem(t, await getIndicators(victim.auth), 401, 'TOKEN_REVOKED');
  t.equal(body.title, 'Token dicabut');
  const en = await getIndicators({ ...victim.auth, 'accept-language': 'en' });
  t.equal(en.json().detail, "This token's client was disabled or its secret rotated. Request a new token.");
});

async function token(clientId: string, secret: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } });
}

t.test('token issued before a secret rotation → TOKEN_REVOKED; new secret works, old fails', async (t) => {
  const victim = await ctx.login('consumer');
  // Revoked whether or not the token is from the rotation's own second (the next test dates
  // tokens on both sides of the cut-off), so nothing waits for the clock here.
  const leaked = victim.auth;
  t.equal((await getIndicators(leaked)).statusCode, 200, 'works before');

  const rot = await app.inject({ method: 'POST', url: `/v1/clients/${victim.clientId}/rotate-secret`, headers: admin.auth });
  t.equal(rot.statusCode, 200, 'rotate-secret answers 200');
  const newSecret = rot.json().client_secret as string;
  t.not(newSecret, victim.secret);

  assertProblem(t, await getIndicators(leaked), 401, 'TOKEN_REVOKED');

  const fresh = await token(victim.clientId, newSecret);
  t.equal(fresh.statusCode, 200, 'the new secret gets a token');
  t.equal((await getIndicators(bearer(fresh.json().access_token as string))).statusCode, 200, 'and that token works at once');

  const old = await token(victim.clientId, victim.secret);
  t.equal(old.statusCode, 401, 'the old secret no longer gets a token');
  t.equal(old.json().code, 'INVALID_CLIENT');
});

t.test('a token dated in the very second of a rotation is revoked; one dated at the cut-off is not', async (t) => {
  // JWT iat has whole seconds, so a token issued moments before a rotation can carry the
  // rotation's own second; the cut-off must refuse it all the same. Rather than racing the
  // clock to land a real token in that second (which a loaded machine loses), the test reads
  // the cut-off and dates tokens on both sides of it with the signer the token endpoint uses.
  const victim = await ctx.login('consumer');
  const before = await token(victim.clientId, victim.secret);
  t.equal(before.statusCode, 200, 'a token from the endpoint before the rotation');
  const rot = await app.inject({ method: 'POST', url: `/v1/clients/${victim.clientId}/rotate-secret`, headers: admin.auth });
  t.equal(rot.statusCode, 200, 'rotate-secret answers 200');
  const cutOffMs = Date.parse(rot.json().client.secret_rotated_at as string);
  t.equal(cutOffMs % 1000, 0, 'the cut-off is a whole second: the one after the rotation ran');
  const iatOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number }).iat;

  const beforeToken = before.json().access_token as string;
  t.ok(iatOf(beforeToken) * 1000 < cutOffMs, 'the endpoint dated it before the cut-off');
  assertProblem(t, await getIndicators(bearer(beforeToken)), 401, 'TOKEN_REVOKED');

  const sameSecond = await app.jwt.sign({ role: 'consumer' }, { sub: victim.clientId, clockTimestamp: cutOffMs - 1 });
  t.equal(iatOf(sameSecond), cutOffMs / 1000 - 1, "dated in the rotation's own second, the latest a token issued before it can carry");
  assertProblem(t, await getIndicators(bearer(sameSecond)), 401, 'TOKEN_REVOKED');

  const atCutOff = await app.jwt.sign({ role: 'consumer' }, { sub: victim.clientId, clockTimestamp: cutOffMs });
  t.equal((await getIndicators(bearer(atCutOff))).statusCode, 200, 'dated at the cut-off: accepted, so the cut-off refuses nothing after it');

  const fresh = await token(victim.clientId, rot.json().client_secret as string);
  t.equal(fresh.statusCode, 200, 'the new secret gets a token');
  const freshToken = fresh.json().access_token as string;
  t.ok(iatOf(freshToken) * 1000 >= cutOffMs, 'the endpoint dates a token after the rotation at the cut-off or later, even within the same second');
  t.equal((await getIndicators(bearer(freshToken))).statusCode, 200, 'and that token works at once');
});

const indicatorBody = {
  code: 'PPKS-99',
  name: 'Uji peran',
  name_en: 'Role test',
  group: 'ppks',
  measure: 'jumlah',
  unit: 'orang',
  valid_min: 0,
  source_agency_kinds: ['DINSOS'],
  periodicity: 'tahunan',
};
const agencyBody = { code: 'DINSOS-6501', name: 'Dinas Sosial Kabupaten Malinau', kind: 'DINSOS', jurisdiction_region_code: '65.01' };

function forbidden(t: Test, res: LightMyRequestResponse, role: string, allowed: string, instance: string) {
  const body = assertProblem(t, res, 403, 'FORBIDDEN', instance);
  t.equal(body.title, 'Akses ditolak');
  t.equal(body.detail, `Peran "${role}" tidak boleh melakukan ini; diperlukan salah satu dari: ${allowed}.`);
  t.equal(res.headers['content-language'], 'id');
}

t.test('consumer cannot write indicators or agencies → 403 FORBIDDEN', async (t) => {
  forbidden(t, await app.inject({ method: 'POST', url: '/v1/indicators', headers: consumer.auth, payload: indicatorBody }), 'consumer', 'walidata, admin', '/v1/indicators');
  forbidden(t, await app.inject({ method: 'PATCH', url: '/v1/indicators/IKS-01', headers: consumer.auth, payload: { name: 'Diubah konsumen' } }), 'consumer', 'walidata, admin', '/v1/indicators/IKS-01');
  forbidden(t, await app.inject({ method: 'POST', url: '/v1/agencies', headers: consumer.auth, payload: agencyBody }), 'consumer', 'walidata, admin', '/v1/agencies');

  t.equal((await app.inject({ url: '/v1/indicators/PPKS-99', headers: consumer.auth })).statusCode, 404, 'no indicator was created');
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-6501', headers: consumer.auth })).statusCode, 404, 'no agency was created');
  const iks = await app.inject({ url: '/v1/indicators/IKS-01', headers: consumer.auth });
  t.equal(iks.json().name, 'Cakupan PKH', 'the indicator is unchanged');
});

t.test('producer cannot change indicators or agencies → 403 FORBIDDEN', async (t) => {
  forbidden(t, await app.inject({ method: 'PATCH', url: '/v1/indicators/IKS-01', headers: producer.auth, payload: { name: 'Diubah produsen' } }), 'producer', 'walidata, admin', '/v1/indicators/IKS-01');
  forbidden(t, await app.inject({ method: 'POST', url: '/v1/agencies', headers: producer.auth, payload: agencyBody }), 'producer', 'walidata, admin', '/v1/agencies');
  forbidden(t, await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-6571', headers: producer.auth, payload: { name: 'Diubah oleh produsen sendiri' } }), 'producer', 'walidata, admin', '/v1/agencies/DINSOS-6571');

  const agency = await app.inject({ url: '/v1/agencies/DINSOS-6571', headers: producer.auth });
  t.equal(agency.json().name, 'Agency DINSOS-6571', 'the agency is unchanged');
  const iks = await app.inject({ url: '/v1/indicators/IKS-01', headers: producer.auth });
  t.equal(iks.json().name, 'Cakupan PKH', 'the indicator is unchanged');
});

t.test('walidata cannot use the client admin API → 403 FORBIDDEN', async (t) => {
  forbidden(t, await app.inject({ url: '/v1/clients', headers: walidata.auth }), 'walidata', 'admin', '/v1/clients');
  forbidden(t, await app.inject({ method: 'POST', url: '/v1/clients', headers: walidata.auth, payload: { name: 'sneaky admin', role: 'admin' } }), 'walidata', 'admin', '/v1/clients');
  const list = await app.inject({ url: '/v1/clients?role=admin', headers: admin.auth });
  t.equal(list.statusCode, 200);
  t.notOk((list.json().data as { name: string }[]).some((c) => c.name === 'sneaky admin'), 'no admin was created');
});

t.test('the roles that are allowed get through (the 403s are about roles, not requests)', async (t) => {
  const patched = await app.inject({ method: 'PATCH', url: '/v1/indicators/IKS-01', headers: walidata.auth, payload: { name: 'Cakupan PKH' } });
  t.equal(patched.statusCode, 200, patched.body);
  const clients = await app.inject({ url: '/v1/clients', headers: admin.auth });
  t.equal(clients.statusCode, 200);
  const read = await app.inject({ url: '/v1/indicators/IKS-01', headers: producer.auth });
  t.equal(read.statusCode, 200, 'a producer can read');
});

t.test('403 messages are English with Accept-Language: en', async (t) => {
  const res = await app.inject({ url: '/v1/clients', headers: { ...walidata.auth, 'accept-language': 'en' } });
  const body = assertProblem(t, res, 403, 'FORBIDDEN', '/v1/clients');
  t.equal(body.title, 'Forbidden');
  t.equal(body.detail, 'Role "walidata" may not do this; one of these is required: admin.');
  t.equal(res.headers['content-language'], 'en');

  const consumerEn = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...consumer.auth, 'accept-language': 'en-GB' }, payload: agencyBody });
  t.equal(consumerEn.json().detail, 'Role "consumer" may not do this; one of these is required: walidata, admin.');
});

t.test('without a token, a role-restricted route answers 401, not 403', async (t) => {
  assertProblem(t, await app.inject({ url: '/v1/clients' }), 401, 'UNAUTHENTICATED', '/v1/clients');
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/agencies', payload: agencyBody }), 401, 'UNAUTHENTICATED', '/v1/agencies');
});
