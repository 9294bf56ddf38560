import t from 'tap';
import { producedTypes } from '../../src/plugins/content-negotiation.js';
import { createTestApp } from '../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const walidata = await ctx.login('walidata');
const consumer = await ctx.login('consumer');

const get = (url: string, accept: string | undefined, auth: { authorization: string } = walidata.auth) =>
  app.inject({ method: 'GET', url, headers: { ...auth, ...(accept === undefined ? {} : { accept }), 'accept-language': 'en' } });

t.test('an Accept the operation cannot produce is 406 problem+json, on operations of every kind', async (t) => {
  const cases: [string, string, { authorization: string }?][] = [
    ['/v1/regions', 'application/xml'],
    ['/v1/regions/65', 'text/html'],
    ['/v1/figures', 'application/xml', consumer.auth],
    ['/v1/codelists', 'text/csv'],
    ['/health/live', 'image/png'],
    // An HTML page is not JSON either.
    ['/v1/cycles/00000000-0000-4000-8000-000000000000/compliance.html', 'application/json'],
  ];
  for (const [url, accept, auth] of cases) {
    const res = await get(url, accept, auth);
    t.equal(res.statusCode, 406, `${url} with Accept: ${accept}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json().code, 'NOT_ACCEPTABLE');
    t.match(res.json().detail, accept, 'the detail quotes the Accept header');
  }
  const html = await get('/v1/regions', 'text/html');
  t.match(html.json().detail, /application\/json/, 'and names what the operation produces');
});

t.test('what a client may send still works: no Accept, */*, ranges, q-values, parameters, problem+json', async (t) => {
  for (const accept of [
    undefined,
    '',
    '*/*',
    'application/*',
    'application/json',
    'application/json; charset=utf-8',
    'text/html;q=0.9, application/json;q=0.1',
    'text/html, */*;q=0.1',
    'application/problem+json',
    'application/json, application/problem+json',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  ]) {
    t.equal((await get('/v1/regions', accept)).statusCode, 200, `Accept: ${accept ?? '(none)'}`);
  }
  t.equal((await get('/v1/regions', 'application/json;q=0, text/html')).statusCode, 406, 'q=0 excludes a type');
});

t.test('an operation with several media types accepts each of them, and nothing else', async (t) => {
  const csv = await get('/v1/figures', 'text/csv', consumer.auth);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal((await get('/v1/figures', 'application/json', consumer.auth)).statusCode, 200);
  t.equal((await get('/v1/figures', 'text/*', consumer.auth)).statusCode, 200);
  t.equal((await get('/v1/figures', 'application/vnd.ms-excel', consumer.auth)).statusCode, 406);
});

t.test('a format query parameter, where the operation takes one, wins over Accept', async (t) => {
  // A browser link or a harvester that cannot set Accept names the format in the URL.
  const turtle = await get('/v1/catalog?format=ttl', 'text/html');
  t.equal(turtle.statusCode, 200);
  t.match(turtle.headers['content-type'], /^text\/turtle/);
  const sdmx = await get('/sdmx/2.1/data/PPKS-06?format=csv', 'text/html', consumer.auth);
  t.not(sdmx.statusCode, 406, 'the SDMX data query answers (404 when there is no figure yet), not 406');
  // Without one, the same Accept is refused; where the operation takes no format, the
  // parameter changes nothing.
  t.equal((await get('/v1/catalog', 'text/html')).statusCode, 406);
  t.equal((await get('/sdmx/2.1/data/PPKS-06', 'text/html', consumer.auth)).statusCode, 406);
  t.equal((await get('/v1/codelists?format=json', 'text/html')).statusCode, 406);
});

t.test('media-type parameters other than q do not decide whether the route can answer', async (t) => {
  // SDMX clients ask for a version of a format; the route itself answers that version.
  const structure = await get('/sdmx/2.1/dataflow', 'application/vnd.sdmx.structure+xml;version=2.1', consumer.auth);
  t.equal(structure.statusCode, 200);
  t.equal((await get('/v1/regions', 'application/json; charset=utf-8; q=0.9')).statusCode, 200);
  t.equal((await get('/v1/regions', 'application/json;q=0')).statusCode, 406, 'q=0 still excludes');
});

t.test('authentication is checked first: without a token it is 401, not 406', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/regions', headers: { accept: 'application/xml' } });
  t.equal(res.statusCode, 401);
});

t.test('the produced types come from the 2xx responses of the route schema', async (t) => {
  t.same(producedTypes({ response: { 200: { type: 'object' }, 404: { content: { 'application/problem+json': {} } } } }), ['application/json']);
  t.same(producedTypes({ response: { 200: { content: { 'application/json': {}, 'text/csv': {} } }, 304: { type: 'null' } } }), ['application/json', 'text/csv']);
  t.same(producedTypes({ response: { 204: { type: 'null' } } }), [], 'a route without a body is not negotiated');
  t.same(producedTypes({ response: { 202: { type: 'object' }, 201: { content: { 'application/ld+json': {}, 'text/turtle': {} } } } }), ['application/ld+json', 'text/turtle', 'application/json']);
  t.same(producedTypes(undefined), []);
});

t.test('the documented paths are the served ones: no trailing-slash twins', async (t) => {
  t.equal((await get('/v1/regions', undefined)).statusCode, 200);
  const slash = await get('/v1/regions/', undefined);
  t.equal(slash.statusCode, 404);
  t.match(slash.headers['content-type'], /^application\/problem\+json/);
  t.equal((await get('/v1/datasets//versions', undefined)).statusCode, 404, 'an empty segment inside a path names nothing either');
  const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
  t.same(paths.filter((p) => p.length > 1 && p.endsWith('/')), [], 'no documented path ends with a slash');
});
