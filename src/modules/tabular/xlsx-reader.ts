import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../http/app-error.js';
import type { Finding } from '../../domain/finding.js';
import type { ColumnName } from '../../domain/columns.js';
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
import { openArchive, partLimit, writeArchive, type ArchiveLimits, type BoundedArchive, type Part } from './xlsx-archive.js';
import { asciiXml, listSheets, mergeWatcher, workbookRelationships, type SheetListing } from './xlsx-parts.js';

/**
 * XLSX reader for dataset pushes. One sheet is read (the first visible one, or the one asked
 * for) with the same header rules as CSV.
 *
 * exceljs never sees the upload itself. The archive is first bounded (xlsx-archive.ts: every
 * entry inflated and counted, so a zip bomb is a 413 XLSX_TOO_LARGE whatever its headers
 * claim), then the parts exceljs needs for the chosen sheet are copied into a small archive in
 * a temporary file, arranged so that exceljs' streaming reader, through its public API, can
 * read it row by row in bounded memory: see sheetBook.
 *
 * Rows wider than `maxColumns` and cells larger than `maxCellBytes` are refused the same way
 * (TOO_MANY_COLUMNS, CELL_TOO_LARGE): the format allows 16,384 columns, and a row's cells are
 * checked before they are copied.
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

// ---------------------------------------------------------------------------------------
// Cells

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

function invalidFinding(reason?: 'not-zip' | 'xls' | 'no-workbook'): Finding {
  const message =
    reason === 'xls'
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

function tooLarge(limits: ArchiveLimits, entry: string | undefined): AppError {
  // Only an archive of more parts than a plain zip directory counts comes without an entry name.
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

type SheetChoice = { kind: 'sheet'; sheet: SheetListing } | { kind: 'not-found'; names: string[] } | { kind: 'no-sheets' };

function chooseSheet(sheets: SheetListing[], wanted: string | undefined): SheetChoice {
  if (sheets.length === 0) return { kind: 'no-sheets' };
  if (wanted !== undefined) {
    const key = wanted.trim().toLowerCase();
    const match = sheets.find((s) => s.name === wanted) ?? sheets.find((s) => s.name.trim().toLowerCase() === key);
    return match ? { kind: 'sheet', sheet: match } : { kind: 'not-found', names: sheets.map((s) => s.name) };
  }
  // Templates keep code lists on hidden sheets; "the first sheet" is the first one the operator sees.
  const first = sheets.find((s) => !s.hidden) ?? sheets[0]!;
  return { kind: 'sheet', sheet: first };
}

// ---------------------------------------------------------------------------------------
// The archive exceljs reads

const EMPTY_SHARED_STRINGS = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>';

/**
 * What exceljs needs to read one sheet, the XML rewritten by asciiXml. The order matters to
 * exceljs' streaming reader: with the relationships and the shared strings (an empty part when
 * the workbook has none) before the sheet, it reads the sheet as it inflates instead of copying
 * it to a temporary file of its own first. The trailing entry keeps the sheet from being the
 * last one: unzipper, under exceljs, can announce the end of the entries while the last ones
 * still wait to be taken, and exceljs then drops them (exceljs#3064, which this service's
 * previous reader hit). A megabyte of zeros (a kilobyte deflated) cannot fit in the streams'
 * buffers, so that end cannot come before exceljs takes the trailer, which is after the sheet.
 */
function* sheetBook(archive: BoundedArchive, sheetPart: string, onMerge: (range: string) => void): Generator<Part> {
  yield { name: 'xl/_rels/workbook.xml.rels', content: asciiXml(archive.read('xl/_rels/workbook.xml.rels')) };
  yield { name: 'xl/workbook.xml', content: asciiXml(archive.read('xl/workbook.xml')) };
  yield {
    name: 'xl/sharedStrings.xml',
    content: archive.has('xl/sharedStrings.xml') ? asciiXml(archive.read('xl/sharedStrings.xml')) : Buffer.from(EMPTY_SHARED_STRINGS),
  };
  if (archive.has('xl/styles.xml')) yield { name: 'xl/styles.xml', content: asciiXml(archive.read('xl/styles.xml')) };
  // Whatever the part was called: exceljs only reads sheets named like this.
  yield { name: 'xl/worksheets/sheet1.xml', content: asciiXml(archive.read(sheetPart), mergeWatcher(onMerge)) };
  yield { name: 'trailer.bin', content: Buffer.alloc(1024 * 1024) };
}

// The first level is the fastest; the second deflates the same bytes differently, should the
// first have written a data-descriptor signature inside a part (see writeArchive).
const COPY_LEVELS = [1, 6] as const;

type Settled<T> = { value: T } | { error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The rows of the one sheet in the archive at `path`; exceljs' errors are findings, not throws. */
async function* readRows(path: string, reading: SheetReading): AsyncGenerator<XlsxBatch> {
  const file = createReadStream(path);
  // A failure to read our own temporary file is the server's, not the sender's.
  let fileError: unknown;
  file.on('error', (error) => (fileError ??= error));
  try {
    // Loaded on first use, not at start: exceljs alone takes about a second to load.
    const { default: ExcelJS } = await import('exceljs');
    const sheets = new ExcelJS.stream.xlsx.WorkbookReader(file, READER_OPTIONS)[Symbol.asyncIterator]();
    let found = false;
    for (;;) {
      const next = await settle(sheets.next());
      if (fileError) throw fileError;
      if ('error' in next) {
        yield reading.fail(invalidFinding());
        return;
      }
      if (next.value.done) break;
      found = true;
      const rows = next.value.value[Symbol.asyncIterator]();
      for (;;) {
        const step = await settle(rows.next());
        if (fileError) throw fileError;
        if ('error' in step) {
          yield reading.fail(invalidFinding());
          return;
        }
        if (step.value.done) break;
        const row = step.value.value;
        const full = reading.onRow(row.number, Array.isArray(row.values) ? row.values : []);
        if (full) yield full;
      }
    }
    yield found ? reading.finish() : { observations: [], findings: [invalidFinding()] };
  } finally {
    file.destroy();
  }
}

// ---------------------------------------------------------------------------------------

/** Reads an XLSX push. Yields at least one batch; findings are all `interoperabilitas`. */
export async function* readXlsx(input: Uint8Array, options: XlsxReadOptions): AsyncGenerator<XlsxBatch> {
  // The limits are the zip-bomb protection: a missing one must not quietly mean "none".
  const entry = options.maxEntryBytes;
  const total = options.maxTotalBytes ?? 4 * entry;
  if (!(entry > 0 && total > 0)) throw new RangeError('readXlsx: maxEntryBytes (and maxTotalBytes, when given) must be positive numbers');
  if (!(options.maxCellBytes > 0 && options.maxColumns > 0)) throw new RangeError('readXlsx: maxCellBytes and maxColumns must be positive numbers');
  const limits: ArchiveLimits = { entry, total: Math.max(entry, total) };
  if (input.length === 0) {
    yield { observations: [], findings: [emptyFinding('file')] };
    return;
  }
  const verdict = await openArchive(Buffer.from(input.buffer, input.byteOffset, input.byteLength), limits);
  if (verdict.kind === 'too-large') throw tooLarge(limits, verdict.entry);
  if (verdict.kind === 'invalid') {
    yield { observations: [], findings: [invalidFinding(verdict.reason)] };
    return;
  }
  const { archive } = verdict;
  const choice = chooseSheet(await listSheets(archive.read('xl/workbook.xml')), options.sheet);
  if (choice.kind === 'no-sheets') {
    yield { observations: [], findings: [emptyFinding('no-sheets')] };
    return;
  }
  if (choice.kind === 'not-found') {
    yield { observations: [], findings: [sheetNotFoundFinding(options.sheet ?? '', choice.names)] };
    return;
  }
  const relationship = choice.sheet.relationship;
  const part = relationship === undefined ? undefined : (await workbookRelationships(archive.read('xl/_rels/workbook.xml.rels'))).get(relationship);
  if (part === undefined || !archive.has(part)) {
    // Listed in the workbook, but its part is missing from the zip.
    yield { observations: [], findings: [invalidFinding()] };
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-xlsx-'));
  try {
    const path = join(dir, 'sheet.xlsx');
    for (const level of COPY_LEVELS) {
      // A fresh reading for each copy: writing one reports the sheet's merges.
      const reading = new SheetReading(choice.sheet.name, batchLimit(options.batchSize), options.maxCellBytes, options.maxColumns);
      if (await writeArchive(path, sheetBook(archive, part, reading.onMerge), level)) {
        yield* readRows(path, reading);
        return;
      }
    }
    // Both copies hold the signature inside a part: deflated bytes built for it, not chance.
    yield { observations: [], findings: [invalidFinding()] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
