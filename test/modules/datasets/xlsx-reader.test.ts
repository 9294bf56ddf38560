import t, { type Test } from 'tap';
import ExcelJS from 'exceljs';
import { PassThrough, Readable } from 'node:stream';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { readXlsx, scanZipDirectory, type XlsxBatch, type XlsxReadOptions } from '../../../src/modules/datasets/xlsx-reader.js';
import type { Finding } from '../../../src/modules/validation/finding.js';

const MiB = 1024 * 1024;
const OPTIONS: XlsxReadOptions = { batchSize: 1000, maxEntryBytes: 64 * MiB };

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

function stream(bytes: Buffer, size = 16 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

async function read(input: Buffer | NodeJS.ReadableStream, options: Partial<XlsxReadOptions> = {}) {
  const batches: XlsxBatch[] = [];
  for await (const batch of readXlsx(input, { ...OPTIONS, ...options })) batches.push(batch);
  return {
    batches,
    info: batches[0]?.info,
    observations: batches.flatMap((b) => b.observations),
    findings: batches.flatMap((b) => b.findings),
  };
}

/** Reads the same bytes as a Buffer and as a stream: both paths must agree. */
async function readBoth(t: Test, bytes: Buffer, options: Partial<XlsxReadOptions> = {}) {
  const fromBuffer = await read(bytes, options);
  const fromStream = await read(stream(bytes), options);
  t.same(fromStream.findings, fromBuffer.findings, 'stream and buffer give the same findings');
  t.same(fromStream.observations, fromBuffer.observations, 'stream and buffer give the same observations');
  return fromBuffer;
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

// --- A minimal zip toolkit, to build what Excel never writes. -----------------------------

interface ZipPart {
  name: string;
  data: Buffer;
  /** Sizes left out of the local header and given after the data, as streaming writers do. */
  descriptor?: boolean;
  /** Sizes to claim instead of the real ones. */
  claim?: { compressed?: number; inflated?: number };
}

function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const packed = deflateRawSync(part.data);
    const crc = crc32(part.data);
    const compressed = part.claim?.compressed ?? packed.length;
    const inflated = part.claim?.inflated ?? part.data.length;
    const flags = 0x800 | (part.descriptor ? 0x08 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0x21, 12);
    if (!part.descriptor) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(compressed, 18);
      local.writeUInt32LE(inflated, 22);
    }
    local.writeUInt16LE(name.length, 26);
    const chunks = [local, name, packed];
    if (part.descriptor) {
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(compressed, 8);
      descriptor.writeUInt32LE(inflated, 12);
      chunks.push(descriptor);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed, 20);
    central.writeUInt32LE(inflated, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    const local_ = Buffer.concat(chunks);
    locals.push(local_);
    offset += local_.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function unzip(bytes: Buffer): ZipPart[] {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(end + 10);
  let p = bytes.readUInt32LE(end + 16);
  const parts: ZipPart[] = [];
  for (let n = 0; n < count; n++) {
    const method = bytes.readUInt16LE(p + 10);
    const compressed = bytes.readUInt32LE(p + 20);
    const nameLength = bytes.readUInt16LE(p + 28);
    const extraLength = bytes.readUInt16LE(p + 30);
    const commentLength = bytes.readUInt16LE(p + 32);
    const local = bytes.readUInt32LE(p + 42);
    const name = bytes.toString('utf8', p + 46, p + 46 + nameLength);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const raw = bytes.subarray(start, start + compressed);
    if (!name.endsWith('/')) parts.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** The same workbook with its parts reordered: shared strings and styles before the sheets. */
function sheetsLast(bytes: Buffer): Buffer {
  const parts = unzip(bytes);
  const isSheet = (p: ZipPart) => p.name.startsWith('xl/worksheets/');
  return zip([...parts.filter((p) => !isSheet(p)), ...parts.filter(isSheet)]);
}

function replacePart(bytes: Buffer, name: string, data: Buffer, extra: Partial<ZipPart> = {}): Buffer {
  return zip(unzip(bytes).map((p) => (p.name === name ? { ...p, data, ...extra } : p)));
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
  const { info, observations, findings } = await readBoth(t, bytes);
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
  const { observations, findings } = await readBoth(t, bytes);
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
  const { observations, findings } = await readBoth(t, bytes);
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
  const byDefault = await readBoth(t, bytes);
  t.equal(byDefault.info?.sheet, 'Petunjuk');
  t.same(
    byDefault.observations.map((o) => o.indicator),
    ['PPKS-01'],
  );
  const second = await readBoth(t, bytes, { sheet: 'Data 2025' });
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
  const { batches, findings } = await readBoth(t, bytes, { sheet: 'Sheet1' });
  t.equal(batches.length, 1);
  t.same(codes(findings), ['IO_SHEET_NOT_FOUND']);
  t.match(findings[0], { severity: 'error', value: 'Sheet1' });
  t.match(findings[0]?.message.en, /“Data”, “Lampiran”/);
  checkWording(t, findings);
});

t.test('bytes that are not a zip are reported, not thrown', async (t) => {
  for (const bytes of [
    Buffer.from('indicator,region,period,value\nPPKS-06,65.71,2025,1\n'),
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
    Buffer.alloc(5000, 7),
  ]) {
    const { batches, findings } = await readBoth(t, bytes);
    t.equal(batches.length, 1);
    t.same(codes(findings), ['IO_XLSX_INVALID']);
  }
  const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
  const { findings } = await readBoth(t, xls);
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
    const { findings } = await readBoth(t, bytes.subarray(0, Math.floor(bytes.length * cut)));
    t.same(codes(findings), ['IO_XLSX_INVALID'], `cut at ${cut}`);
  }
});

t.test('a zip that is not a workbook', async (t) => {
  const bytes = zip([{ name: 'data.csv', data: Buffer.from('indicator,region\n') }]);
  const { findings } = await readBoth(t, bytes);
  t.same(codes(findings), ['IO_XLSX_INVALID']);
  t.match(findings[0]?.message.en, /no xl\/workbook\.xml/);
});

t.test('a workbook with no sheets, and an empty upload', async (t) => {
  const bytes = await workbook(() => {});
  const { findings } = await readBoth(t, bytes);
  t.same(codes(findings), ['IO_EMPTY']);
  t.match(findings[0]?.message.en, /no worksheets/);
  const empty = await readBoth(t, Buffer.alloc(0));
  t.same(codes(empty.findings), ['IO_EMPTY']);
  checkWording(t, [...findings, ...empty.findings]);
});

t.test('an empty sheet, and a sheet with only a header', async (t) => {
  const bytes = await workbook((wb) => {
    wb.addWorksheet('Kosong');
    wb.addWorksheet('Header').addRow(HEADER);
  });
  const empty = await readBoth(t, bytes);
  t.same(codes(empty.findings), ['IO_EMPTY']);
  const headerOnly = await readBoth(t, bytes, { sheet: 'Header' });
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
    const { observations, findings } = await readBoth(t, variant);
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
    const { batches, findings } = await readBoth(t, bytes);
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
  const { observations, findings } = await readBoth(t, bytes);
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
  const { batches } = await read(stream(bytes), { batchSize: 1000 });
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
    const { observations, findings } = await read(stream(variant, 1000));
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
  const { observations } = await read(stream(inline, 1000));
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

/** A sheet that inflates to `size` bytes of XML from a few kilobytes. */
function bombSheet(size: number): Buffer {
  const open = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const close = '</sheetData></worksheet>';
  return Buffer.concat([Buffer.from(open), Buffer.alloc(size - open.length - close.length, ' '), Buffer.from(close)]);
}

t.test('zip bomb: the central directory is checked before inflating a Buffer', async (t) => {
  const bytes = replacePart(await plainWorkbook(), 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB));
  t.same(scanZipDirectory(bytes, { entry: 64 * MiB, total: 256 * MiB }), { kind: 'too-large', entry: 'xl/worksheets/sheet1.xml', bytes: 8 * MiB });
  const { batches, findings } = await read(bytes);
  t.equal(batches.length, 1);
  t.same(codes(findings), ['IO_XLSX_TOO_LARGE']);
  t.match(findings[0], { severity: 'error', value: 'xl/worksheets/sheet1.xml' });
  checkWording(t, findings);
});

t.test('zip bomb: a stream is stopped by the bytes actually inflated', async (t) => {
  const base = await plainWorkbook();
  const cases: [string, Buffer, Partial<XlsxReadOptions>][] = [
    ['absurd ratio', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB)), {}],
    ['entry over the limit', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(3 * MiB)), { maxEntryBytes: 1 * MiB }],
    ['sizes only after the data', replacePart(base, 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB), { descriptor: true }), {}],
    ['shared strings over the limit', replacePart(base, 'xl/sharedStrings.xml', bombSheet(3 * MiB)), { maxEntryBytes: 1 * MiB }],
    ['too much in all', zip([...unzip(base), ...[1, 2, 3].map((n) => ({ name: `xl/media/image${n}.bin`, data: Buffer.alloc(900 * 1024, n) }))]), { maxEntryBytes: MiB, maxTotalBytes: 2 * MiB }],
  ];
  for (const [name, bytes, options] of cases) {
    const started = Date.now();
    const { findings } = await read(stream(bytes), options);
    t.same(codes(findings), ['IO_XLSX_TOO_LARGE'], name);
    t.ok(Date.now() - started < 5000, `${name}: stopped promptly`);
  }
  // Headers that lie: a tiny size claimed, a deflate stream that inflates far beyond it.
  const lying = replacePart(base, 'xl/sharedStrings.xml', bombSheet(3 * MiB), { claim: { inflated: 100 } });
  t.same(scanZipDirectory(lying, { entry: MiB, total: 4 * MiB }), { kind: 'ok' }, 'the directory alone is fooled');
  t.same(codes((await read(lying, { maxEntryBytes: MiB })).findings), ['IO_XLSX_TOO_LARGE'], 'claimed sizes are not trusted (buffer)');
  t.same(codes((await read(stream(lying), { maxEntryBytes: MiB })).findings), ['IO_XLSX_TOO_LARGE'], 'claimed sizes are not trusted (stream)');
});

t.test('the input stream is left to the caller', async (t) => {
  const bytes = replacePart(await plainWorkbook(), 'xl/worksheets/sheet1.xml', bombSheet(8 * MiB));
  const body = new PassThrough();
  body.write(bytes); // not ended: the upload goes on after the reader has given up
  const { findings } = await read(body);
  t.same(codes(findings), ['IO_XLSX_TOO_LARGE']);
  t.equal(body.destroyed, false);
  t.equal(body.listenerCount('error'), 0, 'no listener left behind');
  body.end();
});

t.test('an error of the input stream itself is thrown, not reported', async (t) => {
  const body = new PassThrough();
  body.write((await plainWorkbook()).subarray(0, 100));
  setImmediate(() => body.destroy(new Error('connection reset')));
  await t.rejects(read(body), /connection reset/);
});

t.test('a missing entry limit is refused rather than read unguarded', async (t) => {
  const bytes = await plainWorkbook();
  for (const limits of [{ maxEntryBytes: 0 }, { maxEntryBytes: Number.NaN }, { maxEntryBytes: MiB, maxTotalBytes: -1 }]) {
    await t.rejects(read(bytes, limits), RangeError);
  }
});
