import t from 'tap';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { until } from '../../helpers/live-server.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// A Dinas Sosial whose programme system runs DHIS2 pushes its data value sets unchanged: JSON
// and CSV shaped as DHIS2's Web API documentation shows them ("Sending data values", "Sending
// bulks of data values"), with codes (idScheme=CODE) read through the dataset's mapping.
const ctx = await createTestApp(t);
const { app, database } = ctx;
const db = database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINKES-6571', '65.71', 'DINKES');
await createAgency(ctx, 'DISKOMINFO-65', '65', 'DISKOMINFO');
await createAgency(ctx, 'DISKOMINFO-3373', '33.73', 'DISKOMINFO');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DINKES-6571');
const provinceWalidata = await ctx.login('walidata', 'DISKOMINFO-65');
const farWalidata = await ctx.login('walidata', 'DISKOMINFO-3373');
const verifier = await ctx.login('walidata');
const publisher = await ctx.login('walidata');
const consumer = await ctx.login('consumer');

const mapping = {
  data_set: 'PPKS_TAHUNAN',
  kemendagri_org_units: true,
  data_elements: [
    { code: 'PPKS_ANAK_KORBAN_KEKERASAN', indicator: 'PPKS-06' },
    { code: 'PPKS_BALITA_TERLANTAR', indicator: 'PPKS-01' },
  ],
  category_option_combos: [
    { code: 'LAKI_LAKI', disaggregation: { sex: 'L' } },
    { code: 'PEREMPUAN', disaggregation: { sex: 'P' } },
  ],
  org_units: [{ code: 'KOTA_TARAKAN', region: '65.71' }],
};

async function newDataset(classification = 'terbuka', withMapping = true): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, access_classification: classification } });
  const id = res.json().id as string;
  if (withMapping) {
    const put = await app.inject({ method: 'PUT', url: `/v1/datasets/${id}/dhis2/mapping`, headers: producer.auth, payload: mapping });
    if (put.statusCode !== 201) throw new Error(put.body);
  }
  return id;
}

// As the documentation's first example: one period and org unit for the set, values as text.
const documented = {
  dataSet: 'PPKS_TAHUNAN',
  completeDate: '2026-01-20',
  period: '2025',
  orgUnit: 'KOTA_TARAKAN',
  dataValues: [
    { dataElement: 'PPKS_ANAK_KORBAN_KEKERASAN', categoryOptionCombo: 'LAKI_LAKI', value: '128', comment: 'comment1' },
    { dataElement: 'PPKS_ANAK_KORBAN_KEKERASAN', categoryOptionCombo: 'PEREMPUAN', value: '97', comment: 'comment2' },
    { dataElement: 'PPKS_BALITA_TERLANTAR', value: '4' },
  ],
};

// As "Sending bulks of data values": period and org unit on each value.
const bulkCsv = [
  '"dataelement","period","orgunit","categoryoptioncombo","attributeoptioncombo","value"',
  '"PPKS_ANAK_KORBAN_KEKERASAN","2025","65.71.01","default","default","12"',
  '"PPKS_ANAK_KORBAN_KEKERASAN","2025","65.71.02","default","default","14"',
  '"PPKS_BALITA_TERLANTAR","2025","65.71.01","default","default","3"',
].join('\n') + '\n';

const pushJson = (id: string, payload: unknown, query = '', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets${query}`, headers: { ...producer.auth, ...headers }, payload: payload as object });
const pushCsv = (id: string, body: string, query = '', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets${query}`, headers: { ...producer.auth, 'content-type': 'application/csv', ...headers }, payload: body });
const versions = async (id: string) => (await sql<{ n: number }>`select count(*)::int as n from dataset_versions where dataset_id = ${id}`.execute(db)).rows[0]!.n;

t.test('the mapping: made and replaced by the agency or a walidata above it, audited; refused to others', async (t) => {
  const id = await newDataset('terbuka', false);
  const url = `/v1/datasets/${id}/dhis2/mapping`;
  const none = await app.inject({ url, headers: producer.auth });
  t.equal(none.statusCode, 404);
  t.equal(none.json().code, 'DHIS2_MAPPING_NOT_FOUND');
  t.equal((await pushJson(id, documented)).json().code, 'DHIS2_MAPPING_MISSING', 'no push without a mapping');

  const created = await app.inject({ method: 'PUT', url, headers: producer.auth, payload: mapping });
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json(), { ...mapping, updated_by: producer.clientId });
  const replaced = await app.inject({ method: 'PUT', url, headers: provinceWalidata.auth, payload: { ...mapping, org_units: [] } });
  t.equal(replaced.statusCode, 200, 'a walidata of the province above replaces it');
  t.same((await app.inject({ url, headers: verifier.auth })).json().org_units, []);
  const audit = await db.selectFrom('audit_log').select(['action', 'actor_id', 'before', 'after']).where('entity_id', '=', id).where('action', 'like', 'dhis2_mapping.%').orderBy('id').execute();
  t.match(audit, [
    { action: 'dhis2_mapping.created', actor_id: producer.clientId, before: null, after: { org_units: [{ code: 'KOTA_TARAKAN' }] } },
    { action: 'dhis2_mapping.replaced', actor_id: provinceWalidata.clientId, before: { org_units: [{ code: 'KOTA_TARAKAN' }] }, after: { org_units: [] } },
  ]);

  const refused = async (auth: { authorization: string } | Record<string, never>, status: number, code: string, payload: object = mapping) => {
    const res = await app.inject({ method: 'PUT', url, headers: auth, payload });
    t.equal(res.statusCode, status, res.body);
    t.equal(res.json().code, code);
  };
  await refused({}, 401, 'UNAUTHENTICATED');
  await refused(otherProducer.auth, 403, 'AGENCY_SCOPE_FORBIDDEN');
  await refused(farWalidata.auth, 403, 'OUTSIDE_JURISDICTION');
  await refused(consumer.auth, 403, 'FORBIDDEN');
  await refused(producer.auth, 400, 'VALIDATION_FAILED', { ...mapping, extra: true });
  await refused(producer.auth, 400, 'VALIDATION_FAILED', { ...mapping, data_elements: [{ code: 'x'.repeat(51), indicator: 'PPKS-06' }] });
  await refused(producer.auth, 422, 'REFERENCE_INVALID', { ...mapping, data_elements: [{ code: 'IKS', indicator: 'IKS-12' }], org_units: [{ code: 'SALATIGA', region: '33.73' }] });
  const bad = await app.inject({ method: 'PUT', url, headers: producer.auth, payload: { ...mapping, category_option_combos: [{ code: 'X', disaggregation: { sex: 'Z' } }] } });
  t.same(bad.json().errors.map((e: { pointer: string }) => e.pointer), ['/category_option_combos/0/disaggregation/sex']);
  t.equal((await app.inject({ url, headers: otherProducer.auth })).statusCode, 403, "another agency's producer may not read it");
  t.equal((await app.inject({ url: '/v1/datasets/00000000-0000-4000-8000-000000000000/dhis2/mapping', headers: producer.auth })).statusCode, 404);
  t.equal((await app.inject({ method: 'PUT', url: '/v1/datasets/00000000-0000-4000-8000-000000000000/dhis2/mapping', headers: producer.auth, payload: mapping })).json().code, 'DATASET_NOT_FOUND');
  t.equal(await db.selectFrom('audit_log').select('id').where('entity_id', '=', id).where('action', 'like', 'dhis2_mapping.%').execute().then((r) => r.length), 2, 'refusals wrote nothing');
});

t.test("the documentation's JSON data value set becomes a version, answered with an import summary", async (t) => {
  const id = await newDataset();
  const res = await pushJson(id, documented, '?idScheme=CODE', { 'accept-language': 'en' });
  t.equal(res.statusCode, 201, res.body);
  t.equal(res.headers.location, `/v1/datasets/${id}/versions/1`);
  t.match(res.json(), {
    httpStatus: 'Created',
    httpStatusCode: 201,
    status: 'OK',
    response: { responseType: 'ImportSummary', status: 'SUCCESS', importCount: { imported: 3, updated: 0, ignored: 0, deleted: 0 }, conflicts: [] },
    report: { dataset_id: id, version: 1, status: 'submitted', format: 'dhis2-json', summary: { rows_read: 3, accepted: 3, errors: 0 } },
  });
  const observations = await app.inject({ url: `/v1/datasets/${id}/versions/1/observations`, headers: producer.auth });
  t.same(
    observations.json().data.map((o: { indicator: string; region: string; period: string; value: string; disaggregation: object; note: string | null }) => [o.indicator, o.region, o.period, o.value, o.disaggregation, o.note]),
    [
      ['PPKS-06', '65.71', '2025', '128', { sex: 'L' }, 'comment1'],
      ['PPKS-06', '65.71', '2025', '97', { sex: 'P' }, 'comment2'],
      ['PPKS-01', '65.71', '2025', '4', {}, null],
    ],
  );
  t.match((await app.inject({ url: `/v1/datasets/${id}/versions/1`, headers: producer.auth })).json(), { format: 'dhis2-json', status: 'submitted' });
});

t.test("the documentation's bulk CSV becomes a version too", async (t) => {
  const id = await newDataset();
  const res = await pushCsv(id, bulkCsv);
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json(), { status: 'OK', response: { importCount: { imported: 3, ignored: 0 } }, report: { format: 'dhis2-csv', summary: { rows_read: 3, accepted: 3 } } });
  const noHeader = await pushCsv(id, bulkCsv.split('\n').slice(1).join('\n'), '?firstRowIsHeader=false', { 'content-type': 'text/csv' });
  t.match(noHeader.json(), { report: { version: 2, summary: { rows_read: 3 } } }, 'firstRowIsHeader=false reads the first row as data');
});

t.test('bad payloads: every value the mapping or the rules refuse is a conflict naming it, and the version is rejected', async (t) => {
  const id = await newDataset();
  const payload = {
    dataSet: 'PPKS_TAHUNAN',
    dataValues: [
      { dataElement: 'PPKS_ANAK_KORBAN_KEKERASAN', period: '2025', orgUnit: '65.71', value: '10' },
      { dataElement: 'PPKS_ANAK_HILANG', period: '2025', orgUnit: '65.71', value: '1' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '2025', orgUnit: 'PUSKESMAS_X', value: '1' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '2025', orgUnit: '65.71', categoryOptionCombo: 'UMUR_0_4', value: '1' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '2025Q5', orgUnit: '65.71', value: '1' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '2025W10', orgUnit: '65.71', value: '1' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '202507', orgUnit: '65.71', value: '1' },
      { dataElement: 'PPKS_ANAK_KORBAN_KEKERASAN', period: '2025', orgUnit: '65.71', value: '11' },
      { dataElement: 'PPKS_BALITA_TERLANTAR', period: '2025', orgUnit: '65.71.01', value: 'banyak' },
    ],
  };
  const res = await pushJson(id, payload, '', { 'accept-language': 'en' });
  t.equal(res.statusCode, 201, res.body);
  const body = res.json();
  t.match(body, { status: 'ERROR', response: { status: 'ERROR', importCount: { imported: 0, ignored: 9 } }, report: { status: 'rejected', version: 1 } });
  const conflicts = body.response.conflicts.map((c: { object: string; errorCode: string; indexes?: number[] }) => [c.errorCode, c.object, c.indexes]);
  t.same(conflicts, [
    ['DHIS2_UNKNOWN_DATA_ELEMENT', 'PPKS_ANAK_HILANG', [1]],
    ['DHIS2_UNKNOWN_CATEGORY_OPTION_COMBO', 'UMUR_0_4', [3]],
    ['DHIS2_PERIOD_MALFORMED', '2025Q5', [4]],
    ['DHIS2_PERIOD_UNSUPPORTED', '2025W10', [5]],
    // With Kemendagri codes as org unit codes, an unlisted org unit is checked as a region code.
    ['KR_REGION_MALFORMED', 'PUSKESMAS_X', [2]],
    // The same rules as any push: the period's fit to the indicator, the value, repeated keys.
    ['SD_PERIOD_PERIODICITY', '2025-07', [6]],
    ['SD_VALUE_NOT_NUMBER', 'banyak', [8]],
    ['IO_DUPLICATE_KEY', 'PPKS-06 · 65.71 · 2025', [7]],
  ]);
  t.ok(body.response.conflicts.every((c: { value: string }) => /[a-z]/.test(c.value)), 'each conflict says why');
  t.equal(body.report.summary.rejected, 8, 'every refused value counts as a rejected row');
  await app.inject({ method: 'PUT', url: `/v1/datasets/${id}/dhis2/mapping`, headers: producer.auth, payload: { ...mapping, kemendagri_org_units: false } });
  const listedOnly = await pushJson(id, { ...documented, orgUnit: '65.71' });
  t.same(listedOnly.json().response.conflicts.map((c: { errorCode: string; object: string }) => [c.errorCode, c.object]), Array(3).fill(['DHIS2_UNKNOWN_ORG_UNIT', '65.71']), 'only listed org units when Kemendagri codes are not org unit codes');
  const unknownSet = await pushJson(id, { ...documented, dataSet: 'OTHER_SET' });
  t.match(unknownSet.json().response.conflicts, [{ errorCode: 'DHIS2_UNKNOWN_DATA_SET', object: 'OTHER_SET' }]);

  const csv = await pushCsv(id, '"dataelement","period","orgunit","categoryoptioncombo","attributeoptioncombo","value"\n"PPKS_ANAK_HILANG","2025","KOTA_TARAKAN","","","1"\n"PPKS_BALITA_TERLANTAR","2024-07","KOTA_TARAKAN","","","1"\n');
  t.match(csv.json().response, { status: 'ERROR', importCount: { imported: 0, ignored: 2 } });
  t.same(csv.json().response.conflicts.map((c: { errorCode: string; property: string; indexes: number[] }) => [c.errorCode, c.property, c.indexes]), [
    ['DHIS2_UNKNOWN_DATA_ELEMENT', 'dataelement', [0]],
    ['DHIS2_PERIOD_MALFORMED', 'period', [1]],
  ]);
  const broken = await pushCsv(id, 'dataelement,period,orgunit\n"PPKS_BALITA_TERLANTAR,2025,65.71\n');
  t.match(broken.json().response.conflicts, [{ errorCode: 'IO_CSV_MALFORMED' }]);
});

t.test('refused requests: id schemes other than CODE, auth, unknown dataset, too large', async (t) => {
  const id = await newDataset();
  for (const [query, payload] of [
    ['?idScheme=UID', documented],
    ['?orgUnitIdScheme=NAME', documented],
    ['', { ...documented, dataElementIdScheme: 'UID' }],
  ] as const) {
    const res = await pushJson(id, payload, query);
    t.equal(res.statusCode, 400, query);
    t.equal(res.json().code, 'DHIS2_ID_SCHEME_UNSUPPORTED');
  }
  t.equal((await pushJson(id, documented, '?idScheme=UID&dataElementIdScheme=CODE&orgUnitIdScheme=CODE&categoryOptionComboIdScheme=CODE&dataSetIdScheme=CODE')).statusCode, 201, 'specific schemes win');
  t.equal((await pushJson(id, { dataValues: 'x' })).statusCode, 400);
  t.equal((await pushJson(id, documented, '?importStrategy=DELETE')).statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, payload: documented })).statusCode, 401);
  t.equal((await pushJson(id, documented, '', consumer.auth)).json().code, 'FORBIDDEN');
  t.equal((await pushJson(id, documented, '', provinceWalidata.auth)).json().code, 'FORBIDDEN');
  t.equal((await pushJson(id, documented, '', otherProducer.auth)).json().code, 'AGENCY_SCOPE_FORBIDDEN');
  t.equal((await pushJson('00000000-0000-4000-8000-000000000000', documented)).statusCode, 404);
  const xml = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, headers: { ...producer.auth, 'content-type': 'application/xml' }, payload: '<dataValueSet/>' });
  t.equal(xml.statusCode, 415);
  t.equal(await versions(id), 1, 'only the accepted push made a version');
});

t.test('payloads past a limit: 413, nothing stored', async (t) => {
  const small = await createTestApp(t, { UPLOAD_LIMIT_BYTES: '4096', PUSH_MAX_COLUMNS: '12', PUSH_MAX_CELL_BYTES: '256' });
  await createAgency(small, 'DINSOS-6571', '65.71');
  const p = await small.login('producer', 'DINSOS-6571');
  const created = await small.app.inject({ method: 'POST', url: '/v1/datasets', headers: p.auth, payload: datasetBody });
  const id = created.json().id as string;
  await small.app.inject({ method: 'PUT', url: `/v1/datasets/${id}/dhis2/mapping`, headers: p.auth, payload: mapping });
  const many = Array.from({ length: 120 }, (_, i) => ({ dataElement: 'PPKS_BALITA_TERLANTAR', period: `${2000 + i}`, orgUnit: '65.71', value: '1' }));
  const json = await small.app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, headers: p.auth, payload: { dataValues: many } });
  t.equal(json.statusCode, 413, json.body);
  const csvBody = ['dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value', ...many.map((v) => `${v.dataElement},${v.period},${v.orgUnit},,,1`)].join('\n');
  const csv = await small.app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, headers: { ...p.auth, 'content-type': 'text/csv' }, payload: csvBody });
  t.equal(csv.statusCode, 413, csv.body);
  t.equal(csv.json().code, 'PAYLOAD_TOO_LARGE');
  const header = 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n';
  const wide = await small.app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, headers: { ...p.auth, 'content-type': 'text/csv' }, payload: `${header}PPKS_BALITA_TERLANTAR,2025,65.71,,,1${',x'.repeat(12)}\n` });
  t.match(wide.json(), { status: 413, code: 'TOO_MANY_COLUMNS' });
  const big = await small.app.inject({ method: 'POST', url: `/v1/datasets/${id}/dhis2/dataValueSets`, headers: { ...p.auth, 'content-type': 'text/csv' }, payload: `${header}PPKS_BALITA_TERLANTAR,2025,65.71,,,1,,,${'x'.repeat(300)}\n` });
  t.match(big.json(), { status: 413, code: 'CELL_TOO_LARGE' });
  t.equal((await sql<{ n: number }>`select count(*)::int as n from dataset_versions`.execute(small.database.db)).rows[0]!.n, 0);
});

t.test('idempotent replay, dry run and a job, as for any push', async (t) => {
  const id = await newDataset();
  const first = await pushCsv(id, bulkCsv, '', { 'idempotency-key': 'dhis2-run-1' });
  t.equal(first.statusCode, 201);
  const again = await pushCsv(id, bulkCsv, '', { 'idempotency-key': 'dhis2-run-1' });
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json(), 'the same answer, summary counted again from the payload');
  t.equal((await pushCsv(id, bulkCsv.replace('"12"', '"13"'), '', { 'idempotency-key': 'dhis2-run-1' })).json().code, 'IDEMPOTENCY_KEY_REUSED');
  const json = await pushJson(id, documented, '', { 'idempotency-key': 'dhis2-run-2' });
  t.same((await pushJson(id, documented, '', { 'idempotency-key': 'dhis2-run-2' })).json(), json.json());
  t.equal(await versions(id), 2);

  const dry = await pushJson(id, documented, '?dryRun=true');
  t.equal(dry.statusCode, 200);
  t.match(dry.json(), { httpStatus: 'OK', httpStatusCode: 200, response: { importCount: { imported: 3 } }, report: { dry_run: true, version: null } });
  t.equal(await versions(id), 2, 'a dry run stores nothing');

  const job = await pushJson(id, documented, '?async=true');
  t.equal(job.statusCode, 202, job.body);
  t.equal(job.headers.location, `/v1/jobs/${job.json().job_id}`);
  const done = await until(async () => {
    const res = await app.inject({ url: job.headers.location as string, headers: producer.auth });
    return res.json().status !== 'running' && res.json();
  });
  t.match(done, { status: 'succeeded', version: 3, report: { format: 'dhis2-json', summary: { accepted: 3 } } });
  const preferred = await pushCsv(id, bulkCsv, '', { prefer: 'respond-async', 'idempotency-key': 'dhis2-job' });
  t.equal(preferred.headers['preference-applied'], 'respond-async');
  await until(async () => (await app.inject({ url: preferred.headers.location as string, headers: producer.auth })).json().status === 'succeeded');
  const jobAgain = await pushCsv(id, bulkCsv, '', { prefer: 'respond-async', 'idempotency-key': 'dhis2-job' });
  t.equal(jobAgain.statusCode, 202, 'a key answered with a job answers with the same job');
  t.equal(jobAgain.headers['idempotent-replayed'], 'true');
  t.equal(jobAgain.headers.location, preferred.headers.location);
  t.same(jobAgain.json(), preferred.json());
});

t.test('round trip: pushed as DHIS2, published, exported back as a data value set', async (t) => {
  const id = await newDataset();
  const pushed = await pushJson(id, documented);
  const version = pushed.json().report.version as number;
  const review = (action: string, auth: { authorization: string }) => app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/${version}/review`, headers: auth, payload: { action } });
  t.equal((await review('verify', verifier.auth)).statusCode, 200);
  t.equal((await review('publish', publisher.auth)).statusCode, 200);

  const url = `/v1/datasets/${id}/dhis2/dataValueSets`;
  const exported = await app.inject({ url: `${url}?idScheme=CODE`, headers: consumer.auth });
  t.equal(exported.statusCode, 200, exported.body);
  const values = exported.json().dataValues as { dataElement: string; period: string; orgUnit: string; categoryOptionCombo: string; value: string; comment: string }[];
  t.equal(exported.json().dataSet, 'PPKS_TAHUNAN');
  const key = (v: (typeof values)[number]) => [v.dataElement, v.period, v.orgUnit, v.categoryOptionCombo, v.value];
  t.same(values.map(key).sort(), [
    ['PPKS_ANAK_KORBAN_KEKERASAN', '2025', 'KOTA_TARAKAN', 'LAKI_LAKI', '128'],
    ['PPKS_ANAK_KORBAN_KEKERASAN', '2025', 'KOTA_TARAKAN', 'PEREMPUAN', '97'],
    ['PPKS_BALITA_TERLANTAR', '2025', 'KOTA_TARAKAN', 'default', '4'],
  ]);
  t.match(values[0]!.comment, /DINSOS-6571 v1/);

  // What went out comes back in: the export is a payload this endpoint (and DHIS2) takes.
  const back = await pushJson(id, exported.json(), '?dryRun=true');
  t.match(back.json(), { response: { status: 'SUCCESS', importCount: { imported: 3 } } });

  const csv = await app.inject({ url, headers: { ...consumer.auth, accept: 'application/csv' } });
  t.match(csv.headers['content-type'], /text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.equal(lines[0], 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment');
  t.equal(lines.length, 4);
  const roundCsv = await pushCsv(id, csv.body, '?dryRun=true');
  t.match(roundCsv.json(), { response: { status: 'SUCCESS', importCount: { imported: 3 } } }, 'the CSV export reads back too');

  const filtered = async (query: string) => (await app.inject({ url: `${url}?${query}`, headers: producer.auth })).json();
  t.equal((await filtered('period=2025&orgUnit=KOTA_TARAKAN')).dataValues.length, 3);
  t.equal((await filtered('period=2024')).dataValues.length, 0);
  t.equal((await filtered('orgUnit=65.71.01&children=true')).dataValues.length, 0);
  t.equal((await filtered('period=2025Q5')).code, 'VALIDATION_FAILED');
  t.match(await filtered('orgUnit=NOWHERE'), { code: 'VALIDATION_FAILED', errors: [{ pointer: '/orgUnit/0' }] }, 'neither listed nor a Kemendagri code');
  t.equal((await filtered('idScheme=UID')).code, 'DHIS2_ID_SCHEME_UNSUPPORTED');
  t.equal((await app.inject({ url })).statusCode, 401);

  const closed = await newDataset('terbatas');
  t.equal((await app.inject({ url: `/v1/datasets/${closed}/dhis2/dataValueSets`, headers: consumer.auth })).statusCode, 404, 'a consumer does not see a terbatas dataset');
  const unmapped = await newDataset('terbuka', false);
  t.equal((await app.inject({ url: `/v1/datasets/${unmapped}/dhis2/dataValueSets`, headers: consumer.auth })).json().code, 'DHIS2_MAPPING_MISSING');
});
