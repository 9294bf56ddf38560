import t from 'tap';
import { sql } from 'kysely';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// A NIK written with separators is found wherever text goes in, refused, and never stored or
// echoed: not in the response, not in the stored findings or observations, not in the audit log.
const ctx = await createTestApp(t);
const { app, database } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
const producer = await ctx.login('producer', 'DINSOS-6571');
const created = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody });
const id = created.json().id as string;

// The NIKs this file sends. A check looks for these, separators or not, rather than for any
// NIK-shaped run: stored rows and responses carry UUIDs and ids whose digits can form one by
// chance (a CI run failed on such a row).
const sentNiks = ['3201234567890123', '3201234567890124', '3201234567890125', '3201234567890126'];

/** True when the text holds one of the sent NIKs, written with or without separators. */
function holdsSentNik(text: string): boolean {
  const joined = text.replace(/(?<=\d)[.\- \t\u00a0]+(?=\d)/gu, '');
  return sentNiks.some((nik) => joined.includes(nik));
}

/** Every stored text a NIK could have reached, each on its own. */
async function storedTexts(): Promise<string[]> {
  const rows = await sql<{ t: string | null }>`
    select note as t from observations
    union all select row_to_json(f)::text from findings f
    union all select row_to_json(a)::text from audit_log a
    union all select row_to_json(d)::text from datasets d`.execute(database.db);
  return rows.rows.flatMap((r) => (r.t === null ? [] : [r.t])).sort();
}

t.test('a push carrying NIKs with separators is rejected row by row, masked, and stores none of them', async (t) => {
  const observations = [
    { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 5, note: 'KPM an. Budi, NIK 3201.2345.6789.0123' },
    { indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: '3201 2345 6789 0124' },
    { indicator: 'PPKS-06', region: '65.71.02', period: '2025', value: 7, note: 'NIK 3201-2345 6789.0125' },
    { indicator: 'PPKS-06', region: '65.71.03', period: '2025', value: 9, note: 'Angka 1.234.567 untuk 65.71.03.1001, periode 2024-07-01 2025-06-30' },
  ];
  const res = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: producer.auth, payload: { observations } });
  t.equal(res.statusCode, 201);
  const report = res.json();
  t.equal(report.status, 'rejected');
  t.same(
    report.findings.filter((f: { code: string }) => f.code === 'IO_NIK_FORBIDDEN').map((f: { pointer: string; value: string }) => [f.pointer, f.value]),
    [
      ['/observations/0', 'KPM an. Budi, NIK 32**.****.****.0123'],
      ['/observations/1', '32** **** **** 0124'],
      ['/observations/2', 'NIK 32**-**** ****.0125'],
    ],
  );
  t.notOk(holdsSentNik(res.body), 'the report echoes none');
  const stored = await app.inject({ url: `/v1/datasets/${id}/versions/${report.version}/observations`, headers: producer.auth });
  t.same(
    stored.json().data.map((o: { region: string }) => o.region),
    ['65.71.03'],
    'only the ordinary row is kept',
  );

  const csv = 'indicator,region,period,value,note\nPPKS-06,65.71,2025,5,NIK 3201 2345 6789 0126\n';
  const fromCsv = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: { ...producer.auth, 'content-type': 'text/csv' }, payload: csv });
  t.match(fromCsv.json().findings, [{ code: 'IO_NIK_FORBIDDEN', row: 2, column: 'note', value: 'NIK 32** **** **** 0126' }]);
  t.notOk(holdsSentNik(fromCsv.body));
  t.notOk((await storedTexts()).some(holdsSentNik), 'nothing stored holds a NIK');
});

t.test('dataset metadata with a NIK is refused before anything is written, without quoting it', async (t) => {
  const before = await storedTexts();
  const create = await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: { ...datasetBody, steward_name: 'Budi (3201.2345.6789.0123)' } });
  t.equal(create.statusCode, 400);
  t.match(create.json(), { code: 'VALIDATION_FAILED', errors: [{ location: 'body', pointer: '/steward_name', code: 'nik-forbidden' }] });
  t.notOk(holdsSentNik(create.body));
  const patch = await app.inject({ method: 'PATCH', url: `/v1/datasets/${id}`, headers: { ...producer.auth, 'accept-language': 'en' }, payload: { notes: 'KPM 3201 2345 6789 0123', title: 'Data 3201-2345-6789-0124' } });
  t.equal(patch.statusCode, 400);
  t.same(
    patch
      .json()
      .errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`)
      .sort(),
    ['/notes nik-forbidden', '/title nik-forbidden'],
  );
  t.match(patch.json().errors[0].detail, /looks like a NIK/);
  t.notOk(holdsSentNik(patch.body));
  t.same(await storedTexts(), before, 'no dataset, no change, no audit entry');
  const ordinary = await app.inject({ method: 'PATCH', url: `/v1/datasets/${id}`, headers: producer.auth, payload: { notes: 'Angka 1.234.567 untuk 33.73.01.2001, periode 2024-07.' } });
  t.equal(ordinary.statusCode, 200, 'ordinary grouped numbers are fine');
});

t.test('metadata given to /v1/validate is checked the same way', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/validate',
    headers: producer.auth,
    payload: {
      metadata: { ...datasetBody, steward_contact: '3201.2345.6789.0123', lampiran: { daftar: ['NIK 3201 2345 6789 0124'] } },
      observations: [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 5 }],
    },
  });
  t.equal(res.statusCode, 200);
  t.match(
    res.json().findings.filter((f: { code: string }) => f.code === 'MD_NIK_FORBIDDEN'),
    [
      { principle: 'metadata', pointer: '/metadata/steward_contact', value: '32**.****.****.0123' },
      { pointer: '/metadata/lampiran/daftar/0', value: 'NIK 32** **** **** 0124' },
    ],
  );
  t.notOk(holdsSentNik(res.body));
});
