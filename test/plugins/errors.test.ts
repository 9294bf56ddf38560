import t, { type Test } from 'tap';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp } from '../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const walidata = await ctx.login('walidata');
const { auth } = walidata;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a problem body must never show a client: internals, SQL, code locations. */
function assertNoLeak(t: Test, res: LightMyRequestResponse, what: string) {
  const body = res.body;
  t.notMatch(body, /\bstack\b/i, `${what}: no stack`);
  t.notMatch(body, /\bselect\b/i, `${what}: no SQL select`);
  t.notMatch(body, /insert into/i, `${what}: no SQL insert`);
  t.notMatch(body, /\bat \S+ \(/, `${what}: no stack frames`);
  t.notMatch(body, /node_modules|\/work\/|file:\/\/|[\w-]+\.(ts|js|mjs):\d+/, `${what}: no file paths`);
}

function assertProblem(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.status, status, 'status in the body matches the response');
  t.equal(body.code, code);
  t.equal(body.type, `urn:satu-data-exchange:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  t.type(body.title, 'string');
  t.type(body.detail, 'string');
  t.equal(body.request_id, res.headers['x-request-id'], 'request_id matches the x-request-id header');
  return body;
}

t.test('an unknown route is a 404 problem with code NOT_FOUND', async (t) => {
  const res = await app.inject({ url: '/v1/nothing-here?x=1', headers: auth });
  const body = assertProblem(t, res, 404, 'NOT_FOUND');
  t.equal(body.instance, '/v1/nothing-here?x=1');
  t.equal(body.detail, 'Tidak ada sumber daya di GET /v1/nothing-here.', 'the path is named without its query');

  const noToken = await app.inject({ url: '/v1/nothing-here' });
  assertProblem(t, noToken, 404, 'NOT_FOUND');

  const wrongMethod = await app.inject({ method: 'DELETE', url: '/v1/regions/65', headers: auth });
  const wm = assertProblem(t, wrongMethod, 404, 'NOT_FOUND');
  t.match(wm.detail, /DELETE \/v1\/regions\/65/);
});

t.test('a malformed JSON body is a 400 VALIDATION_FAILED', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"code": "DINSOS-6571", "name": ',
  });
  const body = assertProblem(t, res, 400, 'VALIDATION_FAILED');
  t.same(body.errors, [{ location: 'body', pointer: '', code: 'malformed-body', detail: 'isi permintaan kosong atau bukan JSON yang sah' }]);
  assertNoLeak(t, res, 'malformed JSON');
  t.notMatch(res.body, /Unexpected end of JSON|SyntaxError/, 'the parser message is not passed through');

  const empty = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...auth, 'content-type': 'application/json' }, payload: '' });
  const emptyBody = assertProblem(t, empty, 400, 'VALIDATION_FAILED');
  t.equal(emptyBody.errors[0].code, 'malformed-body');

  const english = await app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: { ...auth, 'content-type': 'application/json', 'accept-language': 'en' },
    payload: '{not json}',
  });
  t.equal(english.json().errors[0].detail, 'the body is empty or not well-formed JSON');
});

t.test('Indonesian by default, English when the client prefers it', async (t) => {
  const plain = await app.inject({ url: '/v1/nothing' });
  t.equal(plain.json().title, 'Tidak ditemukan');
  t.equal(plain.headers['content-language'], 'id');

  const en = await app.inject({ url: '/v1/nothing', headers: { 'accept-language': 'en' } });
  t.equal(en.json().title, 'Not found');
  t.equal(en.json().detail, 'There is no resource at GET /v1/nothing.');
  t.equal(en.headers['content-language'], 'en');

  const enUS = await app.inject({ url: '/v1/nothing', headers: { 'accept-language': 'en-US,en;q=0.9' } });
  t.equal(enUS.json().title, 'Not found');

  const prefersId = await app.inject({ url: '/v1/nothing', headers: { 'accept-language': 'en;q=0.5, id;q=0.9' } });
  t.equal(prefersId.json().title, 'Tidak ditemukan');
  t.equal(prefersId.headers['content-language'], 'id');

  const french = await app.inject({ url: '/v1/nothing', headers: { 'accept-language': 'fr' } });
  t.equal(french.json().title, 'Tidak ditemukan');
  t.equal(french.headers['content-language'], 'id');
});

t.test('field errors follow the chosen language too', async (t) => {
  const payload = { code: 'DINSOS-6571', kind: 'DINSOS', jurisdiction_region_code: '65.71' };
  const id = await app.inject({ method: 'POST', url: '/v1/agencies', headers: auth, payload });
  t.equal(id.json().errors[0].detail, 'kolom "name" wajib diisi');
  t.equal(id.headers['content-language'], 'id');
  const en = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...auth, 'accept-language': 'en' }, payload });
  t.equal(en.json().title, 'Invalid request');
  t.equal(en.json().errors[0].detail, '"name" is required');
  t.equal(en.headers['content-language'], 'en');
});

t.test('every kind of problem carries Content-Language and leaks nothing', async (t) => {
  const consumer = await ctx.login('consumer');
  const cases: [string, () => Promise<LightMyRequestResponse>, number, string][] = [
    ['404 route', () => app.inject({ url: '/v1/nothing' }), 404, 'NOT_FOUND'],
    ['401 no token', () => app.inject({ url: '/v1/regions/65' }), 401, 'UNAUTHENTICATED'],
    ['401 bad token', () => app.inject({ url: '/v1/regions/65', headers: { authorization: 'Bearer x.y.z' } }), 401, 'TOKEN_INVALID'],
    ['403', () => app.inject({ url: '/v1/audit-log', headers: consumer.auth }), 403, 'FORBIDDEN'],
    ['400 schema', () => app.inject({ url: '/v1/regions/11.1', headers: auth }), 400, 'VALIDATION_FAILED'],
    ['404 entity', () => app.inject({ url: '/v1/regions/11.99', headers: auth }), 404, 'REGION_NOT_FOUND'],
    [
      '409',
      async () => {
        await app.inject({ method: 'POST', url: '/v1/agencies', headers: auth, payload: { code: 'DUP-1', name: 'Dinas Dup', kind: 'DINSOS', jurisdiction_region_code: '65' } });
        return app.inject({ method: 'POST', url: '/v1/agencies', headers: auth, payload: { code: 'DUP-1', name: 'Dinas Dup', kind: 'DINSOS', jurisdiction_region_code: '65' } });
      },
      409,
      'AGENCY_CODE_TAKEN',
    ],
    [
      '422',
      () => app.inject({ method: 'POST', url: '/v1/agencies', headers: auth, payload: { code: 'X-1', name: 'Dinas X', kind: 'NOPE', jurisdiction_region_code: '65' } }),
      422,
      'REFERENCE_INVALID',
    ],
    [
      '413',
      () =>
        app.inject({
          method: 'POST',
          url: '/v1/agencies',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: JSON.stringify({ code: 'BIG-1', name: 'x'.repeat(1_100_000) }),
        }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['415', () => app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];
  for (const [what, send, status, code] of cases) {
    const res = await send();
    t.equal(res.statusCode, status, what);
    t.equal(res.json().code, code, what);
    t.equal(res.headers['content-language'], 'id', `${what}: Content-Language`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
    assertNoLeak(t, res, what);
  }
});

t.test('an unexpected database error is a 500 INTERNAL_ERROR that reveals nothing', async (t) => {
  const db = ctx.database.db;
  await sql`alter table codelist_codes rename to codelist_codes_moved`.execute(db);
  try {
    const res = await app.inject({ url: '/v1/codelists', headers: { ...auth, 'x-request-id': 'broken-db-1' } });
    const body = assertProblem(t, res, 500, 'INTERNAL_ERROR');
    t.equal(body.request_id, 'broken-db-1', 'the request id to quote is given');
    t.match(body.detail, /request_id/);
    t.notMatch(res.body, /codelist_codes|relation|does not exist/i, 'no table names or database messages');
    assertNoLeak(t, res, '500');
  } finally {
    await sql`alter table codelist_codes_moved rename to codelist_codes`.execute(db);
  }
  t.equal((await app.inject({ url: '/v1/codelists', headers: auth })).statusCode, 200, 'the service recovers');
});

t.test('a NUL character in a text field is refused as a client error, not a 500', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: auth,
    payload: { code: 'NUL-1', name: 'Dinas\u0000Sosial', kind: 'DINSOS', jurisdiction_region_code: '65' },
  });
  t.ok(res.statusCode >= 400 && res.statusCode < 500, `got ${res.statusCode}`);
  assertNoLeak(t, res, 'NUL byte');
  t.notMatch(res.body, /0x00|encoding|UTF8/i, 'no database message');
});

t.test('a well-formed x-request-id is echoed in the header and the problem', async (t) => {
  for (const id of ['req-123', 'a1B2.c3:d4_e5-f6', 'x'.repeat(128), '0f8fad5b-d9cb-469f-a165-70867728950e']) {
    const res = await app.inject({ url: '/v1/nothing', headers: { 'x-request-id': id } });
    t.equal(res.headers['x-request-id'], id);
    t.equal(res.json().request_id, id);
  }
  const ok = await app.inject({ url: '/v1/regions/65', headers: { ...auth, 'x-request-id': 'ok-request-7' } });
  t.equal(ok.statusCode, 200);
  t.equal(ok.headers['x-request-id'], 'ok-request-7', 'echoed on success too');
});

t.test('a malformed x-request-id is replaced by a generated UUID', async (t) => {
  for (const [what, id] of [
    ['300 characters', 'a'.repeat(300)],
    ['129 characters', 'a'.repeat(129)],
    ['spaces', 'my request id'],
    ['escaped newline and a colon-space', 'abc\\r\\nset-cookie: x=1'],
    ['quotes and angle brackets', '<script>"x"</script>'],
    ['non-ASCII', 'permintaan-ñ'],
  ] as const) {
    const res = await app.inject({ url: '/v1/nothing', headers: { 'x-request-id': id } });
    const header = res.headers['x-request-id'];
    t.match(header, UUID, `${what}: a UUID is generated`);
    t.equal(res.json().request_id, header, `${what}: the problem quotes the generated id`);
    t.notOk(res.body.includes(id), `${what}: the bad id is not reflected`);
  }
});

t.test('without x-request-id each request gets its own UUID', async (t) => {
  const a = await app.inject({ url: '/v1/nothing' });
  const b = await app.inject({ url: '/v1/nothing' });
  t.match(a.headers['x-request-id'], UUID);
  t.match(b.headers['x-request-id'], UUID);
  t.not(a.headers['x-request-id'], b.headers['x-request-id']);
  t.equal(a.json().request_id, a.headers['x-request-id']);
});
