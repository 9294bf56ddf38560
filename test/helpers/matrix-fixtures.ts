import type { InjectOptions } from 'fastify';
import { publishing } from '../modules/reconciliation/publishing.js';
import { datasetBody } from './datasets.js';
import type { TestContext } from './test-app.js';

/**
 * The world of the authorization matrix (test/authorization-matrix.test.ts): one target
 * agency, DINSOS-6571 of Kota Tarakan (65.71, Kalimantan Utara), with data at every stage of
 * the cycle, and the eight callers the matrix asks about. Writes that succeed get a target of
 * their own per caller, so no cell depends on the order the cells run in; callers that are
 * refused share one (a refusal changes nothing).
 */

export const ACTORS = [
  'none',
  'consumer',
  'producerOwn',
  'producerOther',
  'walidataInside',
  'walidataOutside',
  'walidataNational',
  'admin',
] as const;
export type Actor = (typeof ACTORS)[number];
export type Auth = { authorization: string };
export type PerActor<T> = Record<Actor, T>;

export const OWNER = 'DINSOS-6571';
export const TARGET_REGION = '65.71';

/** Who the callers are: the agency each acts for, where it has one. */
const AGENCY_OF: Partial<Record<Actor, string>> = {
  producerOwn: OWNER,
  producerOther: 'DINSOS-3373', // Kota Salatiga
  walidataInside: 'DISKOMINFO-65', // the province of Kalimantan Utara
  walidataOutside: 'DISKOMINFO-3373', // Kota Salatiga
};
const ROLE_OF: Record<Exclude<Actor, 'none'>, 'consumer' | 'producer' | 'walidata' | 'admin'> = {
  consumer: 'consumer',
  producerOwn: 'producer',
  producerOther: 'producer',
  walidataInside: 'walidata',
  walidataOutside: 'walidata',
  walidataNational: 'walidata',
  admin: 'admin',
};

/** The indicators the matrix changes, so the shipped catalogue stays as it is. */
export const TARGET_INDICATOR = 'PPKS-90';
/** Holders of a regional policy at 65.71, one per caller that may remove it (and one for the rest). */
const POLICY_INDICATORS = ['PPKS-91', 'PPKS-92', 'PPKS-93', 'PPKS-94'];

export const policyBody = { tolerance: { absolute: 0, relative: 0.005 }, priority: ['BPS', 'DINSOS'], method: 'manual', requires_confirmation: false };

export function indicatorBody(code: string) {
  return {
    code,
    name: `Indikator matriks ${code}`,
    name_en: `Matrix indicator ${code}`,
    group: 'ppks',
    measure: 'jumlah',
    unit: 'orang',
    valid_min: 0,
    source_agency_kinds: ['DINSOS'],
    periodicity: 'tahunan',
    disaggregations: ['sex'],
    metadata: { definisi: 'Indikator uji matriks kewenangan.', dapat_diakses_umum: true },
  };
}

export interface MatrixWorld {
  auth: PerActor<Auth | null>;
  /** The client behind each caller; for `none`, a spare client it may get a token for. */
  clientId: PerActor<string>;
  secret: string;
  /** A dataset of the owner's (terbuka, so another producer sees it and is refused 403, not 404), version 1 with findings. */
  dataset: string;
  /** A dataset of the owner's to push to. */
  pushDataset: string;
  job: string;
  /** Two AN_JUMP findings of the dataset's version 1: one to answer, one to decide. */
  findingToAnswer: string;
  findingToResolve: string;
  conflict: string;
  cycle: string;
  methodology: string;
  /** The active methodology's configuration, for new drafts. */
  methodologyConfig: object;
  /** Versions of a dataset of the owner's: submitted, to verify; verified, to publish. */
  toVerify: PerActor<number>;
  toPublish: PerActor<number>;
  reviewDataset: string;
  conflictToResolve: PerActor<string>;
  conflictToReopen: PerActor<string>;
  regionalPolicyIndicator: PerActor<string>;
  cycleOf: PerActor<string>;
  draftOf: PerActor<string>;
  clientToDisable: PerActor<string>;
  clientToRotate: PerActor<string>;
  /** Agencies of 65.71 whose jurisdiction a caller moves, widens, or moves without a reason. */
  agencyToMove: PerActor<string>;
  agencyToWiden: PerActor<string>;
  agencyWithoutReason: PerActor<string>;
  /** A province agency (65) a caller narrows to 65.71; the walidata inside's is its own, DISKOMINFO-65. */
  provinceAgency: PerActor<string>;
}

const index = (actor: Actor) => ACTORS.indexOf(actor);

async function perActor<T>(make: (actor: Actor) => Promise<T>): Promise<PerActor<T>> {
  const out = {} as PerActor<T>;
  for (const actor of ACTORS) out[actor] = await make(actor);
  return out;
}

/** The listed callers get one target each; every other caller shares `shared`. */
function own<T>(targets: T[], holders: Actor[], shared: T): PerActor<T> {
  return Object.fromEntries(ACTORS.map((a) => [a, holders.includes(a) ? targets[holders.indexOf(a)]! : shared])) as PerActor<T>;
}

export async function buildMatrixWorld(ctx: TestContext): Promise<MatrixWorld> {
  const { app } = ctx;
  const call = async (what: string, options: InjectOptions, expected: number[]) => {
    const res = await app.inject(options);
    if (!expected.includes(res.statusCode)) throw new Error(`matrix fixture: ${what}: ${options.method ?? 'GET'} ${options.url} → ${res.statusCode} ${res.body}`);
    return res;
  };
  const steward = await ctx.login('walidata');
  const post = (what: string, url: string, payload: object, auth: Auth = steward.auth, expected = [200, 201]) =>
    call(what, { method: 'POST', url, headers: auth, payload }, expected);
  const agency = (code: string, jurisdiction: string, kind = 'DINSOS') =>
    post('agency', '/v1/agencies', { code, name: `Agency ${code}`, kind, jurisdiction_region_code: jurisdiction });

  await agency(OWNER, TARGET_REGION);
  await agency('DINSOS-3373', '33.73');
  await agency('DISKOMINFO-65', '65', 'DISKOMINFO');
  await agency('DISKOMINFO-3373', '33.73', 'DISKOMINFO');
  await agency('DP3AP2KB-6571', TARGET_REGION, 'DP3AP2KB');

  const logins = await perActor(async (actor) => (actor === 'none' ? ctx.login('consumer') : ctx.login(ROLE_OF[actor], AGENCY_OF[actor])));
  const auth = Object.fromEntries(ACTORS.map((a) => [a, a === 'none' ? null : logins[a].auth])) as PerActor<Auth | null>;
  const clientId = Object.fromEntries(ACTORS.map((a) => [a, logins[a].clientId])) as PerActor<string>;
  const producer = logins.producerOwn.auth;

  const agencies = async (prefix: string, jurisdiction: string) =>
    perActor(async (actor) => {
      const code = `MTX-${prefix}-${index(actor)}`;
      await agency(code, jurisdiction);
      return code;
    });
  const agencyToMove = await agencies('MOVE', TARGET_REGION);
  const agencyToWiden = await agencies('WIDE', TARGET_REGION);
  const agencyWithoutReason = await agencies('NORSN', TARGET_REGION);
  const provinceAgency = { ...(await agencies('PROV', '65')), walidataInside: 'DISKOMINFO-65' };

  for (const code of [TARGET_INDICATOR, ...POLICY_INDICATORS]) await post('indicator', '/v1/indicators', indicatorBody(code));
  for (const code of POLICY_INDICATORS) {
    await call('regional policy', { method: 'PUT', url: `/v1/indicators/${code}/reconciliation-policy?region=${TARGET_REGION}`, headers: steward.auth, payload: policyBody }, [200]);
  }

  const dataset = async (indicators: string[], periods: string[]) =>
    (
      await post('dataset', '/v1/datasets', { ...datasetBody, indicators, reference_periods: periods, access_classification: 'terbuka' }, producer)
    ).json().id as string;
  const push = async (id: string, observations: object[]) => (await post('push', `/v1/datasets/${id}/versions`, { observations }, producer)).json().version as number;

  // Two series that jump in 2025: one AN_JUMP warning each, the version stays submitted.
  const periods = ['2021', '2022', '2023', '2024', '2025'];
  const main = await dataset(['PPKS-06'], periods);
  const series = (region: string, values: number[]) => values.map((value, i) => ({ indicator: 'PPKS-06', region, period: periods[i]!, value }));
  await push(main, [...series('65.71.01', [40, 44, 41, 43, 190]), ...series('65.71.02', [30, 33, 31, 32, 150])]);
  const jumps = (await call('findings', { url: `/v1/findings?dataset=${main}&version=1&detector=jump`, headers: steward.auth }, [200])).json().data as { id: string; anomaly: { region: string } }[];
  const [findingToAnswer, findingToResolve] = jumps.sort((a, b) => a.anomaly.region.localeCompare(b.anomaly.region)).map((f) => f.id);
  if (!findingToAnswer || !findingToResolve) throw new Error(`matrix fixture: expected two jump findings, got ${JSON.stringify(jumps)}`);

  const job = (
    await call('job', { method: 'POST', url: `/v1/datasets/${main}/versions`, headers: { ...producer, 'content-type': 'text/csv', prefer: 'respond-async' }, payload: 'indicator,region,period,value\nPPKS-06,65.71,2025,12\n' }, [202])
  ).json().job_id as string;
  await app.jobs.drain();

  const pushDataset = await dataset(['PPKS-06'], ['2025']);

  // Six versions of one dataset: 1–3 stay submitted (to verify), 4–6 are verified (to publish).
  const reviewDataset = await dataset(['PPKS-10'], ['2025']);
  const versions: number[] = [];
  for (let i = 0; i < 6; i++) versions.push(await push(reviewDataset, [{ indicator: 'PPKS-10', region: TARGET_REGION, period: '2025', value: 20 + i }]));
  const { verifier, publish } = await publishing(ctx);
  for (const v of versions.slice(3)) await post('verify', `/v1/datasets/${reviewDataset}/versions/${v}/review`, { action: 'verify' }, verifier.auth, [200]);
  const reviewers: Actor[] = ['walidataInside', 'walidataNational'];
  const toVerify = own(versions.slice(0, 2), reviewers, versions[2]!);
  const toPublish = own(versions.slice(3, 5), reviewers, versions[5]!);

  // Seven keys on which the owner and DP3AP2KB-6571 publish different figures: seven conflicts.
  const years = ['2018', '2019', '2020', '2021', '2022', '2023', '2024'];
  const figures = (values: number[]) => values.map((value, i) => ({ indicator: 'PPKS-07', region: TARGET_REGION, period: years[i]!, value }));
  await publish(producer, figures([20, 22, 21, 23, 24, 22, 25]));
  await publish((await ctx.login('producer', 'DP3AP2KB-6571')).auth, figures([30, 33, 31, 34, 36, 33, 37]));
  const conflicts = (await call('conflicts', { url: '/v1/conflicts?indicator=PPKS-07', headers: steward.auth }, [200])).json().data as { id: string; period: string }[];
  const byYear = years.map((y) => conflicts.find((c) => c.period === y)?.id);
  if (byYear.some((id) => id === undefined)) throw new Error(`matrix fixture: expected a conflict per year, got ${JSON.stringify(conflicts)}`);
  const [conflict, r1, r2, r3, o1, o2, o3] = byYear as string[];
  for (const id of [o1!, o2!, o3!]) await post('resolve', `/v1/conflicts/${id}/resolve`, { agency: OWNER, rationale: 'Notulen rapat rekonsiliasi.' }, steward.auth, [200]);

  const cycleBody = (name: string) => ({ name, region: TARGET_REGION, reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2030-01-31', status: 'open' });
  const cycle = (await post('cycle', '/v1/cycles', cycleBody('Siklus matriks'))).json().id as string;
  await post('obligations', `/v1/cycles/${cycle}/obligations`, { obligations: [{ agency: OWNER, indicator: 'PPKS-06', region: TARGET_REGION }] });
  const cycleOf = await perActor(async (actor) => (await post('cycle', '/v1/cycles', cycleBody(`Siklus ${actor}`))).json().id as string);

  const active = (await call('methodologies', { url: '/v1/ikesos/methodologies', headers: steward.auth }, [200])).json().data[0] as { id: string; config: object };
  const draftOf = await perActor(
    async (actor) => (await post('methodology', '/v1/ikesos/methodologies', { version: `matrix-draft-${index(actor)}`, name: `Draf ${actor}`, description: '', provisional: false, config: active.config })).json().id as string,
  );

  const spareClient = async () => (await ctx.login('consumer')).clientId;

  return {
    auth,
    clientId,
    secret: logins.none.secret,
    dataset: main,
    pushDataset,
    job,
    findingToAnswer,
    findingToResolve,
    conflict: conflict!,
    cycle,
    methodology: active.id,
    methodologyConfig: active.config,
    toVerify,
    toPublish,
    reviewDataset,
    conflictToResolve: own([r1!, r2!], reviewers, r3!),
    conflictToReopen: own([o1!, o2!], reviewers, o3!),
    regionalPolicyIndicator: own(POLICY_INDICATORS.slice(0, 3), ['walidataInside', 'walidataNational', 'admin'], POLICY_INDICATORS[3]!),
    cycleOf,
    draftOf,
    clientToDisable: await perActor(spareClient),
    clientToRotate: await perActor(spareClient),
    agencyToMove,
    agencyToWiden,
    agencyWithoutReason,
    provinceAgency,
  };
}
