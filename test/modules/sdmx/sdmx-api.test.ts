import t, { type Test } from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { has, schemaDirectory } from '../../helpers/sdmx.js';
import { publishing, type Auth } from '../reconciliation/publishing.js';

// SDMX 2.1 REST over the reconciled figures: the same figures as /v1/figures, under the same
// rules, in messages that validate against the official schemas and that rsdmx reads.
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
await createAgency(ctx, 'DINSOS-3373', '33.73');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const salatiga = await ctx.login('producer', 'DINSOS-3373');
const { verifier, publish } = await publishing(ctx);
const consumer = await ctx.login('consumer');
const xmllint = await has('xmllint');
const rscript = (await has('Rscript')) && (await has('xmllint'));
const dir = await schemaDirectory(t);

const XML = 'application/vnd.sdmx.structurespecificdata+xml;version=2.1';
const get = (url: string, auth: Auth = consumer.auth, accept?: string) => app.inject({ url, headers: { ...auth, ...(accept ? { accept } : {}) } });

/** `REF_AREA|SEX|AGE|DISABILITY|TIME_PERIOD` → [OBS_VALUE or null, OBS_STATUS] from a structure-specific message grouped by TIME_PERIOD. */
function observationsOf(xml: string): Map<string, [string | null, string | undefined]> {
  const out = new Map<string, [string | null, string | undefined]>();
  const attrs = (tag: string) => Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  for (const series of xml.matchAll(/<Series ([^>]*?)\/?>(.*?)(<\/Series>|(?=<Series)|(?=<\/mes:DataSet))/g)) {
    const key = attrs(series[1]!);
    for (const obs of series[2]!.matchAll(/<Obs ([^>]*)\/>/g)) {
      const o = attrs(obs[1]!);
      out.set([key.REF_AREA, key.SEX, key.AGE, key.DISABILITY, o.TIME_PERIOD].join('|'), [o.OBS_VALUE ?? null, o.OBS_STATUS]);
    }
  }
  return out;
}

/** The same keys from /v1/figures, in SDMX form. */
async function pulled(query: string, auth: Auth = consumer.auth): Promise<Map<string, [string | null, string | undefined]>> {
  const res = await get(`/v1/figures?indicator=PPKS-06&limit=1000&${query}`, auth);
  const out = new Map<string, [string | null, string | undefined]>();
  for (const f of res.json().data as { region: string; period: string; value: string | null; disaggregation: Record<string, string> }[]) {
    const d = f.disaggregation;
    out.set([f.region.replaceAll('.', ''), d.sex ?? '_T', d.age_group?.replace('+', '_PLUS') ?? '_T', d.disability ?? '_T', f.period].join('|'), [f.value, undefined]);
  }
  return out;
}

const values = (m: Map<string, [string | null, string | undefined]>) => new Map([...m].map(([k, [v]]) => [k, v]));

async function validData(t: Test, xml: string, flow = 'PPKS-06', dimension = 'TIME_PERIOD') {
  if (!xmllint) return;
  const schema = await get(`/sdmx/2.1/schema/dataflow/SATUDATA/${flow}/1.0?dimensionAtObservation=${dimension}`, verifier.auth);
  t.equal(schema.statusCode, 200, schema.body);
  const namespace = `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SATUDATA:${flow}(1.0):ObsLevelDim:${dimension}`;
  const result = await dir.validate(xml, { namespace, text: schema.body });
  t.ok(result.ok, `the data message validates: ${result.output}`);
}

t.before(async () => {
  await publish(dinsos.auth, [
    { indicator: 'PPKS-06', region: '65.71', period: '2024', value: 90, obs_status: 'P' },
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128 },
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 70, sex: 'L' },
  ]);
  await publish(salatiga.auth, [{ indicator: 'PPKS-06', region: '33.73', period: '2025', value: 44 }], 'terbuka');
  // Two agencies disagree on 65.71 2023: the key is disputed.
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2023', value: 60 }]);
  await publish(dp3.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2023', value: 66 }]);
  // Only a closed dataset reports 2022: consumers never see it.
  await publish(dp3.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2022', value: 12 }], 'tertutup');
});

t.test('data: the same figures as /v1/figures, for consumers and for walidata', async (t) => {
  for (const auth of [consumer.auth, verifier.auth]) {
    const res = await get('/sdmx/2.1/data/SATUDATA,PPKS-06,1.0/all', auth);
    t.equal(res.statusCode, 200, res.body);
    t.equal(res.headers['content-type'], XML);
    t.same(values(observationsOf(res.body)), values(await pulled('', auth)));
    await validData(t, res.body);
  }
  const consumerView = observationsOf((await get('/sdmx/2.1/data/PPKS-06')).body);
  t.same(consumerView.get('6571|_T|_T|_T|2024'), ['90', 'P'], 'OBS_STATUS as the source agency reported it');
  t.same(consumerView.get('6571|_T|_T|_T|2025'), ['128', 'A']);
  t.same(consumerView.get('6571|L|_T|_T|2025'), ['70', 'A'], 'a breakdown is a key of its own');
  t.same(consumerView.get('6571|_T|_T|_T|2023'), [null, 'O'], 'a disputed key carries no value');
  t.notOk(consumerView.has('6571|_T|_T|_T|2022'), 'a consumer never sees a value only a tertutup dataset backs');
  const walidataView = observationsOf((await get('/sdmx/2.1/data/PPKS-06', verifier.auth)).body);
  t.same(walidataView.get('6571|_T|_T|_T|2022'), ['12', 'A'], 'a walidata does');

  const xml = (await get('/sdmx/2.1/data/PPKS-06/6571...')).body;
  t.match(xml, /<Obs TIME_PERIOD="2025" OBS_VALUE="128" OBS_STATUS="A" FIGURE_STATUS="final" UNIT_MEASURE="orang" METHOD="single-source" SOURCE_AGENCY="DINSOS-6571" SOURCE_VERSION="1"\/>/, 'provenance as attributes');
  t.match(xml, /<Obs TIME_PERIOD="2023" OBS_STATUS="O" FIGURE_STATUS="disputed" UNIT_MEASURE="orang" CONFLICT_ID="\d+"\/>/);
});

t.test('data queries: key, periods, updatedAfter, dimensionAtObservation, detail, asOf', async (t) => {
  const keys = async (url: string, auth: Auth = consumer.auth) => [...observationsOf((await get(url, auth)).body).keys()].sort();
  t.same(await keys('/sdmx/2.1/data/PPKS-06/3373...'), ['3373|_T|_T|_T|2025']);
  t.same(await keys('/sdmx/2.1/data/PPKS-06/3373+6571._T..?startPeriod=2025&endPeriod=2025'), ['3373|_T|_T|_T|2025', '6571|_T|_T|_T|2025']);
  t.same(await keys('/sdmx/2.1/data/PPKS-06/.L..'), ['6571|L|_T|_T|2025'], 'a breakdown code');
  t.same(await keys('/sdmx/2.1/data/PPKS-06/6571...?endPeriod=2024'), ['6571|_T|_T|_T|2023', '6571|_T|_T|_T|2024']);

  const latest = (await get('/v1/figures?indicator=PPKS-06&region=33.73')).json().data[0].valid_from as string;
  const before = new Date(Date.parse(latest) - 1).toISOString();
  t.same(await keys(`/sdmx/2.1/data/PPKS-06/all?updatedAfter=${encodeURIComponent(before)}`, verifier.auth), (await keys('/sdmx/2.1/data/PPKS-06', verifier.auth)).filter((k) => k >= '3373' && k < '3374' || k.endsWith('2023') || k.endsWith('2022')), 'figures served since');
  t.equal((await get(`/sdmx/2.1/data/PPKS-06/all?updatedAfter=${encodeURIComponent(new Date().toISOString())}`)).statusCode, 404, 'nothing changed since now');
  t.same(await keys(`/sdmx/2.1/data/PPKS-06/all?asOf=${encodeURIComponent(before)}`), (await keys('/sdmx/2.1/data/PPKS-06')).filter((k) => !k.startsWith('3373') && !k.endsWith('2023')), 'asOf: as served then');

  const flat = await get('/sdmx/2.1/data/PPKS-06/6571...?dimensionAtObservation=AllDimensions&detail=dataonly');
  t.match(flat.body, /<mes:DataSet [^>]*><Obs REF_AREA="6571" SEX="_T" AGE="_T" DISABILITY="_T" TIME_PERIOD="2023"\/>/);
  t.notMatch(flat.body, /<Series|OBS_STATUS/);
  await validData(t, flat.body, 'PPKS-06', 'AllDimensions');
  const byArea = await get('/sdmx/2.1/data/PPKS-06/all?dimensionAtObservation=REF_AREA&detail=serieskeysonly');
  t.match(byArea.body, /<Series SEX="_T" AGE="_T" DISABILITY="_T" TIME_PERIOD="2025"\/>/);
  await validData(t, byArea.body, 'PPKS-06', 'REF_AREA');
});

t.test('formats by Accept: SDMX-CSV, SDMX-JSON, 406 for anything else', async (t) => {
  const csv = await get('/sdmx/2.1/data/PPKS-06/6571...?endPeriod=2024', consumer.auth, 'application/vnd.sdmx.data+csv;version=1.0.0');
  t.equal(csv.headers['content-type'], 'application/vnd.sdmx.data+csv;version=1.0.0');
  t.same(csv.body.trim().split('\n'), [
    'DATAFLOW,REF_AREA,SEX,AGE,DISABILITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,FIGURE_STATUS,UNIT_MEASURE,METHOD,SOURCE_AGENCY,SOURCE_VERSION,CONFLICT_ID',
    `SATUDATA:PPKS-06(1.0),6571,_T,_T,_T,2023,,O,disputed,orang,,,,${csv.body.match(/disputed,orang,,,,(\d+)/)![1]}`,
    'SATUDATA:PPKS-06(1.0),6571,_T,_T,_T,2024,90,P,final,orang,single-source,DINSOS-6571,1,',
  ]);
  t.match((await get('/sdmx/2.1/data/PPKS-06/3373...?format=csv')).body.split('\n')[1], /^SATUDATA:PPKS-06\(1\.0\),3373,_T,_T,_T,2025,44,A,final,/, 'format=csv');
  t.match((await get('/sdmx/2.1/data/PPKS-06/3373...', consumer.auth, 'text/csv')).headers['content-type'], /csv/);

  const json = await get('/sdmx/2.1/data/PPKS-06/3373...', consumer.auth, 'application/vnd.sdmx.data+json;version=1.0.0');
  t.match(json.headers['content-type'], /^application\/vnd\.sdmx\.data\+json; ?version="?1\.0\.0"?/);
  const message = json.json();
  t.same(message.structure.dimensions.series[0].values, [{ id: '3373', name: 'Kota Salatiga' }]);
  t.same(message.dataSets[0].series['0:0:0:0'].observations['0'][0], 44);
  t.equal((await get('/sdmx/2.1/data/PPKS-06/3373...', consumer.auth, 'application/json')).json().dataSets.length, 1);

  for (const accept of ['application/vnd.sdmx.genericdata+xml;version=2.1', 'application/vnd.sdmx.structurespecificdata+xml;version=3.0', 'image/png', 'application/json;q=0, text/csv;q=0, application/xml;q=0']) {
    const refused = await get('/sdmx/2.1/data/PPKS-06', consumer.auth, accept);
    t.equal(refused.statusCode, 406, accept);
    t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(refused.json(), { code: 'NOT_ACCEPTABLE', detail: /application\/vnd\.sdmx\.data\+csv;version=1\.0\.0/ });
  }
  t.equal((await get('/sdmx/2.1/dataflow', consumer.auth, 'application/json')).statusCode, 406, 'structures come as SDMX-ML only');
  t.equal((await get('/sdmx/2.1/data/PPKS-06/3373...', consumer.auth, 'text/csv;q=0.5, application/xml')).headers['content-type'], XML, 'the higher q wins');
});

t.test('errors: 400, 401, 404 as problem+json', async (t) => {
  const status = async (url: string, auth: Auth | Record<string, never> = consumer.auth) => {
    const res = await app.inject({ url, headers: auth });
    if (res.statusCode >= 400) t.match(res.headers['content-type'], /application\/problem\+json/, url);
    return [res.statusCode, res.statusCode >= 400 ? res.json().code : undefined];
  };
  t.same(await status('/sdmx/2.1/data/PPKS-06/6571'), [400, 'SDMX_INVALID_KEY'], 'one part per dimension');
  t.same(await status('/sdmx/2.1/data/PPKS-06/all?dimensionAtObservation=FREQ'), [400, 'VALIDATION_FAILED']);
  t.same(await status('/sdmx/2.1/data/PPKS-06/all?startPeriod=2025-13'), [400, 'VALIDATION_FAILED']);
  t.same(await status('/sdmx/2.1/data/PPKS-06/all?detail=everything'), [400, 'VALIDATION_FAILED']);
  t.same(await status(`/sdmx/2.1/data/PPKS-06/all?asOf=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`), [400, 'VALIDATION_FAILED']);
  t.same(await status('/sdmx/2.1/data/PPKS-06/all', {}), [401, 'UNAUTHENTICATED']);
  t.same(await status('/sdmx/2.1/dataflow', {}), [401, 'UNAUTHENTICATED']);
  t.same(await status('/sdmx/2.1/data/NOPE-01'), [404, 'SDMX_NO_RESULTS'], 'unknown dataflow');
  t.same(await status('/sdmx/2.1/data/ECB,PPKS-06,1.0'), [404, 'SDMX_NO_RESULTS'], 'another agency');
  t.same(await status('/sdmx/2.1/data/PPKS-06/9999...'), [404, 'SDMX_NO_RESULTS'], 'no figure for the key');
  t.same(await status('/sdmx/2.1/data/PPKS-01'), [404, 'SDMX_NO_RESULTS'], 'an indicator without figures');
  t.same(await status('/sdmx/2.1/dataflow/SATUDATA/NOPE/1.0'), [404, 'SDMX_NO_RESULTS']);
  t.same(await status('/sdmx/2.1/dataflow/SATUDATA/PPKS-06/2.0'), [404, 'SDMX_NO_RESULTS']);
  t.same(await status('/sdmx/2.1/codelist/ECB/all/latest'), [404, 'SDMX_NO_RESULTS']);
  t.same(await status('/sdmx/2.1/categoryscheme'), [400, 'VALIDATION_FAILED'], 'a structure kind not served');
  t.same(await status('/sdmx/2.1/schema/dataflow/SATUDATA/NOPE/1.0'), [404, 'SDMX_NO_RESULTS']);
});

t.test('structures: dataflows, data structures, codelists, concepts; valid SDMX-ML', async (t) => {
  const flows = await get('/sdmx/2.1/dataflow');
  t.equal(flows.statusCode, 200);
  t.equal(flows.headers['content-type'], 'application/vnd.sdmx.structure+xml;version=2.1');
  t.equal((flows.body.match(/<str:Dataflow /g) ?? []).length, 41, 'one dataflow per indicator');
  const full = await get('/sdmx/2.1/dataflow/SATUDATA/PPKS-06/1.0?references=descendants');
  t.match(full.body, /<str:Dataflow id="PPKS-06" urn="urn:sdmx:org\.sdmx\.infomodel\.datastructure\.Dataflow=SATUDATA:PPKS-06\(1\.0\)"/);
  t.match(full.body, /<str:DataStructure id="DSD_PPKS-06"/);
  t.match(full.body, /<str:Code id="3373"><com:Annotations><com:Annotation><com:AnnotationTitle>33\.73<\/com:AnnotationTitle><com:AnnotationType>KEMENDAGRI_CODE<\/com:AnnotationType><\/com:Annotation><\/com:Annotations><com:Name xml:lang="id">Kota Salatiga<\/com:Name><com:Name xml:lang="en">Kota Salatiga<\/com:Name><str:Parent><Ref id="33"\/><\/str:Parent><\/str:Code>/);
  t.match(full.body, /<str:Codelist id="CL_AGE"[^]*<str:Code id="75_PLUS"><com:Annotations><com:Annotation><com:AnnotationTitle>75\+<\/com:AnnotationTitle>/);
  t.match(full.body, /<str:Codelist id="CL_OBS_STATUS"[^]*<str:Code id="O">/);
  t.match(full.body, /<str:ConceptScheme id="CS_SATUDATA"/);
  t.notMatch(full.body, /CL_DESIL|CL_INDICATOR/, 'only the codelists the structure uses');
  const dsdUp = await get('/sdmx/2.1/datastructure/SATUDATA/DSD_IKS-01/latest?references=parents');
  t.match(dsdUp.body, /<str:Dataflow id="IKS-01"/);
  t.match(dsdUp.body, /<str:Dimension id="DESIL" position="3">/);
  const codelists = await get('/sdmx/2.1/codelist/all/all/all');
  t.equal((codelists.body.match(/<str:Codelist /g) ?? []).length, 10);
  const concepts = await get('/sdmx/2.1/conceptscheme/SATUDATA/CS_SATUDATA/1.0?references=parents');
  t.equal((concepts.body.match(/<str:DataStructure /g) ?? []).length, 41);
  if (xmllint) {
    for (const res of [flows, full, dsdUp, codelists, concepts]) {
      const result = await dir.validate(res.body);
      t.ok(result.ok, result.output);
    }
  }
});

t.test('rsdmx reads the structures and the data, with the values of /v1/figures', { skip: !rscript && 'Rscript (r-cran-rsdmx) or xmllint is not installed' }, async (t) => {
  const files = {
    'flows.xml': (await get('/sdmx/2.1/dataflow')).body,
    'structure.xml': (await get('/sdmx/2.1/datastructure/SATUDATA/DSD_PPKS-06/1.0?references=children')).body,
    'areas.xml': (await get('/sdmx/2.1/codelist/SATUDATA/CL_AREA/1.0')).body,
    'data.xml': (await get('/sdmx/2.1/data/SATUDATA,PPKS-06,1.0/all')).body,
  };
  const out = await dir.rsdmx(
    `flows <- as.data.frame(readSDMX(file = "{flows.xml}", isURL = FALSE))
     cat("FLOW", flows[flows$id == "PPKS-06", "dsdRef"], nrow(flows), "\\n")
     areas <- as.data.frame(readSDMX(file = "{areas.xml}", isURL = FALSE), codelistId = "CL_AREA")
     cat("AREA", areas[areas$id == "3373", "label.id"], "\\n")
     s <- readSDMX(file = "{structure.xml}", isURL = FALSE)
     components <- as.data.frame(s@datastructures@datastructures[[1]]@Components)
     cat("DIMS", components[components$component %in% c("Dimension", "TimeDimension"), "conceptRef"], "\\n")
     sex <- as.data.frame(s@codelists, codelistId = "CL_SEX")
     cat("SEX", sort(sex$id), "\\n")
     d <- as.data.frame(readSDMX(file = "{data.xml}", isURL = FALSE))
     write.csv(d[, c("REF_AREA", "SEX", "AGE", "DISABILITY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS")], stdout(), row.names = FALSE, na = "")`,
    files,
  );
  t.match(out, /^FLOW DSD_PPKS-06 41 $/m, 'the dataflows');
  t.match(out, /^AREA Kota Salatiga $/m, 'the region codelist');
  t.match(out, /^DIMS REF_AREA SEX AGE DISABILITY TIME_PERIOD $/m, 'the data structure');
  t.match(out, /^SEX _T L P $/m, 'a breakdown codelist');
  const rows = out.slice(out.indexOf('"REF_AREA"')).trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const read = new Map(rows.map((r) => [r.slice(0, 5).join('|'), r[5] === '' ? null : r[5]!]));
  t.same(read, values(await pulled('')), 'rsdmx reads the values /v1/figures serves');
  t.same(rows.find((r) => r[4] === '2024')?.[6], 'P', 'and OBS_STATUS');
});
