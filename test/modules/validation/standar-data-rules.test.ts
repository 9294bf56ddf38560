import t from 'tap';
import { checkStandarData, MISSING_STATUSES, periodFits, periodKind } from '../../../src/modules/validation/standar-data-rules.js';
import type { RawObservation } from '../../../src/domain/finding.js';
import { codes, context, only, raw, wellFormed } from '../../helpers/validation-fixtures.js';

const ctx = context();
const POINT = { decimalComma: false };
const COMMA = { decimalComma: true };

function check(overrides: Partial<RawObservation>, options = POINT, c = ctx) {
  const result = checkStandarData(raw(overrides), c, options);
  t.same(wellFormed(result.findings), [], 'findings are well-formed');
  return result;
}

t.test('a clean observation passes and is normalised', async (t) => {
  const r = check({ indicator: ' PPKS-06 ', value: ' 0012 ', period: '2025', note: 'angka Dinsos' });
  t.same(r.findings, []);
  t.same(r.observation, { indicator_code: 'PPKS-06', period: '2025', disagg: {}, value: '12', obs_status: 'A', note: 'angka Dinsos', row: 2 });
});

t.test('a blank note is null and the pointer is carried', async (t) => {
  const r = checkStandarData({ pointer: '/observations/4', indicator: 'IKS-01', region: '65', period: '2025', value: 45.25, note: '  ' }, ctx, POINT);
  t.same(r.findings, []);
  t.equal(r.observation?.note, null);
  t.equal(r.observation?.pointer, '/observations/4');
  t.equal(r.observation?.row, undefined);
  t.equal(r.observation?.value, '45.25');
});

t.test('indicator: empty, unknown, wrong case, not in the dataset', async (t) => {
  const empty = only(check({ indicator: '' }).findings, 'SD_INDICATOR_UNKNOWN');
  t.match(empty, { severity: 'error', principle: 'standar-data', row: 2, column: 'indicator', value: '', message: { en: /empty/ } });
  const missing = check({ indicator: undefined });
  t.equal(only(missing.findings, 'SD_INDICATOR_UNKNOWN').value, undefined, 'an absent field shows no value');
  t.equal(missing.observation, null);

  const unknown = only(check({ indicator: 'PPKS-99' }).findings, 'SD_INDICATOR_UNKNOWN');
  t.match(unknown.message.id, /"PPKS-99" tidak ada dalam katalog/);
  t.match(unknown.hint?.en, /capitals included/);
  t.ok(check({ indicator: 'ppks-06' }).findings.some((f) => f.code === 'SD_INDICATOR_UNKNOWN'), 'codes are case-sensitive');
  t.ok(check({ indicator: 6 }).findings.some((f) => f.code === 'SD_INDICATOR_UNKNOWN'), 'a number is not a code');
  t.ok(check({ indicator: { code: 'PPKS-06' } }).findings.some((f) => f.code === 'SD_INDICATOR_UNKNOWN'));

  const other = check({ indicator: 'OTHER-01' });
  t.match(only(other.findings, 'SD_INDICATOR_NOT_IN_DATASET'), { severity: 'error', message: { en: /OTHER-01 is not one of the indicators/ } });
  t.equal(other.observation, null);
});

t.test('an unknown indicator skips the checks that depend on it, but not the rest', async (t) => {
  const r = check({ indicator: 'NOPE', value: '-5.5', unit: 'apel', period: '2025-07', sex: 'X' });
  t.same(codes(r.findings), ['SD_INDICATOR_UNKNOWN', 'SD_DISAGG_CODE_UNKNOWN']);
  t.same(codes(check({ indicator: 'NOPE', value: 'abc' }).findings), ['SD_INDICATOR_UNKNOWN', 'SD_VALUE_NOT_NUMBER']);
  t.same(codes(check({ indicator: 'NOPE', period: '25' }).findings), ['SD_INDICATOR_UNKNOWN', 'SD_PERIOD_MALFORMED']);
});

t.test('value that is not a number', async (t) => {
  const r = check({ value: '12abc' });
  t.match(only(r.findings, 'SD_VALUE_NOT_NUMBER'), { column: 'value', value: '12abc', message: { id: /bukan angka/, en: /not a number/ } });
  t.equal(r.observation, null);
  t.match(only(check({ value: '1E+5' }).findings, 'SD_VALUE_NOT_NUMBER').hint?.en, /Scientific notation/);
  t.match(only(check({ value: '12%', indicator: 'IKS-01' }).findings, 'SD_VALUE_NOT_NUMBER').hint?.en, /% sign/);
  t.match(only(check({ value: '12,5', indicator: 'IKS-01' }).findings, 'SD_VALUE_NOT_NUMBER').hint?.en, /point as the decimal mark.*semicolon/);
  t.match(only(check({ value: 'dua belas' }).findings, 'SD_VALUE_NOT_NUMBER').hint?.en, /digits only/);
  t.match(only(check({ value: true }).findings, 'SD_VALUE_NOT_NUMBER'), { value: 'true' });
  t.match(only(check({ value: [1, 2] }).findings, 'SD_VALUE_NOT_NUMBER'), { value: '[1,2]' });
});

t.test('thousands separators are refused with a hint, never guessed', async (t) => {
  const ambiguous = only(check({ value: '1.234' }).findings, 'SD_VALUE_AMBIGUOUS');
  t.match(ambiguous, { severity: 'error', value: '1.234', hint: { en: /without thousands separators/, id: /tanpa pemisah ribuan/ } });
  t.match(only(check({ value: '1,234' }, COMMA).findings, 'SD_VALUE_AMBIGUOUS').message.en, /thousands or decimals/);
  const grouped = only(check({ value: '1.234.567' }).findings, 'SD_VALUE_NOT_NUMBER');
  t.match(grouped.hint?.en, /thousands separators/);
  t.same(codes(check({ indicator: 'IKS-07', value: '1.234' }).findings), [], 'a decimal column with a point reads it as a decimal');
});

t.test('non-finite values', async (t) => {
  const r = check({ value: Infinity });
  t.match(only(r.findings, 'SD_VALUE_NOT_FINITE'), { value: 'null', hint: { en: /division by zero/ } }, 'JSON renders Infinity as null');
  t.ok(check({ value: 'NaN' }).findings.some((f) => f.code === 'SD_VALUE_NOT_FINITE'));
});

t.test('decimal comma in a semicolon file is read and flagged', async (t) => {
  const r = check({ indicator: 'IKS-01', value: '12,5' }, COMMA);
  const w = only(r.findings, 'SD_DECIMAL_COMMA');
  t.match(w, { severity: 'warning', value: '12,5', message: { en: /as 12\.5/ } });
  t.equal(r.observation?.value, '12.5', 'a warning does not block');
  t.same(codes(check({ indicator: 'IKS-01', value: '12.5' }, COMMA).findings), []);
});

t.test('counts are non-negative whole numbers', async (t) => {
  const frac = check({ value: '12.5' });
  t.same(codes(frac.findings), ['SD_COUNT_NOT_INTEGER']);
  t.match(frac.findings[0]?.message.en, /PPKS-06 is a count/);
  t.same(codes(check({ value: '-3' }).findings), ['SD_NEGATIVE_COUNT'], 'no second finding for valid_min');
  t.same(codes(check({ value: '-3.5' }).findings), ['SD_COUNT_NOT_INTEGER', 'SD_NEGATIVE_COUNT']);
  t.same(codes(check({ value: 12.0 }).findings), [], 'JSON 12.0 is 12');
  t.same(codes(check({ value: '12,0' }, COMMA).findings), ['SD_DECIMAL_COMMA']);
  t.same(codes(check({ value: '0' }).findings), []);
  t.same(codes(check({ value: 1.5 }).findings), ['SD_COUNT_NOT_INTEGER']);
});

t.test('percentages lie in 0–100', async (t) => {
  for (const ok of ['0', '100', '45.25', '100.0']) t.same(codes(check({ indicator: 'IKS-01', value: ok }).findings), [], ok);
  const over = check({ indicator: 'IKS-01', value: '100.0000000000000001' });
  t.same(codes(over.findings), ['SD_PERCENT_OUT_OF_RANGE'], 'compared exactly, not as a float');
  t.match(over.findings[0]?.hint?.en, /0–100 scale/);
  t.same(codes(check({ indicator: 'IKS-01', value: -0.5 }).findings), ['SD_PERCENT_OUT_OF_RANGE']);
  t.same(codes(check({ indicator: 'IKS-01', value: '4520' }).findings), ['SD_PERCENT_OUT_OF_RANGE'], 'no second valid-range finding');
});

t.test("the indicator's valid range", async (t) => {
  const r = check({ indicator: 'IKS-07', value: '2000.5' });
  t.match(only(r.findings, 'SD_OUT_OF_VALID_RANGE'), { severity: 'error', message: { en: /outside the valid range of indicator IKS-07 \(0–2000\)/ } });
  t.same(codes(check({ indicator: 'IKS-07', value: '2000' }).findings), []);
  t.same(codes(check({ indicator: 'IKS-07', value: '-1' }).findings), ['SD_OUT_OF_VALID_RANGE']);
  t.same(codes(check({ indicator: 'PPKS-09', value: '500001' }).findings), ['SD_OUT_OF_VALID_RANGE']);
  t.match(only(check({ indicator: 'PPKS-09', value: '500001' }).findings, 'SD_OUT_OF_VALID_RANGE').message.en, /0–500000/);
  t.same(codes(check({ indicator: 'X-RATA', value: '-123456789.5' }).findings), [], 'no bounds, nothing to check');
  t.same(codes(check({ indicator: 'PPKS-06', value: '99999999999999999999' }).findings), [], 'an open maximum');
});

t.test('unit, when given, matches the indicator', async (t) => {
  for (const unit of ['orang', ' Orang ', 'ORANG', '', '  ', undefined, null]) {
    t.same(codes(check({ unit }).findings), [], `unit ${JSON.stringify(unit)}`);
  }
  t.same(codes(check({ indicator: 'IKS-07', value: '100', unit: 'Per  100.000   kelahiran hidup' }).findings), [], 'spaces collapse');
  const r = check({ indicator: 'IKS-01', value: '12', unit: '%' });
  t.match(only(r.findings, 'SD_UNIT_MISMATCH'), { severity: 'error', column: 'unit', value: '%', hint: { en: /"persen"/ } });
  t.same(codes(check({ indicator: 'IKS-07', value: '100', unit: 'per 1.000 kelahiran hidup' }).findings), ['SD_UNIT_MISMATCH']);
  t.same(codes(check({ unit: 'keluarga' }).findings), ['SD_UNIT_MISMATCH']);
});

t.test('period forms', async (t) => {
  for (const p of ['2025', '1900', '2100', ' 2025 ', 2025]) t.same(codes(check({ period: p }).findings), [], JSON.stringify(p));
  for (const [p, suggestion] of [
    ['2025-q3', '2025-Q3'],
    ['2025-7', '2025-07'],
    ['2025/07', '2025-07'],
    ['07/2025', '2025-07'],
    ['Q3 2025', '2025-Q3'],
    ['2025 S1', '2025-S1'],
    ['s2-2024', '2024-S2'],
  ] as const) {
    const f = only(check({ indicator: 'X-INS', period: p }).findings, 'SD_PERIOD_MALFORMED');
    t.match(f.hint?.en, new RegExp(`Perhaps ${suggestion} was meant`), p);
  }
  for (const p of ['25', '2025-13', '2025-00', '2025-Q5', '2025-S3', '2025-07-01', 'Juli 2025', '1899', '2101', '2025.5', '20255', 2025.1]) {
    const f = only(check({ indicator: 'X-INS', period: p }).findings, 'SD_PERIOD_MALFORMED');
    t.match(f.hint?.en, /Canonical period forms/, String(p));
  }
  t.match(only(check({ period: '' }).findings, 'SD_PERIOD_MALFORMED').message.en, /empty/);
  t.match(only(check({ period: undefined }).findings, 'SD_PERIOD_MALFORMED').message.id, /kosong/);
});

t.test('period fits the periodicity', async (t) => {
  const cases: [string, string, boolean][] = [
    ['PPKS-06', '2025', true],
    ['PPKS-06', '2025-07', false],
    ['X-BULAN', '2025-07', true],
    ['X-BULAN', '2025', false],
    ['X-TRI', '2025-Q3', true],
    ['X-TRI', '2025-S1', false],
    ['X-SEM', '2025-S2', true],
    ['X-SEM', '2025-Q2', false],
    ['X-INS', '2025', true],
    ['X-INS', '2025-S1', true],
    ['X-INS', '2025-Q4', true],
    ['X-INS', '2025-12', true],
  ];
  for (const [indicator, period, fits] of cases) {
    t.same(codes(check({ indicator, period }).findings), fits ? [] : ['SD_PERIOD_PERIODICITY'], `${indicator} ${period}`);
  }
  const f = only(check({ indicator: 'X-BULAN', period: '2025' }).findings, 'SD_PERIOD_PERIODICITY');
  t.match(f.hint?.en, /bulanan period such as 2025-07/);
});

t.test('periodKind and periodFits', async (t) => {
  t.equal(periodKind('2025-S1'), 'semesteran');
  t.equal(periodKind('2025-10'), 'bulanan');
  t.equal(periodKind('2025-Q1'), 'triwulanan');
  t.equal(periodKind('0999'), null);
  t.ok(periodFits('bulanan', 'unheard-of'), 'an unknown periodicity is the catalogue rules’ business');
  t.ok(periodFits('bulanan', 'toString'), 'a prototype name is just another unknown periodicity');
});

t.test('disaggregation: allowed dimensions and known codes', async (t) => {
  const ok = check({ sex: 'P', age_group: '75+', disability: 'disabilitas', desil: 3, desil_ranking_date: '2025-03-31' });
  t.same(ok.findings, []);
  t.same(ok.observation?.disagg, { sex: 'P', age_group: '75+', disability: 'disabilitas', desil: '3', desil_ranking_date: '2025-03-31' });

  const notAllowed = check({ indicator: 'IKS-01', value: '10', age_group: '0-4' });
  t.match(only(notAllowed.findings, 'SD_DISAGG_NOT_ALLOWED'), { column: 'age_group', hint: { en: /Allowed breakdowns: sex/ } });
  t.match(only(check({ indicator: 'IKS-07', value: '10', sex: 'L' }).findings, 'SD_DISAGG_NOT_ALLOWED').hint?.en, /totals only/);

  const unknown = only(check({ sex: 'Laki-laki' }).findings, 'SD_DISAGG_CODE_UNKNOWN');
  t.match(unknown, { column: 'sex', value: 'Laki-laki', hint: { en: /one of the codes: L, P/ }, message: { en: /^Sex code "Laki-laki"/ } });
  t.same(codes(check({ age_group: '0 - 4' }).findings), ['SD_DISAGG_CODE_UNKNOWN']);
  t.same(codes(check({ desil: '11', desil_ranking_date: '2025-03-31' }).findings), ['SD_DISAGG_CODE_UNKNOWN'], 'no date complaint for a bad decile');
  t.same(codes(check({ sex: '', age_group: '  ', disability: null }).findings), [], 'empty means total');
});

t.test('a missing codelist fails closed and points at the API', async (t) => {
  const bare = context({ codelists: new Map() });
  const r = checkStandarData(raw({ sex: 'L' }), bare, POINT);
  t.same(codes(r.findings), ['SD_OBS_STATUS_UNKNOWN', 'SD_DISAGG_CODE_UNKNOWN']);
  t.match(r.findings[1]?.hint?.en, /GET \/v1\/codelists\/sex/);
});

t.test('desil needs a valid ranking date', async (t) => {
  for (const date of [undefined, '', '31-03-2025', '2025-02-30', '2025-13-01', '2025-3-31', '2025/03/31', 45747, '2025-03-31T00:00:00Z', '0099-01-01x']) {
    const f = only(check({ desil: '1', desil_ranking_date: date }).findings, 'SD_DESIL_RANKING_DATE');
    t.equal(f.column, 'desil_ranking_date', String(date));
  }
  t.match(only(check({ desil: '1' }).findings, 'SD_DESIL_RANKING_DATE').message.en, /must carry the date/);
  t.match(only(check({ desil: '1', desil_ranking_date: '2025-02-30' }).findings, 'SD_DESIL_RANKING_DATE').message.en, /not a valid date/);
  t.same(codes(check({ desil: '1', desil_ranking_date: '2024-02-29' }).findings), [], 'leap day');
  t.same(codes(check({ desil: '1', desil_ranking_date: '0050-01-01' }).findings), [], 'year 50 is not read as 1950');
  const noDesil = check({ desil_ranking_date: '2025-03-31' });
  t.same(noDesil.findings, []);
  t.same(noDesil.observation?.disagg, {}, 'a ranking date without a decile qualifies nothing');
});

t.test('obs_status', async (t) => {
  for (const s of ['A', 'E', 'P', ' V ']) t.equal(check({ obs_status: s }).observation?.obs_status, s.trim(), s);
  t.equal(check({ obs_status: '' }).observation?.obs_status, 'A', 'empty means normal');
  const lower = only(check({ obs_status: 'e' }).findings, 'SD_OBS_STATUS_UNKNOWN');
  t.match(lower.hint?.en, /capitals: E/);
  const unknown = only(check({ obs_status: 'Z' }).findings, 'SD_OBS_STATUS_UNKNOWN');
  t.match(unknown.hint?.en, /one of the codes: A, B/);
  t.match(unknown.hint?.en, /empty for a normal value/);
});

t.test('empty values and missing statuses', async (t) => {
  t.same([...MISSING_STATUSES].sort(), ['L', 'M', 'O', 'Q']);
  for (const status of ['M', 'L', 'O', 'Q']) {
    for (const value of ['', undefined, null, '  ']) {
      const r = check({ value, obs_status: status });
      t.same(codes(r.findings), ['SD_MISSING_VALUE'], `${status} ${JSON.stringify(value)}`);
      t.equal(r.findings[0]?.severity, 'warning');
      t.equal(r.observation, null, 'not stored');
    }
  }
  for (const status of [undefined, '', 'A', 'E']) {
    const r = check({ value: '', obs_status: status });
    t.match(only(r.findings, 'SD_VALUE_MISSING'), { severity: 'error', hint: { en: /M, L, O or Q/ } });
    t.equal(r.observation, null);
  }
  t.same(codes(check({ value: '', obs_status: 'X' }).findings), ['SD_OBS_STATUS_UNKNOWN', 'SD_VALUE_MISSING']);
  t.equal(check({ value: '7', obs_status: 'M' }).observation?.value, '7', 'a value with a missing status is kept as sent');
});

t.test('several problems in one row are all reported, in column order of the rules', async (t) => {
  const r = check({ indicator: 'IKS-01', value: '120', unit: 'orang', period: '2025-Q1', sex: 'X', obs_status: 'z' });
  t.same(codes(r.findings), ['SD_OBS_STATUS_UNKNOWN', 'SD_PERCENT_OUT_OF_RANGE', 'SD_UNIT_MISMATCH', 'SD_PERIOD_PERIODICITY', 'SD_DISAGG_CODE_UNKNOWN']);
  t.ok(r.findings.every((f) => f.row === 2 && f.principle === 'standar-data'));
  t.equal(r.observation, null);
});

t.test('long values are truncated in findings and messages', async (t) => {
  const long = 'x'.repeat(5000);
  const f = only(check({ value: long }).findings, 'SD_VALUE_NOT_NUMBER');
  t.equal(f.value?.length, 200);
  t.ok(f.message.en.length < 300);
});
