import t from 'tap';
import { sql } from 'kysely';
import { Readable } from 'node:stream';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp, type TestContext } from '../../helpers/test-app.js';

const ctx = await createTestApp(t, { UPLOAD_LIMIT_BYTES: '200000' });
const { app } = ctx;
const db = ctx.database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINSOS-6501', '65.01');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DINSOS-6501');
const walidata = await ctx.login('walidata');
const consumer = await ctx.login('consumer');


async function newDataset(c: TestContext = ctx, auth = producer.auth): Promise<string> {
  const res = await c.app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: datasetBody });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id as string;
}

function pushJson(id: string, observations: unknown[], query = '', auth = producer.auth) {
  return app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions${query}`, headers: auth, payload: { observations } });
}

function pushCsv(id: string, csv: string | Buffer, query = '', auth = producer.auth) {
  return app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions${query}`, headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
}

const good = [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128, sex: 'L' },
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 97, sex: 'P', obs_status: 'P', note: 'sementara' },
  { indicator: 'PPKS-01', region: '65.71.01', period: '2025', value: 4 },
];

async function count(table: 'dataset_versions' | 'observations' | 'findings', datasetId: string): Promise<number> {
  const q =
    table === 'dataset_versions'
      ? sql<{ n: number }>`select count(*)::int as n from dataset_versions where dataset_id = ${datasetId}`
      : sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} x join dataset_versions v on v.id = x.version_id where v.dataset_id = ${datasetId}`;
  return (await q.execute(db)).rows[0]!.n;
}

t.test('a clean JSON push becomes version 1, submitted, with its observations', async (t) => {
  const id = await newDataset();
  const res = await pushJson(id, good);
  t.equal(res.statusCode, 201, res.body);
  const report = res.json();
  t.equal(report.version, 1);
  t.equal(report.status, 'submitted');
  t.equal(report.format, 'json');
  t.match(report.content_sha256, /^[0-9a-f]{64}$/);
  t.match(report.summary, { rows_read: 3, accepted: 3, rejected: 0, errors: 0 });
  t.equal(report.summary.metadata_completeness.score, 100);
  t.equal(res.headers.location, `/v1/datasets/${id}/versions/1`);

  const obs = await app.inject({ url: `/v1/datasets/${id}/versions/1/observations`, headers: walidata.auth });
  t.equal(obs.statusCode, 200);
  t.same(
    obs.json().data.map((o: { region: string; value: string; disaggregation: object; row: number }) => [o.region, o.value, o.disaggregation, o.row]),
    [
      ['65.71', '128', { sex: 'L' }, 1],
      ['65.71', '97', { sex: 'P' }, 2],
      ['65.71.01', '4', {}, 3],
    ],
  );
  const second = await pushJson(id, good);
  t.equal(second.json().version, 2, 'every push is a new version');
  const dataset = await app.inject({ url: `/v1/datasets/${id}`, headers: producer.auth });
  t.match(dataset.json().latest_version, { version: 2, status: 'submitted' });
});

t.test('more concurrent pushes than database connections all land', async (t) => {
  // On a server a push holds a connection for its transaction and reads reference data on a
  // second one; the test pool has 5, so six at once must queue rather than wait on each other.
  const ids = await Promise.all(Array.from({ length: 6 }, () => newDataset()));
  const pushes = await Promise.all(ids.map((id) => pushJson(id, good)));
  t.same(pushes.map((r) => r.statusCode), [201, 201, 201, 201, 201, 201], pushes.map((r) => r.body).join('\n'));
  t.same(pushes.map((r) => r.json().version), [1, 1, 1, 1, 1, 1]);
  const other = await app.inject({ url: '/v1/indicators?limit=1', headers: consumer.auth });
  t.equal(other.statusCode, 200, 'and other requests are served meanwhile');
});

t.test('notes come back exactly as pushed, whatever characters they hold', async (t) => {
  // On a server observations go in by COPY, whose text format gives tabs, line breaks,
  // backslashes and \N meanings of their own.
  const notes = ['kolom\tdipisah tab', 'baris satu\nbaris dua\r\n', 'C:\\data\\ppks.csv', '\\N', 'kutip "ganda" dan \'tunggal\'', null];
  const id = await newDataset();
  const pushed = notes.map((note, i) => ({ indicator: 'PPKS-01', region: '65.71.01', period: `${2015 + i}`, value: 4 + i, note }));
  const res = await pushJson(id, pushed);
  t.equal(res.statusCode, 201, res.body);
  t.equal(res.json().summary.accepted, notes.length);
  const obs = await app.inject({ url: `/v1/datasets/${id}/versions/1/observations`, headers: walidata.auth });
  t.same(
    obs.json().data.map((o: { note: string | null; value: string }) => [o.note, o.value]),
    notes.map((note, i) => [note, String(4 + i)]),
  );
});

t.test('errors reject the version but keep its report; nothing half-valid is served', async (t) => {
  const id = await newDataset();
  const res = await pushJson(id, [
    good[0],
    { indicator: 'PPKS-06', region: '65.01', period: '2025', value: 5 }, // outside the agency's jurisdiction
    { indicator: 'PPKS-06', region: '65.7', period: '2025', value: 5 }, // malformed
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 12.5 }, // a count must be an integer
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: '1.234' }, // a string value
    { indicator: 'IKS-01', region: '65.71', period: '2025', value: 50 }, // not in the dataset
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128, sex: 'L' }, // duplicate of row 1
  ]);
  t.equal(res.statusCode, 201);
  const report = res.json();
  t.equal(report.status, 'rejected');
  t.equal(report.summary.rows_read, 6, 'the string value is reported before it becomes a row');
  const codes = report.findings.map((f: { code: string; pointer: string }) => `${f.code}@${f.pointer}`);
  for (const expected of [
    'KR_REGION_OUTSIDE_JURISDICTION@/observations/1/region',
    'KR_REGION_MALFORMED@/observations/2/region',
    'SD_COUNT_NOT_INTEGER@/observations/3/value',
    'IO_VALUE_AS_STRING@/observations/4/value',
    'SD_INDICATOR_NOT_IN_DATASET@/observations/5/indicator',
  ]) {
    t.ok(codes.some((c: string) => c.startsWith(expected.split('@')[0]!) && c.includes(expected.split('@')[1]!.split('/').slice(0, 3).join('/'))), expected);
  }
  t.ok(report.findings.some((f: { code: string }) => f.code === 'IO_DUPLICATE_KEY'), 'duplicate key reported');
  for (const f of report.findings) t.ok(f.message.id && f.message.en, `${f.code} has both languages`);

  const stored = await app.inject({ url: `/v1/datasets/${id}/versions/1`, headers: walidata.auth });
  t.match(stored.json(), { status: 'rejected', error_count: report.summary.errors });
  const page1 = await app.inject({ url: `/v1/datasets/${id}/versions/1/report?limit=2`, headers: producer.auth });
  t.equal(page1.statusCode, 200);
  t.equal(page1.json().findings.length, 2);
  const page2 = await app.inject({ url: `/v1/datasets/${id}/versions/1/report?limit=2&cursor=${page1.json().page.next_cursor}`, headers: producer.auth });
  t.not(page2.json().findings[0].code + page2.json().findings[0].pointer, page1.json().findings[0].code + page1.json().findings[0].pointer);
  const onlyErrors = await app.inject({ url: `/v1/datasets/${id}/versions/1/report?severity=warning`, headers: producer.auth });
  t.ok(onlyErrors.json().findings.every((f: { severity: string }) => f.severity === 'warning'));
});

t.test('a repeated key is found anywhere in the push, and names both places', async (t) => {
  const id = await newDataset();
  // Rows 4–5003 are refused (not a number), so row 5004 arrives in the second batch of 5,000.
  const filler = Array.from({ length: 5000 }, () => 'PPKS-06,65.71,2024,x,').join('\n');
  const csv = `indicator,region,period,value,sex\nPPKS-06,65.71,2025,10,L\nPPKS-06,65.71,2025,11,L\n${filler}\nPPKS-06,65.71,2025,12,L\nPPKS-06,65.71,2025,13,P\n`;
  const res = await pushCsv(id, csv);
  t.equal(res.statusCode, 201, res.body);
  const report = res.json();
  t.match(report, { status: 'rejected', summary: { rows_read: 5004, accepted: 2 } });
  const page = await app.inject({ url: `/v1/datasets/${id}/versions/1/report?code=IO_DUPLICATE_KEY`, headers: producer.auth });
  const duplicates = page.json().findings.filter((f: { code: string }) => f.code === 'IO_DUPLICATE_KEY');
  t.same(
    duplicates.map((f: { row: number }) => f.row),
    [3, 5004],
    'within a batch and across batches',
  );
  t.match(duplicates[1], { severity: 'error', principle: 'interoperabilitas', value: 'PPKS-06 · 65.71 · 2025 · sex=L' });
  t.match(duplicates[1].message.en, /^Row 5004 repeats the key \(indicator, region, period, disaggregation\) already given at row 2/);
  t.match(duplicates[1].message.id, /^Baris 5004 mengulang kunci .* di baris 2/);
  t.match(duplicates[1].hint.en, /row 2 or row 5004/);
  const stored = await sql<{ source_row: number; value: string }>`select source_row, value::text from observations o join dataset_versions v on v.id = o.version_id
    where v.dataset_id = ${id} order by source_row`.execute(db);
  t.same(
    stored.rows.map((r) => [r.source_row, r.value]),
    [
      [2, '10'],
      [5005, '13'],
    ],
    'the first figure of a key is the one kept with the (rejected) version',
  );
});

t.test('JSON: repeated keys by pointer; a refused observation does not claim its key', async (t) => {
  const id = await newDataset();
  const key = { indicator: 'PPKS-06', region: '65.71', period: '2025' };
  const res = await pushJson(id, [
    { ...key, value: 'x' },
    { ...key, value: 5 },
    { ...key, value: 6 },
    { ...key, value: 7, sex: 'L' },
    { ...key, region: ' 65.71', value: 8 },
  ]);
  const report = res.json();
  const duplicates = report.findings.filter((f: { code: string }) => f.code === 'IO_DUPLICATE_KEY');
  t.same(
    duplicates.map((f: { pointer: string; row?: number }) => [f.pointer, f.row]),
    [['/observations/2', undefined]],
  );
  t.match(duplicates[0].message.en, /^\/observations\/2 repeats the key .* at \/observations\/1/);
  t.equal(report.summary.accepted, 2, 'the second and the broken-down figure');
});

t.test('dry run validates and stores nothing, not even a version number', async (t) => {
  const id = await newDataset();
  const res = await pushJson(id, good, '?dryRun=true');
  t.equal(res.statusCode, 200);
  t.match(res.json(), { dry_run: true, version: null, status: 'submitted' });
  t.equal(await count('dataset_versions', id), 0);
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where entity_id = ${id} and action = 'dataset.version-pushed'`.execute(db);
  t.equal(audit.rows[0]!.n, 0);
  t.equal((await pushJson(id, good)).json().version, 1);
});

t.test('CSV: comma or semicolon, BOM, Indonesian headers, decimal comma reported', async (t) => {
  const id = await newDataset();
  const comma = await pushCsv(id, '\uFEFFindicator,region,period,value,sex\nPPKS-06,65.71,2025,128,L\nPPKS-06,65.71,2025,97,P\n');
  t.equal(comma.statusCode, 201, comma.body);
  t.match(comma.json(), { format: 'csv', status: 'submitted', summary: { rows_read: 2, accepted: 2 } });

  const semicolon = await pushCsv(id, 'kode_indikator;kode_wilayah;periode;nilai\nPPKS-06;65.71.01;2025;12\n');
  t.match(semicolon.json(), { status: 'submitted', summary: { accepted: 1 } });

  const obs = await app.inject({ url: `/v1/datasets/${id}/versions/1/observations?format=csv`, headers: producer.auth });
  t.match(obs.headers['content-type'], /text\/csv/);
  t.match(obs.body, /^indicator,region,period,value,obs_status,note,sex/);
  t.match(obs.body, /PPKS-06,65\.71,2025,128,A,,L/);
});

t.test('CSV problems are reported with row numbers', async (t) => {
  const id = await newDataset();
  const res = await pushCsv(id, 'indicator,region,period,value\nPPKS-06,65.71,2025,128\nPPKS-06,65.71.01,2025\nPPKS-06,11.1,2025,3\nPPKS-06,65.71.02,2025,1.234\n');
  t.equal(res.statusCode, 201);
  const report = res.json();
  t.equal(report.status, 'rejected');
  const at = (code: string) => report.findings.find((f: { code: string }) => f.code === code);
  t.match(at('IO_RAGGED_ROW'), { row: 3 });
  t.match(at('KR_REGION_MALFORMED'), { row: 4, value: '11.1' });
  t.match(at('SD_VALUE_AMBIGUOUS'), { row: 5, value: '1.234' });
  const header = await pushCsv(id, 'indicator,region,period\nPPKS-06,65.71,2025\n');
  t.ok(header.json().findings.some((f: { code: string }) => f.code === 'IO_MISSING_COLUMN'));
  const empty = await pushCsv(id, '');
  t.equal(empty.json().status, 'rejected');
});

t.test('a NIK-like value is rejected and never stored', async (t) => {
  const id = await newDataset();
  const nik = '3571234567890001';
  const res = await pushJson(id, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 1, note: nik }]);
  t.equal(res.json().status, 'rejected');
  t.notOk(res.body.includes(nik), 'not echoed in the report');
  const stored = await sql<{ n: number }>`
    select (select count(*) from observations where note like ${'%' + nik + '%'})::int
         + (select count(*) from findings where value like ${'%' + nik + '%'} or message_id like ${'%' + nik + '%'})::int as n`.execute(db);
  t.equal(stored.rows[0]!.n, 0);
});

t.test('who may push: owner producer only; nothing written otherwise', async (t) => {
  const id = await newDataset();
  t.equal((await pushJson(id, good, '', walidata.auth)).statusCode, 403);
  t.equal((await pushJson(id, good, '', consumer.auth)).statusCode, 403);
  const other = await pushJson(id, good, '', otherProducer.auth);
  t.equal(other.statusCode, 404, 'a restricted dataset of another agency is invisible');
  t.equal(await count('dataset_versions', id), 0);
  t.equal((await app.inject({ url: `/v1/datasets/${id}/versions`, headers: consumer.auth })).statusCode, 403);
  t.equal((await pushJson('00000000-0000-0000-0000-000000000000', good)).statusCode, 404);
});

t.test('bad bodies: 400, 413, 415', async (t) => {
  const id = await newDataset();
  const url = `/v1/datasets/${id}/versions`;
  t.equal((await app.inject({ method: 'POST', url, headers: producer.auth, payload: { observations: [{ ...good[0], extra: 1 }] } })).statusCode, 400, 'unknown field');
  t.equal((await app.inject({ method: 'POST', url, headers: { ...producer.auth, 'content-type': 'application/json' }, payload: '' })).statusCode, 400, 'empty body');
  t.equal((await app.inject({ method: 'POST', url, headers: { ...producer.auth, 'content-type': 'application/json' }, payload: '{"observations":[{"value":NaN}]}' })).statusCode, 400, 'NaN is not JSON');
  t.equal((await app.inject({ method: 'POST', url, headers: { ...producer.auth, 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415);
  const big = 'indicator,region,period,value\n' + 'PPKS-06,65.71,2025,1\n'.repeat(12_000);
  const tooLarge = await pushCsv(id, big);
  t.equal(tooLarge.statusCode, 413);
  t.equal(tooLarge.json().code, 'PAYLOAD_TOO_LARGE');
  t.equal(await count('dataset_versions', id), 0, 'nothing half-written');
  const infinite = await app.inject({ method: 'POST', url, headers: { ...producer.auth, 'content-type': 'application/json' }, payload: '{"observations":[{"indicator":"PPKS-06","region":"65.71","period":"2025","value":1e309}]}' });
  t.equal(infinite.json().findings[0].code, 'SD_VALUE_NOT_FINITE');
});

t.test('versions list and 404s', async (t) => {
  const id = await newDataset();
  await pushJson(id, good);
  await pushJson(id, good);
  const list = await app.inject({ url: `/v1/datasets/${id}/versions?limit=1`, headers: walidata.auth });
  t.same(list.json().data.map((v: { version: number }) => v.version), [2]);
  const next = await app.inject({ url: `/v1/datasets/${id}/versions?limit=1&cursor=${list.json().page.next_cursor}`, headers: walidata.auth });
  t.same(next.json().data.map((v: { version: number }) => v.version), [1]);
  t.equal((await app.inject({ url: `/v1/datasets/${id}/versions/9`, headers: walidata.auth })).json().code, 'VERSION_NOT_FOUND');
  t.equal((await app.inject({ url: `/v1/datasets/${id}/versions/0`, headers: walidata.auth })).statusCode, 400);
});

t.test('Idempotency-Key: replay, reuse with another body, concurrent duplicate', async (t) => {
  const id = await newDataset();
  const url = `/v1/datasets/${id}/versions`;
  const withKey = (key: string, observations: unknown[]) =>
    app.inject({ method: 'POST', url, headers: { ...producer.auth, 'idempotency-key': key }, payload: { observations } });
  const first = await withKey('push-2025-01', good);
  t.equal(first.statusCode, 201);
  const replay = await withKey('push-2025-01', good);
  t.equal(replay.statusCode, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.same(replay.json(), first.json(), 'the original response');
  t.equal(await count('dataset_versions', id), 1, 'no second version');
  const reused = await withKey('push-2025-01', [good[0]]);
  t.equal(reused.statusCode, 422);
  t.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');
  const otherClient = await ctx.login('producer', 'DINSOS-6571');
  const scoped = await app.inject({ method: 'POST', url, headers: { ...otherClient.auth, 'idempotency-key': 'push-2025-01' }, payload: { observations: good } });
  t.equal(scoped.statusCode, 201, 'keys are scoped to the client');
  t.equal(scoped.json().version, 2);

  // A slow upload holds the key while a duplicate arrives: its body ends only once the
  // duplicate has been answered, and the duplicate is sent once the claim is in the table
  // (waited for, not slept for, so a busy machine cannot reorder them).
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  async function* slowCsv() {
    yield Buffer.from('indicator,region,period,value\n');
    await released;
    yield Buffer.from('PPKS-06,65.71,2025,1\n');
  }
  const slow = app.inject({
    method: 'POST',
    url,
    headers: { ...producer.auth, 'idempotency-key': 'concurrent', 'content-type': 'text/csv' },
    payload: Readable.from(slowCsv()),
  });
  const claimed = () => db.selectFrom('idempotency_keys').select('status').where('key', '=', 'concurrent').where('client_id', '=', producer.clientId).executeTakeFirst();
  while ((await claimed())?.status !== 'in_progress') await new Promise((r) => setTimeout(r, 10));
  const duplicate = await withKey('concurrent', good);
  release();
  // The body is spooled before any transaction starts, so on PGlite's single connection too
  // the duplicate is answered at once.
  t.equal(duplicate.statusCode, 409, duplicate.body);
  t.equal(duplicate.json().code, 'IDEMPOTENCY_IN_PROGRESS');
  t.equal((await slow).statusCode, 201);
  t.equal(await count('dataset_versions', id), 3, 'the duplicate made no version');
  t.equal((await withKey('bad key with spaces', good)).statusCode, 400);
});
