import t from 'tap';
import type { Finding } from '../../../src/domain/finding.js';
import type { PushReport } from '../../../src/modules/versions/ingest.js';
import { csvRecord, toDataValue, type ExportableFigure } from '../../../src/modules/dhis2/export-rules.js';
import { unsupportedScheme } from '../../../src/modules/dhis2/id-schemes.js';
import { importSummary, valueIndex } from '../../../src/modules/dhis2/import-summary.js';
import { checkMapping, indexMapping, type Dhis2Mapping, type MappingContext } from '../../../src/modules/dhis2/mapping-rules.js';
import { fromDhis2Period, toDhis2Period } from '../../../src/modules/dhis2/periods.js';
import { csvPlace, jsonPlace, translateValue } from '../../../src/modules/dhis2/translate.js';

const mapping: Dhis2Mapping = {
  data_set: 'PPKS_TAHUNAN',
  kemendagri_org_units: true,
  data_elements: [
    { code: 'PPKS_ANAK_TERLANTAR', indicator: 'PPKS-06' },
    { code: 'PPKS_BALITA', indicator: 'PPKS-01' },
  ],
  category_option_combos: [
    { code: 'LAKI_LAKI', disaggregation: { sex: 'L' } },
    { code: 'PEREMPUAN', disaggregation: { sex: 'P' } },
  ],
  org_units: [{ code: 'KOTA_TARAKAN', region: '65.71' }],
};
const index = indexMapping(mapping);

t.test('DHIS2 periods read as canonical periods, and back', async (t) => {
  const cases: [string, string][] = [
    ['2024', '2024'],
    ['2024S1', '2024-S1'],
    ['2024S2', '2024-S2'],
    ['2024Q3', '2024-Q3'],
    ['202407', '2024-07'],
    ['202412', '2024-12'],
    ['202401', '2024-01'],
  ];
  for (const [dhis2, ours] of cases) {
    t.same(fromDhis2Period(dhis2), { ok: true, period: ours }, dhis2);
    t.equal(toDhis2Period(ours), dhis2, `${ours} goes back`);
  }
  for (const [text, type] of [
    ['20240315', 'Daily'],
    ['2024W10', 'Weekly'],
    ['2024WedW5', 'Weekly'],
    ['2024BiW3', 'BiWeekly'],
    ['202401B', 'BiMonthly'],
    ['2024AprilS1', 'SixMonthlyApril/SixMonthlyNov'],
    ['2024July', 'Financial year'],
    ['2024Oct', 'Financial year'],
  ]) {
    t.same(fromDhis2Period(text!), { ok: false, reason: 'unsupported', type }, `${text} is a DHIS2 period of another type`);
  }
  for (const text of ['2024Q5', '202413', '202400', '2024S3', '2024-07', '2024-Q3', '24', 'Q3 2024', '', '2024W60', '20241301']) {
    t.same(fromDhis2Period(text), { ok: false, reason: 'malformed' }, `${JSON.stringify(text)} is not a DHIS2 period`);
  }
});

t.test('id schemes: only CODE, with DHIS2 precedence', async (t) => {
  t.equal(unsupportedScheme({}), undefined, 'none given reads codes');
  t.equal(unsupportedScheme({ idScheme: 'CODE' }), undefined);
  t.equal(unsupportedScheme({ idScheme: 'code', dataElementIdScheme: 'Code' }), undefined, 'any case');
  t.same(unsupportedScheme({ idScheme: 'UID' }), { parameter: 'idScheme', scheme: 'UID' });
  t.same(unsupportedScheme({ idScheme: 'CODE', orgUnitIdScheme: 'NAME' }), { parameter: 'orgUnitIdScheme', scheme: 'NAME' });
  t.equal(unsupportedScheme({ idScheme: 'UID' }, { idScheme: 'CODE' }), undefined, "the payload's scheme wins over the query's");
  t.same(unsupportedScheme({ idScheme: 'CODE' }, { dataSetIdScheme: 'attribute:DnrLSdo4hMl' }), { parameter: 'dataSetIdScheme', scheme: 'attribute:DnrLSdo4hMl' });
  t.equal(unsupportedScheme({ idScheme: 'UID', dataElementIdScheme: 'CODE', orgUnitIdScheme: 'CODE', categoryOptionComboIdScheme: 'CODE', dataSetIdScheme: 'CODE' }), undefined, 'every specific scheme overrides the general one');
});

t.test('a data value becomes the observation it stands for', async (t) => {
  const { observation, findings } = translateValue({ dataElement: 'PPKS_ANAK_TERLANTAR', categoryOptionCombo: 'LAKI_LAKI', value: '128', comment: 'TKSK' }, { period: '2025', orgUnit: 'KOTA_TARAKAN' }, index, jsonPlace(3));
  t.same(findings, []);
  t.same(observation, { pointer: '/dataValues/3', indicator: 'PPKS-06', region: '65.71', period: '2025', value: '128', note: 'TKSK', sex: 'L' });

  const own = translateValue({ dataElement: 'PPKS_BALITA', period: '2025Q1', orgUnit: '65.71.01', categoryOptionCombo: 'default', attributeOptionCombo: 'default', value: 4 }, { period: '2024' }, index, csvPlace(7));
  t.same(own.observation, { row: 7, indicator: 'PPKS-01', region: '65.71.01', period: '2025-Q1', value: 4 }, "the value's own fields win; a Kemendagri code is its own org unit; default is the total");
  t.same(translateValue({ dataElement: 'PPKS_BALITA', value: '1' }, { period: '2025', orgUnit: '65.71' }, index, jsonPlace(0)).observation?.indicator, 'PPKS-01', 'no combo is the total');
});

t.test('what the mapping cannot read is reported, naming the value', async (t) => {
  const codes = (fs: Finding[]) => fs.map((f) => [f.code, f.value ?? null, f.pointer ?? f.row]);
  const bad = translateValue(
    { dataElement: 'PPKS_HILANG', period: '2024W10', orgUnit: 'PUSKESMAS_X', categoryOptionCombo: 'ANAK', attributeOptionCombo: 'FUNDING_A', value: '3', deleted: true },
    {},
    { ...index, kemendagriOrgUnits: false },
    jsonPlace(2),
  );
  t.equal(bad.observation, undefined);
  t.same(codes(bad.findings), [
    ['DHIS2_UNKNOWN_DATA_ELEMENT', 'PPKS_HILANG', '/dataValues/2/dataElement'],
    ['DHIS2_PERIOD_UNSUPPORTED', '2024W10', '/dataValues/2/period'],
    ['DHIS2_UNKNOWN_ORG_UNIT', 'PUSKESMAS_X', '/dataValues/2/orgUnit'],
    ['DHIS2_UNKNOWN_CATEGORY_OPTION_COMBO', 'ANAK', '/dataValues/2/categoryOptionCombo'],
    ['DHIS2_ATTRIBUTE_OPTION_COMBO_UNSUPPORTED', 'FUNDING_A', '/dataValues/2/attributeOptionCombo'],
    ['DHIS2_DELETE_UNSUPPORTED', 'true', '/dataValues/2/deleted'],
  ]);
  t.ok(bad.findings.every((f) => f.severity === 'error' && f.message.id && f.message.en));

  const missing = translateValue({ value: '1' }, {}, index, csvPlace(4));
  t.same(codes(missing.findings), [
    ['DHIS2_FIELD_MISSING', null, 4],
    ['DHIS2_FIELD_MISSING', null, 4],
    ['DHIS2_FIELD_MISSING', null, 4],
  ]);
  t.same(missing.findings.map((f) => f.column), ['dataelement', 'period', 'orgunit'], "CSV findings name DHIS2's columns");
  t.same(codes(translateValue({ dataElement: 'PPKS_BALITA', period: '2024-07', orgUnit: '65.71', value: '1' }, {}, index, jsonPlace(0)).findings), [['DHIS2_PERIOD_MALFORMED', '2024-07', '/dataValues/0/period']]);
  t.same(codes(translateValue({ dataElement: 'PPKS_BALITA', period: '2024', orgUnit: '65.71', value: '1', deleted: 'FALSE' }, {}, index, jsonPlace(0)).findings), [], 'deleted=false is fine');
  t.same(codes(translateValue({ dataElement: { uid: 'x' }, period: 2024, orgUnit: '65.71', value: '1' }, {}, index, jsonPlace(0)).findings), [['DHIS2_FIELD_MISSING', null, '/dataValues/0/dataElement']], 'a period may come as a JSON number; an object is no code');
});

t.test('mappings are checked against the dataset, codelists and regions', async (t) => {
  const context: MappingContext = {
    datasetIndicators: ['PPKS-01', 'PPKS-06'],
    jurisdiction: '65.71',
    codelists: new Map([['sex', new Set(['L', 'P'])], ['age-group', new Set(['0-4'])], ['disability', new Set()], ['desil', new Set(['1'])]]),
    existingRegions: new Set(['65.71', '65.71.01', '33.73']),
  };
  t.same(checkMapping(mapping, context), []);
  const errors = checkMapping(
    {
      ...mapping,
      data_elements: [
        { code: 'A', indicator: 'PPKS-06' },
        { code: 'A', indicator: 'PPKS-01' },
        { code: 'B', indicator: 'PPKS-06' },
        { code: 'C', indicator: 'IKS-12' },
      ],
      category_option_combos: [
        { code: 'X', disaggregation: { sex: 'Z' } },
        { code: 'Y', disaggregation: { desil: '1' } },
        { code: 'W', disaggregation: { sex: 'L' } },
        { code: 'V', disaggregation: { sex: 'L' } },
      ],
      org_units: [
        { code: 'O1', region: '33.73' },
        { code: 'O2', region: '99.99' },
      ],
    },
    context,
  );
  t.same(errors.map((e) => [e.pointer, e.code]), [
    ['/data_elements/1/code', 'duplicate'],
    ['/data_elements/2', 'duplicate'],
    ['/category_option_combos/3', 'duplicate'],
    ['/data_elements/3/indicator', 'unknown-code'],
    ['/category_option_combos/0/disaggregation/sex', 'unknown-code'],
    ['/category_option_combos/1/disaggregation', 'inconsistent'],
    ['/org_units/0/region', 'outside-jurisdiction'],
    ['/org_units/1/region', 'unknown-code'],
  ]);
  t.same(checkMapping({ ...mapping, org_units: [{ code: 'O1', region: '33.73' }] }, { ...context, jurisdiction: null }), [], 'a national agency maps any region');
});

function report(over: Omit<Partial<PushReport>, 'summary'> & { summary?: Partial<PushReport['summary']> }): PushReport {
  return {
    dataset_id: 'd',
    version: 1,
    status: 'submitted',
    dry_run: false,
    format: 'dhis2-json',
    content_sha256: 'x',
    findings: [],
    findings_truncated: false,
    ...over,
    summary: { rows_read: 3, accepted: 3, rejected: 0, errors: 0, warnings: 0, metadata_completeness: null, by_code: [], verdict: 'Diterima / accepted', ...over.summary },
  };
}

t.test('the import summary tells the report the way DHIS2 tells an import', async (t) => {
  t.same(importSummary(report({}), 3, { csvHeader: false, language: 'en' }), {
    responseType: 'ImportSummary',
    status: 'SUCCESS',
    description: 'Diterima / accepted.',
    importCount: { imported: 3, updated: 0, ignored: 0, deleted: 0 },
    conflicts: [],
    dataSetComplete: 'false',
  });
  const finding: Finding = { code: 'DHIS2_UNKNOWN_DATA_ELEMENT', severity: 'error', principle: 'kode-referensi', pointer: '/dataValues/2/dataElement', column: 'dataElement', value: 'X', message: { id: 'tidak dikenal', en: 'unknown' } };
  const rejected = importSummary(report({ status: 'rejected', findings: [finding], findings_truncated: true, summary: { rows_read: 2, accepted: 2, errors: 5, verdict: 'Ditolak / rejected' } }), 3, { csvHeader: false, language: 'id' });
  t.match(rejected, { status: 'ERROR', importCount: { imported: 0, ignored: 3 }, conflicts: [{ object: 'X', value: 'tidak dikenal', errorCode: 'DHIS2_UNKNOWN_DATA_ELEMENT', property: 'dataElement', indexes: [2] }] });
  t.match(rejected.description, /4 more findings/);
  const warned = importSummary(report({ findings: [{ ...finding, severity: 'warning', pointer: undefined, row: 5, value: undefined }] }), 3, { csvHeader: true, language: 'en' });
  t.match(warned, { status: 'WARNING', conflicts: [{ object: 'dataElement', indexes: [3] }] });
  t.equal(valueIndex({ row: 1 }, true), -1, 'the header row is no value');
  t.equal(valueIndex({ pointer: '/dataSet' }, false), undefined);
  t.notOk('indexes' in importSummary(report({ findings: [{ ...finding, pointer: '/dataSet' }] }), 3, { csvHeader: false, language: 'en' }).conflicts[0]!);
});

t.test('a reconciled figure goes out through the same mapping', async (t) => {
  const figure: ExportableFigure = { indicator_code: 'PPKS-06', region_code: '65.71', period: '2025-Q3', disagg_key: 'sex=L', value: '128', method: 'single-source', source_agency: 'DINSOS-6571', source_version: 2, valid_from: new Date('2026-02-10T03:00:00Z') };
  const value = toDataValue(figure, index)!;
  t.same(value, { dataElement: 'PPKS_ANAK_TERLANTAR', period: '2025Q3', orgUnit: 'KOTA_TARAKAN', categoryOptionCombo: 'LAKI_LAKI', value: '128', lastUpdated: '2026-02-10T03:00:00.000Z', comment: 'single-source: DINSOS-6571 v2' });
  t.same(csvRecord(value), ['PPKS_ANAK_TERLANTAR', '2025Q3', 'KOTA_TARAKAN', 'LAKI_LAKI', '', '128', '', '2026-02-10T03:00:00.000Z', 'single-source: DINSOS-6571 v2']);
  t.match(toDataValue({ ...figure, disagg_key: '', region_code: '65.71.01', method: 'manual', source_agency: null, source_version: null }, index), { orgUnit: '65.71.01', categoryOptionCombo: 'default', comment: 'manual: walidata' });
  t.equal(toDataValue({ ...figure, value: null }, index), null, 'a disputed key has no value');
  t.equal(toDataValue({ ...figure, disagg_key: 'age_group=0-4' }, index), null, 'a breakdown without a combo code');
  t.equal(toDataValue({ ...figure, indicator_code: 'IKS-12' }, index), null, 'an indicator without a data element');
  t.equal(toDataValue({ ...figure, region_code: '65.71.01' }, { ...index, kemendagriOrgUnits: false }), null, 'a region without an org unit code');
  const mappedTotal = indexMapping({ ...mapping, category_option_combos: [{ code: 'TOTAL', disaggregation: {} }] });
  t.equal(toDataValue({ ...figure, disagg_key: '' }, mappedTotal)?.categoryOptionCombo, 'TOTAL', 'a combo mapped to the total replaces default');
  t.same(mappedTotal.disaggregationOf.get('default'), {}, 'default still reads as the total');
});
