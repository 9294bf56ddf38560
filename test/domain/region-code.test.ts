import t, { type Test } from 'tap';
import {
  ancestorCodes,
  explainMalformedRegionCode,
  isWithin,
  levelName,
  levelNumber,
  parentCode,
  REGION_CODE_PATTERN,
  REGION_LEVELS,
} from '../../src/domain/region-code.js';

t.test('well-formed codes at all four levels have nothing to explain', async (t) => {
  for (const code of ['65', '65.01', '65.71.01', '65.71.01.1001', '11.01.01.2001', '00', '99.99.99.9999']) {
    t.equal(explainMalformedRegionCode(code), null, code);
    t.match(code, new RegExp(REGION_CODE_PATTERN), `${code} matches the published pattern`);
  }
});

function reason(t: Test, code: string) {
  const r = explainMalformedRegionCode(code);
  if (r === null) throw new Error(`expected ${JSON.stringify(code)} to be malformed`);
  t.type(r.id, 'string');
  t.type(r.en, 'string');
  t.not(r.id, r.en, `${JSON.stringify(code)}: Indonesian and English wording differ`);
  return r;
}

t.test('11.1 is explained as a spreadsheet that ate the trailing zero', async (t) => {
  const r = reason(t, '11.1');
  t.match(r.en, /segment 2 "1" must have 2 digits/);
  t.match(r.en, /11\.10/);
  t.match(r.en, /never guessed/);
  t.match(r.id, /segmen ke-2 "1" harus 2 digit/);
  t.match(r.id, /11\.10/);
});

t.test('a one-digit provinsi segment is explained the same way', async (t) => {
  const r = reason(t, '6.01');
  t.match(r.en, /segment 1 "6" must have 2 digits/);
});

t.test('empty and blank codes', async (t) => {
  t.match(reason(t, '').en, /empty/);
  t.match(reason(t, '   ').en, /empty/);
  t.match(reason(t, '').id, /kosong/);
});

t.test('leading or trailing spaces are named as such', async (t) => {
  t.match(reason(t, ' 65').en, /leading or trailing spaces/);
  t.match(reason(t, '65 ').en, /leading or trailing spaces/);
  t.match(reason(t, '65.71\n').en, /leading or trailing spaces/);
  t.match(reason(t, ' 65').id, /spasi/);
});

t.test('a trailing or doubled dot is an empty segment', async (t) => {
  t.match(reason(t, '65.').en, /segment is empty/);
  t.match(reason(t, '65..01').en, /segment is empty/);
  t.match(reason(t, '.65').en, /segment is empty/);
  t.match(reason(t, '65.01.').id, /segmen kosong/);
});

t.test('letters and other characters are not allowed', async (t) => {
  t.match(reason(t, 'ab').en, /only digits and dots/);
  t.match(reason(t, '65-01').en, /only digits and dots/);
  t.match(reason(t, '65,01').en, /only digits and dots/);
  t.match(reason(t, '６５').en, /only digits and dots/, 'full-width digits are not digits here');
});

t.test('a desa segment must have exactly four digits', async (t) => {
  const short = reason(t, '65.01.01.201');
  t.match(short.en, /segment 4 "201" must have 4 digits/);
  const long = reason(t, '65.01.01.20011');
  t.match(long.en, /segment 4 "20011" must have 4 digits/);
  t.notMatch(long.en, /spreadsheet/, 'too many digits is not blamed on a spreadsheet');
  t.match(reason(t, '650.01').en, /segment 1 "650" must have 2 digits/);
});

t.test('more than four segments', async (t) => {
  t.match(reason(t, '65.01.01.2001.01').en, /at most four segments/);
  t.match(reason(t, '65.01.01.2001.01').id, /empat segmen/);
});

t.test('parentCode drops the last segment; a provinsi has none', async (t) => {
  t.equal(parentCode('65'), null);
  t.equal(parentCode('65.71'), '65');
  t.equal(parentCode('65.71.01'), '65.71');
  t.equal(parentCode('65.71.01.1001'), '65.71.01');
});

t.test('ancestorCodes lists the ancestors nearest first', async (t) => {
  t.same(ancestorCodes('65'), []);
  t.same(ancestorCodes('65.71'), ['65']);
  t.same(ancestorCodes('65.71.01'), ['65.71', '65']);
  t.same(ancestorCodes('65.71.01.1001'), ['65.71.01', '65.71', '65']);
});

t.test('isWithin is true for the region itself and its descendants only', async (t) => {
  t.ok(isWithin('65', '65'));
  t.ok(isWithin('65.71', '65'));
  t.ok(isWithin('65.71.01.1001', '65'));
  t.ok(isWithin('65.71.01.1001', '65.71.01'));
  t.notOk(isWithin('65', '65.71'), 'a parent is not within its child');
  t.notOk(isWithin('33.73', '65'));
  t.notOk(isWithin('65.711', '65.71'), 'a shared prefix without a dot boundary is not containment');
  t.notOk(isWithin('650', '65'));
  t.notOk(isWithin('65.02', '65.01'), 'siblings are not within each other');
});

t.test('levelName and levelNumber are inverse over the four levels', async (t) => {
  t.same(REGION_LEVELS, ['provinsi', 'kabkota', 'kecamatan', 'desa']);
  t.equal(levelName(1), 'provinsi');
  t.equal(levelName(2), 'kabkota');
  t.equal(levelName(3), 'kecamatan');
  t.equal(levelName(4), 'desa');
  for (const name of REGION_LEVELS) t.equal(levelName(levelNumber(name)), name);
  t.equal(levelNumber('provinsi'), 1);
  t.equal(levelNumber('desa'), 4);
});

t.test('levelName refuses levels outside 1–4', async (t) => {
  for (const level of [0, 5, -1, 1.5, Number.NaN]) {
    t.throws(() => levelName(level), RangeError, `level ${level}`);
  }
});
