import t from 'tap';
import { checkIndicator, EMPTY_METADATA, type IndicatorCandidate, type IndicatorReferences } from '../../../src/modules/indicators/indicator-rules.js';

const refs: IndicatorReferences = {
  codes: new Map<string, Set<string>>([
    ['indicator-groups', new Set(['ikesos', 'ppks', 'lainnya'])],
    ['measures', new Set(['jumlah', 'persentase', 'rasio', 'rata-rata', 'indeks'])],
    ['units', new Set(['orang', 'keluarga', 'persen'])],
    ['directions', new Set(['positive', 'negative'])],
    ['ikesos-dimensions', new Set(['perlindungan_sosial', 'jaminan_sosial'])],
    ['agency-kinds', new Set(['DINSOS', 'DINKES', 'BPS'])],
    ['periods', new Set(['tahunan', 'bulanan'])],
    ['disaggregation-dimensions', new Set(['sex', 'age_group', 'disability', 'desil'])],
  ]),
  indicatorExists: (code) => ['IKS-01', 'IKS-02', 'PPKS-01'].includes(code),
};

const metadata = EMPTY_METADATA;

function ppks(overrides: Partial<IndicatorCandidate> = {}): IndicatorCandidate {
  return {
    code: 'PPKS-99',
    name: 'Uji aturan',
    name_en: 'Rule test',
    group: 'ppks',
    measure: 'jumlah',
    unit: 'orang',
    valid_min: 0,
    valid_max: null,
    direction: null,
    dimension: null,
    source_agency_kinds: ['DINSOS'],
    periodicity: 'tahunan',
    disaggregations: ['sex', 'age_group'],
    metadata,
    ...overrides,
  };
}

function ikesos(overrides: Partial<IndicatorCandidate> = {}): IndicatorCandidate {
  return ppks({
    code: 'IKS-99',
    group: 'ikesos',
    measure: 'persentase',
    unit: 'persen',
    valid_min: 0,
    valid_max: 100,
    direction: 'positive',
    dimension: 'perlindungan_sosial',
    ...overrides,
  });
}

const summary = (c: IndicatorCandidate) => checkIndicator(c, refs).map((e) => `${e.pointer}|${e.code}`);

t.test('consistent entries pass', async (t) => {
  t.same(checkIndicator(ppks(), refs), []);
  t.same(checkIndicator(ikesos(), refs), []);
  t.same(checkIndicator(ppks({ valid_min: null, valid_max: null, source_agency_kinds: [], disaggregations: [] }), refs), []);
  t.same(checkIndicator(ppks({ valid_min: 5, valid_max: 5 }), refs), [], 'min equal to max is an ordered range');
});

t.test('every unknown code is reported with its own pointer and quoted value', async (t) => {
  const errors = checkIndicator(
    ppks({
      group: 'misc',
      measure: 'median',
      unit: 'kg',
      periodicity: 'harian',
      direction: 'up',
      dimension: 'kesehatan',
      source_agency_kinds: ['DINSOS', 'DINAS-X'],
      disaggregations: ['sex', 'religion'],
    }),
    refs,
  );
  t.same(
    errors.map((e) => e.pointer),
    ['/group', '/measure', '/unit', '/periodicity', '/direction', '/dimension', '/source_agency_kinds/1', '/disaggregations/1'],
  );
  t.ok(errors.every((e) => e.code === 'unknown-code' && e.location === 'body'));
  const unit = errors.find((e) => e.pointer === '/unit');
  t.equal(unit?.detail.en, '"kg" is not in units');
  t.equal(unit?.detail.id, '"kg" tidak ada dalam daftar units');
  t.match(errors.find((e) => e.pointer === '/source_agency_kinds/1')?.detail.en, /"DINAS-X" is not in agency-kinds/);
});

t.test('a codelist missing from refs means no code is valid for it', async (t) => {
  const bare: IndicatorReferences = { codes: new Map(), indicatorExists: () => false };
  t.same(
    checkIndicator(ppks({ source_agency_kinds: [], disaggregations: [] }), bare).map((e) => e.pointer),
    ['/group', '/measure', '/unit', '/periodicity'],
  );
});

t.test('valid_min above valid_max is inconsistent', async (t) => {
  const errors = checkIndicator(ppks({ valid_min: 10, valid_max: 2 }), refs);
  t.same(errors.map((e) => `${e.pointer}|${e.code}`), ['/valid_min|inconsistent']);
  t.equal(errors[0]?.detail.en, 'valid_min (10) is greater than valid_max (2)');
  t.equal(errors[0]?.detail.id, 'valid_min (10) lebih besar dari valid_max (2)');
});

t.test('a percentage must stay within 0–100', async (t) => {
  t.same(summary(ikesos({ valid_max: 150 })), ['/valid_max|inconsistent']);
  t.match(checkIndicator(ikesos({ valid_max: 150 }), refs)[0]?.detail.en, /within 0–100/);
  t.same(summary(ikesos({ valid_min: 0, valid_max: 100.0001 })), ['/valid_max|inconsistent']);
  t.same(summary(ikesos({ valid_min: null, valid_max: null })), [], 'open bounds default to 0–100');
  t.same(summary(ikesos({ valid_min: 20, valid_max: 80 })), []);
  t.same(summary(ikesos({ measure: 'rasio', valid_max: 2000 })), [], 'the 0–100 rule is for percentages only');
});

t.test('a negative lower bound on a percentage is reported at valid_min', async (t) => {
  t.same(summary(ikesos({ valid_min: -5, valid_max: 100 })), ['/valid_min|inconsistent']);
});

t.test('a count cannot have a negative lower bound', async (t) => {
  const errors = checkIndicator(ppks({ valid_min: -1 }), refs);
  t.same(errors.map((e) => `${e.pointer}|${e.code}`), ['/valid_min|inconsistent']);
  t.equal(errors[0]?.detail.en, 'a count cannot be negative');
  t.same(summary(ppks({ measure: 'indeks', valid_min: -1 })), [], 'an index may be negative');
});

t.test('an IKESOS indicator needs a dimension and a direction', async (t) => {
  t.same(summary(ikesos({ dimension: null })), ['/dimension|inconsistent']);
  t.same(summary(ikesos({ direction: null })), ['/direction|inconsistent']);
  t.match(checkIndicator(ikesos({ direction: null }), refs)[0]?.detail.en, /needs a dimension and a direction/);
  t.same(summary(ppks({ dimension: null, direction: null })), [], 'a PPKS category needs neither');
});

t.test('a composite names its building indicators, which must exist and not be itself', async (t) => {
  const composite = (indikator_pembangun: string[]) =>
    ikesos({ metadata: { ...metadata, indikator_komposit: true, indikator_pembangun } });

  const empty = checkIndicator(composite([]), refs);
  t.same(empty.map((e) => `${e.pointer}|${e.code}`), ['/metadata/indikator_pembangun|inconsistent']);
  t.match(empty[0]?.detail.en, /composite indicator must name its building indicators/);

  t.same(summary(composite(['IKS-01', 'IKS-02'])), []);
  t.same(summary(composite(['IKS-01', 'IKS-77'])), ['/metadata/indikator_pembangun/1|unknown-code']);
  t.match(checkIndicator(composite(['IKS-77']), refs)[0]?.detail.en, /"IKS-77" is not in indicators/);

  const self = checkIndicator(composite(['IKS-01', 'IKS-99']), refs);
  t.same(self.map((e) => `${e.pointer}|${e.code}`), ['/metadata/indikator_pembangun/1|inconsistent']);
  t.match(self[0]?.detail.en, /cannot be built from itself/);
});

t.test('building indicators are checked even when not flagged composite', async (t) => {
  const c = ppks({ metadata: { ...metadata, indikator_komposit: false, indikator_pembangun: ['NOPE-1'] } });
  t.same(summary(c), ['/metadata/indikator_pembangun/0|unknown-code']);
});

t.test('all problems are reported together', async (t) => {
  const errors = summary(ppks({ unit: 'kg', valid_min: 10, valid_max: 1, metadata: { ...metadata, indikator_komposit: true } }));
  t.same(errors, ['/unit|unknown-code', '/valid_min|inconsistent', '/metadata/indikator_pembangun|inconsistent']);
});
