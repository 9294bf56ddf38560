import t, { type Test } from 'tap';
import ExcelJS from 'exceljs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeclared, openArchive, writeArchive } from '../../../src/modules/tabular/xlsx-archive.js';
import { readXlsx, type XlsxBatch, type XlsxReadOptions } from '../../../src/modules/tabular/xlsx-reader.js';
import type { Finding } from '../../../src/domain/finding.js';
import { bombSheet, replacePart, unzip, zip, type ZipPart } from '../../helpers/zip-parts.js';

const MiB = 1024 * 1024;
const OPTIONS: XlsxReadOptions = { batchSize: 1000, maxEntryBytes: 64 * MiB, maxCellBytes: 64 * 1024, maxColumns: 200 };

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

async function read(input: Buffer, options: Partial<XlsxReadOptions> = {}) {
  const batches: XlsxBatch[] = [];
  for await (const batch of readXlsx(input, { ...OPTIONS, ...options })) batches.push(batch);
  return {
    batches,
    info: batches[0]?.info,
    observations: batches.flatMap((b) => b.observations),
    findings: batches.flatMap((b) => b.findings),
  };
}

function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

function checkWording(t: Test, findings: Finding[]) {
  for (const f of findings) {
    t.equal(f.principle, 'interoperabilitas', `${f.code} principle`);
    t.ok(f.message.id.length > 10 && f.message.en.length > 10, `${f.code} has both messages`);
    t.not(f.message.id, f.message.en, `${f.code} is worded in both languages`);
  }
}

/** The same workbook with its parts reordered: shared strings and styles before the sheets. */
function sheetsLast(bytes: Buffer): Buffer {
  const parts = unzip(bytes);
  const isSheet = (p: ZipPart) => p.name.startsWith('xl/worksheets/');
  return zip([...parts.filter((p) => !isSheet(p)), ...parts.filter(isSheet)]);
}

const HEADER = ['indicator', 'region', 'period', 'value', 'note'];

// --- Tests ---------------------------------------------------------------------------------

t.test('typed numbers and dates become canonical text', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(['indicator', 'region', 'period', 'value', 'desil', 'desil_ranking_date', 'note']);
    ws.addRow(['PPKS-06', '65.71', '2025', 1234.5, 3, new Date(Date.UTC(2025, 2, 31)), 'teks']);
    ws.addRow(['PPKS-06', '65.71', new Date(Date.UTC(2025, 6, 1)), 1000000, null, null, 0.1]);
    ws.addRow([' PPKS-07 ', '65.72', '2025-Q3', -0.25, null, null, true]);
  });
  const { info, observations, findings } = await read(bytes);
  t.same(findings, []);
  t.same(info, { decimalComma: false, columns: ['indicator', 'region', 'period', 'value', 'desil', 'desil_ranking_date', 'note'], sheet: 'Data' });
  t.same(observations, [
    { row: 2, indicator: 'PPKS-06', region: '65.71', period: '2025', value: '1234.5', desil: '3', desil_ranking_date: '2025-03-31', note: 'teks' },
    // A period typed as 2025-07 becomes a date in Excel; it arrives as that date for the rules to reject.
    { row: 3, indicator: 'PPKS-06', region: '65.71', period: '2025-07-01', value: '1000000', note: '0.1' },
    { row: 4, indicator: 'PPKS-07', region: '65.72', period: '2025-Q3', value: '-0.25', note: 'TRUE' },
  ]);
});

t.test('a region typed as a number stays a number; as text it stays text', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', 6571, '2025', 6571, null]);
    ws.addRow(['PPKS-06', '6571', '2025', 1, null]);
    ws.addRow(['PPKS-06', 11.1, '2025', 1, null]);
  });
  const { observations, findings } = await read(bytes);
  t.same(findings, []);
  t.equal(observations[0]?.region, 6571);
  t.equal(observations[0]?.value, '6571', 'other columns are text');
  t.equal(observations[1]?.region, '6571');
  t.equal(observations[2]?.region, 11.1);
});

t.test('rich text is joined; formulas give their cached result or a finding', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(['kode_indikator', 'KODE_WILAYAH', 'Periode', 'nilai', 'catatan']);
    ws.addRow(['PPKS-06', '65.71', '2025', { formula: '20*2', result: 40 }, { richText: [{ text: 'Kota ' }, { text: 'Tarakan', font: { bold: true } }] }]);
    ws.addRow(['PPKS-06', '65.71', '2025', { formula: 'D2*2' }, null]);
    ws.addRow(['PPKS-06', '65.71', '2025', { formula: '1/0', result: { error: '#DIV/0!' } }, null]);
    ws.addRow(['PPKS-06', { formula: '"65."&"72"', result: '65.72' }, '2025', 5, null]);
  });
  const { observations, findings } = await read(bytes);
  t.same(observations, [
    { row: 2, indicator: 'PPKS-06', region: '65.71', period: '2025', value: '40', note: 'Kota Tarakan' },
    { row: 5, indicator: 'PPKS-06', region: '65.72', period: '2025', value: '5' },
  ]);
  t.same(codes(findings), ['IO_FORMULA_NO_VALUE', 'IO_FORMULA_NO_VALUE']);
  t.match(findings[0], { row: 3, column: 'nilai', severity: 'error' });
  t.match(findings[0]?.message.en, /Cell D3/);
  t.match(findings[1], { row: 4 });
  checkWording(t, findings);
});

t.test('second sheet via options.sheet; hidden sheets are not "the first sheet"', async (t) => {
  const bytes = await workbook((wb) => {
    const codes = wb.addWorksheet('Kode', { state: 'hidden' });
    codes.addRow(['kode']);
    const first = wb.addWorksheet('Petunjuk');
    first.addRow(['indicator', 'region', 'period', 'value']);
    first.addRow(['PPKS-01', '65', '2025', 1]);
    const second = wb.addWorksheet('Data 2025');
    second.addRow(['indicator', 'region', 'period', 'value']);
    second.addRow(['PPKS-02', '65.71', '2025', 2]);
  });
  const byDefault = await read(bytes);
  t.equal(byDefault.info?.sheet, 'Petunjuk');
  t.same(
    byDefault.observations.map((o) => o.indicator),
    ['PPKS-01'],
  );
  const second = await read(bytes, { sheet: 'Data 2025' });
  t.equal(second.info?.sheet, 'Data 2025');
  t.same(
    second.observations.map((o) => o.indicator),
    ['PPKS-02'],
  );
  const anyCase = await read(bytes, { sheet: ' data 2025' });
  t.equal(anyCase.info?.sheet, 'Data 2025', 'sheet names match case-insensitively, as in Excel');
});

t.test('unknown sheet lists the sheets there are', async (t) => {
  const bytes = await workbook((wb) => {
    wb.addWorksheet('Data').addRow(HEADER);
    wb.addWorksheet('Lampiran').addRow(['x']);
  });
  const { batches, findings } = await read(bytes, { sheet: 'Sheet1' });
  t.equal(batches.length, 1);
  t.same(codes(findings), ['IO_SHEET_NOT_FOUND']);
  t.match(findings[0], { severity: 'error', value: 'Sheet1' });
  t.match(findings[0]?.message.en, /“Data”, “Lampiran”/);
  checkWording(t, findings);
});

t.test('sheets are found by the name and order of the workbook, whatever their parts are called', async (t) => {
  const bytes = await workbook((wb) => {
    wb.addWorksheet('Data & “Kode” <1>').addRow(['x']);
    const second = wb.addWorksheet('Lembar é');
    second.addRow(HEADER);
    second.addRow(['PPKS-06', '65.71', '2025', 1, 'Sulawesi — é 😀']);
  });
  const parts = unzip(bytes);
  t.match(parts.find((p) => p.name === 'xl/workbook.xml')?.data.toString(), /&amp;/, 'the name is escaped in the XML');
  const notFound = await read(bytes, { sheet: 'nope' });
  t.match(notFound.findings[0]?.message.en, /“Data & “Kode” <1>”, “Lembar é”/);
  // Another writer's part names and an absolute target: only the relationships say which is which.
  const renamed = zip(
    parts.map((p) =>
      p.name === 'xl/worksheets/sheet2.xml'
        ? { ...p, name: 'xl/worksheets/isi.xml' }
        : p.name === 'xl/_rels/workbook.xml.rels'
          ? { ...p, data: Buffer.from(p.data.toString().replace('Target="worksheets/sheet2.xml"', 'Target="/xl/worksheets/isi.xml"')) }
          : p,
    ),
  );
  const { info, observations, findings } = await read(renamed, { sheet: 'lembar é' });
  t.same(findings, []);
  t.equal(info?.sheet, 'Lembar é');
  t.same(
    observations.map((o) => o.note),
    ['Sulawesi — é 😀'],
  );
  const missing = zip(parts.filter((p) => p.name !== 'xl/worksheets/sheet2.xml'));
  t.same(codes((await read(missing, { sheet: 'Lembar é' })).findings), ['IO_XLSX_INVALID'], 'a sheet listed without its part');
});

t.test('bytes that are not a zip are reported, not thrown', async (t) => {
  for (const bytes of [
    Buffer.from('indicator,region,period,value\nPPKS-06,65.71,2025,1\n'),
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
    Buffer.alloc(5000, 7),
  ]) {
    const { batches, findings } = await read(bytes);
    t.equal(batches.length, 1);
    t.same(codes(findings), ['IO_XLSX_INVALID']);
  }
  const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
  const { findings } = await read(xls);
  t.same(codes(findings), ['IO_XLSX_INVALID']);
  t.match(findings[0]?.message.en, /97-2003/);
  checkWording(t, findings);
});

t.test('a truncated workbook is invalid and does not hang', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    for (let i = 0; i < 2000; i++) ws.addRow(['PPKS-06', '65.71', '2025', i, `catatan ${i}`]);
  });
  for (const cut of [0.3, 0.6, 0.95]) {
    const { findings } = await read(bytes.subarray(0, Math.floor(bytes.length * cut)));
    t.same(codes(findings), ['IO_XLSX_INVALID'], `cut at ${cut}`);
  }
});

t.test('a zip that is not a workbook', async (t) => {
  const bytes = zip([{ name: 'data.csv', data: Buffer.from('indicator,region\n') }]);
  const { findings } = await read(bytes);
  t.same(codes(findings), ['IO_XLSX_INVALID']);
  t.match(findings[0]?.message.en, /no xl\/workbook\.xml/);
});

t.test('a workbook with no sheets, and an empty upload', async (t) => {
  const bytes = await workbook(() => {});
  const { findings } = await read(bytes);
  t.same(codes(findings), ['IO_EMPTY']);
  t.match(findings[0]?.message.en, /no worksheets/);
  const empty = await read(Buffer.alloc(0));
  t.same(codes(empty.findings), ['IO_EMPTY']);
  checkWording(t, [...findings, ...empty.findings]);
});

t.test('an empty sheet, and a sheet with only a header', async (t) => {
  const bytes = await workbook((wb) => {
    wb.addWorksheet('Kosong');
    wb.addWorksheet('Header').addRow(HEADER);
  });
  const empty = await read(bytes);
  t.same(codes(empty.findings), ['IO_EMPTY']);
  const headerOnly = await read(bytes, { sheet: 'Header' });
  t.match(headerOnly.findings, [{ code: 'IO_EMPTY', row: 1 }]);
});

t.test('merged cells are reported as warnings with their range; the rows are still read', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', '65.71', '2025', 1, 'a']);
    ws.addRow(['PPKS-06', '65.72', '2025', 2, 'b']);
    ws.addRow(['PPKS-06', '65.73', '2025', 3, 'c']);
    ws.mergeCells('A2:A4');
    ws.mergeCells('E3:E4');
  });
  for (const variant of [bytes, sheetsLast(bytes)]) {
    const { observations, findings } = await read(variant);
    t.same(
      observations.map((o) => [o.row, o.indicator, o.note]),
      [
        [2, 'PPKS-06', 'a'],
        [3, '', 'b'],
        [4, '', undefined],
      ],
    );
    t.same(codes(findings), ['IO_MERGED_CELLS', 'IO_MERGED_CELLS']);
    t.match(findings[0], { severity: 'warning', value: 'A2:A4', row: 2, column: 'indicator' });
    t.match(findings[1], { value: 'E3:E4', row: 3, column: 'note' });
    checkWording(t, findings);
  }
});

t.test('many merges are summarised', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    for (let i = 0; i < 60; i++) ws.addRow(['PPKS-06', '65.71', '2025', i, 'x']);
    for (let i = 0; i < 30; i++) ws.mergeCells(`E${2 * i + 2}:E${2 * i + 3}`);
  });
  const { findings } = await read(bytes);
  t.equal(findings.length, 21);
  t.match(findings[20]?.message.en, /10 more merged/);
});

t.test('header rules are those of CSV', async (t) => {
  const cases: [unknown[], string[]][] = [
    [['indicator', 'region', 'period'], ['IO_MISSING_COLUMN']],
    [['indicator', 'region', 'period', 'value', 'keterangan'], ['IO_UNKNOWN_COLUMN']],
    [['indicator', 'region', 'kode_wilayah', 'period', 'value'], ['IO_DUPLICATE_COLUMN']],
    [['PPKS-06', 65.71, 2025, 10], ['IO_NO_HEADER']],
  ];
  for (const [header, expected] of cases) {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('Data');
      ws.addRow(header);
      ws.addRow(['PPKS-06', '65.71', '2025', 1, 'x']);
    });
    const { batches, findings } = await read(bytes);
    t.equal(batches.length, 1, JSON.stringify(header));
    t.same(batches[0]?.observations, []);
    t.same(codes(findings), expected, JSON.stringify(header));
  }
});

t.test('a value right of the header, blank rows, and row numbers as in the sheet', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.getRow(2).values = ['indicator', 'region', 'period', 'value'];
    ws.getRow(3).values = ['PPKS-06', '65.71', '2025', 1];
    ws.getRow(5).values = ['PPKS-06', '65.72', '2025', 2, null, 'lupa'];
    ws.getRow(6).values = ['PPKS-06', '65.73', '2025', 3];
    ws.getRow(7).getCell(2).style = { font: { bold: true } };
  });
  const { observations, findings } = await read(bytes);
  t.same(
    observations.map((o) => o.row),
    [3, 6],
  );
  t.match(findings, [{ code: 'IO_RAGGED_ROW', row: 5, value: 'lupa' }]);
  t.match(findings[0]?.message.en, /column F/);
});

t.test('batches of batchSize rows with the info on the first', async (t) => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    for (let i = 0; i < 2500; i++) ws.addRow(['PPKS-06', '65.71', '2025', i, null]);
  });
  const { batches } = await read(bytes, { batchSize: 1000 });
  t.same(
    batches.map((b) => b.observations.length),
    [1000, 1000, 500],
  );
  t.ok(batches[0]?.info);
  t.equal(batches[1]?.info, undefined);
  const all = batches.flatMap((b) => b.observations);
  t.equal(all[0]?.row, 2);
  t.equal(all[2499]?.row, 2501);
  t.equal(all[2499]?.value, '2499');
});

t.test('multi-byte text survives chunk boundaries, in shared strings and inline strings', async (t) => {
  const notes = Array.from({ length: 3000 }, (_, i) => `Catatan ${i}: Kepulauan Talaud — Sulawesi Utara ✓ é 😀 ${'ü'.repeat(i % 7)}.`);
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    notes.forEach((note, i) => ws.addRow(['PPKS-06', '65.71', '2025', i, note]));
  });
  for (const variant of [bytes, sheetsLast(bytes)]) {
    const { observations, findings } = await read(variant);
    t.same(findings, []);
    t.equal(observations.length, notes.length);
    t.equal(
      observations.filter((o, i) => o.note !== notes[i]).length,
      0,
      'no note is garbled',
    );
  }
  // Inline strings (written by tools other than Excel) go through the sheet XML itself, which
  // exceljs copies to a temporary file and reads back in chunks of its own.
  const dense = notes.map((_, i) => `${i}: ${'é😀✓'.repeat(30)}`);
  const sheet = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
      `<row r="1">${HEADER.map((h, c) => `<c r="${'ABCDE'[c]}1" t="inlineStr"><is><t>${h}</t></is></c>`).join('')}</row>` +
      dense.map((note, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>PPKS-06</t></is></c><c r="B${i + 2}" t="inlineStr"><is><t>65.71</t></is></c><c r="C${i + 2}" t="inlineStr"><is><t>2025</t></is></c><c r="D${i + 2}"><v>${i}</v></c><c r="E${i + 2}" t="inlineStr"><is><t>${note}</t></is></c></row>`).join('') +
      `</sheetData></worksheet>`,
  );
  const inline = replacePart(bytes, 'xl/worksheets/sheet1.xml', sheet);
  const { observations } = await read(inline);
  t.equal(observations.length, dense.length);
  t.equal(observations.filter((o, i) => o.note !== dense[i]).length, 0, 'no inline note is garbled');
});

// --- Zip bombs -----------------------------------------------------------------------------

async function plainWorkbook(): Promise<Buffer> {
  return workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', '65.71', '2025', 1, null]);
  });
}

t.test('zip bomb: the central directory is checked before anything is inflated', async (t) => {
  const bytes = replacePart(await plainWorkbook(), 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB));
  t.same(await openArchive(bytes, { entry: 64 * MiB, total: 256 * MiB }), { kind: 'too-large', entry: 'xl/worksheets/sheet1.xml', bytes: 8 * MiB });
  await t.rejects(read(bytes), { code: 'XLSX_TOO_LARGE', status: 413, params: { part: 'xl/worksheets/sheet1.xml', limit: 64 * MiB, total: 256 * MiB } });
});

t.test('zip bomb: stopped by the bytes actually inflated, whatever the headers claim', async (t) => {
  const base = await plainWorkbook();
  const images = (claim?: { inflated: number }) => [1, 2, 3].map((n) => ({ name: `xl/media/image${n}.bin`, data: Buffer.alloc(900 * 1024, n), ...(claim ? { claim } : {}) }));
  const cases: [string, Buffer, Partial<XlsxReadOptions>][] = [
    ['absurd ratio', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB)), {}],
    ['entry over the limit', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(3 * MiB)), { maxEntryBytes: 1 * MiB }],
    ['sizes only after the data', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB), { descriptor: true }), {}],
    ['shared strings over the limit', replacePart(base, 'xl/sharedStrings.xml', bombSheet(3 * MiB)), { maxEntryBytes: 1 * MiB }],
    ['too much in all', zip([...unzip(base), ...images()]), { maxEntryBytes: MiB, maxTotalBytes: 2 * MiB }],
    // The same, each part claiming to inflate to 100 bytes: only counting the bytes finds them.
    ['absurd ratio, size hidden', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB), { claim: { inflated: 100 } }), {}],
    ['entry over the limit, size hidden', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(3 * MiB), { claim: { inflated: 100 } }), { maxEntryBytes: 1 * MiB }],
    ['too much in all, sizes hidden', zip([...unzip(base), ...images({ inflated: 100 })]), { maxEntryBytes: MiB, maxTotalBytes: 2 * MiB }],
  ];
  for (const [name, bytes, options] of cases) {
    await t.rejects(read(bytes, options), { code: 'XLSX_TOO_LARGE', params: { part: /^xl\/(worksheets\/sheet1\.xml|sharedStrings\.xml|media\/image3\.bin)$/ } }, name);
  }
  await t.rejects(read(cases[4]![1], cases[4]![2]), { code: 'XLSX_TOO_LARGE', params: { part: 'xl/media/image3.bin', limit: MiB, total: 2 * MiB } }, 'the part that crosses the total is named');
  await t.rejects(read(cases[7]![1], cases[7]![2]), { code: 'XLSX_TOO_LARGE', params: { part: 'xl/media/image3.bin', limit: MiB, total: 2 * MiB } }, 'the part that crosses the total is named when sizes lie');
  // Headers that lie: a tiny size claimed, a deflate stream that inflates far beyond it.
  const bomb = bombSheet(3 * MiB);
  const lying = replacePart(base, 'xl/sharedStrings.xml', bomb, { claim: { inflated: 100 } });
  const claimedEntry = unzip(lying).find((p) => p.name === 'xl/sharedStrings.xml')!;
  t.equal(claimedEntry.data.length, 3 * MiB);
  t.equal(checkDeclared([{ name: 'xl/sharedStrings.xml', compressedSize: 4096, uncompressedSize: 100 }], { entry: MiB, total: 4 * MiB }), undefined, 'the directory alone is fooled');
  t.match(await openArchive(lying, { entry: MiB, total: 4 * MiB }), { kind: 'too-large', entry: 'xl/sharedStrings.xml' }, 'the inflated bytes are not');
  await t.rejects(read(lying, { maxEntryBytes: MiB }), { code: 'XLSX_TOO_LARGE', params: { part: 'xl/sharedStrings.xml' } }, 'claimed sizes are not trusted');
  t.match(await openArchive(base, { entry: MiB, total: 4 * MiB }), { kind: 'ok' }, 'a plain workbook passes');
});

t.test('the copy for exceljs is refused when a streamed part holds the data-descriptor signature unzipper ends parts at', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sde-xlsx-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'copy.zip');
  async function* stream(text: string) {
    yield Buffer.from(text, 'latin1');
  }
  // Level 0 stores the bytes as they come, so the signature is written as it is.
  t.equal(await writeArchive(path, [{ name: 'a.xml', content: stream('<a>PK\x07\x08</a>') }], 0), false);
  t.equal(await writeArchive(path, [{ name: 'a.xml', content: stream('<a/>') }, { name: 'b.bin', content: Buffer.from('b') }], 0), true);
  t.same(unzip(await readFile(path)), [
    { name: 'a.xml', data: Buffer.from('<a/>') },
    { name: 'b.bin', data: Buffer.from('b') },
  ]);
});

t.test('zip bomb: more parts than a plain zip directory can count', async (t) => {
  const parts = Array.from({ length: 0xffff }, (_, i) => ({ name: `x/${i}`, data: Buffer.alloc(0) }));
  const many = zip(parts, { zip64: true });
  t.same(await openArchive(many, { entry: MiB, total: 4 * MiB }), { kind: 'too-large' });
  await t.rejects(read(many), { code: 'XLSX_TOO_LARGE', params: { part: 'ZIP64', limit: 64 * MiB } });
});

t.test('the parts exceljs holds in memory get a budget of their own (64 MiB), whatever the per-part limit', async (t) => {
  const base = await plainWorkbook();
  const limits = { entry: 512 * MiB, total: 2048 * MiB };
  const claimed = { compressedSize: 30 * MiB, uncompressedSize: 65 * MiB };
  t.same(checkDeclared([{ name: 'xl/sharedStrings.xml', ...claimed }], limits), { kind: 'too-large', entry: 'xl/sharedStrings.xml', bytes: 65 * MiB });
  t.same(checkDeclared([{ name: 'xl/styles.xml', ...claimed }], limits), { kind: 'too-large', entry: 'xl/styles.xml', bytes: 65 * MiB });
  t.same(checkDeclared([{ name: 'xl/worksheets/sheet1.xml', ...claimed }], limits), undefined, 'a sheet is streamed: the per-part limit applies');
  await t.rejects(read(replacePart(base, 'xl/sharedStrings.xml', Buffer.from('<sst/>'), { claim: { compressed: 30 * MiB, inflated: 65 * MiB } }), { maxEntryBytes: 512 * MiB }), {
    code: 'XLSX_TOO_LARGE',
    params: { part: 'xl/sharedStrings.xml', limit: 64 * MiB },
  });
});

t.test('a missing entry limit is refused rather than read unguarded', async (t) => {
  const bytes = await plainWorkbook();
  for (const limits of [{ maxEntryBytes: 0 }, { maxEntryBytes: Number.NaN }, { maxEntryBytes: MiB, maxTotalBytes: -1 }, { maxCellBytes: 0 }, { maxColumns: Number.NaN }]) {
    await t.rejects(read(bytes, limits), RangeError);
  }
});

t.test('a row wider than the column limit is refused before its cells are copied, even a single cell far right', async (t) => {
  const far = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', '65.71', '2025', 1]);
    ws.getCell('XFD3').value = 'x';
  });
  await t.rejects(read(far), { code: 'TOO_MANY_COLUMNS', status: 413, params: { row: 3, limit: 200 } });
  const wideHeader = await workbook((wb) => {
    wb.addWorksheet('Data').addRow([...HEADER, ...Array.from({ length: 200 }, (_, i) => `extra_${i}`)]);
  });
  await t.rejects(read(wideHeader), { code: 'TOO_MANY_COLUMNS', params: { row: 1 } });
  const atLimit = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', '65.71', '2025', 1]);
    ws.getCell(3, 200).value = 'x';
  });
  t.same(codes((await read(atLimit)).findings), ['IO_RAGGED_ROW'], 'column 200 is within the limit (and reported as a stray value)');
});

t.test('a cell larger than the cell limit is refused, shared or inline, naming row and column', async (t) => {
  const big = 'é'.repeat(40 * 1024);
  const shared = await workbook((wb) => {
    const ws = wb.addWorksheet('Data');
    ws.addRow(HEADER);
    ws.addRow(['PPKS-06', '65.71', '2025', 1, big]);
  });
  await t.rejects(read(shared), { code: 'CELL_TOO_LARGE', status: 413, params: { row: 2, column: 'note', limit: 64 * 1024 } });
  const inline = zip(
    unzip(shared).map((part) =>
      part.name === 'xl/worksheets/sheet1.xml'
        ? { ...part, data: Buffer.from(part.data.toString('utf8').replace(/<c r="E2"[^>]*>.*?<\/c>/, `<c r="E2" t="inlineStr"><is><t>${big}</t></is></c>`)) }
        : part,
    ),
  );
  await t.rejects(read(inline), { code: 'CELL_TOO_LARGE', params: { row: 2, column: 'note' } });
  t.same(codes((await read(shared, { maxCellBytes: 128 * 1024 })).findings), [], 'within a larger limit');
});
