import t from 'tap';
import ExcelJS from 'exceljs';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const consumer = await ctx.login('consumer');

const created = await app.inject({
  method: 'POST',
  url: '/v1/datasets',
  headers: producer.auth,
  payload: {
    title: 'Jumlah PPKS Kota Tarakan',
    indicators: ['PPKS-01', 'PPKS-06'],
    reference_periods: ['2025'],
    update_schedule: 'tahunan',
    primary_source: 'Pendataan PPKS oleh TKSK',
    responsible_institution: 'Dinas Sosial Kota Tarakan',
    steward_name: 'Siti Rahmawati',
    steward_contact: '0812-3456-7890',
    access_classification: 'terbatas',
  },
});
const id = created.json().id as string;

function multipart(filename: string, content: Buffer | string, type = 'application/octet-stream') {
  const boundary = '----sde-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { ...producer.auth, 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(filename: string, content: Buffer | string, query = '') {
  const { payload, headers } = multipart(filename, content);
  return app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions${query}`, headers, payload });
}

t.test('the CSV template has the columns and one row per indicator', async (t) => {
  const res = await app.inject({ url: `/v1/datasets/${id}/template.csv`, headers: producer.auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-disposition'], /attachment; filename="template-.*\.csv"/);
  const lines = res.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  t.equal(lines[0], 'indicator,region,period,value,unit,obs_status,note,sex,age_group,disability,desil,desil_ranking_date');
  t.same(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['PPKS-01,65.71,2025', 'PPKS-06,65.71,2025']);
  t.equal((await app.inject({ url: `/v1/datasets/${id}/template.csv`, headers: consumer.auth })).statusCode, 403);
});

t.test('the Excel template, filled in by an operator, uploads as a clean version', async (t) => {
  const res = await app.inject({ url: `/v1/datasets/${id}/template.xlsx`, headers: producer.auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /spreadsheetml/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('data')!;
  t.equal(sheet.getColumn(2).numFmt, '@', 'region column is text');
  t.ok(workbook.getWorksheet('petunjuk'), 'has a guide sheet');
  sheet.getRow(2).getCell(4).value = 12;
  sheet.getRow(3).getCell(4).value = 128;
  const filled = Buffer.from(await workbook.xlsx.writeBuffer());
  const pushed = await upload('ppks-2025.xlsx', filled);
  t.equal(pushed.statusCode, 201, pushed.body);
  t.match(pushed.json(), { format: 'xlsx', status: 'submitted', summary: { rows_read: 2, accepted: 2 } });
});

t.test('a CSV file upload works like a text/csv body', async (t) => {
  const res = await upload('data.csv', 'indicator;region;period;value\nPPKS-06;65.71;2025;7\n');
  t.equal(res.statusCode, 201);
  t.match(res.json(), { format: 'csv', status: 'submitted', summary: { accepted: 1 } });
});

t.test('bad files are reported, not crashed on', async (t) => {
  const notZip = await upload('data.xlsx', 'this is not a zip file');
  t.equal(notZip.statusCode, 201);
  t.equal(notZip.json().status, 'rejected');
  t.ok(notZip.json().findings.some((f: { code: string }) => f.code === 'IO_XLSX_INVALID'));
  const wrongSheet = await upload('data.xlsx', Buffer.from(await new ExcelJS.Workbook().xlsx.writeBuffer()), '?sheet=nope');
  t.equal(wrongSheet.json().status, 'rejected');
  t.equal((await upload('data.pdf', '%PDF-1.4')).statusCode, 415);
  const noFile = await app.inject({
    method: 'POST',
    url: `/v1/datasets/${id}/versions`,
    headers: { ...producer.auth, 'content-type': 'multipart/form-data; boundary=x' },
    payload: '--x--\r\n',
  });
  t.equal(noFile.statusCode, 400);
});
