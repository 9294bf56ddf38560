import { OBSERVATION_COLUMNS, type ColumnName } from '../../domain/columns.js';
import { FindingList, containsNik, fieldText } from '../../domain/finding-builder.js';
import type { Finding, RawObservation } from '../../domain/finding.js';

/**
 * Interoperabilitas checks that hold whatever the format: no personal numbers, and one value
 * per cell. They run first, and a column they reject is not examined further.
 */

// Free text may run over several lines; every other field holds exactly one value.
const FREE_TEXT: ReadonlySet<ColumnName> = new Set(['note']);
// Fields holding codes, where a separator means someone listed several codes in one cell.
// `value` is not one of them: 1,5 is a decimal comma there, which the value rules judge.
const CODE_FIELDS: ReadonlySet<ColumnName> = new Set([
  'indicator',
  'region',
  'period',
  'obs_status',
  'sex',
  'age_group',
  'disability',
  'desil',
]);
const LINE_BREAK = /[\r\n\u2028\u2029]/;
// Not '/': 07/2025 or 2025/01/15 is a badly written period or date, which their own rules explain.
const LIST_SEPARATOR = /[;,|]/;
// Excel keeps 15 significant digits, so a NIK typed into a number cell comes out as 3.50101E+15.
const EXCEL_MANGLED_NIK = /^[+-]?\d(?:[.,]\d+)?e\+?15$/i;

function looksLikeList(text: string): boolean {
  if (!LIST_SEPARATOR.test(text)) return false;
  return text.split(LIST_SEPARATOR).filter((part) => part.trim() !== '').length >= 2;
}

function checkNik(list: FindingList, column: ColumnName, value: unknown, text: string): boolean {
  // Most cells are short codes and counts: cheap tests first, every cell of every row passes here.
  const mangled = (text.includes('e') || text.includes('E')) && EXCEL_MANGLED_NIK.test(text.trim());
  if (!mangled && (text.length < 16 || !containsNik(text))) return false;
  list.add({
    code: 'IO_NIK_FORBIDDEN',
    severity: 'error',
    column,
    value,
    message: mangled
      ? {
          id: `Kolom ${column} berisi angka 16 digit yang telah diubah Excel menjadi notasi ilmiah; bentuknya seperti NIK.`,
          en: `Column ${column} holds a 16-digit number that Excel turned into scientific notation; it looks like a NIK.`,
        }
      : {
          id: `Kolom ${column} berisi angka 16 digit yang bentuknya seperti NIK.`,
          en: `Column ${column} holds a 16-digit number that looks like a NIK (national identity number).`,
        },
    hint: {
      id: 'Layanan ini hanya menerima data agregat; NIK dan data perorangan lain tidak boleh dikirim. Hapus nilai ini dari berkas sumber.',
      en: 'This service accepts aggregate figures only; NIK and other personal data must never be sent. Remove the value from the source file.',
    },
  });
  return true;
}

function checkOneValue(list: FindingList, column: ColumnName, value: unknown, text: string): void {
  const array = Array.isArray(value);
  const multiLine = !FREE_TEXT.has(column) && LINE_BREAK.test(text) && LINE_BREAK.test(text.trim());
  const listed = CODE_FIELDS.has(column) && typeof value === 'string' && looksLikeList(text);
  if (!array && !multiLine && !listed) return;
  list.add({
    code: 'IO_MULTIPLE_VALUES',
    severity: 'error',
    column,
    value,
    message: {
      id: `Kolom ${column} berisi lebih dari satu nilai${multiLine ? ' (ada baris baru di dalam sel)' : ''}; satu sel hanya boleh berisi satu nilai.`,
      en: `Column ${column} holds more than one value${multiLine ? ' (a line break inside the cell)' : ''}; one value per cell.`,
    },
    hint: {
      id: 'Pecah menjadi beberapa baris, satu baris per nilai (misalnya satu baris untuk 65.71 dan satu untuk 65.72).',
      en: 'Split it into several rows, one row per value (for example one row for 65.71 and another for 65.72).',
    },
  });
}

/** Interoperabilitas findings of one raw observation; columns they name are already judged. */
export function checkInterop(raw: RawObservation): Finding[] {
  const list = new FindingList(raw, 'interoperabilitas');
  for (const { name } of OBSERVATION_COLUMNS) {
    const value = raw[name];
    const text = fieldText(value);
    if (text === undefined) continue;
    // A NIK is the worse problem, and the list message would quote it, so it wins the cell.
    if (!checkNik(list, name, value, text)) checkOneValue(list, name, value, text);
  }
  return list.findings;
}
