import t from 'tap';
import {
  codeText,
  containsNik,
  fieldText,
  FindingList,
  hasError,
  makeFinding,
  maskNik,
  quote,
} from '../../src/domain/finding-builder.js';

const message = { id: 'pesan', en: 'message' };

t.test('makeFinding copies the location and shows the value as received', async (t) => {
  const f = makeFinding({ row: 4, pointer: '/observations/2' }, 'standar-data', { code: 'SD_X', severity: 'error', column: 'value', value: ' 12 ', message });
  t.same(f, { code: 'SD_X', severity: 'error', principle: 'standar-data', row: 4, pointer: '/observations/2', column: 'value', value: ' 12 ', message });
  const bare = makeFinding({}, 'metadata', { code: 'MD_X', severity: 'warning', message });
  t.same(bare, { code: 'MD_X', severity: 'warning', principle: 'metadata', message }, 'nothing invented for absent parts');
  t.notOk('value' in bare);
  t.notOk('hint' in bare);
});

t.test('values of every JSON type', async (t) => {
  const at = { row: 1 };
  const shown = (value: unknown) => makeFinding(at, 'interoperabilitas', { code: 'IO_X', severity: 'error', value, message }).value;
  t.equal(shown(12.5), '12.5');
  t.equal(shown(true), 'true');
  t.equal(shown(null), 'null');
  t.equal(shown(undefined), undefined);
  t.equal(shown({ a: [1] }), '{"a":[1]}');
  t.equal(shown(''), '');
  t.equal(shown(10n), '10');
  t.equal(shown('y'.repeat(300))?.length, 200, 'truncated like shownValue');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  t.equal(shown(circular), '[object Object]', 'a value JSON cannot render does not throw');
});

t.test('NIK-like runs are masked everywhere in a finding', async (t) => {
  const nik = '3571012345670001';
  const f = makeFinding({ row: 1 }, 'standar-data', {
    code: 'SD_X',
    severity: 'error',
    value: `${'a'.repeat(190)}${nik}`,
    message: { id: `nilai ${nik}`, en: `value ${nik}` },
    hint: { id: nik, en: `${nik}!` },
  });
  t.notMatch(JSON.stringify(f), /\d{16}/);
  t.equal(f.message.en, 'value 35**********0001');
  t.equal(f.hint?.en, '35**********0001!');
  t.match(f.value, /^a{190}35\*{5}\.\.\.$/, 'masked before truncation, so no digits leak across the cut');
});

t.test('maskNik and containsNik look for exactly 16 digits', async (t) => {
  t.equal(maskNik('3571012345670001'), '35**********0001');
  t.equal(maskNik('x3571012345670001y'), 'x35**********0001y');
  t.equal(maskNik('123456789012345'), '123456789012345');
  t.equal(maskNik('12345678901234567'), '12345678901234567');
  t.ok(containsNik('NIK: 3571012345670001.'));
  t.notOk(containsNik('35710123456700012'));
  t.ok(containsNik('3571012345670001') && containsNik('3571012345670001'), 'the global regex keeps no state between calls');
});

t.test('a NIK written in groups is found and masked, whatever the separators', async (t) => {
  const written: [string, string][] = [
    ['3201.2345.6789.0123', '32**.****.****.0123'],
    ['3201 2345 6789 0123', '32** **** **** 0123'],
    ['3201-2345-6789-0123', '32**-****-****-0123'],
    ['3201.2345 6789-0123', '32**.**** ****-0123'],
    ['3201\u20132345\u20136789\u20130123', '32**\u2013****\u2013****\u20130123'],
    ['3201\u00a02345\u00a06789\u00a00123', '32**\u00a0****\u00a0****\u00a00123'],
    ['32.01.23.450167.0123', '32.**.**.******.0123'],
    ['320123 450167 0123', '32**** ****** 0123'],
    ['32 01 23 45 01 67 01 23', '32 ** ** ** ** ** 01 23'],
    ['12.3571012345670001', '12.35**********0001'],
    // A desa code is the start of a NIK: what follows it makes the difference.
    ['32.01.23.4501 670123', '32.**.**.**** **0123'],
    // A year in the first group alone does not make the run a list of years.
    ['2012 2345 6789 0123', '20** **** **** 0123'],
  ];
  for (const [text, masked] of written) {
    t.ok(containsNik(text), `${JSON.stringify(text)} is NIK-like`);
    t.equal(maskNik(text), masked);
    t.ok(containsNik(`KPM an. Budi, NIK ${text}, RT 01.`), `${JSON.stringify(text)} inside a sentence`);
    t.equal(maskNik(`NIK ${text}.`), `NIK ${masked}.`);
  }
  t.equal(maskNik('3201.2345.6789.0123 dan 6401-0101-0101-0002'), '32**.****.****.0123 dan 64**-****-****-0002', 'each one masked');
  const uuid = '58f44fc3-095b-482a-8014-291676970279';
  t.equal(maskNik(`${uuid} NIK 3201.2345.6789.0123`), `${uuid} NIK 32**.****.****.0123`, 'a UUID beside a NIK: the NIK is masked');
  t.ok(containsNik(`${uuid} 3201234567890123`));
  t.ok(containsNik(uuid.slice(14)), 'a UUID cut short is no UUID: 482a-8014-291676970279 holds 16 grouped digits');
});

t.test('numbers, codes and dates that group digits for other reasons are not NIK-like', async (t) => {
  const ordinary = [
    '1.234.567',
    '1.234.567.890.123.456',
    '2024-07',
    '2024-07-01',
    '2024-07-01 2025-06-30',
    '01-07-2024 30-06-2025',
    '01.07.2024 30.06.2025',
    '2020 2021 2022 2023',
    '2020-2021 2022-2023',
    '33.73.01.2001',
    '33.73.01.2001 33.73.01',
    '65.71 65.72 65.73 65.74',
    '+62 812-3456-7890',
    '0812 3456 7890 1234 5',
    // 15 or 17 digits, grouped or not, are not the shape of a NIK.
    '3201.2345.6789.012',
    '3201.2345.6789.0123.4',
    '3201 2345 6789 0123 4567',
    // A UUID whose groups happen to be all digits.
    '64685877-4781-4914-be67-0bb0b41c75ce',
    'versi d334d598-f4ee-4f8e-8284-959579437483.',
    '{"id":"58f44fc3-095b-482a-8014-291676970279"}',
    '123456789012345',
    // One separator joins two groups; more than one ends the run.
    '3201  2345 6789 0123',
    '3201. 2345 6789 0123',
    '3201/2345/6789/0123',
    '3201,2345,6789,0123',
  ];
  for (const text of ordinary) {
    t.notOk(containsNik(text), JSON.stringify(text));
    t.equal(maskNik(text), text);
  }
});

t.test('fieldText and codeText', async (t) => {
  t.equal(fieldText(undefined), undefined);
  t.equal(fieldText(null), undefined);
  t.equal(fieldText(' a '), ' a ');
  t.equal(fieldText(7), '7');
  t.equal(fieldText(['a']), '["a"]');
  t.equal(codeText(' IKS-01 '), 'IKS-01');
  t.equal(codeText('   '), undefined);
  t.equal(codeText(3), '3');
  t.equal(codeText(null), undefined);
});

t.test('FindingList and hasError', async (t) => {
  const list = new FindingList({ pointer: '/observations/0' }, 'kode-referensi');
  t.notOk(list.hasError());
  list.add({ code: 'KR_W', severity: 'warning', column: 'region', message });
  t.notOk(list.hasError());
  t.notOk(hasError(list.findings));
  list.add({ code: 'KR_E', severity: 'error', column: 'region', message });
  t.ok(list.hasError());
  t.ok(list.hasError('region'));
  t.notOk(list.hasError('value'));
  t.ok(hasError(list.findings));
  t.equal(list.findings[1]?.pointer, '/observations/0');
  t.equal(list.findings[1]?.principle, 'kode-referensi');
});

t.test('quote', async (t) => {
  t.equal(quote('x'), '"x"');
  t.equal(quote(undefined), '""');
  t.equal(quote(1.5), '"1.5"');
});
