import t from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { changedTables, fingerprinter, type Fingerprint } from './helpers/db-fingerprint.js';
import { datasetBody } from './helpers/datasets.js';
import { operationsOf, readOpenapiDocument } from './helpers/openapi-document.js';
import { ACTORS, buildMatrixWorld, indicatorBody, OWNER, policyBody, TARGET_INDICATOR, TARGET_REGION, type Actor } from './helpers/matrix-fixtures.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * Who may call what: every operation of the OpenAPI document × eight callers, each cell the
 * status (and, for a refusal, the problem code) the README's "Authentication and roles" and
 * the route's own description promise. Every refused cell must also have written nothing: the
 * writable tables and the audit log look the same before and after. An operation of the
 * document without a row here, or a row whose operation has gone, fails the first test.
 *
 * The target of every cell is the data of DINSOS-6571, Kota Tarakan (65.71): "inside" is the
 * walidata of the province (65), "outside" the walidata of Kota Salatiga (33.73).
 */

type Outcome = { status: number; code?: string };
type Expected = Outcome | Outcome[];
type Cells = Record<Actor, Expected>;
type Per<T> = T | ((actor: Actor) => T);

interface Row {
  /** Method and path as in the document. */
  op: string;
  /** What this row's request does, when an operation has several rows. */
  variant?: string;
  params?: Per<Record<string, string>>;
  query?: Per<string>;
  body?: Per<Record<string, unknown>>;
  headers?: Per<Record<string, string>>;
  expect: Cells;
}

const UNAUTHENTICATED: Outcome = { status: 401, code: 'UNAUTHENTICATED' };
const FORBIDDEN: Outcome = { status: 403, code: 'FORBIDDEN' };
const OUTSIDE: Outcome = { status: 403, code: 'OUTSIDE_JURISDICTION' };
const NATIONAL_ONLY: Outcome = { status: 403, code: 'NATIONAL_AUTHORITY_REQUIRED' };
const OWN_LOCKED: Outcome = { status: 403, code: 'OWN_JURISDICTION_LOCKED' };
const OTHER_AGENCY: Outcome = { status: 403, code: 'AGENCY_SCOPE_FORBIDDEN' };
const REVIEW_REFUSED: Outcome = { status: 403, code: 'REVIEW_NOT_PERMITTED' };
const NO_REASON: Outcome = { status: 400, code: 'VALIDATION_FAILED' };

const AUTHENTICATED = ACTORS.filter((a) => a !== 'none');
const WALIDATA: Actor[] = ['walidataInside', 'walidataOutside', 'walidataNational'];
/** Versions, reports, templates, history: the owner's producers, walidata and admins (route descriptions). */
const WORKING: Actor[] = ['producerOwn', ...WALIDATA, 'admin'];
const PRODUCERS: Actor[] = ['producerOwn', 'producerOther'];

/** `status` for the listed callers (and the overrides); 401 without a token, 403 FORBIDDEN for every other role. */
function allow(status: number, allowed: readonly Actor[], overrides: Partial<Cells> = {}): Cells {
  const base = (a: Actor): Expected => (allowed.includes(a) ? { status } : a === 'none' ? UNAUTHENTICATED : FORBIDDEN);
  return Object.fromEntries(ACTORS.map((a) => [a, overrides[a] ?? base(a)])) as Cells;
}
const everyone = (status: number) => allow(status, ACTORS);
const anyToken = (status: number) => allow(status, AUTHENTICATED);
/** National reference data: national walidata and admins; a regional walidata is told why not. */
const nationalOnly = (status: number) => allow(status, ['walidataNational', 'admin'], { walidataInside: NATIONAL_ONLY, walidataOutside: NATIONAL_ONLY });
/** Acting on 65.71: the walidata whose jurisdiction covers it, national walidata and admins. */
const inJurisdiction = (status: number) => allow(status, ['walidataInside', 'walidataNational', 'admin'], { walidataOutside: OUTSIDE });

const ctx = await createTestApp(t);
const { app } = ctx;
const w = await buildMatrixWorld(ctx);
const fingerprint = await fingerprinter(ctx.database.db);
const n = (a: Actor) => ACTORS.indexOf(a);

/** Kab/kota of Kalimantan Utara, one per caller that may write a letterhead; the others aim at 65.71. */
const letterheadRegion = (a: Actor) => ({ walidataNational: '65.01', admin: '65.02' } as Partial<Record<Actor, string>>)[a] ?? TARGET_REGION;

const datasetVersion = { id: w.dataset, version: '1' };

// Webhook subscriptions of each caller (to a public address that is never contacted: no worker runs in tests).
const webhooks = Object.fromEntries(
  await Promise.all(
    ACTORS.filter((a) => a !== 'none').map(async (a) => {
      const make = async (name: string) => {
        const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: w.auth[a]!, payload: { url: `https://192.0.3.10/matrix/${a}/${name}`, event_types: ['figure.changed'] } });
        if (res.statusCode !== 201) throw new Error(res.body);
        return res.json().subscription.id as string;
      };
      return [a, { kept: await make('kept'), deleted: await make('deleted') }] as const;
    }),
  ),
) as Record<Exclude<Actor, 'none'>, { kept: string; deleted: string }>;
const ownWebhook = (which: 'kept' | 'deleted') => (a: Actor) => ({ id: webhooks[a === 'none' ? 'producerOwn' : a][which] });
const WEBHOOK_NOT_FOUND: Outcome = { status: 404, code: 'WEBHOOK_NOT_FOUND' };
/** Another client's subscription: its owner and admins only; everyone else is told it does not exist. */
const ownerOnly = (status: number) =>
  allow(status, ['producerOwn', 'admin'], Object.fromEntries(AUTHENTICATED.filter((a) => a !== 'producerOwn' && a !== 'admin').map((a) => [a, WEBHOOK_NOT_FOUND])));
const reviewNote = 'Notulen rapat rekonsiliasi 17 Feb 2026.';

const rows: Row[] = [
  // Health and the token endpoint are public: whoever calls gets the same answer.
  { op: 'GET /health/live', expect: everyone(200) },
  { op: 'GET /health/ready', expect: everyone(200) },
  {
    op: 'POST /v1/auth/token',
    variant: "the caller's own client credentials",
    headers: (a): Record<string, string> => (a === 'none' ? {} : { authorization: `Basic ${Buffer.from(`${w.clientId[a]}:${w.secret}`).toString('base64')}` }),
    body: (a) => ({ grant_type: 'client_credentials', ...(a === 'none' ? { client_id: w.clientId.none, client_secret: w.secret } : {}) }),
    expect: everyone(200),
  },

  { op: 'GET /v1/regions', query: 'parent=65', expect: anyToken(200) },
  { op: 'GET /v1/regions/{code}', params: { code: TARGET_REGION }, expect: anyToken(200) },
  { op: 'GET /v1/codelists', expect: anyToken(200) },
  { op: 'GET /v1/codelists/{name}', params: { name: 'obs-status' }, expect: anyToken(200) },

  // The indicator catalogue, its quality rules and its national policy are national reference data.
  { op: 'GET /v1/indicators', expect: anyToken(200) },
  { op: 'POST /v1/indicators', body: (a) => indicatorBody(`PPKS-7${n(a)}`), expect: nationalOnly(201) },
  { op: 'GET /v1/indicators/{code}', params: { code: TARGET_INDICATOR }, expect: anyToken(200) },
  { op: 'PATCH /v1/indicators/{code}', params: { code: TARGET_INDICATOR }, body: { name: 'Indikator matriks (diubah)' }, expect: nationalOnly(200) },
  { op: 'GET /v1/indicators/{code}/quality-rules', params: { code: TARGET_INDICATOR }, expect: anyToken(200) },
  { op: 'PUT /v1/indicators/{code}/quality-rules', params: { code: TARGET_INDICATOR }, body: { jump: { severity: 'error', max_ratio: 3 } }, expect: nationalOnly(200) },
  { op: 'GET /v1/indicators/{code}/reconciliation-policy', variant: 'the policy that applies in 65.71', params: { code: TARGET_INDICATOR }, query: `region=${TARGET_REGION}`, expect: anyToken(200) },
  { op: 'PUT /v1/indicators/{code}/reconciliation-policy', variant: 'the national policy', params: { code: TARGET_INDICATOR }, body: policyBody, expect: nationalOnly(200) },
  {
    op: 'PUT /v1/indicators/{code}/reconciliation-policy',
    variant: 'the policy of 65.71',
    params: { code: TARGET_INDICATOR },
    query: `region=${TARGET_REGION}`,
    body: policyBody,
    expect: inJurisdiction(200),
  },
  {
    op: 'DELETE /v1/indicators/{code}/reconciliation-policy',
    variant: 'the policy of 65.71',
    params: (a) => ({ code: w.regionalPolicyIndicator[a] }),
    query: `region=${TARGET_REGION}`,
    expect: inJurisdiction(204),
  },

  // Agencies: registered and changed inside the walidata's jurisdiction, never its own.
  { op: 'GET /v1/agencies', expect: anyToken(200) },
  {
    op: 'POST /v1/agencies',
    variant: 'an agency of 65.71',
    body: (a) => ({ code: `MTX-NEW-${n(a)}`, name: 'Dinas Sosial baru', kind: 'DINSOS', jurisdiction_region_code: TARGET_REGION }),
    expect: inJurisdiction(201),
  },
  {
    op: 'POST /v1/agencies',
    variant: 'an agency of DKI Jakarta (31)',
    body: (a) => ({ code: `MTX-DKI-${n(a)}`, name: 'Dinas Sosial DKI', kind: 'DINSOS', jurisdiction_region_code: '31' }),
    expect: allow(201, ['walidataNational', 'admin'], { walidataInside: OUTSIDE, walidataOutside: OUTSIDE }),
  },
  { op: 'GET /v1/agencies/{code}', params: { code: OWNER }, expect: anyToken(200) },
  { op: 'PATCH /v1/agencies/{code}', variant: 'rename the owner', params: { code: OWNER }, body: { name: 'Dinas Sosial Kota Tarakan' }, expect: inJurisdiction(200) },
  {
    op: 'PATCH /v1/agencies/{code}',
    variant: 'move an agency of 65.71 to 65.01, with a reason',
    params: (a) => ({ code: w.agencyToMove[a] }),
    body: { jurisdiction_region_code: '65.01', reason: 'Pemekaran wilayah.' },
    expect: inJurisdiction(200),
  },
  {
    op: 'PATCH /v1/agencies/{code}',
    variant: 'widen an agency of 65.71 to DKI Jakarta (31), with a reason',
    params: (a) => ({ code: w.agencyToWiden[a] }),
    body: { jurisdiction_region_code: '31', reason: 'Perluasan.' },
    expect: allow(200, ['walidataNational', 'admin'], { walidataInside: OUTSIDE, walidataOutside: OUTSIDE }),
  },
  {
    op: 'PATCH /v1/agencies/{code}',
    // The README does not say which comes first for a walidata outside: the missing reason or
    // the jurisdiction; either refusal writes nothing.
    variant: 'move an agency of 65.71 without a reason',
    params: (a) => ({ code: w.agencyWithoutReason[a] }),
    body: { jurisdiction_region_code: '65.01' },
    expect: allow(400, ['walidataInside', 'walidataNational', 'admin'], { walidataInside: NO_REASON, walidataNational: NO_REASON, admin: NO_REASON, walidataOutside: [NO_REASON, OUTSIDE] }),
  },
  {
    op: 'PATCH /v1/agencies/{code}',
    variant: "narrow a province agency (65) to 65.71 — for the walidata inside, its own agency",
    params: (a) => ({ code: w.provinceAgency[a] }),
    body: { jurisdiction_region_code: TARGET_REGION, reason: 'Penataan kewenangan.' },
    expect: allow(200, ['walidataNational', 'admin'], { walidataInside: OWN_LOCKED, walidataOutside: OUTSIDE }),
  },
  { op: 'GET /v1/agencies/{code}/obligations', params: { code: OWNER }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },

  // Datasets and versions: the owner's producers write; working material is read by the owner, walidata and admins.
  { op: 'GET /v1/datasets', expect: anyToken(200) },
  // A producer's dataset is its own agency's, whichever producer asks.
  { op: 'POST /v1/datasets', body: { ...datasetBody, access_classification: 'terbuka' }, expect: allow(201, PRODUCERS) },
  { op: 'GET /v1/datasets/{id}', params: { id: w.dataset }, expect: anyToken(200) },
  { op: 'PATCH /v1/datasets/{id}', params: { id: w.dataset }, body: { notes: 'Angka tahunan (matriks).' }, expect: allow(200, ['producerOwn'], { producerOther: OTHER_AGENCY }) },
  {
    op: 'POST /v1/datasets/{id}/versions',
    params: { id: w.pushDataset },
    body: { observations: [{ indicator: 'PPKS-06', region: TARGET_REGION, period: '2025', value: 12 }] },
    expect: allow(201, ['producerOwn'], { producerOther: OTHER_AGENCY }),
  },
  { op: 'GET /v1/datasets/{id}/versions', params: { id: w.dataset }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/template.csv', params: { id: w.dataset }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/template.xlsx', params: { id: w.dataset }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/versions/{version}', params: datasetVersion, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/versions/{version}/observations', params: datasetVersion, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/versions/{version}/report', params: datasetVersion, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  { op: 'GET /v1/datasets/{id}/history', params: { id: w.dataset }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  // DHIS2: the mapping is changed by the owner or a walidata whose jurisdiction covers it; a DHIS2
  // push is a push; the export reads as the pull API does (an open dataset: every token).
  {
    op: 'PUT /v1/datasets/{id}/dhis2/mapping',
    params: { id: w.pushDataset },
    body: { data_set: null, kemendagri_org_units: true, data_elements: [{ code: 'MTX_PPKS_06', indicator: 'PPKS-06' }], category_option_combos: [], org_units: [] },
    expect: allow(200, ['producerOwn', 'walidataInside', 'walidataNational'], {
      ...Object.fromEntries((['producerOwn', 'walidataInside', 'walidataNational'] as const).map((a) => [a, [{ status: 201 }, { status: 200 }]])),
      producerOther: OTHER_AGENCY,
      walidataOutside: OUTSIDE,
    }),
  },
  { op: 'GET /v1/datasets/{id}/dhis2/mapping', params: { id: w.pushDataset }, expect: allow(200, WORKING, { producerOther: OTHER_AGENCY }) },
  {
    op: 'POST /v1/datasets/{id}/dhis2/dataValueSets',
    params: { id: w.pushDataset },
    body: { dataValues: [{ dataElement: 'MTX_PPKS_06', period: '2025', orgUnit: TARGET_REGION, value: '12' }] },
    expect: allow(201, ['producerOwn'], { producerOther: OTHER_AGENCY }),
  },
  { op: 'GET /v1/datasets/{id}/dhis2/dataValueSets', params: { id: w.pushDataset }, expect: anyToken(200) },
  // A job is seen by the client that pushed it, walidata and admins; to anyone else it does not exist.
  { op: 'GET /v1/jobs/{id}', params: { id: w.job }, expect: allow(200, WORKING, { producerOther: { status: 404, code: 'JOB_NOT_FOUND' } }) },
  { op: 'POST /v1/validate', body: { observations: [{ indicator: 'PPKS-06', region: TARGET_REGION, period: '2025', value: 12 }] }, expect: anyToken(200) },

  // Review: walidata only (admins do not review), by region tier.
  {
    op: 'POST /v1/datasets/{id}/versions/{version}/review',
    variant: 'verify a submitted version',
    params: (a) => ({ id: w.reviewDataset, version: String(w.toVerify[a]) }),
    body: { action: 'verify' },
    expect: allow(200, ['walidataInside', 'walidataNational'], { walidataOutside: REVIEW_REFUSED }),
  },
  {
    op: 'POST /v1/datasets/{id}/versions/{version}/review',
    variant: 'publish a verified version',
    params: (a) => ({ id: w.reviewDataset, version: String(w.toPublish[a]) }),
    body: { action: 'publish' },
    expect: allow(200, ['walidataInside', 'walidataNational'], { walidataOutside: REVIEW_REFUSED }),
  },

  // Findings: the owner answers; a walidata of the region or above decides (route access: walidata only).
  { op: 'GET /v1/findings', expect: allow(200, [...PRODUCERS, ...WALIDATA, 'admin']) },
  { op: 'GET /v1/findings/{id}', params: { id: w.findingToAnswer }, expect: allow(200, WORKING, { producerOther: { status: 404, code: 'FINDING_NOT_FOUND' } }) },
  { op: 'POST /v1/findings/{id}/answer', params: { id: w.findingToAnswer }, body: { answer: 'Program penjangkauan baru.' }, expect: allow(200, ['producerOwn'], { producerOther: OTHER_AGENCY }) },
  {
    op: 'POST /v1/findings/{id}/resolve',
    params: { id: w.findingToResolve },
    body: { status: 'explained', note: 'Penjelasan diterima.' },
    expect: allow(200, ['walidataInside', 'walidataNational'], { walidataOutside: REVIEW_REFUSED }),
  },
  { op: 'GET /v1/inbox', expect: allow(200, [...PRODUCERS, ...WALIDATA]) },

  // Conflicts: producers see those they are party to; a walidata of the key's region or above decides.
  { op: 'GET /v1/conflicts', expect: allow(200, [...PRODUCERS, ...WALIDATA, 'admin']) },
  { op: 'GET /v1/conflicts/{id}', params: { id: w.conflict }, expect: allow(200, WORKING, { producerOther: { status: 404, code: 'CONFLICT_NOT_FOUND' } }) },
  {
    op: 'POST /v1/conflicts/{id}/resolve',
    params: (a) => ({ id: w.conflictToResolve[a] }),
    body: { agency: OWNER, rationale: reviewNote },
    expect: allow(200, ['walidataInside', 'walidataNational'], { walidataOutside: REVIEW_REFUSED }),
  },
  {
    op: 'POST /v1/conflicts/{id}/reopen',
    params: (a) => ({ id: w.conflictToReopen[a] }),
    body: { rationale: 'BPS merevisi angka.' },
    expect: allow(200, ['walidataInside', 'walidataNational'], { walidataOutside: REVIEW_REFUSED }),
  },

  { op: 'GET /v1/figures', query: 'indicator=PPKS-07&within=65', expect: anyToken(200) },
  { op: 'GET /v1/figures/series', query: `indicator=PPKS-07&region=${TARGET_REGION}`, expect: anyToken(200) },
  { op: 'GET /v1/figures/changes', expect: anyToken(200) },
  // The DCAT catalogue is public: it lists only open datasets, the same for every caller.
  { op: 'GET /v1/catalog', expect: everyone(200) },
  { op: 'GET /sdmx/2.1/{resource}', params: { resource: 'dataflow' }, expect: anyToken(200) },
  { op: 'GET /sdmx/2.1/{resource}/{agencyID}/{resourceID}/{version}', params: { resource: 'codelist', agencyID: 'SATUDATA', resourceID: 'CL_SEX', version: '1.0' }, expect: anyToken(200) },
  { op: 'GET /sdmx/2.1/data/{flowRef}', params: { flowRef: 'PPKS-07' }, expect: anyToken(200) },
  { op: 'GET /sdmx/2.1/data/{flowRef}/{key}', params: { flowRef: 'SATUDATA,PPKS-07,1.0', key: '6571...' }, expect: anyToken(200) },
  { op: 'GET /sdmx/2.1/schema/dataflow/{agencyID}/{resourceID}/{version}', params: { agencyID: 'SATUDATA', resourceID: 'PPKS-07', version: '1.0' }, expect: anyToken(200) },

  // IKESOS: methodologies, their activation and official scores are national reference data.
  { op: 'GET /v1/ikesos/methodologies', expect: anyToken(200) },
  {
    op: 'POST /v1/ikesos/methodologies',
    body: (a) => ({ version: `matrix-new-${n(a)}`, name: 'Metodologi matriks', description: '', provisional: false, config: w.methodologyConfig }),
    expect: nationalOnly(201),
  },
  { op: 'GET /v1/ikesos/methodologies/{id}', params: { id: w.methodology }, expect: anyToken(200) },
  { op: 'POST /v1/ikesos/methodologies/{id}/activate', params: (a) => ({ id: w.draftOf[a] }), expect: nationalOnly(200) },
  { op: 'GET /v1/ikesos/scores', query: 'period=2025&within=65', expect: anyToken(200) },
  { op: 'GET /v1/ikesos/scores/{region}/{period}', params: { region: TARGET_REGION, period: '2025' }, expect: anyToken(200) },
  { op: 'GET /v1/ikesos/scores/{region}/{period}/sensitivity', params: { region: TARGET_REGION, period: '2025' }, expect: anyToken(200) },
  { op: 'POST /v1/ikesos/official-scores', body: { source: 'Kemensos 2025', scores: [{ region: TARGET_REGION, period: '2025', score: 50 }] }, expect: nationalOnly(200) },

  // Collection cycles: run inside the walidata's jurisdiction; compliance is read by walidata, admins and consumers.
  {
    op: 'POST /v1/cycles',
    body: { name: 'IKESOS Kota Tarakan 2025', region: TARGET_REGION, reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2030-01-31' },
    expect: inJurisdiction(201),
  },
  { op: 'GET /v1/cycles', expect: anyToken(200) },
  { op: 'GET /v1/cycles/{id}', params: { id: w.cycle }, expect: anyToken(200) },
  { op: 'PATCH /v1/cycles/{id}', params: (a) => ({ id: w.cycleOf[a] }), body: { name: 'Siklus matriks (diubah)' }, expect: inJurisdiction(200) },
  {
    op: 'POST /v1/cycles/{id}/obligations',
    params: (a) => ({ id: w.cycleOf[a] }),
    body: { obligations: [{ agency: OWNER, indicator: 'PPKS-06', region: TARGET_REGION }] },
    expect: inJurisdiction(201),
  },
  { op: 'GET /v1/cycles/{id}/obligations', params: { id: w.cycle }, expect: allow(200, [...PRODUCERS, ...WALIDATA, 'admin']) },
  { op: 'GET /v1/cycles/{id}/compliance', params: { id: w.cycle }, expect: allow(200, ['consumer', ...WALIDATA, 'admin']) },
  { op: 'GET /v1/cycles/{id}/compliance.html', params: { id: w.cycle }, expect: allow(200, ['consumer', ...WALIDATA, 'admin']) },
  // The report letterhead of a region: set and removed inside the jurisdiction, each caller on its own region so every write is a first one.
  { op: 'PUT /v1/regions/{code}/report-letterhead', params: (a) => ({ code: letterheadRegion(a) }), body: { office_name: 'PEMERINTAH KOTA TARAKAN' }, expect: inJurisdiction(201) },
  { op: 'GET /v1/regions/{code}/report-letterhead', params: { code: TARGET_REGION }, expect: allow(200, ['consumer', ...WALIDATA, 'admin']) },
  { op: 'DELETE /v1/regions/{code}/report-letterhead', params: (a) => ({ code: letterheadRegion(a) }), expect: inJurisdiction(204) },
  {
    op: 'GET /v1/cycles/{id}/compliance/{agency}',
    params: { id: w.cycle, agency: OWNER },
    expect: allow(200, ['consumer', 'producerOwn', ...WALIDATA, 'admin'], { producerOther: OTHER_AGENCY }),
  },
  { op: 'GET /v1/cycles/{id}/overdue', params: { id: w.cycle }, expect: allow(200, [...WALIDATA, 'admin']) },

  // Clients are the admin's; the audit log is read by walidata and admins.
  { op: 'GET /v1/clients', expect: allow(200, ['admin']) },
  { op: 'POST /v1/clients', body: { name: 'Klien matriks', role: 'consumer' }, expect: allow(201, ['admin']) },
  { op: 'GET /v1/clients/{id}', params: { id: w.clientId.producerOwn }, expect: allow(200, ['admin']) },
  { op: 'POST /v1/clients/{id}/disable', params: (a) => ({ id: w.clientToDisable[a] }), expect: allow(200, ['admin']) },
  { op: 'POST /v1/clients/{id}/rotate-secret', params: (a) => ({ id: w.clientToRotate[a] }), expect: allow(200, ['admin']) },
  { op: 'GET /v1/audit-log', expect: allow(200, [...WALIDATA, 'admin']) },
  { op: 'POST /v1/webhooks', body: (a) => ({ url: `https://192.0.3.10/matrix/${a}/new`, event_types: ['figure.changed'] }), expect: anyToken(201) },
  { op: 'GET /v1/webhooks', expect: anyToken(200) },
  { op: 'GET /v1/webhooks/{id}', params: { id: webhooks.producerOwn.kept }, expect: ownerOnly(200) },
  { op: 'PATCH /v1/webhooks/{id}', params: { id: webhooks.producerOwn.kept }, body: { description: 'Matriks' }, expect: ownerOnly(200) },
  { op: 'GET /v1/webhooks/{id}/deliveries', params: { id: webhooks.producerOwn.kept }, expect: ownerOnly(200) },
  { op: 'POST /v1/webhooks/{id}/rotate-secret', params: ownWebhook('kept'), expect: anyToken(200) },
  { op: 'POST /v1/webhooks/{id}/replay', params: ownWebhook('kept'), body: { from: `msg_${'0'.repeat(32)}` }, expect: anyToken(422) },
  { op: 'DELETE /v1/webhooks/{id}', params: ownWebhook('deleted'), expect: anyToken(204) },
];

const documented = new Set(operationsOf(readOpenapiDocument()).map((op) => `${op.method} ${op.path}`));
const covered = new Set(rows.map((r) => r.op));

t.test('the matrix has a row for every operation of the OpenAPI document, and only for those', async (t) => {
  t.same([...documented].filter((op) => !covered.has(op)), [], 'operations of the document without a row in the matrix');
  t.same([...covered].filter((op) => !documented.has(op)), [], 'rows of the matrix whose operation is not in the document');
});

const resolve = <T>(value: Per<T> | undefined, actor: Actor): T | undefined => (typeof value === 'function' ? (value as (a: Actor) => T)(actor) : value);

function request(row: Row, actor: Actor): InjectOptions {
  const [method, template] = row.op.split(' ') as [InjectOptions['method'], string];
  const params = resolve(row.params, actor) ?? {};
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${row.op}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const query = resolve(row.query, actor);
  const body = resolve(row.body, actor);
  const auth = w.auth[actor] ?? {};
  return {
    method,
    url: query ? `${path}?${query}` : path,
    headers: { ...auth, ...resolve(row.headers, actor) },
    ...(body === undefined ? {} : { payload: body }),
  };
}

const label = (o: Outcome) => (o.code ? `${o.status} ${o.code}` : String(o.status));
const describe = (expected: Expected) => (Array.isArray(expected) ? expected : [expected]).map(label).join(' | ');
const problemCode = (res: LightMyRequestResponse): string | undefined => {
  if (!/json/.test(String(res.headers['content-type'] ?? ''))) return undefined;
  try {
    return (res.json() as { code?: unknown }).code as string | undefined;
  } catch {
    return undefined;
  }
};

/** What the cell came to, in the words of its expectation when it met one of them. */
function verdict(expected: Expected, res: LightMyRequestResponse, wrote: string[]): string {
  const code = problemCode(res);
  const options = Array.isArray(expected) ? expected : [expected];
  const met = options.find((o) => o.status === res.statusCode && (o.code === undefined || o.code === code));
  const got = met ? describe(expected) : `${res.statusCode}${code ? ` ${code}` : ''}`;
  return wrote.length > 0 ? `${got}, but it wrote ${wrote.join(', ')}` : got;
}

let known: Fingerprint | undefined;
for (const row of rows) {
  const name = `${row.op}${row.variant ? ` [${row.variant}]` : ''}`;
  t.test(name, { skip: documented.has(row.op) ? false : 'not in the OpenAPI document (see the first test)' }, async (t) => {
    for (const actor of ACTORS) {
      const before = (known ??= await fingerprint());
      const res = await app.inject(request(row, actor));
      let wrote: string[] = [];
      if (res.statusCode >= 200 && res.statusCode < 300) known = undefined;
      else {
        known = await fingerprint();
        wrote = changedTables(before, known);
      }
      const want = describe(row.expect[actor]);
      t.equal(verdict(row.expect[actor], res, wrote), want, `${name} × ${actor}: expected ${want}`);
    }
  });
}
