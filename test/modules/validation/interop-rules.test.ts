import t from 'tap';
import { checkInterop } from '../../../src/modules/validation/interop-rules.js';
import type { RawObservation } from '../../../src/domain/finding.js';
import { codes, only, raw, wellFormed } from '../../helpers/validation-fixtures.js';

function check(overrides: Partial<RawObservation>) {
  const findings = checkInterop(raw(overrides));
  t.same(wellFormed(findings), [], 'findings are well-formed, no NIK in them');
  return findings;
}

const NIK = '3571012345670001';

t.test('an ordinary observation has nothing to report', async (t) => {
  t.same(check({ note: 'Angka Dinsos, 2 baris\nsudah diverifikasi', unit: 'per 1.000 kelahiran hidup', value: '1,5' }), []);
  t.same(check({ value: 123456789012345, note: 'nomor surat 123/45/2025' }), [], '15 digits is not a NIK');
  t.same(check({ value: '12345678901234567' }), [], '17 digits is not a NIK either');
  t.same(check({ age_group: '0-4', desil_ranking_date: '2025-03-31' }), []);
});

t.test('a NIK in any field is forbidden and masked', async (t) => {
  for (const field of ['indicator', 'region', 'period', 'value', 'unit', 'obs_status', 'note', 'sex', 'age_group', 'disability', 'desil', 'desil_ranking_date'] as const) {
    const f = only(check({ [field]: NIK }), 'IO_NIK_FORBIDDEN');
    t.match(f, { severity: 'error', principle: 'interoperabilitas', row: 2, column: field, value: '35**********0001' }, field);
    t.notMatch(JSON.stringify(f), /\d{16}/, `${field}: never the full NIK`);
  }
});

t.test('a NIK as a JSON number, padded, or inside free text', async (t) => {
  t.equal(only(check({ value: 3571012345670001 }), 'IO_NIK_FORBIDDEN').value, '35**********0001');
  t.equal(only(check({ value: ` ${NIK} ` }), 'IO_NIK_FORBIDDEN').value, ' 35**********0001 ');
  const note = only(check({ note: `KPM an. Budi NIK ${NIK}, alamat RT 01` }), 'IO_NIK_FORBIDDEN');
  t.equal(note.value, 'KPM an. Budi NIK 35**********0001, alamat RT 01');
  t.match(note.hint?.en, /aggregate figures only/);
  t.match(note.message.id, /seperti NIK/);
  const two = only(check({ note: `${NIK} dan 6401010101010002` }), 'IO_NIK_FORBIDDEN');
  t.equal(two.value, '35**********0001 dan 64**********0002');
  const inArray = only(check({ region: [NIK] }), 'IO_NIK_FORBIDDEN');
  t.equal(inArray.value, '["35**********0001"]', 'wins over the multiple-values finding');
  t.equal(check({ region: [NIK] }).length, 1);
});

t.test('a NIK written with dots, spaces or dashes is forbidden in every field, and masked', async (t) => {
  for (const written of ['3571.0123.4567.0001', '3571 0123 4567 0001', '3571-0123-4567-0001', '3571.0123 4567-0001', '35.71.01.234567.0001']) {
    for (const field of ['region', 'value', 'note', 'unit', 'desil_ranking_date'] as const) {
      const f = only(check({ [field]: written }), 'IO_NIK_FORBIDDEN');
      t.match(f, { severity: 'error', column: field }, `${field}: ${written}`);
      t.match(f.value, /^35[^\d]*\*/, 'masked from the third digit');
      t.ok(f.value?.endsWith('0001'), 'the last four digits stay');
    }
  }
  const note = only(check({ note: 'KPM an. Budi (NIK 3571.0123.4567.0001), RT 01' }), 'IO_NIK_FORBIDDEN');
  t.equal(note.value, 'KPM an. Budi (NIK 35**.****.****.0001), RT 01');
  t.equal(check({ note: 'KPM 3571 0123 4567 0001\ndan 3571-0123-4567-0002' }).length, 1, 'one finding per cell');
});

t.test('ordinary grouped numbers, codes and dates in cells are not taken for a NIK', async (t) => {
  t.same(check({ value: '1.234.567', region: '33.73.01.2001', period: '2024-07', desil_ranking_date: '2025-03-31' }), []);
  t.same(check({ note: 'periode 2024-07-01 2025-06-30, desa 33.73.01.2001 33.73.01, total 1.234.567.890.123.456' }), []);
  t.same(check({ note: 'tahun 2020 2021 2022 2023' }), []);
});

t.test('a NIK Excel turned into scientific notation', async (t) => {
  for (const value of ['3.57101E+15', '3,57101E+15', '3.57101e15', '3E+15']) {
    const f = only(check({ value }), 'IO_NIK_FORBIDDEN');
    t.match(f.message.en, /Excel turned into scientific notation/, value);
  }
  t.same(check({ value: '1.5E+5' }), [], 'other exponents are the value rules’ business');
});

t.test('one value per cell', async (t) => {
  const list = only(check({ region: '65.71;65.72' }), 'IO_MULTIPLE_VALUES');
  t.match(list, { severity: 'error', principle: 'interoperabilitas', column: 'region', value: '65.71;65.72' });
  t.match(list.message.en, /one value per cell/);
  t.match(list.hint?.en, /one row per value/);
  for (const [field, value] of [
    ['region', '65.71, 65.72'],
    ['indicator', 'IKS-01|IKS-02'],
    ['sex', 'L,P'],
    ['period', '2024;2025'],
    ['obs_status', 'E;P'],
    ['age_group', '0-4, 5-9'],
    ['disability', 'disabilitas;non-disabilitas'],
    ['desil', '1,2'],
  ] as const) {
    t.same(codes(check({ [field]: value })), ['IO_MULTIPLE_VALUES'], `${field} ${value}`);
  }
});

t.test('line breaks inside a cell, except in the note', async (t) => {
  const f = only(check({ value: '12\n13' }), 'IO_MULTIPLE_VALUES');
  t.match(f.message.en, /line break inside the cell/);
  t.match(f.message.id, /baris baru/);
  t.same(codes(check({ period: '2025\r\n2026' })), ['IO_MULTIPLE_VALUES']);
  t.same(codes(check({ desil_ranking_date: '2025-03-31\n2025-06-30' })), ['IO_MULTIPLE_VALUES']);
  t.same(codes(check({ unit: 'orang\u2028keluarga' })), ['IO_MULTIPLE_VALUES']);
  t.same(check({ value: '12\n' }), [], 'a trailing line break is only whitespace');
  t.same(check({ note: 'baris satu\nbaris dua' }), [], 'a note may run over several lines');
});

t.test('not lists', async (t) => {
  t.same(check({ value: '1,234' }), [], 'a comma in a value is the number rules’ business');
  t.same(check({ unit: 'per 1.000 kelahiran hidup' }), []);
  t.same(check({ region: '65.71;' }), [], 'one value and a stray separator');
  t.same(check({ period: '07/2025' }), [], 'a slash is a badly written period, not a list');
  t.same(check({ desil_ranking_date: '2025/01/15' }), []);
  t.same(check({ note: 'L, P; semua' }), [], 'free text may hold commas');
  t.same(check({ region: 65.71 }), [], 'a number is the region rules’ business');
});

t.test('a JSON array is always several values', async (t) => {
  t.same(codes(check({ region: ['65.71', '65.72'] })), ['IO_MULTIPLE_VALUES']);
  t.same(codes(check({ value: [1, 2] })), ['IO_MULTIPLE_VALUES']);
  t.same(codes(check({ note: ['a', 'b'] })), ['IO_MULTIPLE_VALUES']);
  t.same(check({ value: { n: 1 } }), [], 'an object is judged by the field’s own rules');
});

t.test('several cells, several findings, in column order', async (t) => {
  const findings = check({ indicator: 'IKS-01;IKS-02', region: NIK, value: '1\n2' });
  t.same(codes(findings), ['IO_MULTIPLE_VALUES', 'IO_NIK_FORBIDDEN', 'IO_MULTIPLE_VALUES']);
  t.same(
    findings.map((f) => f.column),
    ['indicator', 'region', 'value'],
  );
});

t.test('bigints and absent fields', async (t) => {
  t.equal(only(check({ value: 3571012345670001n }), 'IO_NIK_FORBIDDEN').value, '35**********0001');
  t.same(checkInterop({ indicator: undefined, region: undefined, period: undefined, value: undefined }), []);
  t.same(checkInterop({ indicator: null, region: null, period: null, value: null }), []);
});
