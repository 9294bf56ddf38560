import { AppError } from '../../http/app-error.js';
import { makeFinding } from '../../domain/finding-builder.js';
import type { Bilingual, Finding, RawObservation, Severity } from '../../domain/finding.js';
import { shownValue } from '../../domain/finding.js';
import { columnFor, OBSERVATION_COLUMNS, type ColumnName } from '../../domain/columns.js';

/**
 * What the CSV and XLSX readers share: the batch they yield, the header rules and the
 * mapping of a row's cells onto an observation. Both formats must judge a header the
 * same way, or an operator who converts a file from one to the other gets different
 * answers for the same columns.
 */

/** File-level facts, known once the header has been read. */
export interface TabularReadInfo {
  /** True only where a decimal comma cannot be mistaken for a thousands separator. */
  decimalComma: boolean;
  /** Canonical names (`region`, not `kode_wilayah`) of the recognised columns, in file order. */
  columns: string[];
}

export interface TabularBatch<I extends TabularReadInfo = TabularReadInfo> {
  observations: RawObservation[];
  findings: Finding[];
  /** On the first batch only, and only when a header row was read. */
  info?: I;
}

/** Where each cell of a data row goes: `undefined` marks a position whose header cell is blank. */
export interface HeaderLayout {
  slots: (ColumnName | undefined)[];
  /** Header text per position, trimmed, as the operator wrote it. */
  names: string[];
  columns: ColumnName[];
}

export type HeaderOutcome = { layout: HeaderLayout; findings: [] } | { layout?: undefined; findings: Finding[] };

/** How a reader names a position for the operator: "kolom ke-3" in CSV, "kolom C" in XLSX. */
export type PositionLabel = (index: number) => Bilingual;

/** A reader's finding. Built like every other finding, so a header or data cell quoted in it is NIK-masked. */
export function ioFinding(
  code: string,
  severity: Severity,
  message: Bilingual,
  extra: Pick<Finding, 'row' | 'column' | 'value' | 'hint'> = {},
): Finding {
  const { row, ...spec } = extra;
  return makeFinding(row === undefined ? {} : { row }, 'interoperabilitas', { code, severity, message, ...spec });
}

/** True when the text takes more than `limit` UTF-8 bytes. */
export function exceedsUtf8(text: string, limit: number): boolean {
  // A UTF-16 length above the limit is already too many bytes; below a third of it, too few to matter.
  return text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text) > limit);
}

export function tooManyColumns(row: number, limit: number): AppError {
  return new AppError('TOO_MANY_COLUMNS', { row, limit });
}

/** The cell's column as the operator named it in the header, or its letter. */
export function cellTooLarge(layout: HeaderLayout | undefined, row: number, index: number, limit: number): AppError {
  const name = layout?.names[index];
  return new AppError('CELL_TOO_LARGE', { row, column: name ? name : columnLetter(index), limit });
}

const REQUIRED = OBSERVATION_COLUMNS.filter((c) => c.required);
const REQUIRED_NAMES = new Set<ColumnName>(REQUIRED.map((c) => c.name));

function quoted(names: readonly string[]): string {
  return names.map((n) => `“${n}”`).join(', ');
}

const ACCEPTED_REQUIRED = quoted(REQUIRED.map((c) => c.name));
const ACCEPTED_REQUIRED_ID = quoted(REQUIRED.map((c) => c.alias));

/**
 * A first row made of values rather than names: numbers, region codes (65.71), periods
 * (2025-Q3, 2025-S1), dates, indicator codes (PPKS-06). Column names never look like these.
 */
const DATA_LIKE = [
  /^[+-]?\d+(?:[.,]\d+)*$/,
  /^\d{4}-(?:S[12]|Q[1-4]|\d{2})(?:-\d{2})?$/i,
  /^[A-Z][A-Z0-9]*-\d+$/i,
];

function looksLikeData(cell: string): boolean {
  return DATA_LIKE.some((re) => re.test(cell));
}

/** "Kode Wilayah" → "kode_wilayah": the near-misses operators type, to suggest the exact name. */
function suggestionFor(name: string): ColumnName | undefined {
  const normalized = name.trim().toLowerCase().replace(/[\s.\-/]+/g, '_');
  return normalized === name.trim().toLowerCase() ? undefined : columnFor(normalized);
}

function spec(column: ColumnName) {
  const found = OBSERVATION_COLUMNS.find((c) => c.name === column);
  if (!found) throw new Error(`unknown column ${column}`);
  return found;
}

/**
 * Judges a header row. Errors here make the whole file unusable (every row would be read
 * against the wrong columns), so the readers produce no observations at all when there are any.
 * Blank header cells are allowed as spacer columns; a value found under one is reported per
 * row by {@link strayCellIndex}.
 */
export function readHeader(cells: readonly string[], row: number, position: PositionLabel): HeaderOutcome {
  const names = cells.map((c) => c.trim());
  const slots = names.map((n) => (n === '' ? undefined : columnFor(n)));
  const findings: Finding[] = [];

  if (slots.every((s) => s === undefined)) {
    const dataLike = names.find(looksLikeData);
    if (dataLike !== undefined) {
      return {
        findings: [
          ioFinding(
            'IO_NO_HEADER',
            'error',
            {
              id: `Baris ${row} tampaknya berisi data (misalnya “${shownValue(dataLike)}”), bukan nama kolom. Berkas harus diawali baris header.`,
              en: `Row ${row} looks like data (for example “${shownValue(dataLike)}”), not column names. The file must start with a header row.`,
            },
            {
              row,
              value: dataLike,
              hint: {
                id: `Sisipkan baris header di atas data dengan nama kolom ${ACCEPTED_REQUIRED_ID} (atau ${ACCEPTED_REQUIRED}) dan kolom opsional yang dipakai.`,
                en: `Insert a header row above the data with the column names ${ACCEPTED_REQUIRED} (or ${ACCEPTED_REQUIRED_ID}) and any optional columns you use.`,
              },
            },
          ),
        ],
      };
    }
  }

  const firstAt = new Map<ColumnName, number>();
  names.forEach((name, i) => {
    if (name === '') return;
    const column = slots[i];
    const where = position(i);
    if (column === undefined) {
      const suggestion = suggestionFor(name);
      findings.push(
        ioFinding(
          'IO_UNKNOWN_COLUMN',
          'error',
          {
            id: `Kolom “${shownValue(name)}” (${where.id}) tidak dikenal.`,
            en: `Column “${shownValue(name)}” (${where.en}) is not a known column.`,
          },
          {
            row,
            column: name,
            value: name,
            hint: suggestion
              ? {
                  id: `Ganti nama kolom menjadi “${spec(suggestion).alias}” atau “${suggestion}”.`,
                  en: `Rename the column to “${suggestion}” or “${spec(suggestion).alias}”.`,
                }
              : {
                  id: `Hapus kolom ini atau ganti namanya dengan salah satu nama kolom pada templat: ${quoted(OBSERVATION_COLUMNS.map((c) => c.alias))}.`,
                  en: `Remove this column or rename it to one of the template columns: ${quoted(OBSERVATION_COLUMNS.map((c) => c.name))}.`,
                },
          },
        ),
      );
      return;
    }
    const first = firstAt.get(column);
    if (first === undefined) {
      firstAt.set(column, i);
      return;
    }
    const earlier = position(first);
    findings.push(
      ioFinding(
        'IO_DUPLICATE_COLUMN',
        'error',
        {
          id: `Kolom “${column}” muncul lebih dari sekali: “${shownValue(names[first] ?? '')}” (${earlier.id}) dan “${shownValue(name)}” (${where.id}).`,
          en: `Column “${column}” appears more than once: “${shownValue(names[first] ?? '')}” (${earlier.en}) and “${shownValue(name)}” (${where.en}).`,
        },
        {
          row,
          column: name,
          value: name,
          hint: {
            id: 'Sisakan satu kolom saja; nama Indonesia dan nama Inggris menunjuk kolom yang sama.',
            en: 'Keep only one of them; the Indonesian and the English name mean the same column.',
          },
        },
      ),
    );
  });

  for (const c of REQUIRED) {
    if (firstAt.has(c.name)) continue;
    findings.push(
      ioFinding(
        'IO_MISSING_COLUMN',
        'error',
        {
          id: `Kolom wajib “${c.alias}” (atau “${c.name}”) tidak ada di baris header.`,
          en: `The required column “${c.name}” (or “${c.alias}”) is missing from the header row.`,
        },
        {
          row,
          column: c.name,
          hint: {
            id: `Tambahkan kolom “${c.alias}” ke baris header, lalu isi nilainya di setiap baris data.`,
            en: `Add a “${c.name}” column to the header row. It holds: ${c.description}`,
          },
        },
      ),
    );
  }

  if (findings.length > 0) return { findings };
  const columns = slots.filter((s): s is ColumnName => s !== undefined);
  return { layout: { slots, names, columns }, findings: [] };
}

/** Nothing, or only blanks: what a spreadsheet shows as an empty cell. */
export function isEmptyCell(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function isBlankRow(values: readonly unknown[]): boolean {
  return values.every(isEmptyCell);
}

/**
 * Index of the first non-empty cell outside the named columns (under a blank header cell,
 * or right of the last header cell), or -1. Such a value would be silently dropped otherwise.
 */
export function strayCellIndex(layout: HeaderLayout, values: readonly unknown[]): number {
  for (let i = 0; i < values.length; i++) {
    if (layout.slots[i] === undefined && !isEmptyCell(values[i])) return i;
  }
  return -1;
}

export function strayCellFinding(row: number, index: number, value: unknown, position: PositionLabel): Finding {
  const where = position(index);
  return ioFinding(
    'IO_RAGGED_ROW',
    'error',
    {
      id: `Baris ${row} berisi nilai di ${where.id}, yang tidak memiliki nama kolom di header. Baris ini tidak dibaca.`,
      en: `Row ${row} has a value in ${where.en}, which has no column name in the header. The row was not read.`,
    },
    {
      row,
      value: typeof value === 'string' ? value : String(value),
      hint: {
        id: 'Pindahkan nilai ke kolom yang benar, hapus nilai tersebut, atau beri nama kolomnya di baris header.',
        en: 'Move the value to the right column, delete it, or give its column a name in the header row.',
      },
    },
  );
}

/**
 * The observation a data row makes. Text is trimmed; an empty optional cell is absent (it
 * means "total" or "not given"), while an empty required cell stays `''` for the rules to
 * report. Non-text values (an XLSX region typed as a number) pass through untouched.
 */
export function toObservation(layout: HeaderLayout, row: number, values: readonly unknown[]): RawObservation {
  const observation: RawObservation = { row, indicator: '', region: '', period: '', value: '' };
  layout.slots.forEach((column, i) => {
    if (column === undefined) return;
    let value = values[i];
    if (typeof value === 'string') value = value.trim();
    if (isEmptyCell(value)) {
      if (REQUIRED_NAMES.has(column)) observation[column] = '';
      return;
    }
    observation[column] = value;
  });
  return observation;
}

/** Rows per batch: at least one, and a sane default when the caller passes nonsense. */
export function batchLimit(batchSize: number): number {
  return Number.isFinite(batchSize) ? Math.max(1, Math.floor(batchSize)) : 1000;
}

/** Spreadsheet column letters (0 → A, 26 → AA), the way an operator finds a column on screen. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
