import t from 'tap';
import { sql } from 'kysely';
import { serverUrl } from '../../helpers/database.js';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { findDataset } from '../../../src/modules/datasets/repository.js';
import { reviewVersion } from '../../../src/modules/review/service.js';
import type { PublishProgress } from '../../../src/modules/reconciliation/reconcile.js';
import type { Auth, Observation } from './publishing.js';

// Publishing as set-based work: candidates and supersession come from each dataset's current
// published values however many versions came before; a version is reconciled a slice of keys
// at a time (three keys a slice here); publications of different indicators run side by side,
// those of the same indicator one after the other.
const ctx = await createTestApp(t, { PUBLISH_CHUNK_KEYS: '3' });
const { app, database } = ctx;
const { db } = database;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const verifier = await ctx.login('walidata');
const publisher = await ctx.login('walidata');

async function newDataset(producer: Auth, indicators: string[]): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/datasets',
    headers: producer,
    payload: { ...datasetBody, indicators, reference_periods: ['2023', '2024', '2025'] },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id as string;
}

/** Pushes the next version of a dataset and verifies it; returns its number. */
async function pushVerified(producer: Auth, dataset: string, observations: Observation[]): Promise<number> {
  const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${dataset}/versions`, headers: producer, payload: { observations } });
  if (pushed.json().status !== 'submitted') throw new Error(pushed.body);
  const version = pushed.json().version as number;
  const verified = await app.inject({ method: 'POST', url: `/v1/datasets/${dataset}/versions/${version}/review`, headers: verifier.auth, payload: { action: 'verify' } });
  if (verified.statusCode !== 200) throw new Error(verified.body);
  return version;
}

type Published = { supersedes: { version: number; keys: number }[]; reconciliation: { keys: number; conflicts: number; changed: number } };

/** Pushes, verifies and publishes through the API; the publication's answer. */
async function publish(producer: Auth, dataset: string, observations: Observation[]): Promise<Published> {
  const version = await pushVerified(producer, dataset, observations);
  const res = await app.inject({ method: 'POST', url: `/v1/datasets/${dataset}/versions/${version}/review`, headers: publisher.auth, payload: { action: 'publish' } });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}

/** Publishes a verified version through the service, with a progress callback (as a job would). */
async function publishWithProgress(dataset: string, version: number, onProgress: (p: PublishProgress) => void | Promise<void>) {
  const row = await findDataset(db, dataset);
  return reviewVersion(db, { clientId: publisher.clientId, role: 'walidata', agency: null }, 'test', row!, version, { action: 'publish' }, { chunkKeys: 3, onProgress });
}

/** Each dataset's latest published observation of each key, worked out from the whole history. */
async function candidatesFromHistory() {
  const { rows } = await sql<Record<string, unknown>>`
    select distinct on (o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id)
           o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id::text as dataset_id, v.id::text as version_id, v.version, o.value::text as value
    from observations o join dataset_versions v on v.id = o.version_id
    where v.status = 'published'
    order by o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id, v.published_at desc, v.version desc`.execute(db);
  return rows;
}

async function storedCandidates() {
  const { rows } = await sql<Record<string, unknown>>`
    select indicator_code, region_code, period, disagg_key, dataset_id::text as dataset_id, version_id::text as version_id, version, value::text as value
    from published_candidates order by indicator_code, region_code, period, disagg_key, dataset_id`.execute(db);
  return rows;
}

const sexL = { indicator: 'PPKS-06', region: '65.71', period: '2025', sex: 'L' };
const y2024 = { indicator: 'PPKS-06', region: '65.71', period: '2024' };

t.test('candidates and supersession follow each dataset\u2019s latest publication of each key, through many versions', async (t) => {
  const a = await newDataset(dinsos.auth, ['PPKS-06']);
  const b = await newDataset(dp3.auth, ['PPKS-06']);
  t.same((await publish(dinsos.auth, a, [{ ...sexL, value: 100 }, { ...y2024, value: 50 }])).supersedes, []);
  t.match((await publish(dp3.auth, b, [{ ...sexL, value: 100 }])).reconciliation, { keys: 1, conflicts: 0 });
  const a2 = await publish(dinsos.auth, a, [{ ...sexL, value: 101 }]);
  t.same(a2.supersedes, [{ version: 1, keys: 1 }]);
  t.match(a2.reconciliation, { keys: 1, conflicts: 1 }, 'DINSOS v2 against DP3AP2KB v1');
  t.match((await publish(dp3.auth, b, [{ ...sexL, value: 101 }])).reconciliation, { keys: 1, conflicts: 0 }, 'agreeing again');
  const a3 = await publish(dinsos.auth, a, [{ ...sexL, value: 102 }, { ...y2024, value: 51 }]);
  t.same(a3.supersedes, [{ version: 1, keys: 1 }, { version: 2, keys: 1 }], 'each key from the version that held it: 2024 from v1, sex=L from v2');
  // DINSOS stops reporting sex=L: its v3 figure stays its candidate there.
  t.same((await publish(dinsos.auth, a, [{ ...y2024, value: 52 }])).supersedes, [{ version: 3, keys: 1 }]);
  t.match((await publish(dp3.auth, b, [{ ...sexL, value: 103 }])).reconciliation, { keys: 1, conflicts: 1 });

  const conflicts = (await app.inject({ url: '/v1/conflicts?indicator=PPKS-06&region=65.71&period=2025', headers: verifier.auth })).json().data;
  t.equal(conflicts.length, 1);
  const detail = (await app.inject({ url: `/v1/conflicts/${conflicts[0].id}`, headers: verifier.auth })).json();
  const byAgency = [...detail.candidates].sort((x: { agency: string }, y: { agency: string }) => x.agency.localeCompare(y.agency));
  t.match(byAgency, [
    { agency: 'DINSOS-6571', dataset_id: a, version: 3, value: '102' },
    { agency: 'DP3AP2KB-6571', dataset_id: b, version: 3, value: '103' },
  ]);
  t.same(await storedCandidates(), await candidatesFromHistory(), 'the stored current candidates are what the whole history says');
});

// Seven keys across two indicators: slices of three end between the breakdowns of one
// region and year, across indicators, and one key from the end.
const seven: Observation[] = [
  { indicator: 'PPKS-06', region: '65.71.01', period: '2023', value: 1 },
  { indicator: 'PPKS-06', region: '65.71.01', period: '2024', value: 2 },
  { indicator: 'PPKS-06', region: '65.71.02', period: '2023', sex: 'L', value: 3 },
  { indicator: 'PPKS-06', region: '65.71.02', period: '2023', sex: 'P', value: 4 },
  { indicator: 'PPKS-07', region: '65.71.01', period: '2023', value: 5 },
  { indicator: 'PPKS-07', region: '65.71.02', period: '2023', value: 6 },
  { indicator: 'PPKS-07', region: '65.71.03', period: '2023', value: 7 },
];

t.test('a version of more keys than a slice is reconciled slice by slice, every key once', async (t) => {
  const a = await newDataset(dinsos.auth, ['PPKS-06', 'PPKS-07']);
  const b = await newDataset(dp3.auth, ['PPKS-06', 'PPKS-07']);
  const changesBefore = await changeCount();
  const version = await pushVerified(dinsos.auth, a, seven);
  const progress: PublishProgress[] = [];
  const first = await publishWithProgress(a, version, (p) => {
    progress.push(p);
  });
  t.same(progress, [
    { keys_done: 3, keys_total: 7 },
    { keys_done: 6, keys_total: 7 },
    { keys_done: 7, keys_total: 7 },
  ]);
  t.same(first.reconciliation, { keys: 7, conflicts: 0, changed: 7 });
  t.equal((await changeCount()) - changesBefore, 7, 'one change-feed entry per key');

  // Six keys: slices end exactly at the last key, and no empty slice follows.
  const sixVersion = await pushVerified(dp3.auth, b, seven.slice(0, 6).map((o, i) => ({ ...o, value: i < 2 ? o.value + 10 : o.value })));
  const six: PublishProgress[] = [];
  const second = await publishWithProgress(b, sixVersion, (p) => {
    six.push(p);
  });
  t.same(six, [
    { keys_done: 3, keys_total: 6 },
    { keys_done: 6, keys_total: 6 },
  ]);
  t.same(second.reconciliation, { keys: 6, conflicts: 2, changed: 6 }, 'two disagreements, four agreements');

  // Through the API (three keys a slice from the configuration) the same keys again.
  const third = await publish(dinsos.auth, a, seven.map((o) => ({ ...o, value: o.value + 10 })));
  t.same(third.supersedes, [{ version: 1, keys: 7 }]);
  t.same(third.reconciliation, { keys: 7, conflicts: 4, changed: 7 }, 'now the other four disagree, the first two agree');
  const figures = await sql<{ n: number }>`
    select count(*)::int as n from reconciled_figures where valid_to is null and indicator_code in ('PPKS-06', 'PPKS-07') and region_code like '65.71.0%'`.execute(db);
  t.equal(figures.rows[0]!.n, 7, 'one current figure per key');
  t.same(await storedCandidates(), await candidatesFromHistory());
});

t.test('a version smaller than a slice is one slice', async (t) => {
  const a = await newDataset(dinsos.auth, ['PPKS-08']);
  const progress: PublishProgress[] = [];
  const version = await pushVerified(dinsos.auth, a, [{ indicator: 'PPKS-08', region: '65.71', period: '2025', value: 9 }]);
  const published = await publishWithProgress(a, version, (p) => {
    progress.push(p);
  });
  t.same(progress, [{ keys_done: 1, keys_total: 1 }]);
  t.same(published.reconciliation, { keys: 1, conflicts: 0, changed: 1 });
});

async function changeCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from figure_changes`.execute(db);
  return rows[0]!.n;
}

/** Whether any session waits for a lock it has asked for. */
async function waiting(kind: 'any' | 'indicator'): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks
    where not granted and pid in (select pid from pg_stat_activity where datname = current_database())
      and (${kind} = 'any' or (locktype = 'advisory' and classid = 7110002 and objsubid = 2))`.execute(db);
  return rows[0]!.n > 0;
}

/** Resolves when `kind` of lock wait shows in pg_locks. */
async function untilWaiting(kind: 'any' | 'indicator'): Promise<void> {
  while (!(await waiting(kind))) await new Promise((r) => setTimeout(r, 20));
}

const onServer = { skip: serverUrl ? false : 'PGlite is one connection: no two transactions run at once' };

t.test('on a server: a publication of another indicator goes through while one is in progress', onServer, async (t) => {
  const x = await newDataset(dinsos.auth, ['PPKS-09']);
  const y = await newDataset(dp3.auth, ['PPKS-10']);
  const keys = ['65.71.01', '65.71.02', '65.71.03', '65.71.04'].flatMap((region) => ['2023', '2024'].map((period) => ({ indicator: 'PPKS-09', region, period, value: 3 })));
  const xVersion = await pushVerified(dinsos.auth, x, keys);
  const yVersion = await pushVerified(dp3.auth, y, [{ indicator: 'PPKS-10', region: '65.71', period: '2025', value: 4 }]);
  let other: { statusCode: number; body: string } | undefined;
  const published = await publishWithProgress(x, xVersion, async (p) => {
    if (p.keys_done !== 3) return;
    // Mid-publication of PPKS-09, its transaction open: PPKS-10's publication must finish
    // without waiting for any lock (were it to wait, the watcher would see it first).
    const publication = app.inject({ method: 'POST', url: `/v1/datasets/${y}/versions/${yVersion}/review`, headers: publisher.auth, payload: { action: 'publish' } });
    const outcome = await Promise.race([publication, untilWaiting('any').then(() => 'waited' as const)]);
    if (outcome === 'waited') throw new Error('the publication of another indicator waited for a lock');
    other = outcome;
  });
  t.equal(other?.statusCode, 200, other?.body ?? 'no answer');
  t.same(published.reconciliation, { keys: 8, conflicts: 0, changed: 8 });
});

t.test('on a server: publications of the same indicator take turns, the second seeing the first', onServer, async (t) => {
  const a = await newDataset(dinsos.auth, ['PPKS-11']);
  const b = await newDataset(dp3.auth, ['PPKS-11']);
  const key = { indicator: 'PPKS-11', region: '65.71', period: '2025' };
  const aVersion = await pushVerified(dinsos.auth, a, [{ ...key, value: 10 }]);
  const bVersion = await pushVerified(dp3.auth, b, [{ ...key, value: 12 }]);
  let second: Promise<{ statusCode: number; json: () => Published; body: string }> | undefined;
  const first = await publishWithProgress(a, aVersion, async () => {
    second = app.inject({ method: 'POST', url: `/v1/datasets/${b}/versions/${bVersion}/review`, headers: publisher.auth, payload: { action: 'publish' } });
    await untilWaiting('indicator');
  });
  t.same(first.reconciliation, { keys: 1, conflicts: 0, changed: 1 }, 'the first saw no other candidate');
  const answer = await second!;
  t.equal(answer.statusCode, 200, answer.body);
  t.same(answer.json().reconciliation, { keys: 1, conflicts: 1, changed: 1 }, 'the second, after the first committed, disagrees with it');
});
