import ExcelJS from 'exceljs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../http/app-error.js';
import type { Finding } from '../../domain/finding.js';
import type { ColumnName } from '../../domain/columns.js';
import { completeUtf8Length } from './csv-reader.js';
import {
  batchLimit,
  cellTooLarge,
  columnLetter,
  exceedsUtf8,
  ioFinding,
  isBlankRow,
  readHeader,
  strayCellFinding,
  strayCellIndex,
  tooManyColumns,
  toObservation,
  type HeaderLayout,
  type PositionLabel,
  type TabularBatch,
  type TabularReadInfo,
} from './header.js';

/**
 * Streaming XLSX reader for dataset pushes, on exceljs' WorkbookReader. One sheet is read
 * (the first visible one, or the one asked for) with the same header rules as CSV.
 *
 * Zip-bomb protection. exceljs offers no hook on the zip entries it inflates, and the
 * central directory (the only place that lists sizes up front) sits at the end of the file,
 * out of reach of a stream. So:
 * - Buffer input: the central directory is checked before anything is inflated.
 * - Every input: the stream handed to exceljs watches what exceljs pipes it into (unzipper's
 *   `Parse`), sees each entry as it is pushed, and counts the bytes actually inflated. The
 *   count is what protects: sizes in zip headers are whatever the sender wrote. An entry or
 *   workbook over the limit (lower for the parts exceljs holds in memory, such as the shared
 *   strings), or an absurd ratio, stops the read at once with a 413
 *   XLSX_TOO_LARGE AppError. This leans on exceljs 4.4 internals (`parse()` pipes its input
 *   into unzipper); if they change, the reader throws rather than read unguarded.
 *
 * Rows wider than `maxColumns` and cells larger than `maxCellBytes` are refused the same way
 * (TOO_MANY_COLUMNS, CELL_TOO_LARGE): the format allows 16,384 columns, and a row's cells are
 * checked before they are copied.
 *
 * exceljs copies each worksheet to a temporary file when the shared strings come after it
 * in the zip, which is how Excel writes workbooks. Those copies are bounded by the same
 * limits; a read abandoned midway (a fatal finding, or the caller leaving the loop) leaves
 * them to exceljs' clean-up at process exit.
 *
 * Like the CSV reader, it never destroys its input; the caller drains or drops the rest.
 */

export interface XlsxReadInfo extends TabularReadInfo {
  /** Excel cells are typed: a number never arrives as "1.234,5". */
  decimalComma: false;
  /** Name of the sheet that was read. */
  sheet: string;
}

export type XlsxBatch = TabularBatch<XlsxReadInfo>;

export interface XlsxReadOptions {
  batchSize: number;
  /** Sheet to read; the first visible sheet when absent. */
  sheet?: string;
  /** Largest inflated size of one zip entry. */
  maxEntryBytes: number;
  /** Largest inflated size of all entries together; four entries' worth when absent. */
  maxTotalBytes?: number;
  /** Largest cell text accepted, in UTF-8 bytes. */
  maxCellBytes: number;
  /** Most cells of the header or of any row. */
  maxColumns: number;
}

interface Limits {
  entry: number;
  total: number;
}

// A deflated worksheet of real data shrinks 5–30 times; past 100 on a sizeable entry it is
// built to explode. Small entries are exempt: a tiny, very regular part is harmless.
const MAX_RATIO = 100;
const RATIO_MIN_BYTES = 4 * 1024 * 1024;

// exceljs parses these parts into memory rather than streaming them: shared strings take
// about twice their XML in heap (a 61 MB part, 138 MB), so they get a budget of their own
// that a 256 MiB heap can afford whatever the per-part limit is set to.
const HELD_PARTS: ReadonlySet<string> = new Set(['_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml']);
const MAX_HELD_BYTES = 64 * 1024 * 1024;

function partLimit(limits: Limits, name: string): number {
  return HELD_PARTS.has(name) ? Math.min(limits.entry, MAX_HELD_BYTES) : limits.entry;
}

// Detail beyond this many merged ranges adds nothing for the operator.
const MAX_MERGE_FINDINGS = 20;

const READER_OPTIONS = {
  sharedStrings: 'cache',
  hyperlinks: 'ignore',
  // Styles are needed after all: exceljs only recognises a date cell by its number format,
  // and without them every date arrives as a serial number (45839 for 2025-07-01).
  styles: 'cache',
  worksheets: 'emit',
  entries: 'ignore',
} as const;

const xlsxPosition: PositionLabel = (i) => ({ id: `kolom ${columnLetter(i)}`, en: `column ${columnLetter(i)}` });

function exceeds(inflated: number, compressed: number, limit: number): boolean {
  return inflated > limit || (inflated >= RATIO_MIN_BYTES && inflated > MAX_RATIO * Math.max(1, compressed));
}

// ---------------------------------------------------------------------------------------
// Central directory pre-scan (Buffer input)

export type ZipVerdict =
  | { kind: 'ok' }
  | { kind: 'invalid'; reason: 'not-zip' | 'xls' | 'no-workbook' }
  | { kind: 'too-large'; entry?: string; bytes?: number };

const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/** Reads the sizes a zip declares for its entries, without inflating anything. */
export function scanZipDirectory(bytes: Uint8Array, limits: Limits): ZipVerdict {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip: ZipVerdict = { kind: 'invalid', reason: startsWith(buf, OLE_SIGNATURE) ? 'xls' : 'not-zip' };
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return notZip;
  const count = buf.readUInt16LE(eocd + 10);
  const offset = buf.readUInt32LE(eocd + 16);
  // ZIP64 directories exist for archives past 4 GB or 65,535 entries: no dataset upload.
  if (count === 0xffff || offset === 0xffffffff) return { kind: 'too-large' };
  let p = offset;
  let total = 0;
  let workbook = false;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return notZip;
    let compressed = buf.readUInt32LE(p + 20);
    let inflated = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    if (p + 46 + nameLength + extraLength > buf.length) return notZip;
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    if (inflated === 0xffffffff || compressed === 0xffffffff) {
      // The real sizes are in the ZIP64 extra field, in this order, only for those maxed out.
      const sizes = zip64Sizes(buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), inflated, compressed);
      inflated = sizes.inflated;
      compressed = sizes.compressed;
    }
    total += inflated;
    if (exceeds(inflated, compressed, partLimit(limits, name))) return { kind: 'too-large', entry: name, bytes: inflated };
    if (total > limits.total) return { kind: 'too-large', entry: name, bytes: total };
    if (name === 'xl/workbook.xml') workbook = true;
    p += 46 + nameLength + extraLength + commentLength;
  }
  return workbook ? { kind: 'ok' } : { kind: 'invalid', reason: 'no-workbook' };
}

function zip64Sizes(extra: Buffer, inflated: number, compressed: number): { inflated: number; compressed: number } {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const size = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      const read = () => {
        const value = r + 8 <= extra.length ? Number(extra.readBigUInt64LE(r)) : Number.MAX_SAFE_INTEGER;
        r += 8;
        return value;
      };
      const i = inflated === 0xffffffff ? read() : inflated;
      const c = compressed === 0xffffffff ? read() : compressed;
      return { inflated: i, compressed: c };
    }
    q += 4 + size;
  }
  return { inflated, compressed };
}

// ---------------------------------------------------------------------------------------
// Runtime guard on what exceljs inflates

type Stop =
  | { kind: 'too-large'; entry: string; bytes: number }
  | { kind: 'invalid'; error: unknown }
  | { kind: 'input'; error: unknown };

/** The shape of an unzipper entry, as far as the guard uses it. */
interface ZipEntry extends Transform {
  path: string;
  vars: { flags: number; compressedSize: number; uncompressedSize: number };
}

function isZipEntry(chunk: unknown): chunk is ZipEntry {
  return chunk instanceof Transform && typeof (chunk as Partial<ZipEntry>).path === 'string' && typeof (chunk as Partial<ZipEntry>).vars === 'object';
}

type Raced<T> = { value: T } | { error: unknown } | { stop: Stop };

class ZipGuard {
  /** The stream exceljs reads; watches where it gets piped. */
  readonly source: Transform;
  inputBytes = 0;
  head = Buffer.alloc(0);
  armed = false;
  stop: Stop | undefined;
  private inflated = 0;
  private readonly stopped: Promise<Stop>;
  private announce: (stop: Stop) => void = () => {};
  private active: { entry: ZipEntry; from?: NodeJS.ReadableStream } | undefined;
  private readonly onInputError = (error: unknown) => this.trip({ kind: 'input', error });

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly limits: Limits,
  ) {
    this.stopped = new Promise((resolve) => (this.announce = resolve));
    const transform = (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
      this.inputBytes += chunk.length;
      if (this.head.length < 8) this.head = Buffer.concat([this.head, chunk.subarray(0, 8 - this.head.length)]);
      callback(null, chunk);
    };
    this.source = new Transform({ transform });
    const pipe = this.source.pipe.bind(this.source);
    this.source.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
      this.watchZip(destination as unknown as Readable);
      return pipe(destination, options);
    }) as typeof this.source.pipe;
    input.on('error', this.onInputError);
    input.pipe(this.source);
  }

  /** Awaits an exceljs promise unless the guard stops the read first; never leaves a rejection unhandled. */
  race<T>(promise: Promise<T>): Promise<Raced<T>> {
    const settled = promise.then(
      (value): Raced<T> => ({ value }),
      (error: unknown): Raced<T> => ({ error }),
    );
    return Promise.race([settled, this.stopped.then((stop): Raced<T> => ({ stop }))]);
  }

  release(): void {
    this.input.removeListener('error', this.onInputError);
    this.input.unpipe(this.source);
    this.source.destroy();
  }

  private trip(stop: Stop): void {
    if (this.stop) return;
    this.stop = stop;
    this.announce(stop);
    this.input.unpipe(this.source);
    // End the entry being inflated, so whatever exceljs is writing it to (a temporary file)
    // is closed rather than left open forever.
    const active = this.active;
    if (active) {
      active.from?.unpipe(active.entry);
      active.entry.end();
    }
  }

  private watchZip(zip: Readable): void {
    this.armed = true;
    let complete = false;
    // Bytes after a complete archive make unzipper complain; exceljs has everything by then.
    zip.on('error', (error: unknown) => {
      if (!complete) this.trip({ kind: 'invalid', error });
    });
    const push = zip.push.bind(zip);
    zip.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk === null) complete = true;
      else if (isZipEntry(chunk)) this.watchEntry(chunk);
      return push(chunk, encoding);
    };
    // unzipper's Parse announces 'end' as soon as its input has been written, while entries
    // are still being parsed, and exceljs stops listening for entries at that signal: the
    // last ones (xl/workbook.xml when exceljs wrote the file) are then intermittently lost
    // (exceljs#3064). Only the real end of the entry stream is let through; an input that
    // ends early still fails, with unzipper's FILE_ENDED error.
    const emit = zip.emit.bind(zip);
    zip.emit = ((event: string | symbol, ...args: unknown[]) =>
      event === 'end' && !zip.readableEnded ? false : emit(event, ...args)) as typeof zip.emit;
  }

  private watchEntry(entry: ZipEntry): void {
    const { flags, compressedSize, uncompressedSize } = entry.vars;
    const sizesKnown = (flags & 0x08) === 0 || compressedSize > 0;
    const active: { entry: ZipEntry; from?: NodeJS.ReadableStream } = { entry };
    this.active = active;
    // Writes from the inflater after the guard ended the entry fail; nobody needs to hear it.
    entry.on('error', () => {});
    entry.once('pipe', (from: NodeJS.ReadableStream) => {
      active.from = from;
      if (this.stop) {
        from.unpipe(entry);
        entry.end();
      }
    });
    entry.once('end', () => {
      if (this.active === active) this.active = undefined;
    });
    const limit = partLimit(this.limits, entry.path);
    if (sizesKnown && exceeds(uncompressedSize, compressedSize, limit)) {
      this.trip({ kind: 'too-large', entry: entry.path, bytes: uncompressedSize });
    }

    // exceljs decodes each chunk of XML on its own (exceljs#2063): cut on character boundaries.
    const text = /\.(?:xml|rels)$/i.test(entry.path);
    let carry = Buffer.alloc(0);
    let produced = 0;
    const start = this.inputBytes;
    const pass = entry._transform.bind(entry);
    entry._transform = (chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback) => {
      if (this.stop) return callback();
      produced += chunk.length;
      this.inflated += chunk.length;
      // Without sizes in the header, what the input delivered since the entry began bounds
      // its compressed size from above, so the ratio can only be underestimated.
      const compressed = sizesKnown ? compressedSize : this.inputBytes - start;
      if (exceeds(produced, compressed, limit) || this.inflated > this.limits.total) {
        this.trip({ kind: 'too-large', entry: entry.path, bytes: produced });
        return callback();
      }
      if (!text) return pass(chunk, encoding, callback);
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeUtf8Length(data);
      carry = Buffer.from(data.subarray(cut));
      pass(data.subarray(0, cut), encoding, callback);
    };
    entry._flush = (callback: TransformCallback) => {
      if (carry.length > 0 && !this.stop) entry.push(carry);
      callback();
    };
  }
}

// ---------------------------------------------------------------------------------------
// Cells

/** The parts of exceljs' reader objects this module relies on, which its typings leave out. */
interface BookInternals {
  model?: { sheets?: { name: string; state?: string }[] };
}
interface SheetInternals {
  name: string;
  iterator: AsyncIterable<unknown> & { destroy?: () => void; on?: (event: 'error', listener: () => void) => unknown };
}

type Cell = { value: unknown } | { noResult: true };

/**
 * What a cell holds, as the rules want it: text for everything (numbers in canonical form,
 * dates as YYYY-MM-DD), except a number in the region column, which stays a number so the
 * rules can say "this was typed as a number" (6571 instead of '65.71').
 */
function cellOf(raw: unknown, column: ColumnName | undefined): Cell {
  if (raw === null || raw === undefined) return { value: undefined };
  if (typeof raw === 'number') return { value: column === 'region' ? raw : String(raw) };
  if (typeof raw === 'string') return { value: raw };
  if (typeof raw === 'boolean') return { value: raw ? 'TRUE' : 'FALSE' };
  if (raw instanceof Date) return { value: Number.isNaN(raw.getTime()) ? String(raw) : raw.toISOString().slice(0, 10) };
  if (typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    if ('formula' in o || 'sharedFormula' in o) {
      const result = o['result'];
      // A formula cell carries the value Excel computed when it saved; without one (or when
      // it was an error, which exceljs turns into NaN) there is nothing to read.
      if (result === undefined || result === null || (typeof result === 'number' && Number.isNaN(result))) return { noResult: true };
      if (typeof result === 'object' && 'error' in result) return { noResult: true };
      return cellOf(result, column);
    }
    if (Array.isArray(o['richText'])) {
      return { value: (o['richText'] as { text?: unknown }[]).map((r) => (typeof r.text === 'string' ? r.text : '')).join('') };
    }
    if (typeof o['error'] === 'string') return { value: o['error'] };
    if ('text' in o) return cellOf(o['text'], column);
  }
  return { value: JSON.stringify(raw) };
}

function textOf(cell: Cell): string {
  if ('noResult' in cell) return '';
  const v = cell.value;
  return v === undefined ? '' : typeof v === 'string' ? v : String(v);
}

// ---------------------------------------------------------------------------------------
// Findings

function invalidFinding(head: Uint8Array, reason?: 'not-zip' | 'xls' | 'no-workbook'): Finding {
  const xls = reason === 'xls' || startsWith(head, OLE_SIGNATURE);
  const message = xls
    ? {
        id: 'Berkas ini berformat Excel 97-2003 (.xls), bukan buku kerja .xlsx.',
        en: 'This file is in the Excel 97-2003 format (.xls), not an .xlsx workbook.',
      }
    : reason === 'no-workbook'
      ? {
          id: 'Berkas ini arsip zip, tetapi bukan buku kerja Excel: tidak ada bagian xl/workbook.xml.',
          en: 'This file is a zip archive but not an Excel workbook: it has no xl/workbook.xml part.',
        }
      : {
          id: 'Berkas ini bukan buku kerja Excel (.xlsx) yang utuh dan tidak dapat dibaca.',
          en: 'This file is not a complete Excel workbook (.xlsx) and cannot be read.',
        };
  return ioFinding('IO_XLSX_INVALID', 'error', message, {
    hint: {
      id: 'Buka berkas di Excel lalu simpan ulang lewat File › Save As › "Excel Workbook (*.xlsx)", atau kirim data sebagai CSV UTF-8.',
      en: 'Open the file in Excel and save it again with File › Save As › "Excel Workbook (*.xlsx)", or send the data as UTF-8 CSV.',
    },
  });
}

function tooLarge(limits: Limits, entry: string | undefined): AppError {
  // Only a ZIP64 directory comes without an entry name: an archive past 4 GB or 65,535 parts.
  return new AppError('XLSX_TOO_LARGE', { part: entry ?? 'ZIP64', limit: entry === undefined ? limits.entry : partLimit(limits, entry), total: limits.total });
}

function emptyFinding(what: 'file' | 'no-sheets' | 'sheet' | 'header-only', sheet?: string, row?: number): Finding {
  const messages = {
    file: { id: 'Berkas kosong (0 byte).', en: 'The file is empty (0 bytes).' },
    'no-sheets': { id: 'Buku kerja tidak memiliki lembar kerja.', en: 'The workbook has no worksheets.' },
    sheet: { id: `Lembar “${sheet}” kosong: tidak ada baris header maupun data.`, en: `Sheet “${sheet}” is empty: there is no header row and no data.` },
    'header-only': {
      id: `Lembar “${sheet}” hanya berisi baris header (baris ${row}); tidak ada baris data.`,
      en: `Sheet “${sheet}” has only a header row (row ${row}); there are no data rows.`,
    },
  } as const;
  return ioFinding('IO_EMPTY', 'error', messages[what], {
    ...(row === undefined ? {} : { row }),
    hint: {
      id: 'Isi baris header di baris pertama lembar dan data di bawahnya, satu observasi per baris.',
      en: 'Put the header row at the top of the sheet and the data below it, one observation per row.',
    },
  });
}

function sheetNotFoundFinding(wanted: string, names: string[] | undefined): Finding {
  const available = names && names.length > 0 ? names.map((n) => `“${n}”`).join(', ') : undefined;
  return ioFinding(
    'IO_SHEET_NOT_FOUND',
    'error',
    available
      ? {
          id: `Lembar “${wanted}” tidak ada di buku kerja. Lembar yang tersedia: ${available}.`,
          en: `There is no sheet “${wanted}” in the workbook. Available sheets: ${available}.`,
        }
      : { id: `Lembar “${wanted}” tidak ada di buku kerja.`, en: `There is no sheet “${wanted}” in the workbook.` },
    {
      value: wanted,
      hint: {
        id: 'Periksa ejaan nama lembar pada parameter sheet, atau hilangkan parameter itu untuk membaca lembar pertama.',
        en: 'Check the spelling of the sheet name in the sheet parameter, or leave the parameter out to read the first sheet.',
      },
    },
  );
}

function formulaFinding(row: number, index: number, column: string): Finding {
  const cell = `${columnLetter(index)}${row}`;
  return ioFinding(
    'IO_FORMULA_NO_VALUE',
    'error',
    {
      id: `Sel ${cell} berisi rumus tanpa hasil tersimpan (atau hasilnya galat). Baris ${row} tidak dibaca.`,
      en: `Cell ${cell} holds a formula with no stored result (or an error result). Row ${row} was not read.`,
    },
    {
      row,
      column,
      hint: {
        id: 'Buka berkas di Excel agar rumus dihitung lalu simpan ulang, atau ganti rumus dengan nilainya (Salin › Tempel Spesial › Nilai).',
        en: 'Open the file in Excel so the formulas are calculated and save it again, or replace the formulas by their values (Copy › Paste Special › Values).',
      },
    },
  );
}

function mergedFinding(range: string, row: number | undefined, column: string | undefined): Finding {
  return ioFinding(
    'IO_MERGED_CELLS',
    'warning',
    {
      id: `Sel ${range} digabung (merge). Hanya sel kiri atas yang berisi nilai; sel lain dalam gabungan terbaca kosong.`,
      en: `Cells ${range} are merged. Only the top-left cell holds the value; the other cells of the merge read as empty.`,
    },
    {
      ...(row === undefined ? {} : { row }),
      ...(column === undefined ? {} : { column }),
      value: range,
      hint: {
        id: 'Pisahkan gabungan sel (Merge & Center › Unmerge Cells) dan isi nilainya di setiap baris.',
        en: 'Unmerge the cells (Merge & Center › Unmerge Cells) and fill in the value on every row.',
      },
    },
  );
}

function moreMergesFinding(more: number): Finding {
  return ioFinding(
    'IO_MERGED_CELLS',
    'warning',
    {
      id: `Masih ada ${more} rentang sel gabungan lain di lembar ini.`,
      en: `There are ${more} more merged cell ranges in this sheet.`,
    },
    {
      hint: {
        id: 'Pilih seluruh lembar dan batalkan penggabungan sel sekaligus (Merge & Center › Unmerge Cells).',
        en: 'Select the whole sheet and unmerge all cells at once (Merge & Center › Unmerge Cells).',
      },
    },
  );
}

// ---------------------------------------------------------------------------------------
// Sheet XML: merges, and character-safe chunks

// Merges are listed after the rows, and exceljs' streaming reader skips them (exceljs#3000),
// so the sheet XML is scanned on its way to exceljs. `<` is always escaped inside cell text,
// so a match can only be markup.
const MERGE_TAG = /<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)["']/g;

async function* watchSheetXml(source: AsyncIterable<unknown>, onMerge: (range: string) => void): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  let tail = '';
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    // Temporary-file copies are re-chunked by fs, splitting characters again (exceljs#2063).
    const data = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    const cut = completeUtf8Length(data);
    carry = Buffer.from(data.subarray(cut));
    const out = data.subarray(0, cut);
    const text = tail + out.toString('latin1');
    MERGE_TAG.lastIndex = 0;
    let consumed = 0;
    for (let m = MERGE_TAG.exec(text); m; m = MERGE_TAG.exec(text)) {
      onMerge(m[1] ?? '');
      consumed = MERGE_TAG.lastIndex;
    }
    tail = text.slice(Math.max(consumed, text.length - 256));
    yield out;
  }
  if (carry.length > 0) yield carry;
}

// ---------------------------------------------------------------------------------------
// Rows of the chosen sheet

class SheetReading {
  private layout: HeaderLayout | undefined;
  private headerRow: number | undefined;
  private dataRows = 0;
  private rowsInBatch = 0;
  private batch: XlsxBatch = { observations: [], findings: [] };
  private merges: string[] = [];
  private mergeCount = 0;
  private lastRow = 0;
  /** Header errors: the rest of the sheet is drained, not read. */
  stopped = false;

  constructor(
    private readonly sheet: string,
    private readonly batchSize: number,
    private readonly maxCellBytes: number,
    private readonly maxColumns: number,
  ) {}

  onMerge = (range: string): void => {
    this.mergeCount++;
    if (this.merges.length < MAX_MERGE_FINDINGS) this.merges.push(range.toUpperCase());
  };

  /** Returns a batch when one has filled up. */
  onRow(number: number, raw: readonly unknown[]): XlsxBatch | undefined {
    if (this.stopped) return undefined;
    // A row without its number (allowed by the format, written by some tools) follows the previous one.
    const row = Number.isInteger(number) && number > 0 ? number : this.lastRow + 1;
    this.lastRow = row;
    const layout = this.layout;
    // exceljs places each cell at its column's index: a single cell in column XFD makes a
    // 16,385-long row, which must be refused before it is copied.
    if (raw.length - 1 > this.maxColumns) throw tooManyColumns(row, this.maxColumns);
    const cells = Array.from(raw.slice(1), (value, i) => cellOf(value, layout?.slots[i]));
    const oversized = cells.findIndex((c) => 'value' in c && typeof c.value === 'string' && exceedsUtf8(c.value, this.maxCellBytes));
    if (oversized >= 0) throw cellTooLarge(layout, row, oversized, this.maxCellBytes);
    if (!layout) {
      const texts = cells.map(textOf);
      if (isBlankRow(texts)) return undefined;
      this.headerRow = row;
      const outcome = readHeader(texts, row, xlsxPosition);
      this.batch.info = { decimalComma: false, columns: outcome.layout ? [...outcome.layout.columns] : [], sheet: this.sheet };
      if (!outcome.layout) {
        this.batch.findings.push(...outcome.findings);
        this.stopped = true;
      } else {
        this.layout = outcome.layout;
      }
      return undefined;
    }
    const values = cells.map((c) => ('noResult' in c ? undefined : c.value));
    const unread = cells.flatMap((c, i) => ('noResult' in c && layout.slots[i] !== undefined ? [i] : []));
    if (isBlankRow(values) && unread.length === 0) return undefined;
    this.dataRows++;
    this.rowsInBatch++;
    if (unread.length > 0) {
      for (const i of unread) this.batch.findings.push(formulaFinding(row, i, layout.names[i] ?? ''));
    } else {
      const stray = strayCellIndex(layout, values);
      if (stray >= 0) this.batch.findings.push(strayCellFinding(row, stray, values[stray], xlsxPosition));
      else this.batch.observations.push(toObservation(layout, row, values));
    }
    if (this.rowsInBatch < this.batchSize) return undefined;
    const full = this.batch;
    this.batch = { observations: [], findings: [] };
    this.rowsInBatch = 0;
    return full;
  }

  /** Adds a fatal finding to what is pending and hands it all over. */
  fail(finding: Finding): XlsxBatch {
    this.batch.findings.push(finding);
    return this.take();
  }

  finish(): XlsxBatch {
    if (!this.stopped) {
      for (const range of this.merges) {
        const top = /^([A-Z]+)(\d+)/.exec(range);
        const row = top ? Number(top[2]) : undefined;
        const index = top?.[1] ? lettersToIndex(top[1]) : -1;
        const name = this.layout?.names[index];
        this.batch.findings.push(mergedFinding(range, row, name === undefined || name === '' ? undefined : name));
      }
      if (this.mergeCount > this.merges.length) this.batch.findings.push(moreMergesFinding(this.mergeCount - this.merges.length));
      if (this.headerRow === undefined) this.batch.findings.push(emptyFinding('sheet', this.sheet));
      else if (this.dataRows === 0) this.batch.findings.push(emptyFinding('header-only', this.sheet, this.headerRow));
    }
    return this.take();
  }

  private take(): XlsxBatch {
    const batch = this.batch;
    this.batch = { observations: [], findings: [] };
    return batch;
  }
}

function lettersToIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

type SheetChoice = { kind: 'sheet'; name: string } | { kind: 'not-found'; names: string[] } | { kind: 'no-sheets' };

function chooseSheet(book: BookInternals, wanted: string | undefined): SheetChoice {
  const sheets = book.model?.sheets ?? [];
  if (sheets.length === 0) return { kind: 'no-sheets' };
  if (wanted !== undefined) {
    const key = wanted.trim().toLowerCase();
    const match = sheets.find((s) => s.name === wanted) ?? sheets.find((s) => s.name.trim().toLowerCase() === key);
    return match ? { kind: 'sheet', name: match.name } : { kind: 'not-found', names: sheets.map((s) => s.name) };
  }
  // Templates keep code lists on hidden sheets; "the first sheet" is the first one the operator sees.
  const first = sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden') ?? sheets[0];
  return { kind: 'sheet', name: first?.name ?? '' };
}

function skipSheet(sheet: SheetInternals): void {
  // A temporary-file copy is opened for every sheet; close the ones nobody will read. exceljs
  // deletes the file right after, possibly before the open completes: that ENOENT is expected.
  const copy = sheet.iterator;
  if (typeof copy.destroy !== 'function') return;
  copy.on?.('error', () => {});
  copy.destroy();
}

// ---------------------------------------------------------------------------------------

async function* slices(bytes: Uint8Array): AsyncGenerator<Buffer> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < buf.length; i += 64 * 1024) yield buf.subarray(i, i + 64 * 1024);
}

/**
 * Reads an XLSX push. Yields at least one batch; findings are all `interoperabilitas`.
 * Buffer input gets the extra up-front zip check (see the module comment).
 */
export async function* readXlsx(input: NodeJS.ReadableStream | Uint8Array, options: XlsxReadOptions): AsyncGenerator<XlsxBatch> {
  // The limits are the zip-bomb protection: a missing one must not quietly mean "none".
  const entry = options.maxEntryBytes;
  const total = options.maxTotalBytes ?? 4 * entry;
  if (!(entry > 0 && total > 0)) throw new RangeError('readXlsx: maxEntryBytes (and maxTotalBytes, when given) must be positive numbers');
  if (!(options.maxCellBytes > 0 && options.maxColumns > 0)) throw new RangeError('readXlsx: maxCellBytes and maxColumns must be positive numbers');
  const limits: Limits = { entry, total: Math.max(entry, total) };
  let stream: NodeJS.ReadableStream;
  let own: Readable | undefined;
  if (input instanceof Uint8Array) {
    if (input.length === 0) {
      yield { observations: [], findings: [emptyFinding('file')] };
      return;
    }
    const verdict = scanZipDirectory(input, limits);
    if (verdict.kind === 'too-large') throw tooLarge(limits, verdict.entry);
    if (verdict.kind !== 'ok') {
      yield { observations: [], findings: [invalidFinding(input, verdict.reason)] };
      return;
    }
    own = Readable.from(slices(input));
    stream = own;
  } else {
    stream = input;
  }
  const guard = new ZipGuard(stream, limits);
  try {
    yield* readWorkbook(guard, limits, options, batchLimit(options.batchSize));
  } finally {
    guard.release();
    own?.destroy();
  }
}

async function* readWorkbook(guard: ZipGuard, limits: Limits, options: XlsxReadOptions, batchSize: number): AsyncGenerator<XlsxBatch> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(guard.source, READER_OPTIONS);
  const book = reader as unknown as BookInternals;
  const sheets = reader[Symbol.asyncIterator]();
  let choice: SheetChoice | undefined;
  let reading: SheetReading | undefined;

  /** The batch that ends the read when something went wrong; undefined when all went well. */
  const failure = (outcome: Raced<unknown>): XlsxBatch | undefined => {
    const stop = guard.stop ?? ('stop' in outcome ? outcome.stop : undefined);
    if (stop?.kind === 'input') throw stop.error;
    if (stop?.kind === 'too-large') throw tooLarge(limits, stop.entry);
    if (stop?.kind !== 'invalid' && !('error' in outcome)) return undefined;
    const finding = guard.inputBytes === 0 ? emptyFinding('file') : invalidFinding(guard.head);
    return reading ? reading.fail(finding) : { observations: [], findings: [finding] };
  };

  for (;;) {
    const next = await guard.race(sheets.next());
    if (!guard.armed) throw new Error('xlsx-reader: exceljs did not pipe its input through the zip guard; refusing to read unguarded');
    const failed = failure(next);
    if (failed) {
      yield failed;
      return;
    }
    if (!('value' in next) || next.value.done) break;
    const sheet = next.value.value as unknown as SheetInternals;
    choice ??= book.model ? chooseSheet(book, options.sheet) : undefined;
    if (reading || choice?.kind !== 'sheet' || sheet.name !== choice.name) {
      skipSheet(sheet);
      continue;
    }
    reading = new SheetReading(sheet.name, batchSize, options.maxCellBytes, options.maxColumns);
    sheet.iterator = watchSheetXml(sheet.iterator, reading.onMerge);
    const rows = (next.value.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
    for (;;) {
      const step = await guard.race(rows.next());
      const rowFailed = failure(step);
      if (rowFailed) {
        yield rowFailed;
        return;
      }
      if (!('value' in step) || step.value.done) break;
      const row = step.value.value;
      const full = reading.onRow(row.number, Array.isArray(row.values) ? row.values : []);
      if (full) yield full;
    }
  }

  if (guard.inputBytes === 0) {
    yield { observations: [], findings: [emptyFinding('file')] };
    return;
  }
  if (!book.model) {
    yield { observations: [], findings: [invalidFinding(guard.head, 'no-workbook')] };
    return;
  }
  choice ??= chooseSheet(book, options.sheet);
  if (choice.kind === 'no-sheets') {
    yield { observations: [], findings: [emptyFinding('no-sheets')] };
  } else if (choice.kind === 'not-found') {
    yield { observations: [], findings: [sheetNotFoundFinding(options.sheet ?? '', choice.names)] };
  } else if (!reading) {
    // Listed in the workbook, but its part is missing from the zip.
    yield { observations: [], findings: [invalidFinding(guard.head)] };
  } else {
    yield reading.finish();
  }
}
