import t from 'tap';
import { gunzipSync } from 'node:zlib';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing } from '../reconciliation/publishing.js';

// A page of figures repeats each indicator's labels, definition and formula in every figure:
// clients that accept gzip get it compressed, with an ETag of its own, and the same JSON.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-65', '65');
const producer = await ctx.login('producer', 'DINSOS-65');
const consumer = await ctx.login('consumer');
const { publish } = await publishing(ctx);
await publish(
  producer.auth,
  ['65.71', '65.01', '65.02', '65.03', '65.04'].flatMap((region, i) => ['2021', '2022', '2023', '2024', '2025'].map((period, j) => ({ indicator: 'PPKS-06', region, period, value: 10 + i + j }))),
  'terbuka',
);

const PAGE = '/v1/figures?indicator=PPKS-06&period=2025';
const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { ...consumer.auth, ...headers } });

t.test('a client that accepts gzip gets the page gzipped, the same JSON, with its own ETag', async (t) => {
  const plain = await get(PAGE);
  t.equal(plain.statusCode, 200);
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: sent as it is');
  t.equal(JSON.parse(plain.body).data.length, 5);

  const zipped = await get(PAGE, { 'accept-encoding': 'gzip, deflate, br' });
  t.equal(zipped.statusCode, 200);
  t.equal(zipped.headers['content-encoding'], 'gzip');
  t.match(zipped.headers['content-type'], /^application\/json/);
  t.match(zipped.headers.vary, /Accept-Encoding/, 'caches keep the two apart');
  t.same(gunzipSync(zipped.rawPayload).toString(), plain.body, 'the same bytes once inflated');
  t.ok(zipped.rawPayload.length * 4 < plain.rawPayload.length, `much smaller (${zipped.rawPayload.length} of ${plain.rawPayload.length} bytes)`);
  t.not(zipped.headers.etag, plain.headers.etag, 'a strong ETag names one representation');
  t.equal((await get(PAGE, { 'accept-encoding': 'gzip' })).headers.etag, zipped.headers.etag, 'the kept gzip copy is served again');
});

t.test('If-None-Match is compared with the ETag of the representation that would be sent', async (t) => {
  const zipped = await get(PAGE, { 'accept-encoding': 'gzip' });
  const plain = await get(PAGE);
  t.equal((await get(PAGE, { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag as string })).statusCode, 304);
  t.equal((await get(PAGE, { 'if-none-match': plain.headers.etag as string })).statusCode, 304);
  const other = await get(PAGE, { 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag as string });
  t.equal(other.statusCode, 200, 'the identity ETag does not match the gzipped page');
  t.equal(other.headers['content-encoding'], 'gzip');
});

t.test('gzip refused, a small page and CSV', async (t) => {
  t.equal((await get(PAGE, { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding'], undefined, 'q=0 refuses gzip');
  t.equal((await get(PAGE, { 'accept-encoding': 'br' })).headers['content-encoding'], undefined, 'only gzip is offered');
  const empty = await get('/v1/figures?indicator=PPKS-06&period=2019', { 'accept-encoding': 'gzip' });
  t.same(JSON.parse(empty.body).data, []);
  t.equal(empty.headers['content-encoding'], undefined, 'a page under 1 KiB is not worth compressing');
  const csv = await get('/v1/figures?indicator=PPKS-06&format=csv', { 'accept-encoding': 'gzip' });
  t.equal(csv.headers['content-encoding'], 'gzip', 'a CSV page of 25 figures is');
  t.equal(gunzipSync(csv.rawPayload).toString().trimEnd().split('\n').length, 26, 'its header and 25 rows');
});
