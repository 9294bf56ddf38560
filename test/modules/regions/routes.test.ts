import t from 'tap';
import { createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const { auth } = await ctx.login('consumer');

interface RegionItem {
  code: string;
  name: string;
  level: string;
  kind: string;
  parent_code: string | null;
}
interface RegionPage {
  data: RegionItem[];
  page: { next_cursor: string | null; limit: number };
}

async function list(query: string): Promise<RegionPage> {
  const res = await app.inject({ url: `/v1/regions?${query}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`GET /v1/regions?${query} → ${res.statusCode}: ${res.body}`);
  return res.json() as RegionPage;
}

t.test('lists the five kab/kota of Kalimantan Utara', async (t) => {
  const res = await app.inject({ url: '/v1/regions?parent=65', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.same(body.data.map((r: { code: string }) => r.code), ['65.01', '65.02', '65.03', '65.04', '65.71']);
  t.equal(body.data[4].kind, 'kota');
  t.equal(body.data[0].kind, 'kabupaten');
  t.equal(body.page.next_cursor, null);
});

t.test('each listed region carries name, level, kind and parent', async (t) => {
  const body = await list('parent=65');
  t.same(body.data[0], { code: '65.01', name: 'Kabupaten Bulungan', level: 'kabkota', kind: 'kabupaten', parent_code: '65' });
  t.same(body.data[4], { code: '65.71', name: 'Kota Tarakan', level: 'kabkota', kind: 'kota', parent_code: '65' });
  t.equal(body.page.limit, 100, 'default page size');
});

t.test('parent lists direct children only, down to desa/kelurahan', async (t) => {
  const kecamatan = await list('parent=65.71');
  t.same(kecamatan.data.map((r) => r.code), ['65.71.01', '65.71.02', '65.71.03', '65.71.04']);
  t.ok(kecamatan.data.every((r) => r.level === 'kecamatan' && r.kind === 'kecamatan'));

  const kelurahan = await list('parent=65.71.01');
  t.equal(kelurahan.data.length, 5);
  t.ok(kelurahan.data.every((r) => r.level === 'desa' && r.kind === 'kelurahan' && r.parent_code === '65.71.01'));

  const desa = await list('parent=65.01.01');
  t.ok(desa.data.some((r) => r.code === '65.01.01.2005' && r.kind === 'desa'), 'a desa code starting with 2 is a desa');

  const none = await list('parent=65.71.01.1001');
  t.same(none.data, [], 'a desa has no children');
  t.equal(none.page.next_cursor, null);
});

t.test('level filters by administrative level', async (t) => {
  const provinces = await list('level=provinsi');
  t.equal(provinces.data.length, 38, 'Indonesia has 38 provinces');
  t.ok(provinces.data.every((r) => r.level === 'provinsi' && r.kind === 'provinsi' && r.parent_code === null));
  t.equal(provinces.data[0]?.code, '11');
  t.ok(provinces.data.some((r) => r.code === '65' && r.name === 'Kalimantan Utara'));

  const kabkota = await list('parent=65&level=kabkota');
  t.equal(kabkota.data.length, 5);
  const wrongLevel = await list('parent=65&level=kecamatan');
  t.same(wrongLevel.data, [], 'parent gives direct children, so no kecamatan directly under a provinsi');
});

t.test('an unknown level is a 400 naming the allowed levels', async (t) => {
  const res = await app.inject({ url: '/v1/regions?level=kota', headers: auth });
  t.equal(res.statusCode, 400);
  const body = res.json();
  t.equal(body.code, 'VALIDATION_FAILED');
  t.match(body.errors, [{ location: 'query', pointer: '/level', code: 'enum' }]);
  t.match(body.errors[0].detail, /provinsi/);
});

t.test('q searches names case-insensitively', async (t) => {
  for (const q of ['salatiga', 'SALATIGA', 'SaLaTiGa']) {
    const body = await list(`q=${q}`);
    t.ok(body.data.some((r) => r.code === '33.73' && r.name === 'Kota Salatiga'), `${q} finds Kota Salatiga`);
    t.ok(body.data.every((r) => /salatiga/i.test(r.name)), `${q}: only matching names`);
  }
  const kota = await list('q=salatiga&level=kabkota');
  t.same(kota.data.map((r) => r.code), ['33.73'], 'q combines with level');
  const inside = await list('q=tarakan&parent=65.71');
  t.same(inside.data.map((r) => r.code), ['65.71.01', '65.71.02', '65.71.03', '65.71.04'], 'q combines with parent');
});

t.test('q matches part of a name', async (t) => {
  const body = await list('q=tarakan&level=kabkota');
  t.same(body.data.map((r) => r.code), ['65.71']);
});

t.test('LIKE wildcards in q are literal characters', async (t) => {
  for (const q of ['%%', '__', '_a', 'a%', '%25']) {
    const body = await list(`q=${encodeURIComponent(q)}`);
    t.same(body.data, [], `no region name contains ${JSON.stringify(q)}`);
  }
  const backslash = await list(`q=${encodeURIComponent('\\a')}`);
  t.same(backslash.data, [], 'a backslash is literal too');
});

t.test('q shorter than two characters is a 400', async (t) => {
  const res = await app.inject({ url: '/v1/regions?q=a', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.json().errors, [{ location: 'query', pointer: '/q', code: 'minLength' }]);
});

t.test('limit and cursor walk all children of 65 once each', async (t) => {
  const seen: string[] = [];
  const cursors: (string | null)[] = [];
  let query = 'parent=65&limit=2';
  for (let i = 0; i < 10; i++) {
    const body = await list(query);
    t.ok(body.data.length <= 2, 'never more than limit');
    t.equal(body.page.limit, 2);
    seen.push(...body.data.map((r) => r.code));
    cursors.push(body.page.next_cursor);
    if (body.page.next_cursor === null) break;
    query = `parent=65&limit=2&cursor=${encodeURIComponent(body.page.next_cursor)}`;
  }
  t.same(seen, ['65.01', '65.02', '65.03', '65.04', '65.71']);
  t.equal(new Set(seen).size, seen.length, 'no duplicates');
  t.equal(cursors.length, 3, 'three pages of 2, 2 and 1');
  t.equal(cursors[cursors.length - 1], null, 'next_cursor is null on the last page');
});

t.test('a page that ends exactly at the last item has no next cursor', async (t) => {
  const body = await list('parent=65&limit=5');
  t.equal(body.data.length, 5);
  t.equal(body.page.next_cursor, null);
});

t.test('limit outside 1–1000 is a 400', async (t) => {
  for (const limit of ['0', '1001', 'abc']) {
    const res = await app.inject({ url: `/v1/regions?parent=65&limit=${limit}`, headers: auth });
    t.equal(res.statusCode, 400, `limit=${limit}`);
    t.equal(res.json().errors[0].pointer, '/limit');
  }
});

t.test('an invalid cursor is a 400 INVALID_CURSOR', async (t) => {
  for (const cursor of ['not-a-cursor', Buffer.from('{"k":1}').toString('base64url')]) {
    const res = await app.inject({ url: `/v1/regions?parent=65&cursor=${cursor}`, headers: auth });
    t.equal(res.statusCode, 400);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.equal(res.json().code, 'INVALID_CURSOR');
  }
});

t.test('an unknown query parameter is a 400', async (t) => {
  const res = await app.inject({ url: '/v1/regions?province=65', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.json().errors, [{ location: 'query', pointer: '/province', code: 'additionalProperties' }]);
});

t.test('an unknown parent is a 404 REGION_NOT_FOUND, not an empty list', async (t) => {
  const res = await app.inject({ url: '/v1/regions?parent=99', headers: auth });
  t.equal(res.statusCode, 404);
  const body = res.json();
  t.equal(body.code, 'REGION_NOT_FOUND');
  t.match(body.detail, /"99"/);
});

t.test('a malformed parent is a 400 that explains the code', async (t) => {
  const res = await app.inject({ url: '/v1/regions?parent=65.1', headers: auth });
  t.equal(res.statusCode, 400);
  const body = res.json();
  t.equal(body.code, 'VALIDATION_FAILED');
  t.equal(body.errors.length, 1);
  t.match(body.errors[0], { location: 'query', pointer: '/parent', code: 'region-code-malformed' });
  t.match(body.errors[0].detail, /"65\.1"/);
});

t.test('GET a kecamatan: parent chain, child count, kind, no population', async (t) => {
  const res = await app.inject({ url: '/v1/regions/65.71.01', headers: auth });
  t.equal(res.statusCode, 200);
  t.same(res.json(), {
    code: '65.71.01',
    name: 'Tarakan Barat',
    level: 'kecamatan',
    kind: 'kecamatan',
    parent_code: '65.71',
    parents: [
      { code: '65', name: 'Kalimantan Utara', level: 'provinsi' },
      { code: '65.71', name: 'Kota Tarakan', level: 'kabkota' },
    ],
    child_count: 5,
    population: null,
  });
});

t.test('GET a provinsi: no parents, its kab/kota count and its population', async (t) => {
  const res = await app.inject({ url: '/v1/regions/65', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.name, 'Kalimantan Utara');
  t.equal(body.level, 'provinsi');
  t.equal(body.kind, 'provinsi');
  t.equal(body.parent_code, null);
  t.same(body.parents, []);
  t.equal(body.child_count, 5);
  t.match(body.population, { year: 2025, male: 403628, female: 366999, total: 770627, source: /Kepmendagri/ });
  t.equal(body.population.male + body.population.female, body.population.total);
});

t.test('GET a kota has its population too', async (t) => {
  const res = await app.inject({ url: '/v1/regions/65.71', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.kind, 'kota');
  t.equal(body.child_count, 4);
  t.match(body.population, { year: 2025, total: 255310 });
  t.same(body.parents, [{ code: '65', name: 'Kalimantan Utara', level: 'provinsi' }]);
});

t.test('GET a kelurahan: four-level parent chain, no children', async (t) => {
  const res = await app.inject({ url: '/v1/regions/65.71.01.1001', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.name, 'Karang Anyar');
  t.equal(body.level, 'desa');
  t.equal(body.kind, 'kelurahan');
  t.same(body.parents.map((p: { code: string }) => p.code), ['65', '65.71', '65.71.01']);
  t.equal(body.child_count, 0);
  t.equal(body.population, null);
});

t.test('GET an unknown but well-formed code is a 404', async (t) => {
  const res = await app.inject({ url: '/v1/regions/11.99', headers: auth });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, 'REGION_NOT_FOUND');
  t.match(body.detail, /"11\.99"/);
});

t.test('malformed region code 11.1 is a 400 that says why', async (t) => {
  const res = await app.inject({ url: '/v1/regions/11.1', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, 'VALIDATION_FAILED');
  t.equal(body.errors[0].code, 'region-code-malformed');
  t.equal(body.errors[0].location, 'path');
  t.equal(body.errors[0].pointer, '/code');
  t.match(body.errors[0].detail, /11\.10/);
  t.match(body.errors[0].detail, /2 digit/);
});

t.test('the 2-digit explanation is in English when asked for', async (t) => {
  const res = await app.inject({ url: '/v1/regions/11.1', headers: { ...auth, 'accept-language': 'en' } });
  t.equal(res.statusCode, 400);
  const body = res.json();
  t.equal(body.errors[0].detail, 'region code "11.1" is malformed: segment 2 "1" must have 2 digits; a value like 11.1 usually comes from a spreadsheet that turned 11.10 into a number — fix the source, codes are never guessed.');
});

t.test('other malformed codes in the path are 400 with a reason', async (t) => {
  for (const [code, why] of [
    ['65..01', /empty/],
    ['ab', /digits and dots/],
    ['65.01.01.201', /4 digits/],
  ] as const) {
    const res = await app.inject({ url: `/v1/regions/${code}`, headers: { ...auth, 'accept-language': 'en' } });
    t.equal(res.statusCode, 400, code);
    t.match(res.json().errors[0].detail, why, code);
  }
});

t.test('regions require a token', async (t) => {
  for (const url of ['/v1/regions?parent=65', '/v1/regions/65']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 401, url);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.equal(res.json().code, 'UNAUTHENTICATED');
  }
  const forged = await app.inject({ url: '/v1/regions/65', headers: { authorization: 'Bearer not.a.token' } });
  t.equal(forged.statusCode, 401);
  t.equal(forged.json().code, 'TOKEN_INVALID');
});

t.test('every role may read regions', async (t) => {
  for (const role of ['walidata', 'admin'] as const) {
    const { auth: roleAuth } = await ctx.login(role);
    const res = await app.inject({ url: '/v1/regions/65', headers: roleAuth });
    t.equal(res.statusCode, 200, role);
  }
});
