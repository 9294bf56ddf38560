import t from 'tap';
import { publishJobHandler } from '../../../src/modules/review/publish-job-service.js';
import type { RunningJob } from '../../../src/modules/jobs/worker-service.js';
import { datasetBody } from '../../helpers/datasets.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

// A publication as a job: asked for (Prefer: respond-async) or above PUBLISH_ASYNC_KEYS
// observations (3 here), answered 202, ended with the result a synchronous one returns.
const ctx = await createTestApp(t, { PUBLISH_ASYNC_KEYS: '3' });
const { app, database } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DISKOMINFO-6571', '65.71', 'DISKOMINFO');
await createAgency(ctx, 'DISKOMINFO-65', '65', 'DISKOMINFO');
const producer = await ctx.login('producer', 'DINSOS-6571');
const verifier = await ctx.login('walidata', 'DISKOMINFO-6571');
const publisher = await ctx.login('walidata', 'DISKOMINFO-65');

/** A dataset with one version of `n` observations, verified; its id. */
async function verifiedVersion(n: number): Promise<string> {
  const id = (await app.inject({ method: 'POST', url: '/v1/datasets', headers: producer.auth, payload: datasetBody })).json().id as string;
  const observations = Array.from({ length: n }, (_, i) => ({ indicator: 'PPKS-06', region: `65.71.0${1 + (i % 4)}`, period: String(2025 - Math.floor(i / 4)), value: 10 + i }));
  const pushed = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions`, headers: producer.auth, payload: { observations } });
  if (pushed.statusCode !== 201) throw new Error(pushed.body);
  const verified = await review(id, 1, verifier.auth, { action: 'verify' });
  if (verified.statusCode !== 200) throw new Error(verified.body);
  return id;
}
const review = (id: string, version: number, auth: { authorization: string }, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/${version}/review`, headers: { ...auth, ...headers }, payload });
async function ended(location: string) {
  await app.jobs.drain();
  return (await app.inject({ url: location, headers: publisher.auth })).json();
}

t.test('Prefer: respond-async publishes a small version as a job, with the same result', async (t) => {
  const id = await verifiedVersion(2);
  const res = await review(id, 1, publisher.auth, { action: 'publish', note: 'terbit' }, { prefer: 'respond-async' });
  t.equal(res.statusCode, 202, res.body);
  t.equal(res.headers['preference-applied'], 'respond-async');
  t.match(res.json(), { status: 'running', dataset_id: id, version: 1 });
  t.equal(res.headers.location, `/v1/jobs/${res.json().job_id}`);
  const job = await ended(res.headers.location as string);
  t.match(job, {
    kind: 'publish',
    status: 'succeeded',
    version: 1,
    attempts: 1,
    progress: null,
    problem: null,
    result: { dataset_id: id, version: 1, action: 'publish', from_status: 'verified', status: 'published', note: 'terbit', reviewed_by: publisher.clientId, reconciliation: { keys: 2 } },
    links: { self: res.headers.location, version: `/v1/datasets/${id}/versions/1` },
  });
  t.equal((await app.inject({ url: `/v1/datasets/${id}/versions/1`, headers: publisher.auth })).json().status, 'published');
  t.equal((await app.inject({ url: res.headers.location as string, headers: producer.auth })).statusCode, 404, 'the producer did not send it');
});

t.test('above PUBLISH_ASYNC_KEYS a publication is a job unasked; other actions never are', async (t) => {
  const id = await verifiedVersion(4);
  const res = await review(id, 1, publisher.auth, { action: 'publish' });
  t.equal(res.statusCode, 202);
  t.notOk(res.headers['preference-applied'], 'not asked for');
  t.equal((await ended(res.headers.location as string)).status, 'succeeded');
  // Verified at once (verifiedVersion checks the 200), though larger than the threshold.
  const other = await verifiedVersion(5);
  const returned = await review(other, 1, publisher.auth, { action: 'return', note: 'periksa' }, { prefer: 'respond-async' });
  t.equal(returned.statusCode, 200, 'a return is never a job');
});

t.test('refusals: a missing version is 404 at once; a publication the job may not make fails with its problem', async (t) => {
  const id = await verifiedVersion(2);
  const missing = await review(id, 9, publisher.auth, { action: 'publish' }, { prefer: 'respond-async' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'VERSION_NOT_FOUND');
  const byVerifier = await review(id, 1, verifier.auth, { action: 'publish' }, { prefer: 'respond-async' });
  t.equal(byVerifier.statusCode, 202);
  const refused = await ended(byVerifier.headers.location as string);
  t.match(refused, { status: 'failed', result: null, problem: { status: 403, code: 'REVIEW_NOT_PERMITTED' } });
  t.equal((await app.inject({ url: `/v1/datasets/${id}/versions/1`, headers: publisher.auth })).json().status, 'verified', 'nothing published');
  const twice = await review(id, 1, publisher.auth, { action: 'publish' }, { prefer: 'respond-async' });
  t.equal((await ended(twice.headers.location as string)).status, 'succeeded');
  const again = await review(id, 1, publisher.auth, { action: 'publish' }, { prefer: 'respond-async' });
  t.match(await ended(again.headers.location as string), { status: 'failed', problem: { status: 409, code: 'REVIEW_TRANSITION_INVALID' } }, 'another request publishing it again is refused');
});

t.test('a claim that finds the version published by its own request (an earlier claim committed, then died) reports that publication', async (t) => {
  const id = await verifiedVersion(2);
  const sync = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: { ...publisher.auth, 'x-request-id': 'publish-once' }, payload: { action: 'publish' } });
  t.equal(sync.statusCode, 200);
  const job = (requestId: string) =>
    ({ id: 'x', attempt: 2, datasetId: id, clientId: publisher.clientId, version: 1, payload: { actor: { clientId: publisher.clientId, role: 'walidata', agency: null }, request_id: requestId, note: null } }) as unknown as RunningJob;
  const handler = publishJobHandler({ chunkKeys: 20_000 });
  const again = await handler(job('publish-once'), database);
  t.same(again, { version: 1, report: sync.json() }, 'the same result, read back');
  await t.rejects(handler(job('another-request'), database), { code: 'REVIEW_TRANSITION_INVALID' }, 'not another request\'s');
});
