import t from 'tap';
import { createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
const walidata = await ctx.login('walidata');
const { auth } = walidata;
const reader = (await ctx.login('consumer')).auth;

const METADATA_KEYS = [
  'dapat_diakses_umum',
  'definisi',
  'indikator_komposit',
  'indikator_pembangun',
  'interpretasi',
  'klasifikasi_penyajian',
  'konsep',
  'level_estimasi',
  'metode_perhitungan',
  'rujukan',
  'sumber_data',
];

interface Indicator {
  code: string;
  name: string;
  name_en: string;
  group: string;
  measure: string;
  unit: string;
  value_type: string;
  valid_min: number | null;
  valid_max: number | null;
  direction: string | null;
  dimension: string | null;
  source_agency_kinds: string[];
  periodicity: string;
  disaggregations: string[];
  metadata: Record<string, unknown> & { indikator_pembangun: string[] };
  metadata_completeness: { score: number; required: { present: number; total: number }; missing: string[] };
  created_at: string;
  updated_at: string;
}
interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: { location: string; pointer: string; code: string; detail: string }[];
}
interface AuditEntry {
  action: string;
  actor_id: string | null;
  actor_role: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}

function newIndicator(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: 'PPKS-27',
    name: 'Anak Korban Perundungan',
    name_en: 'Child victims of bullying',
    group: 'ppks',
    measure: 'jumlah',
    unit: 'orang',
    valid_min: 0,
    source_agency_kinds: ['DINSOS', 'DP3AP2KB'],
    periodicity: 'tahunan',
    disaggregations: ['sex', 'age_group'],
    metadata: { definisi: 'Anak usia 0-17 tahun yang menjadi korban perundungan.', dapat_diakses_umum: true },
    ...overrides,
  };
}

function newIkesos(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return newIndicator({
    code: 'IKS-90',
    name: 'Cakupan Bantuan Sosial',
    name_en: 'Social assistance coverage',
    group: 'ikesos',
    measure: 'persentase',
    unit: 'persen',
    valid_min: 0,
    valid_max: 100,
    direction: 'positive',
    dimension: 'perlindungan_sosial',
    source_agency_kinds: ['DINSOS'],
    disaggregations: ['sex', 'desil'],
    metadata: {},
    ...overrides,
  });
}

function post(payload: Record<string, unknown>, headers: Record<string, string> = auth) {
  return app.inject({ method: 'POST', url: '/v1/indicators', headers, payload });
}

function patch(code: string, payload: unknown, headers: Record<string, string> = auth) {
  return app.inject({ method: 'PATCH', url: `/v1/indicators/${code}`, headers, payload: payload as Record<string, unknown> });
}

async function get(code: string): Promise<Indicator> {
  const res = await app.inject({ url: `/v1/indicators/${code}`, headers: reader });
  if (res.statusCode !== 200) throw new Error(`GET ${code} → ${res.statusCode}: ${res.body}`);
  return res.json() as Indicator;
}

async function list(query = ''): Promise<Indicator[]> {
  const res = await app.inject({ url: `/v1/indicators?${query}`, headers: reader });
  if (res.statusCode !== 200) throw new Error(`GET /v1/indicators?${query} → ${res.statusCode}: ${res.body}`);
  return (res.json() as { data: Indicator[] }).data;
}

async function audit(code: string): Promise<AuditEntry[]> {
  const res = await app.inject({ url: `/v1/audit-log?entity_type=indicator&entity_id=${code}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`audit → ${res.statusCode}: ${res.body}`);
  return (res.json() as { data: AuditEntry[] }).data;
}

const pointers = (p: Problem) => (p.errors ?? []).map((e) => e.pointer);

// ---------------------------------------------------------------- reading the catalogue

t.test('the catalogue starts with 15 IKESOS indicators and 26 PPKS categories', async (t) => {
  const all = await list();
  t.equal(all.length, 41);
  const ikesos = all.filter((i) => i.code.startsWith('IKS-'));
  const ppks = all.filter((i) => i.code.startsWith('PPKS-'));
  t.equal(ikesos.length, 15);
  t.equal(ppks.length, 26);
  t.ok(ikesos.every((i) => i.group === 'ikesos'), 'IKS-* are in group ikesos');
  t.ok(ppks.every((i) => i.group === 'ppks'), 'PPKS-* are in group ppks');
  t.same(all.map((i) => i.code), [...ikesos, ...ppks].map((i) => i.code), 'ordered by code');
});

t.test('every catalogue entry carries the MS-Ind metadata and Satu Data standard fields', async (t) => {
  for (const i of await list()) {
    t.same(Object.keys(i.metadata).sort(), METADATA_KEYS, `${i.code} metadata keys`);
    t.equal(i.metadata.indikator_komposit, false);
    t.same(i.metadata.indikator_pembangun, []);
    t.equal(i.periodicity, 'tahunan');
    t.ok(i.source_agency_kinds.length > 0, `${i.code} names a producing agency kind`);
    t.equal(i.value_type, i.measure === 'jumlah' ? 'integer' : 'decimal', `${i.code} value_type follows its measure`);
    if (i.group === 'ikesos') {
      t.ok(i.direction !== null && i.dimension !== null, `${i.code} has a direction and dimension`);
      t.same(i.disaggregations, ['sex', 'desil']);
    } else {
      t.equal(i.direction, null);
      t.equal(i.dimension, null);
      t.same(i.disaggregations, ['sex', 'age_group', 'disability']);
      t.equal(i.valid_min, 0, `${i.code} counts start at 0`);
    }
  }
});

t.test('filter by group', async (t) => {
  const ikesos = await list('group=ikesos');
  t.equal(ikesos.length, 15);
  t.ok(ikesos.every((i) => i.group === 'ikesos'));
  const ppks = await list('group=ppks');
  t.equal(ppks.length, 26);
  t.ok(ppks.every((i) => i.group === 'ppks'));
  t.same(await list('group=lainnya'), []);
});

t.test('filter by IKESOS dimension', async (t) => {
  t.same((await list('dimension=jaminan_sosial')).map((i) => i.code), ['IKS-03', 'IKS-04']);
  t.same((await list('dimension=rehabilitasi_sosial')).map((i) => i.code), ['IKS-14']);
  t.same((await list('group=ppks&dimension=jaminan_sosial')).map((i) => i.code), [], 'filters combine');
});

t.test('filter by source agency kind', async (t) => {
  const dinkes = await list('source_agency_kind=DINKES');
  t.same(dinkes.map((i) => i.code), ['IKS-03', 'IKS-07', 'IKS-08', 'PPKS-16']);
  t.ok(dinkes.every((i) => i.source_agency_kinds.includes('DINKES')));
  t.same((await list('source_agency_kind=BPS')).map((i) => i.code), ['IKS-12']);
  t.same(await list('source_agency_kind=DINK'), [], 'whole codes only');
  t.same((await list('group=ikesos&source_agency_kind=DINKES')).map((i) => i.code), ['IKS-03', 'IKS-07', 'IKS-08']);
});

t.test('the list pages with a cursor', async (t) => {
  const seen: string[] = [];
  let query = 'limit=10';
  for (let i = 0; i < 10; i++) {
    const res = await app.inject({ url: `/v1/indicators?${query}`, headers: reader });
    t.equal(res.statusCode, 200);
    const body = res.json() as { data: Indicator[]; page: { next_cursor: string | null; limit: number } };
    t.ok(body.data.length <= 10);
    seen.push(...body.data.map((x) => x.code));
    if (body.page.next_cursor === null) break;
    query = `limit=10&cursor=${body.page.next_cursor}`;
  }
  t.equal(seen.length, 41);
  t.equal(new Set(seen).size, 41, 'no duplicates');

  const bad = await app.inject({ url: '/v1/indicators?cursor=%%%', headers: reader });
  t.equal(bad.statusCode, 400);
  const unknown = await app.inject({ url: '/v1/indicators?sort=code', headers: reader });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().errors, [{ location: 'query', pointer: '/sort' }]);
});

t.test('GET one indicator', async (t) => {
  const res = await app.inject({ url: '/v1/indicators/IKS-07', headers: reader });
  t.equal(res.statusCode, 200);
  const i = res.json() as Indicator;
  t.match(i, {
    code: 'IKS-07',
    name: 'Angka Kematian Ibu',
    name_en: 'Maternal mortality ratio',
    group: 'ikesos',
    measure: 'rasio',
    unit: 'per 100.000 kelahiran hidup',
    value_type: 'decimal',
    valid_min: 0,
    valid_max: 2000,
    direction: 'negative',
    dimension: 'aksesibilitas_layanan_dasar',
    source_agency_kinds: ['DINKES'],
    periodicity: 'tahunan',
    disaggregations: ['sex', 'desil'],
  });
  t.type(i.valid_max, 'number', 'numeric bounds are JSON numbers, not strings');
  t.same(Object.keys(i.metadata).sort(), METADATA_KEYS);
  t.ok(!Number.isNaN(Date.parse(i.created_at)));

  const ppks = await get('PPKS-25');
  t.match(ppks, { unit: 'keluarga', measure: 'jumlah', value_type: 'integer', valid_min: 0, valid_max: null });
});

t.test('GET an unknown indicator is a 404', async (t) => {
  const res = await app.inject({ url: '/v1/indicators/PPKS-99', headers: reader });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json() as Problem;
  t.equal(body.code, 'INDICATOR_NOT_FOUND');
  t.match(body.detail, /"PPKS-99"/);

  const malformed = await app.inject({ url: '/v1/indicators/ppks-01', headers: reader });
  t.equal(malformed.statusCode, 400, 'a code that cannot exist is a 400');
});

t.test('reading the catalogue needs a token', async (t) => {
  t.equal((await app.inject({ url: '/v1/indicators' })).statusCode, 401);
  t.equal((await app.inject({ url: '/v1/indicators/IKS-01' })).statusCode, 401);
});

// ---------------------------------------------------------------- creating

t.test('POST as walidata adds an indicator', async (t) => {
  const res = await post(newIndicator(), { ...auth, 'x-request-id': 'create-ppks-27' });
  t.equal(res.statusCode, 201);
  t.equal(res.headers.location, '/v1/indicators/PPKS-27');
  const created = res.json() as Indicator;
  t.match(created, {
    code: 'PPKS-27',
    name: 'Anak Korban Perundungan',
    group: 'ppks',
    measure: 'jumlah',
    unit: 'orang',
    value_type: 'integer',
    valid_min: 0,
    valid_max: null,
    direction: null,
    dimension: null,
    source_agency_kinds: ['DINSOS', 'DP3AP2KB'],
    periodicity: 'tahunan',
    disaggregations: ['sex', 'age_group'],
  });
  t.same(created.metadata, {
    konsep: null,
    definisi: 'Anak usia 0-17 tahun yang menjadi korban perundungan.',
    interpretasi: null,
    metode_perhitungan: null,
    sumber_data: null,
    klasifikasi_penyajian: [],
    indikator_komposit: false,
    indikator_pembangun: [],
    level_estimasi: null,
    dapat_diakses_umum: true,
    rujukan: [],
  }, 'metadata not sent takes its defaults');
  t.match(created.metadata_completeness, { required: { present: 4, total: 9 }, missing: ['konsep', 'interpretasi', 'metode_perhitungan', 'sumber_data', 'rujukan', 'klasifikasi_penyajian', 'level_estimasi'] }, 'a new entry says what MS-Ind still lacks');
  t.same(await get('PPKS-27'), created, 'GET returns what POST returned');
  t.equal((await list()).length, 42);
});

t.test('POST is audited with the state after', async (t) => {
  const entries = await audit('PPKS-27');
  t.equal(entries.length, 1);
  t.match(entries[0], {
    action: 'indicator.created',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    request_id: 'create-ppks-27',
    before: null,
    after: { code: 'PPKS-27', value_type: 'integer', unit: 'orang' },
  });
});

t.test('value_type is derived from the measure', async (t) => {
  const res = await post(newIkesos({ code: 'IKS-91' }));
  t.equal(res.statusCode, 201);
  t.equal((res.json() as Indicator).value_type, 'decimal', 'persentase is decimal');

  const indeks = await post(newIndicator({ code: 'LAIN-01', group: 'lainnya', measure: 'indeks', unit: 'poin', valid_min: null }));
  t.equal(indeks.statusCode, 201);
  t.equal((indeks.json() as Indicator).value_type, 'decimal');

  const sent = await post(newIndicator({ code: 'PPKS-28', value_type: 'decimal' }));
  t.equal(sent.statusCode, 400, 'value_type cannot be sent, only derived');
});

t.test('the smallest valid body takes defaults for every optional field', async (t) => {
  const res = await post({
    code: 'PPKS-29',
    name: 'Korban Perdagangan Organ',
    name_en: 'Organ trafficking victims',
    group: 'ppks',
    measure: 'jumlah',
    unit: 'orang',
    source_agency_kinds: [],
    periodicity: 'insidental',
  });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { valid_min: null, valid_max: null, direction: null, dimension: null, disaggregations: [], metadata: { dapat_diakses_umum: true } });
});

t.test('only walidata and admin may add indicators', async (t) => {
  const consumer = await post(newIndicator({ code: 'PPKS-30' }), reader);
  t.equal(consumer.statusCode, 403);
  t.equal((consumer.json() as Problem).code, 'FORBIDDEN');
  const anonymous = await app.inject({ method: 'POST', url: '/v1/indicators', payload: newIndicator({ code: 'PPKS-30' }) });
  t.equal(anonymous.statusCode, 401);
  const admin = await ctx.login('admin');
  t.equal((await post(newIndicator({ code: 'PPKS-30' }), admin.auth)).statusCode, 201);
});

t.test('a code already in the catalogue is a 409', async (t) => {
  const res = await post(newIndicator({ code: 'PPKS-01', name: 'Duplikat' }));
  t.equal(res.statusCode, 409);
  const body = res.json() as Problem;
  t.equal(body.code, 'INDICATOR_CODE_TAKEN');
  t.match(body.detail, /"PPKS-01"/);
  t.equal((await get('PPKS-01')).name, 'Anak Balita Terlantar', 'the existing entry is untouched');
  t.same((await audit('PPKS-01')).map((e) => e.action), ['indicator.metadata-filled'], 'nothing audited but the shipped definitions (migration 0017)');
});

t.test('unknown codes are a 422 with a pointer to each bad field', async (t) => {
  const res = await post(
    newIndicator({
      code: 'PPKS-31',
      unit: 'ekor',
      measure: 'median',
      source_agency_kinds: ['DINSOS', 'DINAS-X'],
      disaggregations: ['sex', 'religion'],
    }),
  );
  t.equal(res.statusCode, 422);
  const body = res.json() as Problem;
  t.equal(body.code, 'REFERENCE_INVALID');
  t.same(pointers(body).sort(), ['/disaggregations/1', '/measure', '/source_agency_kinds/1', '/unit']);
  t.ok(body.errors?.every((e) => e.code === 'unknown-code' && e.location === 'body'));
  t.match(body.errors?.find((e) => e.pointer === '/unit')?.detail, /"ekor"/);
  t.equal((await app.inject({ url: '/v1/indicators/PPKS-31', headers: reader })).statusCode, 404, 'nothing was created');
});

t.test('an unknown group, periodicity, direction or dimension is a 422 too', async (t) => {
  const res = await post(newIkesos({ code: 'IKS-92', group: 'misc', periodicity: 'harian', direction: 'up', dimension: 'kesehatan' }));
  t.equal(res.statusCode, 422);
  t.same(pointers(res.json() as Problem).sort(), ['/dimension', '/direction', '/group', '/periodicity']);
});

t.test('valid_min above valid_max is a 422', async (t) => {
  const res = await post(newIndicator({ code: 'PPKS-32', valid_min: 10, valid_max: 5 }));
  t.equal(res.statusCode, 422);
  const body = res.json() as Problem;
  t.equal(body.code, 'REFERENCE_INVALID');
  t.same(pointers(body), ['/valid_min']);
  t.match(body.errors?.[0]?.detail, /valid_min \(10\)/);
});

t.test('a percentage range beyond 0–100 is a 422', async (t) => {
  const over = await post(newIkesos({ code: 'IKS-93', valid_max: 120 }));
  t.equal(over.statusCode, 422);
  t.same(pointers(over.json() as Problem), ['/valid_max']);
  const under = await post(newIkesos({ code: 'IKS-93', valid_min: -1 }));
  t.equal(under.statusCode, 422);
  t.equal((under.json() as Problem).code, 'REFERENCE_INVALID');
});

t.test('a negative lower bound for a count is a 422', async (t) => {
  const res = await post(newIndicator({ code: 'PPKS-33', valid_min: -5 }));
  t.equal(res.statusCode, 422);
  t.same(pointers(res.json() as Problem), ['/valid_min']);
});

t.test('an IKESOS indicator without a dimension is a 422', async (t) => {
  const omitted = newIkesos({ code: 'IKS-94' });
  delete omitted.dimension;
  const res = await post(omitted);
  t.equal(res.statusCode, 422);
  t.match((res.json() as Problem).errors, [{ pointer: '/dimension', code: 'inconsistent' }]);
  t.equal((res.json() as Problem).errors?.length, 1);
});

t.test('an explicit null dimension on an IKESOS indicator is reported as missing, not as an unknown code', async (t) => {
  const res = await post(newIkesos({ code: 'IKS-94', dimension: null }), { ...auth, 'accept-language': 'en' });
  t.equal(res.statusCode, 422);
  t.match((res.json() as Problem).errors, [{ pointer: '/dimension', code: 'inconsistent', detail: /needs a dimension and a direction/ }]);
});

t.test('explicit nulls are stored as null, not coerced to 0 or ""', async (t) => {
  const res = await post(newIndicator({ code: 'PPKS-36', valid_max: null, direction: null, dimension: null, metadata: { definisi: null, konsep: null } }));
  t.equal(res.statusCode, 201, res.body);
  if (res.statusCode === 201) {
    t.match(res.json(), { valid_max: null, direction: null, dimension: null, metadata: { definisi: null, konsep: null } });
  }
});

t.test('a composite indicator must name existing building blocks', async (t) => {
  const bare = await post(newIkesos({ code: 'IKS-95', metadata: { indikator_komposit: true } }));
  t.equal(bare.statusCode, 422);
  t.same(pointers(bare.json() as Problem), ['/metadata/indikator_pembangun']);

  const unknown = await post(newIkesos({ code: 'IKS-95', metadata: { indikator_komposit: true, indikator_pembangun: ['IKS-01', 'IKS-77'] } }));
  t.equal(unknown.statusCode, 422);
  t.same(pointers(unknown.json() as Problem), ['/metadata/indikator_pembangun/1']);

  const self = await post(newIkesos({ code: 'IKS-95', metadata: { indikator_komposit: true, indikator_pembangun: ['IKS-95'] } }));
  t.equal(self.statusCode, 422);
  t.match((self.json() as Problem).errors?.[0]?.detail, /dirinya sendiri/);

  const ok = await post(newIkesos({ code: 'IKS-95', metadata: { indikator_komposit: true, indikator_pembangun: ['IKS-01', 'IKS-02'] } }));
  t.equal(ok.statusCode, 201);
  t.match((ok.json() as Indicator).metadata, { indikator_komposit: true, indikator_pembangun: ['IKS-01', 'IKS-02'] });
});

t.test('an unknown field is a 400', async (t) => {
  const top = await post(newIndicator({ code: 'PPKS-34', colour: 'red' }));
  t.equal(top.statusCode, 400);
  const body = top.json() as Problem;
  t.equal(body.code, 'VALIDATION_FAILED');
  t.match(body.errors, [{ location: 'body', pointer: '/colour', code: 'additionalProperties' }]);

  const nested = await post(newIndicator({ code: 'PPKS-34', metadata: { sumber: 'x' } }));
  t.equal(nested.statusCode, 400);
  t.match((nested.json() as Problem).errors, [{ pointer: '/metadata/sumber', code: 'additionalProperties' }]);
  t.equal((await app.inject({ url: '/v1/indicators/PPKS-34', headers: reader })).statusCode, 404);
});

t.test('a missing required field is a 400 naming every missing field', async (t) => {
  const body = newIndicator({ code: 'PPKS-35' });
  delete body.unit;
  delete body.periodicity;
  const res = await post(body);
  t.equal(res.statusCode, 400);
  const problem = res.json() as Problem;
  t.equal(problem.code, 'VALIDATION_FAILED');
  t.same(pointers(problem).sort(), ['/periodicity', '/unit']);
  t.ok(problem.errors?.every((e) => e.code === 'required'));
  t.match(problem.errors?.find((e) => e.pointer === '/unit')?.detail, /"unit"/);
});

t.test('wrongly typed or malformed fields are a 400', async (t) => {
  const res = await post(newIndicator({ code: 'bad code', name: 'ab', source_agency_kinds: ['DINSOS', 'DINSOS'] }));
  t.equal(res.statusCode, 400);
  t.same(pointers(res.json() as Problem).sort(), ['/code', '/name', '/source_agency_kinds']);
});

// ---------------------------------------------------------------- changing

t.test('PATCH changes only the fields given and merges metadata', async (t) => {
  const before = await get('PPKS-06');
  const first = await patch('PPKS-06', { metadata: { konsep: 'Perlindungan anak' } });
  t.equal(first.statusCode, 200);

  const res = await patch('PPKS-06', { valid_max: 5000, metadata: { definisi: 'Anak usia 0-17 tahun korban kekerasan.' } }, { ...auth, 'x-request-id': 'patch-ppks-06' });
  t.equal(res.statusCode, 200);
  const after = res.json() as Indicator;
  t.equal(after.valid_max, 5000);
  t.equal(after.metadata.definisi, 'Anak usia 0-17 tahun korban kekerasan.');
  t.equal(after.metadata.konsep, 'Perlindungan anak', 'metadata set earlier is kept');
  t.equal(after.metadata.dapat_diakses_umum, true);
  for (const field of ['name', 'name_en', 'group', 'measure', 'unit', 'value_type', 'valid_min', 'direction', 'dimension', 'source_agency_kinds', 'periodicity', 'disaggregations', 'created_at'] as const) {
    t.same(after[field], before[field], `${field} unchanged`);
  }
  t.ok(Date.parse(after.updated_at) >= Date.parse(before.updated_at));
  t.same(await get('PPKS-06'), after, 'the change is stored');
});

t.test('PATCH is audited with before and after', async (t) => {
  const [latest, earlier] = await audit('PPKS-06');
  t.match(latest, {
    action: 'indicator.updated',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    request_id: 'patch-ppks-06',
    before: { code: 'PPKS-06', valid_max: null, metadata: { konsep: 'Perlindungan anak', definisi: /^Anak \(belum berusia 18 tahun\)/ } },
    after: { code: 'PPKS-06', valid_max: 5000, metadata: { konsep: 'Perlindungan anak', definisi: 'Anak usia 0-17 tahun korban kekerasan.' } },
  });
  t.match(earlier, { action: 'indicator.updated', before: { metadata: { konsep: /^Pemerlu Pelayanan Kesejahteraan Sosial/ } }, after: { metadata: { konsep: 'Perlindungan anak' } } });
});

t.test('PATCH null clears a bound; absence keeps it', async (t) => {
  t.equal((await get('PPKS-06')).valid_max, 5000);
  const res = await patch('PPKS-06', { valid_max: null });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { valid_min: 0, valid_max: null });
  t.equal((await get('PPKS-06')).valid_max, null, 'stored as no upper bound, not as 0');
});

t.test('PATCH null clears a metadata text', async (t) => {
  const res = await patch('PPKS-06', { metadata: { konsep: null } });
  t.equal(res.statusCode, 200);
  t.equal((res.json() as Indicator).metadata.konsep, null);
  t.equal((res.json() as Indicator).metadata.definisi, 'Anak usia 0-17 tahun korban kekerasan.', 'other metadata kept');
});

t.test('PATCH direction null on a PPKS category keeps it without a direction', async (t) => {
  const res = await patch('PPKS-05', { direction: null });
  t.equal(res.statusCode, 200, res.body);
  t.equal((await get('PPKS-05')).direction, null);
});

t.test('PATCH a measure re-derives value_type', async (t) => {
  const res = await patch('PPKS-27', { measure: 'rasio', unit: 'per 1.000 penduduk' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { measure: 'rasio', unit: 'per 1.000 penduduk', value_type: 'decimal' });
});

t.test('PATCH is checked like a new entry and changes nothing when refused', async (t) => {
  const auditBefore = (await audit('IKS-01')).length;
  const res = await patch('IKS-01', { name: 'Cakupan PKH Baru', valid_max: 150 });
  t.equal(res.statusCode, 422);
  t.same(pointers(res.json() as Problem), ['/valid_max']);

  const unknownUnit = await patch('IKS-01', { unit: 'ekor' });
  t.equal(unknownUnit.statusCode, 422);
  t.same(pointers(unknownUnit.json() as Problem), ['/unit']);

  const noDimension = await patch('IKS-01', { dimension: null });
  t.equal(noDimension.statusCode, 422);

  const got = await get('IKS-01');
  t.equal(got.name, 'Cakupan PKH');
  t.equal(got.valid_max, 100);
  t.equal(got.unit, 'persen');
  t.equal((await audit('IKS-01')).length, auditBefore, 'refused changes are not audited');
});

t.test('PATCH with an empty body is a 400', async (t) => {
  const res = await patch('PPKS-06', {});
  t.equal(res.statusCode, 400);
  t.equal((res.json() as Problem).code, 'VALIDATION_FAILED');
});

t.test('PATCH cannot change the code or add unknown fields', async (t) => {
  const res = await patch('PPKS-06', { code: 'PPKS-60' });
  t.equal(res.statusCode, 400);
  t.match((res.json() as Problem).errors, [{ pointer: '/code', code: 'additionalProperties' }]);
});

t.test('PATCH an unknown indicator is a 404', async (t) => {
  const res = await patch('PPKS-99', { name: 'Tidak ada' });
  t.equal(res.statusCode, 404);
  t.equal((res.json() as Problem).code, 'INDICATOR_NOT_FOUND');
});

t.test('PATCH needs walidata or admin', async (t) => {
  const res = await patch('PPKS-06', { name: 'Diubah konsumen' }, reader);
  t.equal(res.statusCode, 403);
  t.not((await get('PPKS-06')).name, 'Diubah konsumen');
});

// ---------------------------------------------------------------- transport

t.test('a body over the limit is a 413 PAYLOAD_TOO_LARGE', async (t) => {
  t.equal(ctx.config.bodyLimitBytes, 1_048_576);
  const payload = JSON.stringify(newIndicator({ code: 'PPKS-40', metadata: { definisi: 'x'.repeat(1_100_000) } }));
  t.ok(Buffer.byteLength(payload) > 1_048_576);
  const res = await app.inject({ method: 'POST', url: '/v1/indicators', headers: { ...auth, 'content-type': 'application/json' }, payload });
  t.equal(res.statusCode, 413);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const body = res.json() as Problem;
  t.equal(body.code, 'PAYLOAD_TOO_LARGE');
  t.match(body.detail, /1048576/);
  t.equal((await app.inject({ url: '/v1/indicators/PPKS-40', headers: reader })).statusCode, 404);
});

t.test('a body that is not JSON is a 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
  for (const type of ['text/plain', 'application/xml']) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/indicators',
      headers: { ...auth, 'content-type': type },
      payload: type === 'text/plain' ? JSON.stringify(newIndicator({ code: 'PPKS-41' })) : '<indicator/>',
    });
    t.equal(res.statusCode, 415, type);
    t.equal((res.json() as Problem).code, 'UNSUPPORTED_MEDIA_TYPE', type);
    t.match((res.json() as Problem).detail, type);
  }
  t.equal((await app.inject({ url: '/v1/indicators/PPKS-41', headers: reader })).statusCode, 404);
});
