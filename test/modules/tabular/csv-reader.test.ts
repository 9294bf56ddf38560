import t, { type Test } from 'tap';
import { PassThrough, Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { completeUtf8Length, readCsv, type CsvBatch, type CsvReadOptions } from '../../../src/modules/tabular/csv-reader.js';
import type { Finding } from '../../../src/domain/finding.js';

const OPTIONS: CsvReadOptions = { batchSize: 1000, maxCellBytes: 64 * 1024, maxColumns: 200, maxLineBytes: 1024 * 1024 };

async function* chunked(data: string | Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function batchesOf(input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream, options: Partial<CsvReadOptions> = {}) {
  const batches: CsvBatch[] = [];
  for await (const batch of readCsv(input, { ...OPTIONS, ...options })) batches.push(batch);
  return batches;
}

async function read(data: string | Buffer, options: Partial<CsvReadOptions> = {}, chunkSize?: number) {
  const batches = await batchesOf(chunked(data, chunkSize), options);
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
    t.match(f.code, /^IO_[A-Z_]+$/);
    t.ok(f.message.id.length > 10 && f.message.en.length > 10, `${f.code} has both messages`);
    t.not(f.message.id, f.message.en, `${f.code} is worded in both languages`);
  }
}

const HEADER = 'indicator,region,period,value,unit,note';

t.test('comma-delimited UTF-8 without BOM, English headers', async (t) => {
  const { batches, info, observations, findings } = await read(
    `${HEADER}\nPPKS-06,65.71,2025,1234,jiwa,\n PPKS-06 , 65.72 ,2025-S1,12.5,, catatan \nPPKS-07,65.73,2025,,,\n`,
  );
  t.same(findings, []);
  t.equal(batches.length, 1);
  t.same(info, { delimiter: ',', decimalComma: false, bom: false, columns: ['indicator', 'region', 'period', 'value', 'unit', 'note'] });
  t.same(observations, [
    { row: 2, indicator: 'PPKS-06', region: '65.71', period: '2025', value: '1234', unit: 'jiwa' },
    { row: 3, indicator: 'PPKS-06', region: '65.72', period: '2025-S1', value: '12.5', note: 'catatan' },
    // An empty required cell stays '' for the rules to report; empty optional cells are absent.
    { row: 4, indicator: 'PPKS-07', region: '65.73', period: '2025', value: '' },
  ]);
});

t.test('semicolon-delimited with BOM and Indonesian headers allows decimal comma', async (t) => {
  const csv = '\uFEFFKode_Indikator;KODE_WILAYAH; periode ;nilai;catatan;jenis_kelamin\r\nPPKS-06;65.71;2025;1234,5;"Ibu kota; provinsi";P\r\n';
  const { info, observations, findings } = await read(csv);
  t.same(findings, []);
  t.same(info, { delimiter: ';', decimalComma: true, bom: true, columns: ['indicator', 'region', 'period', 'value', 'note', 'sex'] });
  t.same(observations, [{ row: 2, indicator: 'PPKS-06', region: '65.71', period: '2025', value: '1234,5', note: 'Ibu kota; provinsi', sex: 'P' }]);
});

t.test('delimiter is counted outside quotes on the header line', async (t) => {
  const { info, observations, findings } = await read('"indicator";"region";"period";"value";"note, comma, comma, comma"\nPPKS-06;65.71;2025;1;x\n');
  t.equal(info?.delimiter, ';');
  t.same(codes(findings), ['IO_UNKNOWN_COLUMN'], 'the quoted name is one (unknown) column, not four');
  t.same(observations, []);
});

t.test('quoted fields hold delimiters, quotes and line breaks; rows count as a spreadsheet shows them', async (t) => {
  const csv = [
    'indicator,region,period,value,note',
    'PPKS-06,65.71,2025,1,"Kec. Baru, Kota ""Lama"""',
    'PPKS-06,65.71,2025,2,"baris satu',
    'baris dua',
    'baris tiga"',
    'PPKS-06,65.71,2025,3,',
  ].join('\n');
  const { observations, findings } = await read(csv);
  t.same(findings, []);
  t.same(
    observations.map((o) => [o.row, o.note]),
    [
      [2, 'Kec. Baru, Kota "Lama"'],
      [3, 'baris satu\nbaris dua\nbaris tiga'],
      [4, undefined],
    ],
  );
});

t.test('a quote inside an unquoted cell is a character, as in Excel', async (t) => {
  const { observations, findings } = await read('indicator;region;period;value;note\nPPKS-06;65.71;2025;1;Kab. "Baru" 5" x\n');
  t.same(findings, []);
  t.equal(observations[0]?.note, 'Kab. "Baru" 5" x');
});

t.test('a missing or senseless limit is refused', async (t) => {
  for (const limit of ['maxCellBytes', 'maxColumns', 'maxLineBytes'] as const) {
    for (const value of [0, -1, Number.NaN]) {
      await t.rejects(read('indicator,region,period,value\n', { [limit]: value }), RangeError, `${limit} ${value}`);
    }
  }
  const { findings } = await read(`indicator,region,period,value\nPPKS-06,65.71,2025,${'9'.repeat(5000)}\n`, { maxCellBytes: Infinity });
  t.same(findings, [], 'Infinity means no limit');
});

t.test('blank lines are skipped silently but keep their row numbers', async (t) => {
  const { observations, findings } = await read(`\n${HEADER}\n\nPPKS-06,65.71,2025,1,,\n,,,,,\n   \nPPKS-06,65.71,2025,2,,\n`);
  t.same(findings, []);
  t.same(
    observations.map((o) => o.row),
    [4, 7],
  );
});

t.test('CRLF and a last line without a line break', async (t) => {
  const { observations, findings } = await read(`${HEADER}\r\nPPKS-06,65.71,2025,1,,\r\nPPKS-06,65.71,2025,2,,`);
  t.same(findings, []);
  t.same(
    observations.map((o) => [o.row, o.value]),
    [
      [2, '1'],
      [3, '2'],
    ],
  );
});

t.test('a first row of data is reported as a missing header, alone', async (t) => {
  const { batches, info, findings } = await read('PPKS-06,65.71,2025,1234\nPPKS-06,65.72,2025,1\n');
  t.equal(batches.length, 1);
  t.same(batches[0]?.observations, []);
  t.same(codes(findings), ['IO_NO_HEADER']);
  t.match(findings[0], { severity: 'error', row: 1, value: 'PPKS-06' });
  t.equal(info?.delimiter, ',', 'info is still given');
  checkWording(t, findings);
});

t.test('a region code as first cell is data, not a header', async (t) => {
  const { findings } = await read('65.71;2025;12\n');
  t.same(codes(findings), ['IO_NO_HEADER']);
});

t.test('missing required column: named, and no observation at all', async (t) => {
  const { batches, findings } = await read('indicator,region,period,note\nPPKS-06,65.71,2025,x\nPPKS-06,65.72,2025,y\n');
  t.equal(batches.length, 1);
  t.same(batches[0]?.observations, []);
  t.same(codes(findings), ['IO_MISSING_COLUMN']);
  t.match(findings[0], { severity: 'error', column: 'value', row: 1 });
  t.match(findings[0]?.message.en, /“value” \(or “nilai”\)/);
  checkWording(t, findings);
});

t.test('extra (unknown) column: named, with a suggestion for a near miss', async (t) => {
  const { batches, findings } = await read('indicator,Kode Wilayah,period,value,keterangan\nPPKS-06,65.71,2025,1,x\n');
  t.same(batches.flatMap((b) => b.observations), []);
  t.same(codes(findings), ['IO_UNKNOWN_COLUMN', 'IO_UNKNOWN_COLUMN', 'IO_MISSING_COLUMN']);
  t.match(findings[0], { column: 'Kode Wilayah', value: 'Kode Wilayah' });
  t.match(findings[0]?.hint?.id, /kode_wilayah/);
  t.match(findings[1], { column: 'keterangan' });
  t.match(findings[1]?.message.id, /kolom ke-5 \(E\)/);
  checkWording(t, findings);
});

t.test('duplicated column, also through the Indonesian alias', async (t) => {
  const { findings, observations } = await read('indicator,region,period,value,kode_wilayah\nPPKS-06,65.71,2025,1,65.72\n');
  t.same(observations, []);
  t.same(codes(findings), ['IO_DUPLICATE_COLUMN']);
  t.match(findings[0], { severity: 'error', column: 'kode_wilayah' });
  t.match(findings[0]?.message.en, /“region” appears more than once/);
  checkWording(t, findings);
});

t.test('ragged rows are reported with their row and produce no observation', async (t) => {
  const csv = `${HEADER}\nPPKS-06,65.71,2025,1,,\nPPKS-06,65.71,2025,1.234,5,,\nPPKS-06,65.71,2025\nPPKS-06,65.71,2025,4,,\n`;
  const { observations, findings } = await read(csv);
  t.same(
    observations.map((o) => o.row),
    [2, 5],
  );
  t.same(codes(findings), ['IO_RAGGED_ROW', 'IO_RAGGED_ROW']);
  t.match(findings[0], { row: 3, severity: 'error' });
  t.match(findings[0]?.message.en, /7 cells but the header has 6/);
  t.match(findings[1], { row: 4 });
  checkWording(t, findings);
});

t.test('a trailing blank header cell is a spacer; a value under it is reported', async (t) => {
  const { observations, findings } = await read('indicator;region;period;value;\nPPKS-06;65.71;2025;1;\nPPKS-06;65.71;2025;2;lost\n');
  t.same(
    observations.map((o) => o.row),
    [2],
  );
  t.same(codes(findings), ['IO_RAGGED_ROW']);
  t.match(findings[0], { row: 3, value: 'lost' });
  t.match(findings[0]?.message.en, /column 5 \(E\)/);
});

t.test('empty body, BOM only, blank lines only, header only', async (t) => {
  for (const body of ['', '\uFEFF', '\n\r\n  \n']) {
    const { batches, findings } = await read(body);
    t.equal(batches.length, 1, JSON.stringify(body));
    t.same(codes(findings), ['IO_EMPTY'], JSON.stringify(body));
    t.equal(findings[0]?.row, undefined);
  }
  const { info, findings } = await read(`${HEADER}\n\n`);
  t.same(codes(findings), ['IO_EMPTY']);
  t.match(findings[0], { row: 1, severity: 'error' });
  t.equal(info?.delimiter, ',');
  checkWording(t, findings);
});

t.test('invalid UTF-8 stops reading; rows before it are read, the row is named', async (t) => {
  const bytes = Buffer.concat([
    Buffer.from(`${HEADER}\nPPKS-06,65.71,2025,1,,\nPPKS-06,Kab. Pidi`),
    Buffer.from([0xe9]), // "é" in Windows-1252
    Buffer.from(',2025,2,,\nPPKS-06,65.71,2025,3,,\n'),
  ]);
  for (const size of [3, 7, 64 * 1024]) {
    const { observations, findings } = await read(bytes, {}, size);
    t.same(
      observations.map((o) => o.row),
      [2],
      `chunk size ${size}`,
    );
    t.same(codes(findings), ['IO_ENCODING_INVALID']);
    t.match(findings[0], { row: 3, severity: 'error' });
    t.match(findings[0]?.message.en, new RegExp(`byte offset ${bytes.indexOf(0xe9)}`));
  }
});

t.test('invalid UTF-8 as the first byte of a row names that row', async (t) => {
  const bytes = Buffer.concat([Buffer.from(`${HEADER}\nPPKS-06,65.71,2025,1,,\n`), Buffer.from([0xff]), Buffer.from('PPKS,65.71,2025,2,,\n')]);
  const { observations, findings } = await read(bytes);
  t.same(
    observations.map((o) => o.row),
    [2],
  );
  t.match(findings, [{ code: 'IO_ENCODING_INVALID', row: 3 }]);
});

t.test('a file cut inside a multi-byte character is invalid', async (t) => {
  const bytes = Buffer.from(`${HEADER}\nPPKS-06,65.71,2025,1,,catatan ✓`);
  const { findings } = await read(bytes.subarray(0, bytes.length - 1));
  t.match(findings, [{ code: 'IO_ENCODING_INVALID', row: 2 }]);
});

t.test('UTF-16 ("Unicode Text") gets a hint that says so', async (t) => {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]);
  const { findings } = await read(bytes);
  t.match(findings, [{ code: 'IO_ENCODING_INVALID', row: 1 }]);
  t.match(findings[0]?.hint?.en, /UTF-16/);
  checkWording(t, findings);
});

t.test('multi-byte characters split across tiny chunks, from a generator', async (t) => {
  const note = 'Kepulauan Talaud — Sulawesi Utara ✓ 😀 é';
  const csv = `\uFEFFindicator;region;period;value;note\nPPKS-06;71.03;2025;1;${note}\n`;
  for (const size of [1, 2, 3, 5]) {
    const { info, observations, findings } = await read(csv, {}, size);
    t.same(findings, [], `chunk size ${size}`);
    t.equal(info?.bom, true);
    t.equal(info?.delimiter, ';');
    t.equal(observations[0]?.note, note);
  }
});

t.test('string chunks and Node readable streams are accepted', async (t) => {
  async function* strings() {
    yield 'indicator,region,';
    yield 'period,value\nPPKS-06,65.71,2025,1\n';
  }
  const fromStrings = await batchesOf(strings());
  t.equal(fromStrings[0]?.observations[0]?.value, '1');
  const fromStream = await batchesOf(Readable.from([Buffer.from('indicator,region,period,value\nPPKS-06,65.71,2025,7\n')]));
  t.equal(fromStream[0]?.observations[0]?.value, '7');
});

t.test('stopping early leaves a Node stream for the caller to drain', async (t) => {
  const body = new PassThrough();
  body.write('65.71,2025,1\n65.72,2025,2\n');
  const batches = await batchesOf(body);
  t.same(codes(batches.flatMap((b) => b.findings)), ['IO_NO_HEADER']);
  t.equal(body.destroyed, false);
  body.end('more,data\n');
  const rest: Buffer[] = [];
  for await (const chunk of body) rest.push(chunk as Buffer);
  t.equal(Buffer.concat(rest).toString(), 'more,data\n');
});

t.test('malformed quoting is reported with the row, then reading stops', async (t) => {
  const misplaced = await read(`${HEADER}\nPPKS-06,65.71,2025,1,,\nPPKS-06,65.71,2025,2,,"x"y\nPPKS-06,65.71,2025,3,,\n`);
  t.same(
    misplaced.observations.map((o) => o.row),
    [2],
  );
  t.match(misplaced.findings, [{ code: 'IO_CSV_MALFORMED', row: 3, severity: 'error' }]);

  const unclosed = await read(`${HEADER}\nPPKS-06,65.71,2025,1,,\nPPKS-06,65.71,2025,2,,"never closed\nPPKS-06,65.71,2025,3,,\n`);
  t.match(unclosed.findings, [{ code: 'IO_CSV_MALFORMED', row: 3 }]);
  t.match(unclosed.findings[0]?.message.en, /never closed/);
  checkWording(t, [...misplaced.findings, ...unclosed.findings]);
});

t.test('a cell over the limit inside an acceptable record refuses the file, naming row and column', async (t) => {
  const big = 'x'.repeat(300);
  await t.rejects(read(`${HEADER}\nPPKS-06,65.71,2025,1,,${big}\nPPKS-06,65.71,2025,2,,\n`, { maxCellBytes: 100 }), {
    code: 'CELL_TOO_LARGE',
    status: 413,
    params: { row: 2, column: 'note', limit: 100 },
  });
  // Under a blank header cell the column has no name: its letter says where it is.
  await t.rejects(read(`indicator,region,period,value,\nPPKS-06,65.71,2025,1,${big}\n`, { maxCellBytes: 100 }), { code: 'CELL_TOO_LARGE', params: { column: 'E' } });
  // Even on a row that is also ragged: the limit is judged first.
  await t.rejects(read(`${HEADER}\nPPKS-06,65.71,2025,1,${big}\n`, { maxCellBytes: 100 }), { code: 'CELL_TOO_LARGE', params: { row: 2 } });
});

t.test('multi-byte cells are measured in bytes', async (t) => {
  await t.rejects(read(`indicator,region,period,value,note\nPPKS-06,65.71,2025,1,${'é'.repeat(60)}\n`, { maxCellBytes: 100 }), { code: 'CELL_TOO_LARGE', params: { row: 2 } });
  const { findings } = await read(`indicator,region,period,value,note\nPPKS-06,65.71,2025,1,${'é'.repeat(50)}\n`, { maxCellBytes: 100 });
  t.same(findings, [], '100 bytes exactly is within the limit');
});

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

t.test('a 10 MB single cell is refused without buffering it', async (t) => {
  const cell = 10 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let pulled = 0;
  let peak = 0;
  // Live memory, not garbage waiting for a collection: what stays is what a cell costs.
  const used = () => {
    collectGarbage();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  async function* body() {
    yield Buffer.from(`${HEADER}\nPPKS-06,65.71,2025,1,,"`);
    while (pulled < cell) {
      pulled += chunk.length;
      peak = Math.max(peak, used());
      yield chunk;
    }
    yield Buffer.from('"\nPPKS-06,65.71,2025,2,,\n');
  }
  const baseline = used();
  // The line limit is out of the way here: the cell is what is measured. Nothing past the most
  // a row may hold (12 cells of 64 KiB) is buffered.
  await t.rejects(batchesOf(body(), { maxCellBytes: 64 * 1024, maxColumns: 12, maxLineBytes: 64 * 1024 * 1024 }), { code: 'CELL_TOO_LARGE', params: { row: 2, column: 'note' } });
  t.ok(pulled < cell, `reading stopped early (${pulled} of ${cell} bytes pulled)`);
  t.ok(peak - baseline < 2 * cell, `memory grew by ${Math.round((peak - baseline) / 1024)} KiB`);
});

/** A body of `header` then `line` repeated; counts what the reader pulled. */
function pulling(parts: string[], repeat: string, times: number) {
  const state = { pulled: 0 };
  async function* body() {
    for (const part of parts) yield Buffer.from(part);
    const chunk = Buffer.from(repeat.repeat(Math.ceil((64 * 1024) / repeat.length)));
    for (let i = 0; i * chunk.length < times * repeat.length; i++) {
      state.pulled += chunk.length;
      yield chunk;
    }
    yield Buffer.from('\n');
  }
  return { body: body(), state };
}

t.test('a header of 1,000,000 columns is refused while the delimiter is sniffed, before it becomes an array', async (t) => {
  const { body, state } = pulling([], 'a,', 1_000_000);
  await t.rejects(batchesOf(body), { code: 'TOO_MANY_COLUMNS', status: 413, params: { row: 1, limit: 200 } });
  t.ok(state.pulled <= 128 * 1024, `stopped after ${state.pulled} bytes`);
  // Blank lines before the header count, as everywhere else.
  await t.rejects(read(`\n\n${'x;'.repeat(300)}\n`), { code: 'TOO_MANY_COLUMNS', params: { row: 3 } });
});

t.test('columns are counted against the limit exactly, in the header and in every row', async (t) => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => (i < 4 ? ['indicator', 'region', 'period', 'value'][i] : '')).join(',');
  const atLimit = await read(`${names(200)}\nPPKS-06,65.71,2025,1${','.repeat(196)}\n`);
  t.same(codes(atLimit.findings), [], '200 columns are accepted');
  t.equal(atLimit.observations.length, 1);
  await t.rejects(read(`${names(201)}\nPPKS-06,65.71,2025,1\n`), { code: 'TOO_MANY_COLUMNS', params: { row: 1 } });
  await t.rejects(read(`${HEADER}\nPPKS-06,65.71,2025,1,,\nPPKS-06,65.71,2025,1${','.repeat(200)}\n`), { code: 'TOO_MANY_COLUMNS', params: { row: 3 } });
  // A header line longer than what the sniffer looks at is counted once parsed.
  const wide = Array.from({ length: 201 }, (_, i) => (i < 4 ? ['indicator', 'region', 'period', 'value'][i] : `"${' '.repeat(400)}"`)).join(',');
  await t.rejects(read(`${wide}\nPPKS-06,65.71,2025,1\n`), { code: 'TOO_MANY_COLUMNS', params: { row: 1 } });
});

t.test('a data row of 1,000,000 cells is refused: by its length, or by its cells when they are empty', async (t) => {
  const long = pulling([`${HEADER}\n`], '1,', 1_000_000);
  await t.rejects(batchesOf(long.body), { code: 'LINE_TOO_LONG', status: 413, params: { line: 2, limit: 1024 * 1024 } });
  t.ok(long.state.pulled <= 1024 * 1024 + 64 * 1024, `stopped after ${long.state.pulled} bytes`);
  const empty = pulling([`${HEADER}\n`], ',', 1_000_000);
  await t.rejects(batchesOf(empty.body), { code: 'TOO_MANY_COLUMNS', params: { row: 2 } });
});

t.test('lines are measured in bytes on the raw input, ended by LF, CRLF or CR alone', async (t) => {
  const limit = { maxLineBytes: 1024 };
  const long = 'x'.repeat(1025);
  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
    const ok = await read(`${HEADER}${eol}PPKS-06,65.71,2025,1,,${'x'.repeat(1000)}${eol}`, limit);
    t.same(codes(ok.findings), [], `${name}: a line within the limit`);
    await t.rejects(read(`${HEADER}${eol}PPKS-06,65.71,2025,1,,${eol}${eol}PPKS-06,65.71,2025,1,,${long}${eol}`, limit), { code: 'LINE_TOO_LONG', params: { line: 4 } }, name);
    // Cut anywhere, including between the CR and the LF of a pair, the count stays the same.
    await t.rejects(read(`${HEADER}${eol}PPKS-06,65.71,2025,1,,${eol}${eol}PPKS-06,65.71,2025,1,,${long}${eol}`, limit, 7), { code: 'LINE_TOO_LONG', params: { line: 4 } }, `${name}, small chunks`);
  }
  await t.rejects(read(`${HEADER}\nPPKS-06,65.71,2025,1,,${'é'.repeat(520)}\n`, limit), { code: 'LINE_TOO_LONG' }, 'two bytes a character');
  // A quoted cell's line breaks end lines: a long multi-line note is not one long line.
  const note = `"${Array.from({ length: 10 }, () => 'y'.repeat(500)).join('\n')}"`;
  const multiLine = await read(`${HEADER}\nPPKS-06,65.71,2025,1,,${note}\n`, limit);
  t.same(codes(multiLine.findings), []);
  t.equal(multiLine.observations[0]?.note?.toString().length, 5009);
});

t.test('batches of batchSize rows, info on the first only, row numbers right', async (t) => {
  const rows = Array.from({ length: 2500 }, (_, i) => `PPKS-06,65.71,2025,${i},,`);
  const { batches } = await read(`${HEADER}\n${rows.join('\n')}\n`, { batchSize: 1000 }, 4096);
  t.same(
    batches.map((b) => b.observations.length),
    [1000, 1000, 500],
  );
  t.ok(batches[0]?.info);
  t.equal(batches[1]?.info, undefined);
  t.equal(batches[2]?.info, undefined);
  const all = batches.flatMap((b) => b.observations);
  t.equal(all[0]?.row, 2);
  t.equal(all[999]?.row, 1001);
  t.equal(all[1000]?.row, 1002);
  t.equal(all[2499]?.row, 2501);
  t.equal(all[2499]?.value, '2499');
});

t.test('rows with findings count toward the batch, so findings stay bounded too', async (t) => {
  const rows = Array.from({ length: 5 }, () => 'PPKS-06,65.71');
  const { batches } = await read(`${HEADER}\n${rows.join('\n')}\n`, { batchSize: 2 });
  t.same(
    batches.map((b) => b.findings.length),
    [2, 2, 1],
  );
});

t.test('completeUtf8Length cuts before an unfinished character only', async (t) => {
  const euro = Buffer.from('€'); // e2 82 ac
  t.equal(completeUtf8Length(Buffer.from('abc')), 3);
  t.equal(completeUtf8Length(Buffer.concat([Buffer.from('a'), euro])), 4);
  t.equal(completeUtf8Length(Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)])), 1);
  t.equal(completeUtf8Length(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)])), 1);
  t.equal(completeUtf8Length(Buffer.from('😀').subarray(0, 3)), 0);
  t.equal(completeUtf8Length(Buffer.from([])), 0);
});

t.test('a NIK typed into the header or the first row is masked wherever a finding quotes it', async (t) => {
  const unknown = await read('indicator,region,period,value,3201.2345.6789.0123\nPPKS-06,65.71,2025,1,x\n');
  t.match(unknown.findings, [{ code: 'IO_UNKNOWN_COLUMN', column: '32**.****.****.0123', value: '32**.****.****.0123' }]);
  const noHeader = await read('3201.2345.6789.0123,65.71,2025,1\n');
  t.match(noHeader.findings, [{ code: 'IO_NO_HEADER', value: '32**.****.****.0123' }]);
  t.match(noHeader.findings[0]?.message.en, /for example “32\*\*\.\*{4}\.\*{4}\.0123”/);
  t.notMatch(JSON.stringify([...unknown.findings, ...noHeader.findings]), /3201.2345.6789.0123/);
});
