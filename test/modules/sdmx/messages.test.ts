import t from 'tap';
import { ALL_DIMENSIONS, dataNamespace, obsStatus, observationOf, sdmxCsv, sdmxJson, structureSpecificMessage, type FigureInput } from '../../../src/modules/sdmx/data-message.js';
import { dsdSchema } from '../../../src/modules/sdmx/dsd-schema.js';
import {
  CONCEPTS,
  codeId,
  compactRegion,
  dataflowOf,
  dataStructureOf,
  kemendagriRegion,
  METHOD_CODES,
  parseFlowRef,
  parseKey,
  type IndicatorEntry,
} from '../../../src/modules/sdmx/model.js';
import { structureMessage } from '../../../src/modules/sdmx/structure-message.js';
import { escapeXml } from '../../../src/modules/sdmx/xml.js';
import { has, schemaDirectory } from '../../helpers/sdmx.js';

const indicator: IndicatorEntry = {
  code: 'PPKS-06',
  name: 'Anak korban tindak kekerasan',
  name_en: 'Child victims of violence',
  unit: 'orang',
  measure: 'jumlah',
  periodicity: 'tahunan',
  disaggregations: ['sex', 'age_group'],
  definition: 'Anak <18 tahun & korban "kekerasan"',
  formula: null,
};
const dsd = dataStructureOf(indicator);
const prepared = new Date('2026-02-10T03:00:00Z');

const figure = (over: Partial<FigureInput>): FigureInput => ({
  region: '65.71',
  region_name: 'Kota Tarakan',
  period: '2025',
  disaggregation: {},
  status: 'final',
  value: '141',
  unit: 'orang',
  method: 'single-source',
  source: { agency: 'DINSOS-6571', version: 2 },
  conflict_id: null,
  obs_status: 'A',
  ...over,
});
const figures = [
  figure({}),
  figure({ period: '2024', value: '97.5', disaggregation: { sex: 'L', age_group: '75+' } }),
  figure({ region: '33.73', region_name: 'Kota Salatiga', status: 'disputed', value: null, method: null, source: null, conflict_id: '12', obs_status: 'O' }),
];
const observations = figures.map((f) => observationOf(f, dsd));

t.test('region codes travel compact and read back by the Kemendagri widths', async (t) => {
  t.equal(compactRegion('33.73'), '3373');
  t.equal(compactRegion('65.71.01.2001'), '6571012001');
  for (const code of ['65', '33.73', '65.71.01', '65.71.01.2001']) t.equal(kemendagriRegion(compactRegion(code)), code);
  for (const bad of ['6', '337', '65710', 'ab', '657101200112', '']) t.equal(kemendagriRegion(bad), undefined, bad);
});

t.test('codes become SDMX ids, references and keys parse', async (t) => {
  t.equal(codeId('75+'), '75_PLUS');
  t.equal(codeId('per 1.000 kelahiran hidup'), 'per_1_000_kelahiran_hidup');
  t.same(parseFlowRef('PPKS-06'), { flow: 'PPKS-06' });
  t.same(parseFlowRef('SATUDATA,PPKS-06,1.0'), { flow: 'PPKS-06' });
  t.same(parseFlowRef('SATUDATA,PPKS-06,latest'), { flow: 'PPKS-06' });
  t.equal(parseFlowRef('ECB,PPKS-06'), undefined);
  t.equal(parseFlowRef('SATUDATA,PPKS-06,2.0'), undefined);
  t.same(parseKey('all', dsd.dimensions), [null, null, null]);
  t.same(parseKey('3373+6571..75_PLUS', dsd.dimensions), [['3373', '6571'], null, ['75_PLUS']]);
  t.equal(parseKey('3373', dsd.dimensions), undefined, 'one part per dimension');
  t.match(escapeXml('a<b>&"\'\u0001'), 'a&lt;b&gt;&amp;&quot;&apos;');
});

t.test('OBS_STATUS: the source value status, E for a median, A for a walidata value, O for a disputed key', async (t) => {
  const candidates = [
    { agency: 'DINSOS-6571', version: 2, obs_status: 'P' },
    { agency: 'BPS-6571', version: 1, obs_status: 'A' },
  ];
  t.equal(obsStatus({ status: 'final', method: 'priority', source: { agency: 'DINSOS-6571', version: 2 } }, candidates), 'P');
  t.equal(obsStatus({ status: 'final', method: 'median', source: null }, candidates), 'E');
  t.equal(obsStatus({ status: 'final', method: 'manual', source: null }, candidates), 'A');
  t.equal(obsStatus({ status: 'disputed', method: null, source: null }, candidates), 'O');
});

t.test('observations carry the key, the value and provenance as attributes', async (t) => {
  t.same(observations[1], {
    key: { REF_AREA: '6571', SEX: 'L', AGE: '75_PLUS', TIME_PERIOD: '2024' },
    value: '97.5',
    attributes: { OBS_STATUS: 'A', FIGURE_STATUS: 'final', UNIT_MEASURE: 'orang', METHOD: 'single-source', SOURCE_AGENCY: 'DINSOS-6571', SOURCE_VERSION: '2' },
    labels: { REF_AREA: 'Kota Tarakan' },
  });
  t.same(observations[2]!.attributes, { OBS_STATUS: 'O', FIGURE_STATUS: 'disputed', UNIT_MEASURE: 'orang', CONFLICT_ID: '12' });
  t.equal(observations[2]!.value, null);
});

t.test('SDMX-CSV and SDMX-JSON', async (t) => {
  const q = { flow: 'PPKS-06', dsd, dimensionAtObservation: 'TIME_PERIOD', detail: 'full' as const };
  const csv = sdmxCsv(q, observations).trim().split('\n');
  t.equal(csv[0], 'DATAFLOW,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,FIGURE_STATUS,UNIT_MEASURE,METHOD,SOURCE_AGENCY,SOURCE_VERSION,CONFLICT_ID');
  t.equal(csv[1], 'SATUDATA:PPKS-06(1.0),6571,_T,_T,2025,141,A,final,orang,single-source,DINSOS-6571,2,');
  t.equal(csv[3], 'SATUDATA:PPKS-06(1.0),3373,_T,_T,2025,,O,disputed,orang,,,,12');
  t.same(sdmxCsv({ ...q, detail: 'dataonly' }, observations).split('\n')[0], 'DATAFLOW,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE');
  t.same(sdmxCsv({ ...q, detail: 'serieskeysonly' }, observations).trim().split('\n'), ['DATAFLOW,REF_AREA,SEX,AGE', 'SATUDATA:PPKS-06(1.0),6571,_T,_T', 'SATUDATA:PPKS-06(1.0),6571,L,75_PLUS', 'SATUDATA:PPKS-06(1.0),3373,_T,_T']);

  const json = sdmxJson({ id: 'x', prepared }, q, observations, indicator.name, { dataflow: '/sdmx/2.1/dataflow/SATUDATA/PPKS-06/1.0' });
  t.same(json.structure.dimensions.series.map((d) => [d.id, d.keyPosition]), [['REF_AREA', 0], ['SEX', 1], ['AGE', 2]]);
  t.same(json.structure.dimensions.observation, [{ id: 'TIME_PERIOD', name: 'TIME_PERIOD', keyPosition: 3, role: 'time', values: [{ id: '2025', name: '2025' }, { id: '2024', name: '2024' }] }]);
  t.same(json.structure.dimensions.series[0]!.values, [{ id: '6571', name: 'Kota Tarakan' }, { id: '3373', name: 'Kota Salatiga' }]);
  const series = json.dataSets[0]!.series as Record<string, { observations: Record<string, unknown[]> }>;
  t.same(series['0:0:0']!.observations['0'], [141, 0, 0, 0, 0, 0, 0, null]);
  t.same(series['1:0:0']!.observations['0'], [null, 1, 1, 0, null, null, null, 0]);
  const flat = sdmxJson({ id: 'x', prepared }, { ...q, dimensionAtObservation: ALL_DIMENSIONS, detail: 'dataonly' }, observations, indicator.name, { dataflow: '' });
  t.same(flat.dataSets[0]!.observations, { '0:0:0:0': [141], '0:1:1:1': [97.5], '1:0:0:0': [null] });
});

t.test('the messages validate against the official SDMX 2.1 schemas', { skip: !(await has('xmllint')) && 'xmllint is not installed' }, async (t) => {
  const { validate } = await schemaDirectory(t);
  const codes = async function* () {
    yield [{ id: '65', name: { id: 'Kalimantan Utara', en: 'Kalimantan Utara' }, annotations: { KEMENDAGRI_CODE: '65' } }];
    yield [{ id: '6571', name: { id: 'Kota Tarakan', en: 'Kota Tarakan' }, parent: '65', annotations: { KEMENDAGRI_CODE: '65.71' } }];
  };
  let structure = '';
  for await (const chunk of structureMessage(
    { id: 'IREF1', prepared },
    { dataflows: [dataflowOf(indicator)], codelists: [{ id: 'CL_AREA', name: { id: 'Wilayah', en: 'Areas' }, codes: codes() }, { id: 'CL_METHOD', name: { id: 'Metode', en: 'Methods' }, codes: METHOD_CODES }], concepts: [...CONCEPTS], dataStructures: [dsd] },
  ))
    structure += chunk;
  const checked = await validate(structure);
  t.ok(checked.ok, checked.output);
  t.match(structure, '<str:Code id="6571"><com:Annotations><com:Annotation><com:AnnotationTitle>65.71</com:AnnotationTitle><com:AnnotationType>KEMENDAGRI_CODE</com:AnnotationType>');
  t.match(structure, 'Anak &lt;18 tahun &amp; korban &quot;kekerasan&quot;');

  const allCodes = new Map<string, string[]>([
    ['CL_AREA', ['6571', '3373']],
    ['CL_SEX', ['L', 'P', '_T']],
    ['CL_AGE', ['75_PLUS', '_T']],
    ['CL_OBS_STATUS', ['A', 'O']],
    ['CL_FIGURE_STATUS', ['final', 'disputed']],
    ['CL_UNIT', ['orang']],
    ['CL_METHOD', METHOD_CODES.map((c) => c.id)],
  ]);
  for (const dimensionAtObservation of ['TIME_PERIOD', 'REF_AREA', ALL_DIMENSIONS]) {
    for (const detail of ['full', 'dataonly', 'serieskeysonly'] as const) {
      const q = { flow: 'PPKS-06', dsd, dimensionAtObservation, detail };
      const data = structureSpecificMessage({ id: 'D1', prepared }, q, observations);
      const result = await validate(data, { namespace: dataNamespace('PPKS-06', dimensionAtObservation), text: dsdSchema('PPKS-06', dsd, dimensionAtObservation, allCodes) });
      t.ok(result.ok, `${dimensionAtObservation} ${detail}: ${result.output}`);
    }
  }
  const bad = structureSpecificMessage({ id: 'D1', prepared }, { flow: 'PPKS-06', dsd, dimensionAtObservation: 'TIME_PERIOD', detail: 'full' }, [{ ...observations[0]!, attributes: { OBS_STATUS: 'Z' } }]);
  const refused = await validate(bad, { namespace: dataNamespace('PPKS-06', 'TIME_PERIOD'), text: dsdSchema('PPKS-06', dsd, 'TIME_PERIOD', allCodes) });
  t.notOk(refused.ok, 'a code outside its codelist fails: the schema really checks');
});
