import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { ADMIN, startServer } from '../helpers/live-server.js';
import { processDatabase } from '../helpers/server-process.js';
import { bombSheet, replacePart } from '../helpers/zip-parts.js';

// What an attacker sends, against the real process with its default limits and the heap
// `npm start` gives it: each is refused with a 413, and the resident memory grows by less than
// 200 MiB for it. Growth is the peak (VmHWM, reset before each request through clear_refs)
// over the resident set just before. Before the limits, the 1,000,000-column header alone
// exhausted the 256 MiB heap.
const MiB = 1024 * 1024;
// A fresh PGlite directory loads the reference data before the server is ready (see waitReady).
t.setTimeout(600_000);
// The heap `npm start` gives the service.
const server = await startServer(t, { ...(await processDatabase(t)), NODE_OPTIONS: '--max-old-space-size=256', LOG_LEVEL: 'warn' });
const { proc, base, token } = server;
const pid = proc.child.pid!;

async function call(auth: string, path: string, body: string | Buffer | FormData, type?: string) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, ...(type ? { 'content-type': type } : {}) }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The problem a push was refused with: at once, or by its job (more than PUSH_ASYNC_ROWS lines run as one). */
async function outcome(res: { status: number; json: Record<string, unknown> }): Promise<{ status: number; code: unknown }> {
  if (res.status !== 202) return { status: res.status, code: res.json.code };
  const self = (res.json.links as { self: string }).self;
  for (;;) {
    const job = (await (await fetch(`${base}${self}`, { headers: { authorization: `Bearer ${producer}` } })).json()) as { status: string; problem: { status: number; code: string } | null };
    if (job.status !== 'running') return { status: job.problem?.status ?? 0, code: job.problem?.code };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function kib(field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
}

const admin = await token(ADMIN.id, ADMIN.secret);
await call(admin, '/v1/agencies', JSON.stringify({ code: 'DINSOS-6571', name: 'Dinas Sosial Kota Tarakan', kind: 'DINSOS', jurisdiction_region_code: '65.71' }), 'application/json');
const client = await call(admin, '/v1/clients', JSON.stringify({ name: 'SIKS Tarakan', role: 'producer', agency: 'DINSOS-6571' }), 'application/json');
const producer = await token((client.json.client as { client_id: string }).client_id, client.json.client_secret as string);
const dataset = await call(
  producer,
  '/v1/datasets',
  JSON.stringify({
    title: 'PPKS Kota Tarakan',
    indicators: ['PPKS-06'],
    reference_periods: ['2025'],
    update_schedule: 'tahunan',
    primary_source: 'Pendataan PPKS',
    responsible_institution: 'Dinas Sosial Kota Tarakan',
    steward_name: 'Siti Rahmawati',
    steward_contact: 'data@dinsos.tarakankota.go.id',
    access_classification: 'terbatas',
  }),
  'application/json',
);
const versions = `/v1/datasets/${dataset.json.id as string}/versions`;

function file(name: string, bytes: Buffer): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  return form;
}

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('data');
  for (const row of rows) ws.addRow(row);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

const HEADER = 'indicator,region,period,value,note\n';
const plain = await xlsx([['indicator', 'region', 'period', 'value', 'note'], ['PPKS-06', '65.71', '2025', 1, null]]);
const attacks: [string, () => Promise<{ status: number; json: Record<string, unknown> }>, string][] = [
  ['a CSV header of 1,000,000 columns', () => call(producer, versions, `${'kolom,'.repeat(1_000_000)}\n`, 'text/csv'), 'TOO_MANY_COLUMNS'],
  ['a CSV data row of 1,000,000 cells', () => call(producer, versions, `${HEADER}${'1,'.repeat(1_000_000)}\n`, 'text/csv'), 'LINE_TOO_LONG'],
  ['a CSV data row of 1,000,000 empty cells', () => call(producer, versions, `${HEADER}${','.repeat(1_000_000)}\n`, 'text/csv'), 'TOO_MANY_COLUMNS'],
  ['a 10 MB CSV cell on one line', () => call(producer, versions, `${HEADER}PPKS-06,65.71,2025,1,${'x'.repeat(10 * MiB)}\n`, 'text/csv'), 'LINE_TOO_LONG'],
  // 750,000 lines: counted as rows, they make the push a job, which fails with the problem.
  ['a 10 MB quoted CSV cell over many lines', () => call(producer, versions, `${HEADER}PPKS-06,65.71,2025,1,"${'baris catatan\n'.repeat((10 * MiB) / 14)}"\n`, 'text/csv'), 'CELL_TOO_LARGE'],
  ['a 10 MB XLSX cell', async () => call(producer, versions, file('data.xlsx', await xlsx([['indicator', 'region', 'period', 'value', 'note'], ['PPKS-06', '65.71', '2025', 1, randomBytes((7.5 * MiB) | 0).toString('base64')]]))), 'CELL_TOO_LARGE'],
  ['a zip bomb with honest headers (256 MiB of sheet)', () => call(producer, versions, file('data.xlsx', replacePart(plain, 'xl/worksheets/sheet1.xml', bombSheet(256 * MiB)))), 'XLSX_TOO_LARGE'],
  [
    'a zip bomb whose headers lie (256 MiB of shared strings claimed as 100 bytes)',
    () => call(producer, versions, file('data.xlsx', replacePart(plain, 'xl/sharedStrings.xml', bombSheet(256 * MiB), { claim: { inflated: 100 } }))),
    'XLSX_TOO_LARGE',
  ],
  ['a push nested 100,000 levels deep', () => call(producer, versions, `{"observations":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'application/json'), 'JSON_TOO_DEEP'],
  ['any JSON body nested 100,000 levels deep', () => call(admin, '/v1/agencies', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'application/json'), 'JSON_TOO_DEEP'],
];

for (const [name, attack, code] of attacks) {
  t.test(name, { timeout: 120_000 }, async (t) => {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const before = await kib('VmRSS');
    const res = await outcome(await attack());
    const peak = await kib('VmHWM');
    t.same(res, { status: 413, code });
    const grownMiB = (peak - before) / 1024;
    t.ok(grownMiB < 200, `resident memory grew by ${grownMiB.toFixed(1)} MiB (${(before / 1024).toFixed(0)} → ${(peak / 1024).toFixed(0)} MiB)`);
    t.equal(proc.child.exitCode, null, 'the process is still running');
  });
}

t.test('the process still serves, and nothing was stored', async (t) => {
  const res = await fetch(`${base}${versions}`, { headers: { authorization: `Bearer ${producer}` } });
  t.equal(res.status, 200);
  t.same(((await res.json()) as { data: unknown[] }).data, []);
  proc.child.kill('SIGTERM');
  t.equal(await proc.exited, 0);
});
