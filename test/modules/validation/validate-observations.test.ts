import t from 'tap';
import { collectCodes, createObservationValidator } from '../../../src/modules/validation/validate-observations.js';
import type { RawObservation } from '../../../src/modules/validation/finding.js';
import { codes, context, only, raw, wellFormed } from '../../helpers/validation-fixtures.js';

const ctx = context();

t.test('clean observations are accepted, normalised and carry their location', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const { accepted, findings } = v.check(
    [raw({ row: 2 }), raw({ row: 3, indicator: 'IKS-01', region: '65.71.01', value: 45.5, sex: 'P', obs_status: 'E', note: 'estimasi' })],
    ctx,
  );
  t.same(findings, []);
  t.same(accepted, [
    { indicator_code: 'PPKS-06', period: '2025', disagg: {}, value: '12', obs_status: 'A', note: null, row: 2, region_code: '65.71' },
    { indicator_code: 'IKS-01', period: '2025', disagg: { sex: 'P' }, value: '45.5', obs_status: 'E', note: 'estimasi', row: 3, region_code: '65.71.01' },
  ]);
});

t.test('an error anywhere keeps the observation out; a warning does not', async (t) => {
  const v = createObservationValidator({ decimalComma: true });
  const { accepted, findings } = v.check(
    [
      raw({ row: 2, region: '64.71' }),
      raw({ row: 3, value: 'x' }),
      raw({ row: 4, note: '3571012345670001' }),
      raw({ row: 5, indicator: 'IKS-01', value: '12,5' }),
      raw({ row: 6, region: '65.71.01' }),
    ],
    context({ estimationLevels: new Set([2]) }),
  );
  t.same(
    accepted.map((o) => o.row),
    [5, 6],
  );
  t.same(
    findings.map((f) => [f.row, f.code]),
    [
      [2, 'KR_REGION_OUTSIDE_JURISDICTION'],
      [3, 'SD_VALUE_NOT_NUMBER'],
      [4, 'IO_NIK_FORBIDDEN'],
      [5, 'SD_DECIMAL_COMMA'],
      [6, 'KR_REGION_LEVEL'],
    ],
  );
  t.equal(accepted[0]?.value, '12.5');
});

t.test('rules run interop, then kode-referensi, then standar-data', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const { findings } = v.check([raw({ indicator: 'NOPE', region: '65.99', note: 'a\nb', sex: 'L;P' })], ctx);
  t.same(codes(findings), ['IO_MULTIPLE_VALUES', 'KR_REGION_UNKNOWN', 'SD_INDICATOR_UNKNOWN']);
});

t.test('a cell interop rejected is not judged again, and no finding quotes a NIK', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const nik = '3571012345670001';
  const { accepted, findings } = v.check(
    [raw({ row: 7, region: nik, value: nik, period: '2025', desil: nik, obs_status: 'E;P' }), raw({ row: 8, region: '65.71;65.72' })],
    ctx,
  );
  t.same(accepted, []);
  t.same(
    findings.map((f) => [f.row, f.code, f.column]),
    [
      [7, 'IO_NIK_FORBIDDEN', 'region'],
      [7, 'IO_NIK_FORBIDDEN', 'value'],
      [7, 'IO_MULTIPLE_VALUES', 'obs_status'],
      [7, 'IO_NIK_FORBIDDEN', 'desil'],
      [8, 'IO_MULTIPLE_VALUES', 'region'],
    ],
  );
  t.notMatch(JSON.stringify(findings), /\d{16}/);
  t.same(wellFormed(findings), []);
});

t.test('a value reported missing is not stored and not an error', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const { accepted, findings } = v.check([raw({ value: '', obs_status: 'M' })], ctx);
  t.same(accepted, []);
  t.match(only(findings, 'SD_MISSING_VALUE'), { severity: 'warning' });
});

t.test('duplicate keys within a batch and across batches', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const first = v.check(
    [
      raw({ row: 2, value: '1' }),
      raw({ row: 3, value: '2', sex: 'L' }),
      raw({ row: 4, value: '3', sex: 'L' }),
      raw({ row: 5, value: '4', sex: 'P' }),
      raw({ row: 6, value: '5', desil: '1', desil_ranking_date: '2025-03-31' }),
      raw({ row: 7, value: '6', desil: '1', desil_ranking_date: '2025-06-30' }),
    ],
    ctx,
  );
  t.same(
    first.accepted.map((o) => o.row),
    [2, 3, 5, 6, 7],
    'a different ranking date is a different figure',
  );
  const dup = only(first.findings, 'IO_DUPLICATE_KEY');
  t.match(dup, { severity: 'error', principle: 'interoperabilitas', row: 4, value: 'PPKS-06 · 65.71 · 2025 · sex=L' });
  t.match(dup.message.en, /^Row 4 repeats the key \(indicator, region, period, disaggregation\) already given at row 3/);
  t.match(dup.message.id, /^Baris 4 mengulang kunci .* di baris 3/);
  t.match(dup.hint?.en, /row 3 or row 4/);

  const second = v.check([raw({ row: 1002, value: '9' }), raw({ row: 1003, period: '2024' })], ctx);
  t.same(
    second.accepted.map((o) => o.row),
    [1003],
  );
  t.match(only(second.findings, 'IO_DUPLICATE_KEY').message.en, /Row 1002 .* at row 2/);
});

t.test('duplicates by JSON pointer; rejected rows do not claim a key', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const at = (i: number, o: Partial<RawObservation> = {}) => ({ ...raw(o), row: undefined, pointer: `/observations/${i}` });
  const { accepted, findings } = v.check([at(0, { value: 'x' }), at(1), at(2, { value: 12 }), at(3, { value: ' 12 ', indicator: ' PPKS-06' })], ctx);
  t.same(
    accepted.map((o) => o.pointer),
    ['/observations/1'],
  );
  const dups = findings.filter((f) => f.code === 'IO_DUPLICATE_KEY');
  t.same(
    dups.map((f) => f.pointer),
    ['/observations/2', '/observations/3'],
  );
  t.match(dups[0]?.message.en, /^\/observations\/2 repeats the key .* at \/observations\/1/);
});

t.test('validators are independent', async (t) => {
  const a = createObservationValidator({ decimalComma: false });
  const b = createObservationValidator({ decimalComma: false });
  t.equal(a.check([raw()], ctx).accepted.length, 1);
  t.equal(b.check([raw()], ctx).accepted.length, 1, 'another push starts with no keys');
});

t.test('an observation without location still gets a readable duplicate message', async (t) => {
  const v = createObservationValidator({ decimalComma: false });
  const bare = { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 1 };
  const { findings } = v.check([bare, bare], ctx);
  const f = only(findings, 'IO_DUPLICATE_KEY');
  t.match(f.message.en, /^This observation repeats the key .* already given at an earlier observation/);
  t.match(f.message.id, /^Pengamatan ini mengulang kunci .* di pengamatan sebelumnya/);
  t.equal(f.row, undefined);
  t.equal(f.pointer, undefined);
});

t.test('decimal comma option reaches the value rules', async (t) => {
  const point = createObservationValidator({ decimalComma: false }).check([raw({ indicator: 'IKS-01', value: '12,5' })], ctx);
  t.same(codes(point.findings), ['SD_VALUE_NOT_NUMBER']);
  const comma = createObservationValidator({ decimalComma: true }).check([raw({ indicator: 'IKS-01', value: '12,5' })], ctx);
  t.same(codes(comma.findings), ['SD_DECIMAL_COMMA']);
  t.equal(comma.accepted[0]?.value, '12.5');
});

t.test('an empty batch', async (t) => {
  t.same(createObservationValidator({ decimalComma: false }).check([], ctx), { accepted: [], findings: [] });
});

t.test('collectCodes: distinct indicator and region codes of a batch', async (t) => {
  const batch: RawObservation[] = [
    raw({ indicator: 'PPKS-06', region: '65.71' }),
    raw({ indicator: ' PPKS-06 ', region: '65.71' }),
    raw({ indicator: 'IKS-01', region: '65' }),
    raw({ indicator: '', region: '' }),
    raw({ indicator: undefined, region: undefined }),
    raw({ indicator: 7, region: 65.71 }),
    raw({ indicator: 'X', region: '6571' }),
    raw({ indicator: 'Y', region: ' 65.72' }),
    raw({ indicator: 'Z', region: '65.71.01.1001' }),
  ];
  const c = collectCodes(batch);
  t.same(c.indicators, ['PPKS-06', 'IKS-01', '7', 'X', 'Y', 'Z'], 'trimmed, as the rules look them up');
  t.same(c.regions, ['65.71', '65', '65.71.01.1001'], 'only well-formed text codes need a lookup');
  t.same(collectCodes([]), { indicators: [], regions: [] });
});
