/**
 * Reading figures as exact decimal text. Values are stored as Postgres `numeric`, so the
 * text a cell or JSON number carries is kept exactly rather than passed through a float, and
 * separators that could mean two different numbers are refused rather than guessed.
 */
export type NumberFailure = 'empty' | 'not-a-number' | 'not-finite' | 'ambiguous-separator' | 'thousands-separator';

export type ParsedNumber = { ok: true; text: string; usedDecimalComma: boolean } | { ok: false; reason: NumberFailure };

export interface ParseNumberOptions {
  /** True for semicolon-separated files, where Indonesian spreadsheets write `12,5`. */
  decimalComma: boolean;
  valueType: 'integer' | 'decimal';
}

const DIGITS = /^\d+$/;
const PLAIN = /^(\d+)(?:\.(\d+))?$/;
const COMMA_DECIMAL = /^(\d+),(\d+)$/;
// One group of three after a separator: 1.234 is a thousand or one-and-a-bit depending on the
// writer's locale. A leading 0 (0.234) cannot be a thousands group, so it stays unambiguous.
const ONE_GROUP_DOT = /^[1-9]\d{0,2}\.\d{3}$/;
const ONE_GROUP_COMMA = /^[1-9]\d{0,2},\d{3}$/;
// Unmistakable grouping: two or more groups, a group followed by the other decimal mark, or
// a space/apostrophe grouping as some locales print it.
const THOUSANDS = [
  /^[1-9]\d{0,2}(?:\.\d{3}){2,}(?:,\d+)?$/,
  /^[1-9]\d{0,2}\.\d{3},\d+$/,
  /^[1-9]\d{0,2}(?:,\d{3}){2,}(?:\.\d+)?$/,
  /^[1-9]\d{0,2},\d{3}\.\d+$/,
  /^[1-9]\d{0,2}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?$/,
];
const NOT_FINITE_WORDS = /^[+-]?(?:infinity|∞|nan)$/i;
const EXPONENT_FORM = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

/** Canonical decimal text: no sign on zero, no leading zeros, no trailing fractional zeros. */
function canonical(negative: boolean, intPart: string, fracPart: string): string {
  const int = intPart.startsWith('0') ? intPart.replace(/^0+(?=\d)/, '') || '0' : intPart || '0';
  const frac = fracPart === '' ? '' : fracPart.replace(/0+$/, '');
  const body = frac === '' ? int : `${int}.${frac}`;
  return negative && body !== '0' ? `-${body}` : body;
}

/**
 * Exact decimal text of a finite JS number. Number#toString already gives the shortest text
 * that round-trips (0.1 → "0.1"), so only its exponent form needs expanding.
 */
export function numberToDecimalText(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const text = n.toString();
  const exp = EXPONENT_FORM.exec(text);
  if (!exp) {
    const negative = text.startsWith('-');
    const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
    return canonical(negative, int, frac);
  }
  const [, sign, int = '', frac = '', power = '0'] = exp;
  const digits = int + frac;
  const point = int.length + Number(power);
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  return canonical(sign === '-', padded.slice(0, at), padded.slice(at));
}

function parseText(raw: string, options: ParseNumberOptions): ParsedNumber {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (NOT_FINITE_WORDS.test(text)) return { ok: false, reason: 'not-finite' };
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  // Whole numbers without separators are most of every file and can mean only one thing.
  if (DIGITS.test(body)) return { ok: true, text: canonical(negative, body, ''), usedDecimalComma: false };

  if (THOUSANDS.some((re) => re.test(body))) return { ok: false, reason: 'thousands-separator' };
  // A dot is the thousands mark wherever a comma is the decimal mark, so in a decimal-comma
  // file 1.234 is as ambiguous as it is in a count column.
  if (ONE_GROUP_DOT.test(body) && (options.valueType === 'integer' || options.decimalComma)) {
    return { ok: false, reason: 'ambiguous-separator' };
  }
  if (ONE_GROUP_COMMA.test(body) && options.valueType === 'integer') return { ok: false, reason: 'ambiguous-separator' };

  const plain = PLAIN.exec(body);
  if (plain) return { ok: true, text: canonical(negative, plain[1] ?? '0', plain[2] ?? ''), usedDecimalComma: false };
  const comma = options.decimalComma ? COMMA_DECIMAL.exec(body) : null;
  if (comma) return { ok: true, text: canonical(negative, comma[1] ?? '0', comma[2] ?? ''), usedDecimalComma: true };
  return { ok: false, reason: 'not-a-number' };
}

/**
 * A figure as canonical decimal text ("1234", "12.5"), or why it cannot be read. Exponent
 * forms in text (1e5) are refused: spreadsheets write them only when a cell was mangled.
 */
export function parseNumber(raw: unknown, options: ParseNumberOptions): ParsedNumber {
  if (raw === undefined || raw === null) return { ok: false, reason: 'empty' };
  if (typeof raw === 'number') {
    const text = numberToDecimalText(raw);
    return text === null ? { ok: false, reason: 'not-finite' } : { ok: true, text, usedDecimalComma: false };
  }
  if (typeof raw === 'bigint') return { ok: true, text: raw.toString(), usedDecimalComma: false };
  if (typeof raw === 'string') return parseText(raw, options);
  return { ok: false, reason: 'not-a-number' };
}

function magnitudeCompare(a: string, b: string): number {
  const aPoint = a.indexOf('.');
  const bPoint = b.indexOf('.');
  const aInt = aPoint === -1 ? a.length : aPoint;
  const bInt = bPoint === -1 ? b.length : bPoint;
  if (aInt !== bInt) return aInt < bInt ? -1 : 1;
  // Integer parts of one width line up digit by digit; a fraction that ends reads on as zeros.
  // Character by character rather than split and padded: this runs for every bounded value.
  const end = Math.max(a.length, b.length);
  for (let i = 0; i < end; i++) {
    if (i === aInt) continue;
    const ca = i < a.length ? a.charCodeAt(i) : 48;
    const cb = i < b.length ? b.charCodeAt(i) : 48;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

/**
 * Compares two canonical decimal texts exactly (−1, 0, 1), so a bound check on
 * 100.0000000000000001 is not rounded to 100 by a float conversion.
 */
export function compareDecimalText(a: string, b: string): -1 | 0 | 1 {
  const aNeg = a.startsWith('-');
  const bNeg = b.startsWith('-');
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  const m = magnitudeCompare(aNeg ? a.slice(1) : a, bNeg ? b.slice(1) : b);
  const signed = aNeg ? -m : m;
  return signed < 0 ? -1 : signed > 0 ? 1 : 0;
}
