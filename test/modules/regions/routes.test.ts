import t from 'tap';
import { createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const { auth } = await ctx.login('consumer');

t.test('lists the five kab/kota of Kalimantan Utara', async (t) => {
  const res = await app.inject({ url: '/v1/regions?parent=65', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.same(body.data.map((r: { code: string }) => r.code), ['65.01', '65.02', '65.03', '65.04', '65.71']);
  t.equal(body.data[4].kind, 'kota');
  t.equal(body.data[0].kind, 'kabupaten');
  t.equal(body.page.next_cursor, null);
});

t.test('malformed region code 11.1 is a 400 that says why', async (t) => {
  const res = await app.inject({ url: '/v1/regions/11.1', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, 'VALIDATION_FAILED');
  t.equal(body.errors[0].code, 'region-code-malformed');
  t.match(body.errors[0].detail, /11\.10/);
});
