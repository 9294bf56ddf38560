import t from 'tap';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { edgeRequests, requestArbitrary, type FuzzRequest, type Hints, type Mode } from './helpers/openapi-arbitraries.js';
import { operationsOf, readOpenapiDocument, type Operation } from './helpers/openapi-document.js';
import { responseChecker } from './helpers/openapi-responses.js';
import { createAgency, createTestApp } from './helpers/test-app.js';
import { publishing } from './modules/reconciliation/publishing.js';

// Property-based requests for every operation of openapi/openapi.json, valid and malformed,
// as an admin, a producer, a national walidata and without a token, then a fixed sweep of
// every parameter's edge values, against a database holding a little real data (so ids
// exist and requests reach the handlers). Every response must be a status the document
// lists for the operation (never a 5xx), of a listed media type, with a body its schema
// accepts. A new operation in the document is fuzzed without a change here; a failure is
// reported with the smallest request that showed it, and the other requests still run.
//
// Reproducible: FUZZ_SEED (printed with every failure) fixes every generated request;
// FUZZ_RUNS scales the number of requests per operation for a deeper local run.
const SEED = Number(process.env.FUZZ_SEED ?? 20260114);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const RUNS = { valid: 5, malformed: 7, walidata: 3, anonymous: 2 };

const ctx = await createTestApp(t, { PUSH_ASYNC_ROWS: '20' });
const { app } = ctx;
const document = readOpenapiDocument();
const check = responseChecker();

// ---- a little real data ------------------------------------------------------------------
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
const admin = await ctx.login('admin');
const producer = await ctx.login('producer', 'DINSOS-6571');
const otherProducer = await ctx.login('producer', 'DP3AP2KB-6571');
const walidata = await ctx.login('walidata');
const { publish } = await publishing(ctx);

// Both agencies publish a different figure for the same key: a conflict. 130,000 women is
// more than Kota Tarakan has: an anomaly finding.
const datasetId = await publish(producer.auth, [
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 100, sex: 'L' },
  { indicator: 'PPKS-06', region: '65.71', period: '2025', value: 130000, sex: 'P' },
]);
await publish(otherProducer.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 110, sex: 'L' }]);
const inject = async (method: 'GET' | 'POST', url: string, auth: { authorization: string }, payload?: object) => {
  const res = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`seed ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};
// A second version stays submitted, so review actions have something to act on; a push of
// more than PUSH_ASYNC_ROWS rows runs as a job.
await inject('POST', `/v1/datasets/${datasetId}/versions`, producer.auth, { observations: [{ indicator: 'PPKS-06', region: '65.71.01', period: '2025', value: 7 }] });
const job = await inject('POST', `/v1/datasets/${datasetId}/versions`, producer.auth, {
  observations: Array.from({ length: 21 }, (_, i) => ({ indicator: 'PPKS-06', region: '65.71', period: String(2000 + i), value: i })),
});
const ids = async (url: string) => ((await inject('GET', url, walidata.auth)).data as { id: string | number }[]).map((row) => String(row.id));
const findingIds = await ids(`/v1/findings?dataset=${datasetId}`);
const conflictIds = await ids('/v1/conflicts');
const methodologyIds = await ids('/v1/ikesos/methodologies');
const cycle = await inject('POST', '/v1/cycles', walidata.auth, { name: 'Siklus uji', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2026-01-31' });
await inject('POST', `/v1/cycles/${cycle.id}/obligations`, walidata.auth, { obligations: [{ agency: 'DINSOS-6571', indicator: 'PPKS-06', region: '65.71' }] });
// A client of its own for the client operations: fuzzing must not disable the callers.
const target = await inject('POST', '/v1/clients', admin.auth, { name: 'fuzz target', role: 'consumer' });
if (!findingIds.length || !conflictIds.length || !methodologyIds.length) throw new Error('seed: expected findings, conflicts and methodologies');

const workbook = new ExcelJS.Workbook();
workbook.addWorksheet('data').addRows([
  ['indicator', 'region', 'period', 'value', 'sex'],
  ['PPKS-06', '65.71', '2025', 128, 'L'],
]);
const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());

const regions = ['65.71', '65.71.01', '65', '31.71'];
const agencies = ['DINSOS-6571', 'DP3AP2KB-6571'];
const indicators = ['PPKS-06', 'PPKS-01', 'PPKS-07'];
const periods = ['2025', '2024'];
const hints: Hints = {
  path: {
    '/v1/regions/{code}': regions,
    '/v1/indicators/{code}': indicators,
    '/v1/agencies/{code}': agencies,
    '/v1/codelists/{name}': ['sex', 'obs-status', 'age-group'],
    '/v1/datasets/{id}': [datasetId],
    '/v1/datasets/{id}/versions/{version}': ['1', '2'],
    '/v1/jobs/{id}': [job.job_id],
    '/v1/findings/{id}': findingIds,
    '/v1/conflicts/{id}': conflictIds,
    '/v1/ikesos/methodologies/{id}': methodologyIds,
    '/v1/ikesos/scores/{region}': regions,
    '/v1/ikesos/scores/{region}/{period}': periods,
    '/v1/cycles/{id}': [cycle.id],
    '/v1/cycles/{id}/compliance/{agency}': agencies,
    '/v1/clients/{id}': [target.client.client_id],
  },
  named: {
    indicator: fc.constantFrom(...indicators),
    indicators: fc.subarray(indicators, { minLength: 1 }),
    region: fc.constantFrom(...regions),
    within: fc.constantFrom(...regions),
    parent: fc.constantFrom(...regions),
    jurisdiction_region_code: fc.constantFrom(...regions),
    period: fc.constantFrom(...periods),
    periodFrom: fc.constantFrom(...periods),
    periodTo: fc.constantFrom(...periods),
    reference_periods: fc.subarray(periods, { minLength: 1 }),
    agency: fc.constantFrom(...agencies),
    dataset: fc.constant(datasetId),
    version: fc.constantFrom(1, 2),
    methodology: fc.constantFrom(...methodologyIds),
    value: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 100, noNaN: true })),
    sex: fc.constantFrom('L', 'P'),
    obs_status: fc.constantFrom('A', 'P', 'E'),
    unit: fc.constant('orang'),
    // Every kab/kota of the country is the default: a page of scores 1 MB long.
    regionLevel: fc.constant('provinsi'),
    grant_type: fc.constant('client_credentials'),
    client_id: fc.constant(target.client.client_id as string),
    client_secret: fc.constant(target.client_secret as string),
  },
  xlsx,
};

// ---- the properties ----------------------------------------------------------------------
interface Failure {
  who: string;
  request: FuzzRequest;
  status: number;
  body: string;
  problem: string;
}

/** FNV-1a: a seed per property, so adding an operation leaves the others' requests alone. */
function seedFor(...parts: string[]): number {
  let hash = 0x811c9dc5 ^ SEED;
  for (const ch of parts.join('|')) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return hash | 0;
}

const size = (r: FuzzRequest) => r.url.length + (r.payload?.length ?? 0);
const show = (r: FuzzRequest) => {
  const payload = r.payload === undefined ? '' : Buffer.isBuffer(r.payload) ? `<${r.payload.length} bytes>` : r.payload.length > 300 ? `${r.payload.slice(0, 300)}… (${r.payload.length} chars)` : r.payload;
  return `${r.method} ${r.url.length > 300 ? `${r.url.slice(0, 300)}…` : r.url}${r.headers['content-type'] ? ` [${r.headers['content-type']}]` : ''}${payload ? ` ${payload}` : ''}`;
};

const GARBAGE_TOKENS = [undefined, 'Bearer', 'Bearer not.a.jwt', 'Basic Zm9vOmJhcg==', `Bearer ${admin.token}x`];
const CALLERS = { admin: admin.auth.authorization, producer: producer.auth.authorization, walidata: walidata.auth.authorization };
type Caller = keyof typeof CALLERS;

/** What breaks the document's promise: one failure per distinct problem and malformed part, the smallest request that showed it. */
class Outcomes {
  readonly failures = new Map<string, Failure>();
  /** 2xx answers per caller: the edge sweep goes as the caller the operation admits. */
  readonly admitted = new Map<string, number>();

  async send(op: Operation, who: string, request: FuzzRequest, authorization: string | undefined): Promise<void> {
    const res = await app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    if (res.statusCode < 300) this.admitted.set(who, (this.admitted.get(who) ?? 0) + 1);
    for (const problem of check(op, res)) {
      const key = `${problem} | ${request.target}`;
      const known = this.failures.get(key);
      if (!known || size(request) < size(known.request)) this.failures.set(key, { who, request, status: res.statusCode, body: res.body.slice(0, 600), problem });
    }
  }
}

async function fuzz(outcomes: Outcomes, op: Operation, who: Caller | 'no token', mode: Mode, runs: number): Promise<void> {
  const auth = who === 'no token' ? fc.constantFrom(...GARBAGE_TOKENS) : fc.constant(CALLERS[who]);
  const arbitrary = fc.tuple(requestArbitrary(op, hints, mode, { bodyLimit: ctx.config.bodyLimitBytes }), auth);
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async ([request, authorization]) => {
      await outcomes.send(op, who, request, authorization);
      return true;
    }),
    { seed: seedFor(op.operationId, who, mode), numRuns: Math.max(1, Math.round(runs * SCALE)) },
  );
  // The property itself only fails when generating or injecting throws: a broken test.
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
}

// Reads run first, on the data as seeded; writes after, in document order.
const operations = operationsOf(document).sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
const found: string[] = [];

for (const op of operations) {
  const name = `${op.method} ${op.path}`;
  t.test(name, async (t) => {
    const outcomes = new Outcomes();
    await fuzz(outcomes, op, 'admin', 'valid', RUNS.valid);
    await fuzz(outcomes, op, 'admin', 'malformed', RUNS.malformed);
    await fuzz(outcomes, op, 'producer', 'valid', RUNS.valid);
    await fuzz(outcomes, op, 'producer', 'malformed', RUNS.malformed);
    // Reviews, conflicts and findings decisions are the walidata's: valid requests reach them.
    await fuzz(outcomes, op, 'walidata', 'valid', RUNS.walidata);
    await fuzz(outcomes, op, 'no token', 'valid', RUNS.anonymous);
    const admitted = (who: Caller) => outcomes.admitted.get(who) ?? 0;
    const edgeCaller = (Object.keys(CALLERS) as Caller[]).sort((a, b) => admitted(b) - admitted(a))[0]!;
    for (const request of edgeRequests(op, hints, seedFor(op.operationId, 'edges'))) await outcomes.send(op, edgeCaller, request, CALLERS[edgeCaller]);

    const failures = outcomes.failures;
    for (const f of failures.values()) {
      found.push(`${name}: ${f.problem} (${f.who}, ${f.request.target}) — ${show(f.request)} → ${f.status}`);
      t.fail(`${f.problem} (${f.who}, ${f.request.target})`, {
        request: show(f.request),
        status: f.status,
        response: f.body,
        reproduce: `FUZZ_SEED=${SEED} npx tap test/fuzz.test.ts`,
      });
    }
    if (!failures.size) t.pass(`${name} keeps the document's promises`);
  });
}

t.teardown(() => {
  if (found.length) console.error(`fuzz (FUZZ_SEED=${SEED}): ${found.length} distinct failures\n${found.join('\n')}`);
});
