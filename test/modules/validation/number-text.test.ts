import t from 'tap';
import { compareDecimalText, numberToDecimalText, parseNumber, type ParseNumberOptions } from '../../../src/modules/validation/number-text.js';

const INT: ParseNumberOptions = { decimalComma: false, valueType: 'integer' };
const DEC: ParseNumberOptions = { decimalComma: false, valueType: 'decimal' };
const INT_COMMA: ParseNumberOptions = { decimalComma: true, valueType: 'integer' };
const DEC_COMMA: ParseNumberOptions = { decimalComma: true, valueType: 'decimal' };

function text(raw: unknown, options: ParseNumberOptions): string {
  const r = parseNumber(raw, options);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(raw)} to parse, got ${r.reason}`);
  return r.text;
}

function reason(raw: unknown, options: ParseNumberOptions): string | undefined {
  const r = parseNumber(raw, options);
  return r.ok ? undefined : r.reason;
}

t.test('JSON numbers become canonical decimal text without float artefacts', async (t) => {
  t.equal(text(0.1, DEC), '0.1');
  t.equal(text(12.5, DEC), '12.5');
  t.equal(text(1234, INT), '1234');
  t.equal(text(-7, INT), '-7');
  t.equal(text(-0, DEC), '0', 'negative zero has no sign');
  t.equal(text(0, INT), '0');
  t.equal(text(1e21, DEC), '1000000000000000000000', 'exponent form is expanded');
  t.equal(text(1.5e-7, DEC), '0.00000015');
  t.equal(text(-1.23e-18, DEC), '-0.00000000000000000123');
  t.equal(text(1.2345e25, DEC), '12345000000000000000000000');
  t.equal(text(1.5e21, DEC), '1500000000000000000000');
  t.equal(text(Number.MAX_SAFE_INTEGER, INT), '9007199254740991');
  t.equal(text(5e-324, DEC), `0.${'0'.repeat(323)}5`, 'the smallest denormal is still exact text');
  const r = parseNumber(12.5, DEC);
  t.same(r, { ok: true, text: '12.5', usedDecimalComma: false });
});

t.test('a JSON number is never ambiguous: JSON has no thousands separator', async (t) => {
  t.equal(text(1.234, INT), '1.234', 'a float in a count column is left for the integer rule');
});

t.test('non-finite JSON numbers and words', async (t) => {
  t.equal(reason(Infinity, DEC), 'not-finite');
  t.equal(reason(-Infinity, DEC), 'not-finite');
  t.equal(reason(JSON.parse('1e309'), DEC), 'not-finite', '1e309 parses to Infinity');
  t.equal(reason(NaN, DEC), 'not-finite');
  t.equal(reason('Infinity', DEC), 'not-finite');
  t.equal(reason('-infinity', DEC), 'not-finite');
  t.equal(reason('NaN', DEC), 'not-finite');
  t.equal(reason('∞', DEC), 'not-finite');
});

t.test('empty values', async (t) => {
  for (const raw of [undefined, null, '', '   ', '\t\n']) t.equal(reason(raw, DEC), 'empty', JSON.stringify(raw));
});

t.test('plain text numbers are trimmed and canonicalised', async (t) => {
  t.equal(text(' 42 ', INT), '42');
  t.equal(text('007', INT), '7', 'leading zeros dropped');
  t.equal(text('12.50', DEC), '12.5', 'trailing fractional zeros dropped');
  t.equal(text('12.0', INT), '12', 'a whole number written with .0 is whole');
  t.equal(text('0.000', DEC), '0');
  t.equal(text('-0', DEC), '0');
  t.equal(text('-0.0', DEC), '0');
  t.equal(text('+5', INT), '5', 'no leading + in canonical text');
  t.equal(text('-3.25', DEC), '-3.25');
  t.equal(text('0.234', INT), '0.234', 'a leading 0 cannot be a thousands group');
  t.equal(text('12.5', INT), '12.5', 'two decimals are not a thousands group');
  t.equal(text('1234.5678', DEC), '1234.5678');
  t.equal(text('1.234', DEC), '1.234', 'a decimal column with a decimal point reads the point');
  t.equal(text('123456789012345678901234567890', INT), '123456789012345678901234567890', 'big integers stay exact');
  t.equal(text(12345678901234567890n, INT), '12345678901234567890', 'bigints are exact');
});

t.test('a single group of three digits in a count column is ambiguous', async (t) => {
  t.equal(reason('1.234', INT), 'ambiguous-separator');
  t.equal(reason('1,234', INT), 'ambiguous-separator');
  t.equal(reason('1.000', INT), 'ambiguous-separator');
  t.equal(reason('-1.234', INT), 'ambiguous-separator');
  t.equal(reason('999,999', INT), 'ambiguous-separator');
  t.equal(reason('1,234', INT_COMMA), 'ambiguous-separator', 'even where a comma may be decimal');
  t.equal(reason('1.234', DEC_COMMA), 'ambiguous-separator', 'a dot is the thousands mark where a comma is decimal');
});

t.test('several groups or mixed marks are thousands separators', async (t) => {
  for (const raw of ['1.234.567', '1,234,567', '12.345.678,9', '1,234,567.89', '1.234,5', '1,234.5', '1 234 567', '1\u00a0234', "1'234'567"]) {
    t.equal(reason(raw, DEC), 'thousands-separator', raw);
    t.equal(reason(raw, INT), 'thousands-separator', raw);
  }
  t.equal(reason('1.234.567', DEC_COMMA), 'thousands-separator');
});

t.test('decimal comma only when allowed and unambiguous', async (t) => {
  t.same(parseNumber('12,5', DEC_COMMA), { ok: true, text: '12.5', usedDecimalComma: true });
  t.same(parseNumber('-0,75', DEC_COMMA), { ok: true, text: '-0.75', usedDecimalComma: true });
  t.same(parseNumber('1,234', DEC_COMMA), { ok: true, text: '1.234', usedDecimalComma: true }, 'one comma, no dot: decimal');
  t.same(parseNumber('12,0', INT_COMMA), { ok: true, text: '12', usedDecimalComma: true });
  t.same(parseNumber('12.5', DEC_COMMA), { ok: true, text: '12.5', usedDecimalComma: false }, 'a point still reads as a point');
  t.equal(reason('12,5', DEC), 'not-a-number', 'without the option a comma is not a number');
  t.equal(reason('1,234', DEC), 'not-a-number');
  t.equal(reason('1,2,3', DEC_COMMA), 'not-a-number');
  t.equal(reason(',5', DEC_COMMA), 'not-a-number');
});

t.test('things that are not numbers', async (t) => {
  for (const raw of ['12abc', 'abc', '0x10', '1e5', '1E+5', '3.50101E+15', '12%', '.5', '5.', '-', '+', '1..2', '1.2.3', '(5)', '− 5', '١٢', 'Rp 1000', '12 orang']) {
    t.equal(reason(raw, DEC), 'not-a-number', raw);
  }
  for (const raw of [true, false, {}, [], [1], { value: 1 }, () => 1, Symbol('x')]) {
    t.equal(reason(raw, DEC), 'not-a-number', typeof raw);
  }
  t.equal(reason('012.345.678', DEC), 'not-a-number', 'a group cannot start with 0');
});

t.test('numberToDecimalText refuses non-finite numbers', async (t) => {
  t.equal(numberToDecimalText(Infinity), null);
  t.equal(numberToDecimalText(NaN), null);
  t.equal(numberToDecimalText(100), '100');
  t.equal(numberToDecimalText(-2.5), '-2.5');
});

t.test('compareDecimalText compares exactly', async (t) => {
  t.equal(compareDecimalText('100', '100'), 0);
  t.equal(compareDecimalText('100.0000000000000001', '100'), 1, 'beyond float precision');
  t.equal(compareDecimalText('99.9999999999999999', '100'), -1);
  t.equal(compareDecimalText('-1', '0'), -1);
  t.equal(compareDecimalText('0', '-1'), 1);
  t.equal(compareDecimalText('-2', '-10'), 1);
  t.equal(compareDecimalText('-10.5', '-10.25'), -1);
  t.equal(compareDecimalText('9', '10'), -1);
  t.equal(compareDecimalText('0.5', '0.45'), 1);
  t.equal(compareDecimalText('1.50', '1.5'), 0);
  t.equal(compareDecimalText('-0.1', '-0.1'), 0);
  t.equal(compareDecimalText('12', '12.5'), -1, 'a whole number against its own fraction');
  t.equal(compareDecimalText('12.5', '12'), 1);
  t.equal(compareDecimalText('12.05', '12.5'), -1);
  t.equal(compareDecimalText('100', '99.99'), 1, 'the wider integer part wins');
  t.equal(compareDecimalText('0.001', '0'), 1);
});
