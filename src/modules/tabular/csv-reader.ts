import { CsvError, parse, type Parser } from 'csv-parse';
import { Readable } from 'node:stream';
import { AppError } from '../../http/app-error.js';
import type { Finding } from '../../domain/finding.js';
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
 * Streaming CSV reader for dataset pushes. Input is decoded and parsed chunk by chunk and
 * observations leave in batches, so memory depends on the chunk and batch sizes, never on
 * the file. The reader never destroys its input: when it stops early (a fatal finding, or
 * the caller leaving the loop) the rest is left unread for the caller to drain or drop,
 * which an HTTP handler needs in order to still send its report.
 *
 * Input past a limit (columns, line length, cell size) is refused outright with a 413
 * AppError rather than reported as a finding: such a file is not a dataset with mistakes in
 * it, and holding it in memory is what an attacker would want. The limits are checked before
 * what they bound is built: line lengths on the raw bytes, header columns while the delimiter
 * is sniffed, so a 1,000,000-column header never becomes an array.
 */

export interface CsvReadInfo extends TabularReadInfo {
  delimiter: ',' | ';';
  /** Semicolon files come from Indonesian-locale Excel, where the decimal separator is a comma. */
  decimalComma: boolean;
  bom: boolean;
}

export type CsvBatch = TabularBatch<CsvReadInfo>;

export interface CsvReadOptions {
  /** Data rows per yielded batch. */
  batchSize: number;
  /** Largest cell accepted, in UTF-8 bytes. */
  maxCellBytes: number;
  /** Most cells of the header or of any row. */
  maxColumns: number;
  /** Longest physical line, in bytes (a quoted cell's line breaks end lines too). */
  maxLineBytes: number;
}

// The delimiter is decided on the header line; a header longer than this is not a header,
// and holding more back would let a hostile first line grow memory before csv-parse's limit applies.
const SNIFF_LIMIT = 64 * 1024;

// csv-parse holds a record back until it has seen enough of what follows (a `\r` may be
// half of `\r\n`). Neutral text written after the last good byte releases it without
// completing the damaged row, which is never read.
const LOOKAHEAD_RELEASE = 'xxxxxxxx';

const csvPosition: PositionLabel = (i) => ({
  id: `kolom ke-${i + 1} (${columnLetter(i)})`,
  en: `column ${i + 1} (${columnLetter(i)})`,
});

/**
 * Length of the longest prefix that does not end inside a multi-byte UTF-8 character, so
 * chunks can be cut on character boundaries. Invalid bytes are left for the decoder to reject.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > back ? n - back : n;
  }
  return n;
}

/** Offset of the byte that makes `bytes` invalid UTF-8 (assumes it is invalid). */
function firstInvalidByte(bytes: Uint8Array): number {
  const fails = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let lo = 1;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/**
 * Counts `,` and `;` outside quotes on the first non-blank line, fed incrementally so a header
 * arriving in tiny chunks is scanned once. `complete` once that line has ended.
 */
class DelimiterSniffer {
  private commas = 0;
  private semicolons = 0;
  private inQuotes = false;
  private content = false;
  complete = false;
  /** Line of the header row: blank lines before it count. */
  line = 1;

  feed(text: string): void {
    for (let i = 0; i < text.length && !this.complete; i++) {
      const ch = text[i];
      if (ch === '"') {
        this.inQuotes = !this.inQuotes;
        this.content = true;
      } else if (this.inQuotes) {
        continue;
      } else if (ch === '\n' || ch === '\r') {
        this.complete = this.content;
        if (!this.content && ch === '\n') this.line++;
      } else if (ch === ',') {
        this.commas++;
        this.content = true;
      } else if (ch === ';') {
        this.semicolons++;
        this.content = true;
      } else if (ch !== ' ' && ch !== '\t') {
        this.content = true;
      }
    }
  }

  get delimiter(): ',' | ';' {
    return this.semicolons > this.commas ? ';' : ',';
  }

  /** Cells on the header line, as far as it has been seen. */
  get cells(): number {
    return (this.delimiter === ';' ? this.semicolons : this.commas) + 1;
  }
}

function chunksOf(input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream): AsyncIterable<unknown> {
  // Leaving the loop early must not destroy a request body the caller still has to answer.
  if (input instanceof Readable) return input.iterator({ destroyOnReturn: false });
  return input as AsyncIterable<unknown>;
}

function encodingFinding(row: number, byteOffset: number, utf16: boolean): Finding {
  return ioFinding(
    'IO_ENCODING_INVALID',
    'error',
    {
      id: `Berkas bukan teks UTF-8 yang valid: ada byte tidak sah di baris ${row} (posisi byte ${byteOffset}). Pembacaan dihentikan.`,
      en: `The file is not valid UTF-8 text: there is an invalid byte in row ${row} (byte offset ${byteOffset}). Reading stopped.`,
    },
    {
      row,
      hint: utf16
        ? {
            id: 'Berkas tersimpan sebagai UTF-16 ("Unicode Text"). Simpan ulang dari Excel lewat File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)".',
            en: 'The file was saved as UTF-16 ("Unicode Text"). Save it again from Excel with File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)".',
          }
        : {
            id: 'Simpan ulang berkas sebagai CSV UTF-8. Di Excel: File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)"; jenis "CSV (MS-DOS)" atau "CSV (Macintosh)" memakai pengodean lain.',
            en: 'Save the file again as UTF-8 CSV. In Excel: File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)"; the "CSV (MS-DOS)" and "CSV (Macintosh)" types use other encodings.',
          },
    },
  );
}

function malformedFinding(err: CsvError, row: number): Finding {
  const unclosed = err.code === 'CSV_QUOTE_NOT_CLOSED';
  const quoting =
    unclosed ||
    err.code === 'CSV_INVALID_CLOSING_QUOTE' ||
    err.code === 'INVALID_OPENING_QUOTE' ||
    err.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE';
  const message = unclosed
    ? {
        id: `Tanda kutip ganda yang dibuka di baris ${row} tidak pernah ditutup; sisa berkas terbaca sebagai satu sel.`,
        en: `A double quote opened in row ${row} is never closed; the rest of the file reads as a single cell.`,
      }
    : quoting
      ? {
          id: `Tanda kutip ganda di baris ${row} tidak pada tempatnya, sehingga baris tidak dapat dipisah menjadi sel.`,
          en: `A double quote in row ${row} is out of place, so the row cannot be split into cells.`,
        }
      : {
          id: `Baris ${row} tidak dapat dibaca sebagai CSV.`,
          en: `Row ${row} cannot be read as CSV.`,
        };
  return ioFinding('IO_CSV_MALFORMED', 'error', message, {
    row,
    hint: {
      id: 'Sel yang memuat pemisah, tanda kutip, atau baris baru diapit tanda kutip ganda di awal dan akhir sel, dan tanda kutip di dalamnya ditulis dua kali: "Kec. ""Baru"", Kota".',
      en: 'A cell holding the delimiter, a quote or a line break is wrapped in double quotes at its start and end, with inner quotes doubled: "Kec. ""Baru"", Kota".',
    },
  });
}

function emptyFinding(headerRow: number | undefined): Finding {
  return headerRow === undefined
    ? ioFinding(
        'IO_EMPTY',
        'error',
        { id: 'Berkas kosong: tidak ada baris header maupun data.', en: 'The file is empty: there is no header row and no data.' },
        {
          hint: {
            id: 'Unggah berkas CSV yang berisi baris header dan paling sedikit satu baris data.',
            en: 'Upload a CSV file with a header row and at least one data row.',
          },
        },
      )
    : ioFinding(
        'IO_EMPTY',
        'error',
        {
          id: `Berkas hanya berisi baris header (baris ${headerRow}); tidak ada baris data.`,
          en: `The file has only a header row (row ${headerRow}); there are no data rows.`,
        },
        {
          row: headerRow,
          hint: { id: 'Isi data di bawah baris header, satu observasi per baris.', en: 'Put the data below the header row, one observation per row.' },
        },
      );
}

function raggedFinding(row: number, cells: number, expected: number): Finding {
  return ioFinding(
    'IO_RAGGED_ROW',
    'error',
    {
      id: `Baris ${row} berisi ${cells} sel, sedangkan header berisi ${expected} kolom. Baris ini tidak dibaca.`,
      en: `Row ${row} has ${cells} cells but the header has ${expected} columns. The row was not read.`,
    },
    {
      row,
      hint: {
        id: 'Biasanya ada nilai yang memuat pemisah (koma atau titik koma), misalnya angka "1.234,5" atau nama "Kec. Baru, Kota": apit nilai itu dengan tanda kutip ganda, atau samakan jumlah pemisah dengan header.',
        en: 'Usually a value contains the delimiter (comma or semicolon), e.g. the number "1.234,5" or the name "Kec. Baru, Kota": wrap that value in double quotes, or make the number of delimiters match the header.',
      },
    },
  );
}

/** The parsing state of one file; {@link readCsv} feeds it text and yields what it returns. */
class CsvReading {
  private parser: Parser | undefined;
  private head = '';
  private readonly sniffer = new DelimiterSniffer();
  private started = false;
  private bom = false;
  private info: CsvReadInfo | undefined;
  private layout: HeaderLayout | undefined;
  private headerRow: number | undefined;
  private headerWidth = 0;
  private row = 0;
  private dataRows = 0;
  private batch: CsvBatch = { observations: [], findings: [] };
  private rowsInBatch = 0;
  private ready: CsvBatch[] = [];
  stopped = false;

  constructor(
    private readonly batchSize: number,
    private readonly maxCellBytes: number,
    private readonly maxColumns: number,
  ) {}

  /** Feeds decoded text; returns the batches that filled up. */
  push(text: string): CsvBatch[] {
    if (this.stopped || text === '') return this.take();
    if (!this.started) {
      this.started = true;
      if (text.startsWith('\uFEFF')) {
        this.bom = true;
        text = text.slice(1);
      }
    }
    if (this.parser) {
      this.write(text);
      return this.take();
    }
    this.head += text;
    this.sniffer.feed(text);
    if (this.sniffer.cells > this.maxColumns) this.tooManyColumns(this.sniffer.line);
    if (this.sniffer.complete || this.head.length >= SNIFF_LIMIT) this.startParser();
    return this.take();
  }

  /** Reports invalid UTF-8 after reading every row that ended before it. */
  encodingError(validPrefix: string, byteOffset: number, utf16: boolean): CsvBatch[] {
    this.push(validPrefix);
    if (!this.stopped) {
      if (!this.parser) this.startParser();
      this.write(LOOKAHEAD_RELEASE);
    }
    if (!this.stopped) {
      this.batch.findings.push(encodingFinding(this.row + 1, byteOffset, utf16));
      this.stopped = true;
    }
    return this.finalBatches();
  }

  /** Ends the input: the last record, then the file-level checks. */
  async finish(): Promise<CsvBatch[]> {
    if (!this.stopped) {
      if (!this.parser) this.startParser();
      const parser = this.parser;
      if (parser) {
        parser.end();
        try {
          for await (const record of parser) {
            this.onRecord(record as string[]);
            if (this.stopped) break;
          }
        } catch (err) {
          this.onParseError(err);
        }
      }
    }
    if (!this.stopped && (this.layout === undefined || this.dataRows === 0)) {
      this.batch.findings.push(emptyFinding(this.headerRow));
    }
    return this.finalBatches();
  }

  private startParser(): void {
    const sniffed = this.sniffer;
    this.parser = parse({
      delimiter: sniffed.delimiter,
      // Row-length mismatches are reported per row, not as a parse failure of the whole file.
      relax_column_count: true,
      // Tolerates `a, "b"` as typed by hand; cell text is trimmed anyway.
      trim: true,
      // Excel reads a quote inside an unquoted cell (Kab. "Baru") as a character; so do we.
      relax_quotes: true,
      bom: false,
      // csv-parse bounds the characters of a record's cells, not a cell, nor their number:
      // past the most cells a row may have, each at its largest, one of those two limits is
      // broken (which one, the error's column tells). Single cells are checked once the record is complete.
      max_record_size: Number.isFinite(this.maxCellBytes * this.maxColumns) ? Math.ceil(this.maxCellBytes * this.maxColumns) : 0,
    });
    // Errors are read from `parser.errored` right after each write; the listener only keeps
    // the asynchronous 'error' event from being unhandled.
    this.parser.on('error', () => {});
    this.info = { delimiter: sniffed.delimiter, decimalComma: sniffed.delimiter === ';', columns: [], bom: this.bom };
    const head = this.head;
    this.head = '';
    this.write(head);
  }

  // csv-parse parses synchronously inside write(); reading everything it produced before the
  // next write keeps its buffers at one chunk and gives records in order, up to any error.
  private write(text: string): void {
    const parser = this.parser;
    if (!parser || this.stopped) return;
    parser.write(text);
    let record: unknown;
    while (!this.stopped && (record = parser.read()) !== null) this.onRecord(record as string[]);
    if (!this.stopped && parser.errored) this.onParseError(parser.errored);
  }

  private onParseError(err: unknown): void {
    if (!(err instanceof CsvError)) throw err;
    const row = this.row + 1;
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      const column = typeof err['column'] === 'number' ? err['column'] : 0;
      if (column >= this.maxColumns) this.tooManyColumns(row);
      this.cellTooLarge(row, column);
    }
    this.batch.findings.push(malformedFinding(err, row));
    this.stopped = true;
  }

  private tooManyColumns(row: number): never {
    throw tooManyColumns(row, this.maxColumns);
  }

  private cellTooLarge(row: number, index: number): never {
    throw cellTooLarge(this.layout, row, index, this.maxCellBytes);
  }

  private onRecord(cells: string[]): void {
    this.row++;
    const row = this.row;
    if (cells.length > this.maxColumns) this.tooManyColumns(row);
    if (!this.layout) {
      if (isBlankRow(cells)) return;
      this.headerRow = row;
      const outcome = readHeader(cells, row, csvPosition);
      const info = this.info;
      if (info) {
        info.columns = outcome.layout ? [...outcome.layout.columns] : [];
        this.batch.info = info;
      }
      if (!outcome.layout) {
        this.batch.findings.push(...outcome.findings);
        this.stopped = true;
        return;
      }
      this.layout = outcome.layout;
      this.headerWidth = cells.length;
      return;
    }
    if (isBlankRow(cells)) return;
    this.dataRows++;
    this.rowsInBatch++;
    this.readRow(this.layout, row, cells);
    if (this.rowsInBatch >= this.batchSize) {
      this.ready.push(this.batch);
      this.batch = { observations: [], findings: [] };
      this.rowsInBatch = 0;
    }
  }

  private readRow(layout: HeaderLayout, row: number, cells: string[]): void {
    const oversized = cells.findIndex((c) => exceedsUtf8(c, this.maxCellBytes));
    if (oversized >= 0) this.cellTooLarge(row, oversized);
    if (cells.length !== this.headerWidth) {
      this.batch.findings.push(raggedFinding(row, cells.length, this.headerWidth));
      return;
    }
    const stray = strayCellIndex(layout, cells);
    if (stray >= 0) {
      this.batch.findings.push(strayCellFinding(row, stray, cells[stray], csvPosition));
      return;
    }
    this.batch.observations.push(toObservation(layout, row, cells));
  }

  private take(): CsvBatch[] {
    const ready = this.ready;
    this.ready = [];
    return ready;
  }

  private finalBatches(): CsvBatch[] {
    const ready = this.take();
    const last = this.batch;
    this.batch = { observations: [], findings: [] };
    if (last.observations.length > 0 || last.findings.length > 0 || last.info !== undefined || ready.length === 0) {
      ready.push(last);
    }
    return ready;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Measures physical lines on the raw bytes, before anything is decoded or parsed. CR alone
 * ends a line as well: Excel for Mac writes such files, and csv-parse reads them.
 */
class LineMeter {
  private line = 1;
  private length = 0;
  private afterCr = false;

  constructor(private readonly limit: number) {}

  feed(bytes: Uint8Array): void {
    let start = 0;
    let lf = bytes.indexOf(LF);
    let cr = bytes.indexOf(CR);
    while (lf !== -1 || cr !== -1) {
      const at = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      this.check(this.length + at - start);
      // The LF of a CRLF pair ends no second line.
      if (!(bytes[at] === LF && at === start && this.afterCr)) this.line++;
      this.afterCr = bytes[at] === CR;
      this.length = 0;
      start = at + 1;
      if (at === lf) lf = bytes.indexOf(LF, start);
      else cr = bytes.indexOf(CR, start);
    }
    if (start < bytes.length) this.afterCr = false;
    this.length += bytes.length - start;
    this.check(this.length);
  }

  private check(length: number): void {
    if (length > this.limit) throw new AppError('LINE_TOO_LONG', { line: this.line, limit: this.limit });
  }
}

/**
 * Reads a CSV push: UTF-8 with or without BOM, comma or semicolon delimited (decided on the
 * header line), header names as in {@link OBSERVATION_COLUMNS}. Yields at least one batch;
 * findings are all `interoperabilitas`. Fatal problems (encoding, quoting, header errors) end
 * the reading with the finding in the last batch; input past a limit throws a 413 AppError
 * (TOO_MANY_COLUMNS, LINE_TOO_LONG, CELL_TOO_LARGE).
 */
export async function* readCsv(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: CsvReadOptions,
): AsyncGenerator<CsvBatch> {
  // The limits are what keeps memory bounded: a missing one must not quietly mean "none".
  for (const limit of ['maxCellBytes', 'maxColumns', 'maxLineBytes'] as const) {
    if (!(options[limit] > 0)) throw new RangeError(`readCsv: ${limit} must be a positive number`);
  }
  const reading = new CsvReading(batchLimit(options.batchSize), options.maxCellBytes, options.maxColumns);
  const lines = new LineMeter(options.maxLineBytes);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0;
  for await (const chunk of chunksOf(input)) {
    if (typeof chunk === 'string') {
      lines.feed(Buffer.from(chunk));
      yield* reading.push(chunk);
    } else if (chunk instanceof Uint8Array) {
      lines.feed(chunk);
      // Cutting on character boundaries ourselves keeps the decoder free of hidden state, so an
      // invalid byte can be located within the piece that failed.
      let bytes = chunk;
      if (carry.length > 0) {
        bytes = new Uint8Array(carry.length + chunk.length);
        bytes.set(carry);
        bytes.set(chunk, carry.length);
      }
      const cut = completeUtf8Length(bytes);
      carry = bytes.slice(cut);
      const piece = bytes.subarray(0, cut);
      let text: string;
      try {
        text = decoder.decode(piece, { stream: true });
      } catch {
        // The decoder fails on the byte that breaks a sequence; the operator's byte is where it began.
        const bad = completeUtf8Length(piece.subarray(0, firstInvalidByte(piece)));
        const prefix = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(piece.subarray(0, bad));
        const utf16 = offset === 0 && piece.length >= 2 && ((piece[0] === 0xff && piece[1] === 0xfe) || (piece[0] === 0xfe && piece[1] === 0xff));
        yield* reading.encodingError(prefix, offset + bad, utf16);
        return;
      }
      offset += piece.length;
      yield* reading.push(text);
    } else {
      throw new TypeError(`readCsv: expected Buffer or string chunks, got ${typeof chunk}`);
    }
    if (reading.stopped) {
      yield* await reading.finish();
      return;
    }
  }
  if (carry.length > 0) {
    // The file ends in the middle of a multi-byte character.
    yield* reading.encodingError('', offset, false);
    return;
  }
  yield* await reading.finish();
}
