import t from 'tap';
import { checkRegion } from '../../../src/modules/validation/kode-referensi-rules.js';
import type { ValidationContext } from '../../../src/modules/validation/context.js';
import { codes, context, only, raw, wellFormed } from '../../helpers/validation-fixtures.js';

const ctx = context();

function check(region: unknown, c: ValidationContext = ctx) {
  const findings = checkRegion(raw({ region }), c);
  t.same(wellFormed(findings), [], 'findings are well-formed');
  return findings;
}

t.test('known codes inside the jurisdiction pass at every level', async (t) => {
  for (const code of ['65', '65.71', '65.71.01', '65.71.01.1001']) t.same(check(code), [], code);
});

t.test('a malformed text code carries the reason from explainMalformedRegionCode', async (t) => {
  const f = only(check('65.1'), 'KR_REGION_MALFORMED');
  t.match(f, { severity: 'error', principle: 'kode-referensi', row: 2, column: 'region', value: '65.1' });
  t.match(f.message.en, /Region code "65.1" is not in Kemendagri form/);
  t.match(f.hint?.en, /^Segment 2 "1" must have 2 digits.*11\.10.*never guessed/);
  t.match(f.hint?.id, /^Segmen ke-2 "1" harus 2 digit/);
  t.match(f.hint?.en, /Canonical forms: 65 \(province\)/);
  t.match(only(check(' 65.71'), 'KR_REGION_MALFORMED').hint?.en, /leading or trailing spaces/);
  t.match(only(check('65..71'), 'KR_REGION_MALFORMED').hint?.en, /segment is empty/);
  t.match(only(check('65-71'), 'KR_REGION_MALFORMED').hint?.en, /only digits and dots/);
  t.match(only(check('65.71.01.1001.1'), 'KR_REGION_MALFORMED').hint?.en, /at most four segments/);
  t.match(only(check('65.711'), 'KR_REGION_MALFORMED').hint?.en, /segment 2 "711" must have 2 digits/i);
});

t.test('empty or absent codes', async (t) => {
  for (const region of ['', '   ', undefined, null]) {
    const f = only(check(region), 'KR_REGION_MALFORMED');
    t.match(f.message, { id: 'Kode wilayah kosong.', en: 'The region code is empty.' }, JSON.stringify(region));
    t.match(f.hint?.en, /code is empty/);
  }
  t.equal(only(check(undefined), 'KR_REGION_MALFORMED').value, undefined);
});

t.test('a JSON number is reported as text-only, never repaired', async (t) => {
  const f = only(check(65.1), 'KR_REGION_MALFORMED');
  t.equal(f.value, '65.1');
  t.match(f.hint?.en, /Region codes are text, not numbers/);
  t.match(f.hint?.en, /11\.10 became 11\.1/);
  t.match(f.hint?.en, /never repaired/);
  t.match(f.hint?.id, /teks, bukan angka/);
  t.match(only(check(11.1), 'KR_REGION_MALFORMED').hint?.en, /The number 11\.1 may come/);
  t.ok(check(65.71).some((x) => x.code === 'KR_REGION_MALFORMED'), 'even a number that looks right: 65.70 would have arrived as 65.7');
  t.ok(check(65).some((x) => x.code === 'KR_REGION_MALFORMED'), 'a provinsi as a number');
  t.match(only(check(65), 'KR_REGION_MALFORMED').hint?.en, /Canonical forms/);
});

t.test('digits without dots: the hint says the dots are missing', async (t) => {
  const f = only(check('6571'), 'KR_REGION_MALFORMED');
  t.match(f.hint?.en, /dots between segments are missing — perhaps "65\.71" was meant/);
  t.match(f.hint?.en, /never guessed/);
  t.match(f.hint?.id, /Titik pemisah segmen hilang/);
  t.match(only(check('1101'), 'KR_REGION_MALFORMED').hint?.en, /perhaps "11\.01"/);
  t.match(only(check('657101'), 'KR_REGION_MALFORMED').hint?.en, /perhaps "65\.71\.01"/);
  t.match(only(check('6571011001'), 'KR_REGION_MALFORMED').hint?.en, /perhaps "65\.71\.01\.1001"/);
  const odd = only(check('65710'), 'KR_REGION_MALFORMED');
  t.match(odd.hint?.en, /dots between segments are missing;/, 'no suggestion for a length that fits no level');
  t.notMatch(odd.hint?.en, /perhaps/);
  t.match(only(check(6571), 'KR_REGION_MALFORMED').hint?.en, /Perhaps "65\.71" was meant/);
  t.match(only(check('6'), 'KR_REGION_MALFORMED').hint?.en, /segment 1 "6" must have 2 digits/i);
});

t.test('non-text values that are not numbers', async (t) => {
  for (const region of [true, { code: '65.71' }]) {
    const f = only(check(region), 'KR_REGION_MALFORMED');
    t.match(f.hint?.en, /must be text/, JSON.stringify(region));
  }
});

t.test('well-formed but unknown', async (t) => {
  const f = only(check('65.99'), 'KR_REGION_UNKNOWN');
  t.match(f, { severity: 'error', value: '65.99', message: { en: /not in the Kemendagri region list/ }, hint: { en: /GET \/v1\/regions/ } });
  t.same(codes(check('99')), ['KR_REGION_UNKNOWN'], 'no jurisdiction finding on top');
});

t.test('outside the jurisdiction', async (t) => {
  const f = only(check('64.71'), 'KR_REGION_OUTSIDE_JURISDICTION');
  t.match(f, { severity: 'error', message: { en: /outside your agency's jurisdiction \(65\)/, id: /di luar wilayah kewenangan/ } });
  const city = context({ jurisdiction: '65.71' });
  t.same(check('65.71.01', city), []);
  t.same(check('65.71', city), [], 'the jurisdiction itself');
  t.same(codes(check('65', city)), ['KR_REGION_OUTSIDE_JURISDICTION'], 'the parent is outside');
  t.same(codes(check('65.72', city)), ['KR_REGION_OUTSIDE_JURISDICTION']);
  t.same(codes(check('11.10', context({ jurisdiction: '11.1' }))), ['KR_REGION_OUTSIDE_JURISDICTION'], 'prefix is by segment, not by text');
});

t.test('estimation level is a warning, and only when levels are declared', async (t) => {
  const levels = context({ estimationLevels: new Set([2, 1]) });
  t.same(check('65.71', levels), []);
  t.same(check('65', levels), []);
  const f = only(check('65.71.01', levels), 'KR_REGION_LEVEL');
  t.match(f, { severity: 'warning', message: { en: /level kecamatan.*provinsi, kabkota/ }, hint: { en: /estimation_levels/ } });
  t.same(check('65.71.01.1001', context()), [], 'no declared levels, nothing to compare');
  t.same(codes(check('64.71', context({ estimationLevels: new Set([1]) }))), ['KR_REGION_OUTSIDE_JURISDICTION', 'KR_REGION_LEVEL']);
});

t.test('a level outside 1–4 in the facts is still named', async (t) => {
  const odd = context({ regions: new Map([['65.71', { code: '65.71', level: 7 }]]), estimationLevels: new Set([1]) });
  t.match(only(check('65.71', odd), 'KR_REGION_LEVEL').message.en, /level 7/);
});

t.test('location is copied from the raw observation', async (t) => {
  const [f] = checkRegion({ pointer: '/observations/9', indicator: 'X', region: '6571', period: '2025', value: 1 }, ctx);
  t.equal(f?.pointer, '/observations/9');
  t.equal(f?.row, undefined);
});
