import t, { type Test } from 'tap';
import ExcelJS from 'exceljs';
import { createAgency, createTestApp } from './helpers/test-app.js';
import { datasetBody } from './helpers/datasets.js';
import { bombSheet, replacePart } from './helpers/zip-parts.js';

// Small limits, so that each breach takes a small body; the defaults are checked against a
// real process in slow/input-limits-memory.test.ts.
const ctx = await createTestApp(t, {
  PUSH_MAX_COLUMNS: '12',
  PUSH_MAX_LINE_BYTES: '4096',
  PUSH_MAX_CELL_BYTES: '1024',
  XLSX_MAX_INFLATED_BYTES: String(1024 * 1024),
  JSON_MAX_DEPTH: '8',
  JSON_MAX_ARRAY_ITEMS: '100',
  PUSH_ASYNC_ROWS: '10000',
});
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const walidata = await ctx.login('walidata');
const created = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody });
const id = created.json().id as string;
const versions = `/v1/datasets/${id}/versions`;

const HEADER = 'indicator,region,period,value,sex';
const GOOD_ROW = 'PPKS-06,65.71,2025,1,L';

/** Distinct keys for `n` rows: monthly periods from 1900, by sex. */
function goodRows(n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const month = Math.floor(i / 3);
    rows.push(`PPKS-06,65.71,${1900 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')},1,${['L', 'P', ''][i % 3]}`);
  }
  return rows.join('\n');
}

async function storedVersions(): Promise<unknown[]> {
  return (await app.inject({ url: versions, headers: producer.auth })).json().data as unknown[];
}

function multipart(filename: string, content: Buffer | string) {
  const boundary = '----sde-limits-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { ...producer.auth, 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function workbook(rows: unknown[][], extra?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('data');
  for (const row of rows) ws.addRow(row);
  extra?.(ws);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

function refused(t: Test, res: Awaited<ReturnType<typeof app.inject>>, code: string, params: Record<string, unknown> = {}) {
  t.equal(res.statusCode, 413, `${code}: 413`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json() as { detail: string };
  t.match(body, { status: 413, code });
  for (const value of Object.values(params)) t.ok(body.detail.includes(String(value)), `the detail names ${String(value)}`);
  return body;
}

t.test('a JSON body nested 100,000 levels deep is refused before it is parsed, on every JSON route', async (t) => {
  const deep = `{"observations":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  for (const [url, auth] of [
    [versions, producer.auth],
    ['/v1/validate', producer.auth],
    ['/v1/agencies', walidata.auth],
    [`/v1/datasets/${id}`, producer.auth],
  ] as const) {
    const method = url === `/v1/datasets/${id}` ? 'PATCH' : 'POST';
    const res = await app.inject({ method, url, headers: { ...auth, 'content-type': 'application/json', 'accept-language': 'en' }, payload: deep });
    const body = refused(t, res, 'JSON_TOO_DEEP', { limit: 8 });
    t.match(body.detail, /JSON_MAX_DEPTH/, `${method} ${url}`);
  }
  const atLimit = { observations: [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 1, note: [[[[[1]]]]] }] };
  const res = await app.inject({ method: 'POST', url: `${versions}?dryRun=true`, headers: producer.auth, payload: atLimit });
  t.equal(res.statusCode, 200, 'eight levels are within the limit');
  t.same(await storedVersions(), []);
});

t.test('a JSON array longer than the limit is refused, observations or any other', async (t) => {
  const observations = Array.from({ length: 101 }, (_, i) => ({ indicator: 'PPKS-06', region: '65.71', period: String(1900 + i), value: 1 }));
  refused(t, await app.inject({ method: 'POST', url: versions, headers: producer.auth, payload: { observations } }), 'JSON_ARRAY_TOO_LONG', { limit: 100 });
  const periods = Array.from({ length: 101 }, (_, i) => String(1900 + i));
  refused(t, await app.inject({ method: 'PATCH', url: `/v1/datasets/${id}`, headers: producer.auth, payload: { reference_periods: periods } }), 'JSON_ARRAY_TOO_LONG');
  const ok = await app.inject({ method: 'POST', url: `${versions}?dryRun=true`, headers: producer.auth, payload: { observations: observations.slice(0, 100) } });
  t.equal(ok.statusCode, 200, 'a hundred items are within the limit');
  t.same(await storedVersions(), []);
});

t.test('CSV: every breach is a 413 with its code, whichever route reads the file, and nothing is stored', async (t) => {
  const cases: [string, string, string, Record<string, unknown>][] = [
    ['header', `${HEADER}${',extra'.repeat(8)}\n${GOOD_ROW}\n`, 'TOO_MANY_COLUMNS', { row: 1, limit: 12 }],
    ['row', `${HEADER}\n${GOOD_ROW}\n${GOOD_ROW}${','.repeat(8)}\n`, 'TOO_MANY_COLUMNS', { row: 3 }],
    ['line', `${HEADER}\n${GOOD_ROW}\nPPKS-06,65.71,2025,1,${'L'.repeat(5000)}\n`, 'LINE_TOO_LONG', { line: 3, limit: 4096 }],
    ['cell', `indicator,region,period,value,note\nPPKS-06,65.71,2025,1,"${'catatan\n'.repeat(200)}"\n`, 'CELL_TOO_LARGE', { row: 2, column: 'note', limit: 1024 }],
    ['unclosed quote', `indicator,region,period,value,note\nPPKS-06,65.71,2025,1,"tidak ditutup\n${`${GOOD_ROW}\n`.repeat(600)}`, 'CELL_TOO_LARGE', { row: 2 }],
  ];
  for (const [name, csv, code, params] of cases) {
    const headers = { ...producer.auth, 'content-type': 'text/csv' };
    refused(t, await app.inject({ method: 'POST', url: versions, headers, payload: csv }), code, params);
    refused(t, await app.inject({ method: 'POST', url: `${versions}?dryRun=true`, headers, payload: csv }), code);
    refused(t, await app.inject({ method: 'POST', url: '/v1/validate', headers, payload: csv }), code);
    refused(t, await app.inject({ method: 'POST', url: versions, ...multipart('data.csv', csv) }), code);
    t.pass(name);
  }
  t.same(await storedVersions(), []);
});

t.test('CSV: a breach after batches were written leaves no version, and frees the Idempotency-Key', async (t) => {
  const headers = { ...producer.auth, 'content-type': 'text/csv', 'idempotency-key': 'limits-late-breach' };
  const late = `${HEADER}\n${goodRows(6000)}\nPPKS-06,65.71,2025,1,${'L'.repeat(5000)}\n`;
  refused(t, await app.inject({ method: 'POST', url: versions, headers, payload: late }), 'LINE_TOO_LONG', { line: 6002 });
  t.same(await storedVersions(), [], 'not a partial version either');
  const retry = await app.inject({ method: 'POST', url: versions, headers, payload: `${HEADER}\n${goodRows(6000)}\n` });
  t.equal(retry.statusCode, 201, 'the corrected push is taken under the same key');
  t.equal(retry.json().summary.rows_read, 6000);
});

t.test('CSV: a push run as a job fails with the same problem', async (t) => {
  const res = await app.inject({ method: 'POST', url: versions, headers: { ...producer.auth, 'content-type': 'text/csv', prefer: 'respond-async' }, payload: `${HEADER}\n${GOOD_ROW}${','.repeat(20)}\n` });
  t.equal(res.statusCode, 202);
  await app.jobs.drain();
  const job = (await app.inject({ url: res.headers.location as string, headers: producer.auth })).json();
  t.match(job, { status: 'failed', problem: { status: 413, code: 'TOO_MANY_COLUMNS' } });
});

t.test('XLSX: a zip bomb, a row too wide and a cell too large are each a 413', async (t) => {
  const plain = await workbook([HEADER.split(','), GOOD_ROW.split(',')]);
  const bomb = replacePart(plain, 'xl/worksheets/sheet1.xml', bombSheet(8 * 1024 * 1024));
  t.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes`);
  const inflated = refused(t, await app.inject({ method: 'POST', url: versions, ...multipart('data.xlsx', bomb) }), 'XLSX_TOO_LARGE', { part: 'xl/worksheets/sheet1.xml' });
  t.match(inflated.detail, /XLSX_MAX_INFLATED_BYTES/);
  const wide = await workbook([HEADER.split(','), GOOD_ROW.split(',')], (ws) => (ws.getCell('M2').value = 'x'));
  refused(t, await app.inject({ method: 'POST', url: versions, ...multipart('data.xlsx', wide) }), 'TOO_MANY_COLUMNS', { row: 2 });
  const big = await workbook([['indicator', 'region', 'period', 'value', 'note'], ['PPKS-06', '65.71', '2025', 1, 'x'.repeat(2000)]]);
  refused(t, await app.inject({ method: 'POST', url: '/v1/validate', ...multipart('data.xlsx', big) }), 'CELL_TOO_LARGE', { row: 2, column: 'note' });
  t.equal((await storedVersions()).length, 1, 'the corrected retry above is the only version');
});

t.test('integer path and query parameters are bounded: a number past int4 is a 400, never a 500', async (t) => {
  for (const path of ['', '/report', '/observations']) {
    const res = await app.inject({ url: `${versions}/8589934592${path}`, headers: producer.auth });
    t.equal(res.statusCode, 400, `versions/8589934592${path}`);
    t.match(res.json(), { code: 'VALIDATION_FAILED', errors: [{ location: 'path', pointer: '/version', code: 'maximum' }] });
    t.equal((await app.inject({ url: `${versions}/2147483647${path}`, headers: producer.auth })).statusCode, 404, `the largest int4 is looked up${path}`);
  }
  const findings = await app.inject({ url: '/v1/findings?version=31105683880436', headers: walidata.auth });
  t.equal(findings.statusCode, 400);
  t.match(findings.json(), { errors: [{ location: 'query', pointer: '/version', code: 'maximum' }] });
  t.equal((await app.inject({ url: `/v1/findings?dataset=${id}&version=2147483647`, headers: walidata.auth })).statusCode, 200);
  for (const limit of ['0', '1001', '8589934592']) {
    t.equal((await app.inject({ url: `/v1/findings?limit=${limit}`, headers: walidata.auth })).statusCode, 400, `limit=${limit}`);
  }
});

t.test('every integer parameter of every operation has a minimum and a maximum', async (t) => {
  const document = app.swagger() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: Record<string, unknown> }[] }>> };
  const unbounded: string[] = [];
  let integers = 0;
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const p of operation.parameters ?? []) {
        if (p.schema?.type !== 'integer' && p.schema?.type !== 'number') continue;
        integers++;
        if (typeof p.schema.minimum !== 'number' || typeof p.schema.maximum !== 'number') unbounded.push(`${method.toUpperCase()} ${path} ${p.in}:${p.name}`);
      }
    }
  }
  t.ok(integers > 20, `${integers} numeric parameters`);
  t.same(unbounded, []);
});

t.test('a parent region that does not exist is a documented 404; one without children an empty page', async (t) => {
  const res = await app.inject({ url: '/v1/regions?parent=00', headers: producer.auth });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'REGION_NOT_FOUND' });
  const documented = (app.swagger() as { paths: Record<string, { get: { responses: Record<string, unknown> } }> }).paths['/v1/regions']!.get.responses;
  t.ok('404' in documented, 'listRegions documents its 404');
  const leaf = await app.inject({ url: '/v1/regions?parent=65.71.01.1001', headers: producer.auth });
  t.equal(leaf.statusCode, 200);
  t.same(leaf.json().data, []);
});
