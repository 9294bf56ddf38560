import t from 'tap';
import {
  checkDatasetMetadata,
  isPlaceholder,
  isStewardContact,
  type CompositeCatalogue,
  type DatasetMetadataInput,
} from '../../../src/modules/validation/metadata-rules.js';
import { codes, only, wellFormed } from '../../helpers/validation-fixtures.js';

const catalogue: CompositeCatalogue = {
  isComposite: (code) => code === 'IKESOS',
  buildingBlocks: (code) => (code === 'IKESOS' ? ['IKS-01', 'IKS-02', 'IKS-03'] : []),
};

const complete: DatasetMetadataInput = {
  title: 'PPKS Kota Tarakan',
  description: 'Jumlah PPKS per kecamatan.',
  indicators: ['PPKS-01', 'PPKS-06'],
  reference_periods: ['2024', '2025-S1'],
  update_schedule: 'tahunan',
  primary_source: 'Pendataan PPKS Dinas Sosial',
  responsible_institution: 'Dinas Sosial Kota Tarakan',
  steward_name: 'Siti Aminah',
  steward_contact: 'siti.aminah@tarakankota.go.id',
  access_classification: 'terbuka',
  estimation_levels: ['kabkota', 'kecamatan'],
  notes: 'Angka 2024 final.',
};

function check(meta: unknown) {
  const result = checkDatasetMetadata(meta as DatasetMetadataInput, catalogue);
  t.same(wellFormed(result.findings), [], 'findings are well-formed');
  return result;
}

t.test('complete metadata: no findings, score 100', async (t) => {
  const r = check(complete);
  t.same(r.findings, []);
  t.same(r.completeness, { score: 100, required: { present: 9, total: 9 }, recommended: { present: 3, total: 3 }, missing: [] });
});

t.test('a NIK-like number anywhere in the metadata is an error, masked, and the field counts as not filled', async (t) => {
  const r = check({ ...complete, steward_name: 'Siti Aminah (NIK 3571.0123.4567.0001)', notes: 'KPM 3571 0123 4567 0002', extra: { contacts: ['3571-0123-4567-0003'] } });
  t.same(codes(r.findings), ['MD_NIK_FORBIDDEN', 'MD_NIK_FORBIDDEN', 'MD_NIK_FORBIDDEN']);
  t.match(r.findings, [
    { severity: 'error', principle: 'metadata', column: 'steward_name', pointer: '/metadata/steward_name', value: 'Siti Aminah (NIK 35**.****.****.0001)' },
    { column: 'notes', pointer: '/metadata/notes', value: 'KPM 35** **** **** 0002' },
    { column: 'extra', pointer: '/metadata/extra/contacts/0', value: '35**-****-****-0003' },
  ]);
  t.same(r.completeness.missing, ['steward_name', 'notes'], 'a field holding personal data is not usable');
  t.same(codes(check({ ...complete, reference_periods: ['3571012345670001'] }).findings), ['MD_NIK_FORBIDDEN'], 'and is judged no further');
  t.same(check({ ...complete, description: 'Angka 1.234.567 untuk 33.73.01.2001, periode 2024-07-01 2025-06-30.' }).findings, [], 'ordinary grouped numbers pass');
});

t.test('unknown fields are tolerated', async (t) => {
  t.same(check({ ...complete, kontak_cadangan: 'x', extra: { a: 1 } }).findings, []);
});

t.test('everything missing: every required field reported, score 0', async (t) => {
  for (const meta of [{}, null, undefined, 'metadata', [], 42]) {
    const r = check(meta);
    t.equal(r.findings.length, 9, JSON.stringify(meta));
    t.ok(r.findings.every((f) => f.code === 'MD_REQUIRED_MISSING' && f.severity === 'error' && f.principle === 'metadata'));
    t.same(
      r.findings.map((f) => f.pointer),
      [
        '/metadata/title',
        '/metadata/indicators',
        '/metadata/reference_periods',
        '/metadata/update_schedule',
        '/metadata/primary_source',
        '/metadata/responsible_institution',
        '/metadata/steward_name',
        '/metadata/steward_contact',
        '/metadata/access_classification',
      ],
    );
    t.same(r.completeness.score, 0);
    t.same(r.completeness.missing.length, 12);
  }
});

t.test('the missing-field finding names the field in both languages', async (t) => {
  const f = only(check({ ...complete, steward_name: '   ' }).findings, 'MD_REQUIRED_MISSING');
  t.match(f, { pointer: '/metadata/steward_name', column: 'steward_name', value: '   ' });
  t.match(f.message.id, /Metadata wajib "steward_name" \(nama pengelola data\) belum diisi/);
  t.match(f.message.en, /Required metadata "steward_name" \(data steward name\) is missing/);
  t.equal(only(check({ ...complete, title: undefined }).findings, 'MD_REQUIRED_MISSING').value, undefined);
  t.equal(only(check({ ...complete, title: null }).findings, 'MD_REQUIRED_MISSING').value, 'null');
  t.same(codes(check({ ...complete, indicators: [] }).findings), ['MD_REQUIRED_MISSING'], 'an empty list is missing');
});

t.test('placeholders', async (t) => {
  for (const text of ['-', '–', '—', 'n/a', 'N/A', 'na', 'NA', 'tidak ada', 'Tidak  Ada', 'xxx', 'XXXX', 'tbd', '…', '...', 'lorem ipsum', 'Lorem ipsum dolor sit amet', 'ab', 'a', '????', '0000', '  -  ']) {
    t.ok(isPlaceholder(text), JSON.stringify(text));
  }
  for (const text of ['BPS', 'Dinas Sosial', 'Ani', 'n/a data', 'abc', '2025']) t.notOk(isPlaceholder(text), JSON.stringify(text));

  const r = check({ ...complete, primary_source: 'n/a', title: 'xx' });
  t.same(codes(r.findings), ['MD_PLACEHOLDER', 'MD_PLACEHOLDER']);
  const f = r.findings[0]!;
  t.match(f, { severity: 'error', pointer: '/metadata/title', value: 'xx', message: { en: /holds only the placeholder "xx"/ } });
  t.match(f.hint?.id, /"-", "n\/a", "xxx"/);
  t.same(r.completeness.missing, ['title', 'primary_source']);
});

t.test('a placeholder in a recommended field costs completeness but raises nothing', async (t) => {
  const r = check({ ...complete, notes: '-', description: undefined });
  t.same(r.findings, []);
  t.same(r.completeness.recommended, { present: 1, total: 3 });
  t.same(r.completeness.missing, ['description', 'notes']);
  t.equal(r.completeness.score, 78, '2/3 + 1/3 × 1/3 = 77.8');
});

t.test('steward contact: e-mail or Indonesian phone', async (t) => {
  for (const ok of ['siti@dinsos.go.id', 'a.b+c@mail.co.id', '+62 812-3456-7890', '62 812 3456 7890', '081234567890', '0551-21234', '021 5550123', '08123456', '+62812345678901']) {
    t.ok(isStewardContact(ok), ok);
  }
  for (const bad of ['siti', 'siti@', '@dinsos.go.id', 'siti@dinsos', 'siti@dinsos.i', '0812', '+1 202 555 0100', '812345678', '0812-3456-7890-1234', '(0551) 21234', '0812 abc 7890', 'siti@dinsos.go.id / 0812345678', '+62812345678901234']) {
    t.notOk(isStewardContact(bad), bad);
  }
  const f = only(check({ ...complete, steward_contact: 'telp kantor' }).findings, 'MD_CONTACT_INVALID');
  t.match(f, { severity: 'error', pointer: '/metadata/steward_contact', value: 'telp kantor', hint: { en: /\+62, 62 or 0/ } });
  t.same(codes(check({ ...complete, steward_contact: '-' }).findings), ['MD_PLACEHOLDER'], 'a placeholder is reported as such, not as a bad contact');
});

t.test('choices', async (t) => {
  const r = check({ ...complete, update_schedule: 'yearly', access_classification: 'Terbuka' });
  t.same(codes(r.findings), ['MD_VALUE_INVALID', 'MD_VALUE_INVALID']);
  t.match(r.findings[0], { pointer: '/metadata/update_schedule', value: 'yearly', hint: { en: /tahunan, semesteran, triwulanan, bulanan, insidental/ } });
  t.match(r.findings[1]?.hint?.en, /terbuka, terbatas, tertutup/);
  t.same(r.completeness.missing, ['update_schedule', 'access_classification']);
  t.same(codes(check({ ...complete, update_schedule: 1 }).findings), ['MD_VALUE_INVALID']);
});

t.test('lists: type, items, periods, levels', async (t) => {
  const notList = only(check({ ...complete, indicators: 'PPKS-01, PPKS-06' }).findings, 'MD_VALUE_INVALID');
  t.match(notList, { pointer: '/metadata/indicators', message: { en: /must be a list/ } });
  const items = check({ ...complete, indicators: ['PPKS-01', '', 7] });
  t.same(
    items.findings.map((f) => f.pointer),
    ['/metadata/indicators/1', '/metadata/indicators/2'],
  );
  const periods = check({ ...complete, reference_periods: ['2024', '2024/2025', '2025-Q5'] });
  t.same(
    periods.findings.map((f) => [f.code, f.pointer, f.value]),
    [
      ['MD_VALUE_INVALID', '/metadata/reference_periods/1', '2024/2025'],
      ['MD_VALUE_INVALID', '/metadata/reference_periods/2', '2025-Q5'],
    ],
  );
  t.match(periods.findings[0]?.hint?.en, /Canonical forms/);
  const levels = check({ ...complete, estimation_levels: ['kota', 'desa'] });
  t.match(only(levels.findings, 'MD_VALUE_INVALID'), { pointer: '/metadata/estimation_levels/0', severity: 'error', hint: { en: /provinsi, kabkota, kecamatan, desa/ } });
  t.same(levels.completeness.missing, ['estimation_levels']);
  t.same(codes(check({ ...complete, estimation_levels: 'kabkota' }).findings), ['MD_VALUE_INVALID']);
  t.same(check({ ...complete, estimation_levels: [] }).completeness.missing, ['estimation_levels'], 'an empty optional list is simply absent');
});

t.test('text fields of the wrong type', async (t) => {
  const r = check({ ...complete, title: 12345, notes: { a: 1 } });
  t.same(codes(r.findings), ['MD_VALUE_INVALID', 'MD_VALUE_INVALID']);
  t.match(r.findings[0], { pointer: '/metadata/title', value: '12345', message: { en: /must be text/ } });
  t.same(r.completeness.missing, ['title', 'notes']);
});

t.test('composite indicators need their building blocks', async (t) => {
  const r = check({ ...complete, indicators: ['PPKS-01', 'IKESOS', 'IKS-02'] });
  const f = only(r.findings, 'MD_COMPOSITE_COMPONENTS');
  t.match(f, { severity: 'warning', pointer: '/metadata/indicators/1', value: 'IKESOS' });
  t.match(f.message.en, /built from IKS-01, IKS-03, which the dataset's indicator list does not name/);
  t.match(f.hint?.en, /SEPAKAT/);
  t.equal(r.completeness.score, 100, 'a warning does not cost completeness');
  t.same(check({ ...complete, indicators: ['IKESOS', 'IKS-01', 'IKS-02', 'IKS-03'] }).findings, []);
  t.same(codes(check({ ...complete, indicators: ['IKESOS', 7] }).findings), ['MD_VALUE_INVALID', 'MD_COMPOSITE_COMPONENTS']);
});

t.test('score weighs required 2/3 and recommended 1/3', async (t) => {
  const none = { ...complete, description: undefined, notes: undefined, estimation_levels: undefined };
  t.equal(check(none).completeness.score, 67);
  t.equal(check({ description: 'Ada deskripsi', notes: 'Ada catatan', estimation_levels: ['desa'] }).completeness.score, 33);
  const r = check({ ...complete, steward_contact: undefined, access_classification: undefined });
  t.same(r.completeness.required, { present: 7, total: 9 });
  t.equal(r.completeness.score, Math.round(((2 / 3) * 7) / 9 * 100 + 100 / 3));
  t.ok(Number.isInteger(r.completeness.score));
});
