import t from 'tap';
import { checkObservations, collectCodes } from '../../../src/modules/validation/validate-observations.js';
import type { RawObservation } from '../../../src/domain/finding.js';
import { codes, context, only, raw, wellFormed } from '../../helpers/validation-fixtures.js';

const ctx = context();
const check = (decimalComma: boolean, raws: RawObservation[], c = ctx) => checkObservations(raws, c, { decimalComma });

t.test('clean observations are accepted, normalised and carry their location', async (t) => {
  const { accepted, findings } = check(false, 
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
  const { accepted, findings } = check(true, 
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
  const { findings } = check(false, [raw({ indicator: 'NOPE', region: '65.99', note: 'a\nb', sex: 'L;P' })], ctx);
  t.same(codes(findings), ['IO_MULTIPLE_VALUES', 'KR_REGION_UNKNOWN', 'SD_INDICATOR_UNKNOWN']);
});

t.test('a cell interop rejected is not judged again, and no finding quotes a NIK', async (t) => {
  const nik = '3571012345670001';
  const { accepted, findings } = check(
    false,
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
  const { accepted, findings } = check(false, [raw({ value: '', obs_status: 'M' })], ctx);
  t.same(accepted, []);
  t.match(only(findings, 'SD_MISSING_VALUE'), { severity: 'warning' });
});

t.test('decimal comma option reaches the value rules', async (t) => {
  const point = check(false, [raw({ indicator: 'IKS-01', value: '12,5' })], ctx);
  t.same(codes(point.findings), ['SD_VALUE_NOT_NUMBER']);
  const comma = check(true, [raw({ indicator: 'IKS-01', value: '12,5' })], ctx);
  t.same(codes(comma.findings), ['SD_DECIMAL_COMMA']);
  t.equal(comma.accepted[0]?.value, '12.5');
});

t.test('an empty batch', async (t) => {
  t.same(check(false, [], ctx), { accepted: [], findings: [] });
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
