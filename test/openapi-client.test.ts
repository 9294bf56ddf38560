import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import type { paths } from './generated/openapi.js';
import { createTestApp } from './helpers/test-app.js';
import { projectRoot } from '../migrations/reference-files.js';

// An integrator's view of the document: a client generated from it with openapi-typescript,
// driven with openapi-fetch through a whole data cycle against a listening server. The file
// is type-checked with the rest (npm run typecheck) and holds no casts: if the document
// stopped declaring a header, a body or a response, this would stop compiling.

const GENERATED = join(projectRoot(), 'test', 'generated', 'openapi.ts');

t.test('the checked-in generated client types are what openapi-typescript makes of openapi.json', async (t) => {
  const document = JSON.parse(await readFile(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'));
  const generated = astToString(await openapiTS(document));
  // The command line puts a "do not edit" banner above what the API returns.
  const checkedIn = (await readFile(GENERATED, 'utf8')).replace(/^\/\*\*[\s\S]*?\*\/\n\n/, '');
  t.equal(checkedIn, generated, 'run `npm run openapi` after changing routes');
});

t.test('a generated client gets a token, creates a dataset, pushes, has it reviewed and published, and pulls the figure', async (t) => {
  const ctx = await createTestApp(t);
  const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  const bootstrap = await ctx.login('admin');

  const client = createClient<paths>({ baseUrl: address });
  async function tokenFor(clientId: string, secret: string): Promise<string> {
    const { data, error } = await client.POST('/v1/auth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    if (!data) throw new Error(`token: ${JSON.stringify(error)}`);
    return data.access_token;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const admin = bearer(await tokenFor(bootstrap.clientId, bootstrap.secret));

  const agency = await client.POST('/v1/agencies', {
    headers: admin,
    body: { code: 'DINSOS-6571', name: 'Dinas Sosial Kota Tarakan', kind: 'DINSOS', jurisdiction_region_code: '65.71' },
  });
  t.equal(agency.response.status, 201);
  t.equal(agency.response.headers.get('location'), '/v1/agencies/DINSOS-6571');

  async function newClient(name: string, role: 'producer' | 'walidata' | 'consumer', agencyCode?: string) {
    const { data, error } = await client.POST('/v1/clients', { headers: admin, body: { name, role, ...(agencyCode ? { agency: agencyCode } : {}) } });
    if (!data) throw new Error(`client: ${JSON.stringify(error)}`);
    return bearer(await tokenFor(data.client.client_id, data.client_secret));
  }
  const producer = await newClient('SIKS Tarakan', 'producer', 'DINSOS-6571');
  // Four eyes: the walidata who verifies a version may not also publish it.
  const verifier = await newClient('Walidata nasional A', 'walidata');
  const publisher = await newClient('Walidata nasional B', 'walidata');
  const consumer = await newClient('Dasbor publik', 'consumer');

  const dataset = await client.POST('/v1/datasets', {
    headers: producer,
    body: {
      title: 'Jumlah PPKS Kota Tarakan',
      indicators: ['PPKS-06'],
      reference_periods: ['2025'],
      update_schedule: 'tahunan',
      primary_source: 'Pendataan PPKS oleh TKSK',
      responsible_institution: 'Dinas Sosial Kota Tarakan',
      steward_name: 'Siti Rahmawati',
      steward_contact: 'data.dinsos@tarakankota.go.id',
      access_classification: 'terbuka',
      estimation_levels: ['kabkota'],
    },
  });
  if (!dataset.data) throw new Error(`dataset: ${JSON.stringify(dataset.error)}`);
  const id = dataset.data.id;
  t.equal(dataset.response.headers.get('location'), `/v1/datasets/${id}`);

  const pushOnce = () =>
    client.POST('/v1/datasets/{id}/versions', {
      params: { path: { id }, header: { 'Idempotency-Key': 'tarakan-2025-ppks-06' } },
      headers: producer,
      body: { observations: [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 141 }] },
    });
  const pushed = await pushOnce();
  // The push answers a report, or (202) a job: the generated union is narrowed, not cast.
  if (!pushed.data || !('summary' in pushed.data)) throw new Error(`push: ${pushed.response.status} ${JSON.stringify(pushed.error ?? pushed.data)}`);
  t.equal(pushed.response.status, 201);
  t.equal(pushed.data.status, 'submitted');
  const version = pushed.data.version;
  if (version === null) throw new Error('a stored push has a version');
  t.equal(pushed.response.headers.get('location'), `/v1/datasets/${id}/versions/${version}`);
  const replayed = await pushOnce();
  t.equal(replayed.response.headers.get('idempotent-replayed'), 'true', 'the same key replays the first answer');
  t.equal(replayed.data && 'summary' in replayed.data ? replayed.data.version : undefined, version);

  for (const [action, walidata] of [['verify', verifier], ['publish', publisher]] as const) {
    const reviewed = await client.POST('/v1/datasets/{id}/versions/{version}/review', { params: { path: { id, version } }, headers: walidata, body: { action } });
    // A small publication answers at once (200), not with a job (202): narrowed like the push.
    t.equal(reviewed.data && 'action' in reviewed.data ? reviewed.data.action : undefined, action, `${action}: ${JSON.stringify(reviewed.error ?? reviewed.data ?? '')}`);
  }

  const pulled = await client.GET('/v1/figures', { params: { query: { indicator: ['PPKS-06'], region: '65.71' } }, headers: consumer });
  // JSON or CSV by Accept: without `Accept: text/csv` it is the JSON page.
  if (!pulled.data || typeof pulled.data === 'string') throw new Error(`figures: ${JSON.stringify(pulled.error ?? pulled.data)}`);
  t.same(
    pulled.data.data.map((f) => ({ region: f.region, period: f.period, value: f.value, source: f.source?.agency })),
    [{ region: '65.71', period: '2025', value: 141, source: 'DINSOS-6571' }],
  );
  const etag = pulled.response.headers.get('etag');
  t.ok(etag, 'the page has an ETag');
  const again = await client.GET('/v1/figures', {
    params: { query: { indicator: ['PPKS-06'], region: '65.71' }, header: { 'If-None-Match': etag ?? '' } },
    headers: consumer,
  });
  t.equal(again.response.status, 304, 'the ETag sent back in If-None-Match gives 304');

  const problem = await client.GET('/v1/figures', { headers: { ...consumer, accept: 'application/xml' } });
  t.equal(problem.response.status, 406);
  t.equal(problem.error?.code, 'NOT_ACCEPTABLE', 'the problem is typed like any other');
});
