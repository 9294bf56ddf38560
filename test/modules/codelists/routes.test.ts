import t from 'tap';
import { createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const { auth } = await ctx.login('consumer');

interface Summary {
  name: string;
  title_id: string;
  title_en: string;
  description_id: string;
  description_en: string;
  code_count: number;
}
interface Code {
  code: string;
  label_id: string;
  label_en: string;
  attributes: Record<string, unknown>;
}

t.test('GET /v1/codelists lists every codelist with its size', async (t) => {
  const res = await app.inject({ url: '/v1/codelists', headers: auth });
  t.equal(res.statusCode, 200);
  const lists = (res.json() as { data: Summary[] }).data;
  const byName = new Map(lists.map((l) => [l.name, l]));
  const expected: Record<string, number> = {
    measures: 5,
    units: 10,
    periods: 5,
    'obs-status': 17,
    'disaggregation-dimensions': 4,
    sex: 2,
    'age-group': 16,
    disability: 2,
    desil: 10,
    'agency-kinds': 16,
    'indicator-groups': 3,
  };
  for (const [name, count] of Object.entries(expected)) {
    t.equal(byName.get(name)?.code_count, count, `${name} has ${count} codes`);
  }
  t.same(
    lists.map((l) => l.name),
    [...lists.map((l) => l.name)].sort(),
    'ordered by name',
  );
  for (const l of lists) {
    t.ok(l.title_id.length > 0 && l.title_en.length > 0, `${l.name} is titled in both languages`);
    t.ok(l.description_id.length > 0 && l.description_en.length > 0, `${l.name} is described in both languages`);
    t.ok(l.code_count > 0, `${l.name} is not empty`);
  }
  t.match(byName.get('desil'), { title_id: 'Desil DTSEN', title_en: 'DTSEN decile' });
});

t.test('GET /v1/codelists/obs-status gives the SDMX codes with labels in both languages', async (t) => {
  const res = await app.inject({ url: '/v1/codelists/obs-status', headers: auth });
  t.equal(res.statusCode, 200);
  const body = res.json() as { name: string; title_id: string; title_en: string; codes: Code[] };
  t.equal(body.name, 'obs-status');
  t.equal(body.title_id, 'Status observasi');
  t.equal(body.title_en, 'Observation status');
  t.equal(body.codes.length, 17);
  const byCode = new Map(body.codes.map((c) => [c.code, c]));
  t.match(byCode.get('A'), { label_id: 'Nilai normal', label_en: 'Normal value' });
  t.match(byCode.get('E'), { label_id: 'Nilai estimasi', label_en: 'Estimated value' });
  t.match(byCode.get('P'), { label_id: 'Nilai sementara', label_en: 'Provisional value' });
  t.match(byCode.get('M'), { label_id: 'Hilang: data tidak mungkin ada', label_en: 'Missing value; data cannot exist' });
  t.equal(body.codes[0]?.code, 'A', 'codes keep their defined order');
  for (const c of body.codes) t.ok(c.label_id.length > 0 && c.label_en.length > 0, `${c.code} labelled in both languages`);
});

t.test('codes come in their defined order, not text order', async (t) => {
  const res = await app.inject({ url: '/v1/codelists/desil', headers: auth });
  t.equal(res.statusCode, 200);
  t.same(
    (res.json() as { codes: Code[] }).codes.map((c) => c.code),
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
  );
});

t.test('codelist attributes are returned as objects', async (t) => {
  const measures = (await app.inject({ url: '/v1/codelists/measures', headers: auth })).json() as { codes: Code[] };
  t.match(measures.codes.find((c) => c.code === 'jumlah'), { attributes: { value_type: 'integer', min: 0 } });
  t.match(measures.codes.find((c) => c.code === 'persentase'), { attributes: { value_type: 'decimal', min: 0, max: 100 } });

  const periods = (await app.inject({ url: '/v1/codelists/periods', headers: auth })).json() as { codes: Code[] };
  t.match(periods.codes.find((c) => c.code === 'triwulanan'), { attributes: { example: '2025-Q3' } });

  const dims = (await app.inject({ url: '/v1/codelists/disaggregation-dimensions', headers: auth })).json() as { codes: Code[] };
  t.same(dims.codes.map((c) => c.code), ['sex', 'age_group', 'disability', 'desil']);
  t.match(dims.codes.find((c) => c.code === 'age_group'), { attributes: { codelist: 'age-group' } });
});

t.test('every summarised codelist can be fetched and has code_count codes', async (t) => {
  const lists = ((await app.inject({ url: '/v1/codelists', headers: auth })).json() as { data: Summary[] }).data;
  for (const l of lists) {
    const res = await app.inject({ url: `/v1/codelists/${l.name}`, headers: auth });
    t.equal(res.statusCode, 200, l.name);
    t.equal((res.json() as { codes: Code[] }).codes.length, l.code_count, `${l.name} code count matches`);
  }
});

t.test('an unknown codelist is a 404 CODELIST_NOT_FOUND', async (t) => {
  const res = await app.inject({ url: '/v1/codelists/religions', headers: auth });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, 'CODELIST_NOT_FOUND');
  t.match(body.detail, /"religions"/);
});

t.test('a codelist name outside [a-z0-9-] is a 400', async (t) => {
  const res = await app.inject({ url: '/v1/codelists/Obs_Status', headers: auth });
  t.equal(res.statusCode, 400);
  t.match(res.json().errors, [{ location: 'path', pointer: '/name', code: 'pattern' }]);
});

t.test('codelists require a token', async (t) => {
  for (const url of ['/v1/codelists', '/v1/codelists/obs-status']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 401, url);
    t.equal(res.json().code, 'UNAUTHENTICATED');
  }
});
