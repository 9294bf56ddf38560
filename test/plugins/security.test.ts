import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp } from '../helpers/test-app.js';
import { DOCS_CSP } from '../../src/plugins/openapi.js';

const API_CSP = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const DASHBOARD = 'https://dashboard.kaltara.go.id';
const LOCAL_DEV = 'http://localhost:5173';

/** Without CORS_ORIGINS, and with a write limit small enough to reach. */
const strict = await createTestApp(t, { WRITE_RATE_LIMIT_PER_CLIENT: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
/** With two origins allowed, and every limit off. */
const open = await createTestApp(t, {
  CORS_ORIGINS: `${DASHBOARD}, ${LOCAL_DEV}`,
  WRITE_RATE_LIMIT_PER_CLIENT: '0',
  TOKEN_RATE_LIMIT_PER_CLIENT: '0',
  TOKEN_RATE_LIMIT_PER_ADDRESS: '0',
});

function assertSecurityHeaders(t: Test, res: LightMyRequestResponse, csp = API_CSP) {
  t.equal(res.headers['content-security-policy'], csp);
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['x-frame-options'], 'DENY');
  t.equal(res.headers['referrer-policy'], 'no-referrer');
  t.match(res.headers['strict-transport-security'], /^max-age=\d+/);
  t.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
  t.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
  t.notOk(res.headers['x-powered-by']);
}

function noCors(t: Test, res: LightMyRequestResponse) {
  for (const header of Object.keys(res.headers)) t.notMatch(header, /^access-control-/, `no ${header}`);
}

t.test('security headers on answers, errors and the docs', async (t) => {
  const { app } = strict;
  assertSecurityHeaders(t, await app.inject({ url: '/health/live' }));
  const unauthenticated = await app.inject({ url: '/v1/indicators' });
  t.equal(unauthenticated.statusCode, 401);
  assertSecurityHeaders(t, unauthenticated);
  const missing = await app.inject({ url: '/no-such-path' });
  t.equal(missing.statusCode, 404);
  assertSecurityHeaders(t, missing);
  const docs = await app.inject({ url: '/docs/' });
  t.equal(docs.statusCode, 200);
  assertSecurityHeaders(t, docs, DOCS_CSP);
  const bundle = await app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
  t.equal(bundle.statusCode, 200, 'Swagger UI serves its own scripts');
  t.equal(bundle.headers['content-security-policy'], DOCS_CSP);
  t.match(DOCS_CSP, /script-src 'self';/, 'and runs only those: no inline or outside scripts');
});

t.test('without CORS_ORIGINS: no CORS headers for any origin, and no preflight', async (t) => {
  const { app } = strict;
  const res = await app.inject({ url: '/health/live', headers: { origin: DASHBOARD } });
  t.equal(res.statusCode, 200);
  noCors(t, res);
  const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/indicators', headers: { origin: DASHBOARD, 'access-control-request-method': 'GET' } });
  t.equal(preflight.statusCode, 404);
  t.match(preflight.headers['content-type'], /^application\/problem\+json/);
  noCors(t, preflight);
});

t.test('CORS_ORIGINS: a listed origin may call and read, including problems; any other gets no CORS headers', async (t) => {
  const { app } = open;
  const consumer = await open.login('consumer');
  const allowed = await app.inject({ url: '/v1/indicators?limit=1', headers: { ...consumer.auth, origin: DASHBOARD } });
  t.equal(allowed.statusCode, 200);
  t.equal(allowed.headers['access-control-allow-origin'], DASHBOARD, 'the origin is echoed, not *');
  t.match(allowed.headers.vary, /origin/i, 'caches keep answers per origin');
  t.match(allowed.headers['access-control-expose-headers'], /x-request-id/);
  t.match(allowed.headers['access-control-expose-headers'], /retry-after/);
  t.notOk(allowed.headers['access-control-allow-credentials'], 'bearer tokens, no cookies');

  const second = await app.inject({ url: '/health/live', headers: { origin: LOCAL_DEV } });
  t.equal(second.headers['access-control-allow-origin'], LOCAL_DEV, 'each listed origin');

  const problem = await app.inject({ url: '/v1/indicators', headers: { origin: DASHBOARD } });
  t.equal(problem.statusCode, 401);
  t.equal(problem.headers['access-control-allow-origin'], DASHBOARD, 'the page can read the 401 problem too');

  for (const origin of ['https://evil.example', 'https://dashboard.kaltara.go.id.evil.example', 'http://dashboard.kaltara.go.id', 'null']) {
    const refused = await app.inject({ url: '/v1/indicators?limit=1', headers: { ...consumer.auth, origin } });
    t.equal(refused.statusCode, 200, `${origin}: the request itself is served (CORS is the browser's to enforce)`);
    noCors(t, refused);
  }
  noCors(t, await app.inject({ url: '/health/live' }));
});

t.test('CORS preflight: a listed origin gets the methods and headers the API uses; another gets none', async (t) => {
  const { app } = open;
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/datasets/00000000-0000-0000-0000-000000000000/versions',
    headers: { origin: DASHBOARD, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], DASHBOARD);
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.match(preflight.headers['access-control-allow-methods'], new RegExp(`\\b${method}\\b`));
  for (const header of ['authorization', 'content-type', 'idempotency-key', 'x-request-id']) t.match(preflight.headers['access-control-allow-headers'], new RegExp(`\\b${header}\\b`));
  t.equal(preflight.headers['access-control-max-age'], '600');

  const refused = await app.inject({ method: 'OPTIONS', url: '/v1/indicators', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
  t.not(refused.statusCode, 204);
  noCors(t, refused);
});

t.test('writes per client: past WRITE_RATE_LIMIT_PER_CLIENT → 429 RATE_LIMITED with Retry-After, and nothing written', async (t) => {
  const { app } = strict;
  const walidata = await strict.login('walidata');
  const agency = (code: string) => ({ code, name: `Dinas Sosial ${code}`, kind: 'DINSOS', jurisdiction_region_code: '65.02' });
  for (const code of ['DINSOS-RL1', 'DINSOS-RL2']) {
    const res = await app.inject({ method: 'POST', url: '/v1/agencies', headers: walidata.auth, payload: agency(code) });
    t.equal(res.statusCode, 201, res.body);
  }
  const refused = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...walidata.auth, 'accept-language': 'en' }, payload: agency('DINSOS-RL3') });
  t.equal(refused.statusCode, 429);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  const retryAfter = Number(refused.headers['retry-after']);
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  const body = refused.json();
  t.equal(body.code, 'RATE_LIMITED');
  t.equal(body.detail, `The limit of 2 requests per 60 seconds was exceeded; retry after ${retryAfter} seconds (see the Retry-After header).`);
  assertSecurityHeaders(t, refused);
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-RL3', headers: walidata.auth })).statusCode, 404, 'the refused write wrote nothing');

  t.equal((await app.inject({ method: 'PATCH', url: '/v1/agencies/DINSOS-RL1', headers: walidata.auth, payload: { name: 'Diubah' } })).statusCode, 429, 'every write method counts');
  t.equal((await app.inject({ url: '/v1/agencies/DINSOS-RL1', headers: walidata.auth })).json().name, 'Dinas Sosial DINSOS-RL1', 'unchanged');
  t.equal((await app.inject({ url: '/v1/agencies?limit=1', headers: walidata.auth })).statusCode, 200, 'reads are not limited');
  const other = await strict.login('walidata');
  t.equal((await app.inject({ method: 'POST', url: '/v1/agencies', headers: other.auth, payload: agency('DINSOS-RL4') })).statusCode, 201, 'another client writes on');
});

t.test('with the limits at 0, nothing is counted', async (t) => {
  const { app } = open;
  const walidata = await open.login('walidata');
  for (const code of ['DINSOS-NL1', 'DINSOS-NL2', 'DINSOS-NL3']) {
    const res = await app.inject({ method: 'POST', url: '/v1/agencies', headers: walidata.auth, payload: { code, name: code, kind: 'DINSOS', jurisdiction_region_code: '65.02' } });
    t.equal(res.statusCode, 201, res.body);
  }
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: walidata.clientId, client_secret: walidata.secret } });
    statuses.push(res.statusCode);
  }
  t.same(statuses, [200, 200, 200], 'token requests are not counted either');
});

t.test('the OpenAPI document lists the 429s with Retry-After: on the token endpoint and on every write, not on reads', async (t) => {
  const doc = strict.app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> };
  const token = doc.paths['/v1/auth/token']!.post!.responses['429'];
  t.ok(token?.headers?.['Retry-After'], 'POST /v1/auth/token');
  let writes = 0;
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const documented = '429' in operation.responses;
      const isPublic = !(operation as { security?: unknown }).security;
      if (method === 'get' || method === 'head' || (isPublic && path !== '/v1/auth/token')) {
        t.notOk(documented, `${method.toUpperCase()} ${path} has no 429`);
      } else {
        writes++;
        t.ok(operation.responses['429']?.headers?.['Retry-After'], `${method.toUpperCase()} ${path} documents 429 with Retry-After`);
      }
    }
  }
  t.ok(writes > 20, `${writes} limited operations`);
});
