import t, { type Test } from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { publishing } from '../reconciliation/publishing.js';
import { datasetBody } from '../../helpers/datasets.js';
import { WebhookWorker, type WorkerSettings } from '../../../src/modules/webhooks/delivery-service.js';
import { claimDue, lastEventSeq } from '../../../src/modules/webhooks/repository.js';
import { materializeEvents } from '../../../src/modules/webhooks/event-service.js';

// The receiver: a server on 127.0.0.1 that verifies every signature, drops some
// deliveries, and must end up with every event, in order, exactly once after de-duplication.
// The worker is driven pass by pass on a clock the test moves, so retries come due without
// waiting; each pass awaits its HTTP exchanges, so nothing depends on the machine's speed.
const ctx = await createTestApp(t, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
const { app, database } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DP3AP2KB-6571', '65.71', 'DP3AP2KB');
const dinsos = await ctx.login('producer', 'DINSOS-6571');
const dp3 = await ctx.login('producer', 'DP3AP2KB-6571');
const { publish, publisher, verifier } = await publishing(ctx);
const consumer = await ctx.login('consumer');

interface Received {
  id: string;
  type: string;
  data: { kind?: string; cursor?: string; figure?: { period: string; value: string | null }; status?: string };
}

/** A receiver that verifies with `secret`, answers 503 to every `dropEvery`-th request, and keeps what it accepted. */
async function receiver(t: Test, dropEvery: number) {
  const state = { secret: '', requests: 0, accepted: [] as Received[], refusedSignatures: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      let message: { type: string; data: Received['data'] };
      try {
        message = new Webhook(state.secret).verify(body, req.headers as Record<string, string>) as typeof message;
      } catch {
        state.refusedSignatures++;
        res.writeHead(401).end();
        return;
      }
      if (state.requests % dropEvery === 0) {
        res.writeHead(503).end('try later');
        return;
      }
      state.accepted.push({ id: String(req.headers['webhook-id']), type: message.type, data: message.data });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

const SETTINGS: WorkerSettings = {
  allowPrivateTargets: true,
  timeoutMs: 5_000,
  maxResponseBytes: 1024,
  maxFailures: 5,
  concurrency: 2,
  batch: 3,
  retryBaseMs: 1_000,
  retryMaxMs: 8_000,
  pollMs: 1_000,
  deadlineEveryMs: 60_000,
};

/** A worker on a clock that starts now and moves only when the test says so. */
function worker(settings: Partial<WorkerSettings> = {}) {
  let offset = 0;
  const w = new WebhookWorker(database.db, { ...SETTINGS, ...settings }, { now: () => new Date(Date.now() + offset), random: () => 0.5 });
  return Object.assign(w, { advance: (ms: number) => (offset += ms) });
}

/** Passes until `done` holds, moving the clock past any backoff between them; bounded. */
async function drive(workers: ReturnType<typeof worker>[], done: () => boolean) {
  for (let pass = 0; pass < 100 && !done(); pass++) {
    await Promise.all(workers.map((w) => w.runOnce()));
    for (const w of workers) w.advance(SETTINGS.retryMaxMs);
  }
}

async function subscribe(auth: { authorization: string }, body: object) {
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { subscription: { id: string }; secret: string };
}

/** The consumer's pull feed from the start: what the webhooks must match. */
async function pullFeed(filter = ''): Promise<{ kind: string; period: string; value: string | null }[]> {
  const res = await app.inject({ url: `/v1/figures/changes?limit=1000${filter}`, headers: consumer.auth });
  return res.json().data.map((c: { kind: string; figure: { period: string; value: string | null } }) => ({ kind: c.kind, period: c.figure.period, value: c.figure.value ?? null }));
}

const dedupe = (received: Received[]) => {
  const seen = new Set<string>();
  return received.filter((r) => !seen.has(r.id) && seen.add(r.id));
};

t.test('every figure change arrives signed, in order, exactly once after de-duplication, despite dropped deliveries', async (t) => {
  const hook = await receiver(t, 3);
  const created = await subscribe(consumer.auth, { url: hook.url, event_types: ['figure.changed'], indicators: ['PPKS-06'] });
  hook.state.secret = created.secret;

  const obs = (period: string, value: number) => [{ indicator: 'PPKS-06', region: '65.71', period, value }];
  await publish(dinsos.auth, obs('2021', 10));
  await publish(dinsos.auth, obs('2022', 11));
  await publish(dp3.auth, obs('2022', 19)); // disputed
  await publish(dinsos.auth, obs('2023', 12));
  const conflicts = (await app.inject({ url: '/v1/conflicts?status=open', headers: publisher.auth })).json().data;
  const resolved = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflicts[0].id}/resolve`, headers: publisher.auth, payload: { agency: 'DINSOS-6571' } });
  t.equal(resolved.statusCode, 200, 'a walidata resolves the conflict');
  await publish(dinsos.auth, [{ indicator: 'PPKS-01', region: '65.71', period: '2023', value: 3 }]); // filtered out

  const expected = await pullFeed('&indicator=PPKS-06');
  t.equal(expected.length, 5);
  const w = worker();
  await drive([w], () => dedupe(hook.state.accepted).length >= expected.length);
  const got = dedupe(hook.state.accepted);
  t.equal(hook.state.refusedSignatures, 0, 'every signature verifies');
  t.ok(hook.state.requests > got.length, 'some deliveries were dropped and tried again');
  t.same(got.map((r) => ({ kind: r.data.kind, period: r.data.figure!.period, value: r.data.figure!.value ?? null })), expected, 'the same entries as the pull feed, in order');
  t.ok(got.every((r) => r.type === 'figure.changed'));
  const feed = await app.inject({ url: `/v1/figures/changes?indicator=PPKS-06&since=${got.at(-1)!.data.cursor}`, headers: consumer.auth });
  t.same(feed.json().data, [], 'the last cursor resumes the pull feed after the last delivered change');

  const log = await app.inject({ url: `/v1/webhooks/${created.subscription.id}/deliveries?outcome=failed`, headers: consumer.auth });
  t.equal(log.statusCode, 200);
  t.ok(log.json().data.length > 0 && log.json().data.every((a: { outcome: string; status_code: number }) => a.outcome === 'failed' && a.status_code === 503), 'failures are listed');

  // Replay from the second event: it and every later one again, in order.
  const before = hook.state.accepted.length;
  const replay = await app.inject({ method: 'POST', url: `/v1/webhooks/${created.subscription.id}/replay`, headers: consumer.auth, payload: { from: got[1]!.id } });
  t.equal(replay.statusCode, 202, replay.body);
  await drive([w], () => dedupe(hook.state.accepted.slice(before)).length >= expected.length - 1);
  t.same(dedupe(hook.state.accepted.slice(before)).map((r) => r.id), got.slice(1).map((r) => r.id), 'replayed in order, with the same ids');
  await app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.subscription.id}`, headers: consumer.auth });
});

t.test('two processes share the work: no event is accepted twice, and a lease left by a dead process expires', async (t) => {
  const hook = await receiver(t, 4);
  const producerHook = await receiver(t, 1000);
  const created = await subscribe(consumer.auth, { url: hook.url, event_types: ['figure.changed'], regions: ['65.71'] });
  hook.state.secret = created.secret;
  const versions = await subscribe(dinsos.auth, { url: producerHook.url, event_types: ['version.verified', 'version.published', 'conflict.opened'] });
  producerHook.state.secret = versions.secret;

  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2024', value: 30 }]);
  const a = worker();
  const b = worker();
  await a.runOnce();
  for (let i = 0; i < 3; i++) await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: String(2030 + i), value: 40 + i }]);
  await publish(dp3.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2030', value: 99 }]);

  // A process derives the events, leases the subscriptions and dies before delivering.
  await materializeEvents(database.db, { now: new Date(), deadlines: false });
  const dead = await claimDue(database.db, { owner: 'dead-process', now: new Date(), leaseMs: 60_000, limit: 10, upTo: await lastEventSeq(database.db) });
  t.ok(dead.some((s) => s.id === created.subscription.id), 'the dead process held the subscription');
  const deliveredBefore = hook.state.accepted.length;
  await Promise.all([a.runOnce(), b.runOnce()]);
  t.equal(hook.state.accepted.length, deliveredBefore, 'nobody delivers while the lease holds');

  const expected = (await pullFeed()).filter((c) => ['2024', '2030', '2031', '2032'].includes(c.period));
  a.advance(120_000);
  b.advance(120_000);
  await drive([a, b], () => dedupe(hook.state.accepted).length >= expected.length);
  const counts = new Map<string, number>();
  for (const r of hook.state.accepted) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  t.ok([...counts.values()].every((n) => n === 1), 'each event accepted once: never delivered by both processes');
  t.same(dedupe(hook.state.accepted).map((r) => r.data.figure!.period), expected.map((c) => c.period), 'in order');
  const types = producerHook.state.accepted.map((r) => r.type);
  t.ok(types.includes('version.verified') && types.includes('version.published'), 'the producer hears of its versions');
  t.notOk(types.includes('conflict.resolved'), 'only the subscribed types');
  t.ok(types.includes('conflict.opened'), 'and of conflicts');
});

t.test('a subscription that keeps failing is paused, says why, and resumes', async (t) => {
  const hook = await receiver(t, 1);
  const created = await subscribe(consumer.auth, { url: hook.url, event_types: ['figure.changed'] });
  hook.state.secret = created.secret;
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2040', value: 1 }]);
  const w = worker({ maxFailures: 3 });
  await drive([w], () => hook.state.requests >= 3);
  const sub = (await app.inject({ url: `/v1/webhooks/${created.subscription.id}`, headers: consumer.auth })).json();
  t.match(sub, { status: 'paused', consecutive_failures: 3, last_error: 'answered 503' });
  t.match(sub.paused_reason, /3 consecutive failed deliveries/);
  await w.runOnce();
  w.advance(1_000_000);
  await w.runOnce();
  t.equal(hook.state.requests, 3, 'a paused subscription is not tried');
  const resumed = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${created.subscription.id}`, headers: consumer.auth, payload: { status: 'active' } });
  t.match(resumed.json(), { status: 'active', consecutive_failures: 0, paused_reason: null });
});

t.test('after a secret rotation, messages carry both signatures for a while', async (t) => {
  const hook = await receiver(t, 1000);
  const created = await subscribe(consumer.auth, { url: hook.url, event_types: ['figure.changed'] });
  const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/${created.subscription.id}/rotate-secret`, headers: consumer.auth });
  t.equal(rotated.statusCode, 200);
  t.not(rotated.json().secret, created.secret);
  t.equal(rotated.headers['cache-control'], 'no-store');
  hook.state.secret = created.secret; // the receiver has not switched yet
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2041', value: 1 }]);
  const w = worker();
  await drive([w], () => hook.state.accepted.length >= 1);
  t.equal(hook.state.refusedSignatures, 0, 'the old secret still verifies');
  hook.state.secret = rotated.json().secret;
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2042', value: 1 }]);
  await drive([w], () => hook.state.accepted.length >= 2);
  t.equal(hook.state.refusedSignatures, 0, 'so does the new one');
});

t.test('deadline reminders reach the agency that owes data and the walidata above it, once per stage', async (t) => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await createAgency(ctx, 'DINSOS-65', '65');
  const walidata = await ctx.login('walidata', 'DINSOS-65');
  const hooks = { own: await receiver(t, 1000), other: await receiver(t, 1000), walidata: await receiver(t, 1000) };
  const subscribers = { own: dinsos, other: dp3, walidata } as const;
  for (const [name, hook] of Object.entries(hooks)) {
    hook.state.secret = (await subscribe(subscribers[name as keyof typeof hooks].auth, { url: hook.url, event_types: ['deadline.reminder'] })).secret;
  }
  const cycle = await app.inject({ method: 'POST', url: '/v1/cycles', headers: walidata.auth, payload: { name: 'IKESOS Tarakan', region: '65.71', reference_periods: ['2019'], opens_on: day(-10), deadline: day(3), status: 'open' } });
  t.equal(cycle.statusCode, 201, 'a cycle whose deadline is in three days');
  const obligations = await app.inject({ method: 'POST', url: `/v1/cycles/${cycle.json().id}/obligations`, headers: walidata.auth, payload: { obligations: [{ agency: 'DINSOS-6571', indicator: 'PPKS-06', region: '65.71' }] } });
  t.equal(obligations.statusCode, 201, obligations.body);
  const w = worker();
  await w.runOnce({ deadlines: true });
  await w.runOnce({ deadlines: true });
  t.match(hooks.own.state.accepted, [{ type: 'deadline.reminder', data: { stage: 'due_soon', agency: 'DINSOS-6571', cycle_id: cycle.json().id, missing: 1, indicators: ['PPKS-06'] } }]);
  t.equal(hooks.own.state.accepted.length, 1, 'once per stage');
  t.equal(hooks.walidata.state.accepted.length, 1, 'the walidata whose jurisdiction covers the agency');
  t.equal(hooks.other.state.accepted.length, 0, 'not another agency');
});

t.test('an agency hears that findings await its answer and that its version was returned; a resolved conflict is announced', async (t) => {
  const hook = await receiver(t, 1000);
  hook.state.secret = (await subscribe(dinsos.auth, { url: hook.url, event_types: ['finding.awaiting_answer', 'version.returned', 'conflict.resolved'] })).secret;

  // A push whose series jumps is submitted with an anomaly finding the agency must answer.
  const years = ['2041', '2042', '2043', '2044', '2045'];
  const dataset = await app.inject({ method: 'POST', url: '/v1/datasets', headers: dinsos.auth, payload: { ...datasetBody, reference_periods: years } });
  t.equal(dataset.statusCode, 201, dataset.body);
  const id = dataset.json().id as string;
  const pushed = await app.inject({
    method: 'POST',
    url: `/v1/datasets/${id}/versions`,
    headers: dinsos.auth,
    payload: { observations: [40, 44, 41, 43, 190].map((value, i) => ({ indicator: 'PPKS-06', region: '65.71.01', period: years[i], value })) },
  });
  t.equal(pushed.json().status, 'submitted', pushed.body);
  const returned = await app.inject({ method: 'POST', url: `/v1/datasets/${id}/versions/1/review`, headers: verifier.auth, payload: { action: 'return', note: 'Lonjakan 2045 perlu dijelaskan.' } });
  t.equal(returned.statusCode, 200, returned.body);

  // Two agencies disagree on a key; a walidata decides.
  await publish(dinsos.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2050', value: 10 }]);
  await publish(dp3.auth, [{ indicator: 'PPKS-06', region: '65.71', period: '2050', value: 50 }]);
  const open = await app.inject({ url: '/v1/conflicts?status=open&limit=100', headers: publisher.auth });
  const conflict = (open.json().data as { id: string; period: string }[]).find((c) => c.period === '2050');
  t.ok(conflict, 'the disagreement opened a conflict');
  const resolved = await app.inject({ method: 'POST', url: `/v1/conflicts/${conflict!.id}/resolve`, headers: publisher.auth, payload: { agency: 'DP3AP2KB-6571', rationale: 'Data P2TP2A lebih lengkap.' } });
  t.equal(resolved.statusCode, 200, resolved.body);

  const w = worker();
  const types = () => new Set(hook.state.accepted.map((r) => r.type));
  await drive([w], () => ['finding.awaiting_answer', 'version.returned', 'conflict.resolved'].every((type) => types().has(type)));
  const byType = (type: string) => hook.state.accepted.filter((r) => r.type === type).map((r) => r.data as Record<string, unknown>);
  const [awaiting] = byType('finding.awaiting_answer');
  t.match(awaiting, { dataset_id: id, version: 1, agency: 'DINSOS-6571', count: Number, link: '/v1/inbox' }, 'findings wait for an answer');
  t.ok((awaiting?.findings as { code: string }[]).some((f) => f.code === 'AN_JUMP'), 'the jump among them');
  t.match(byType('version.returned'), [{ dataset_id: id, version: 1, status: 'returned', note: 'Lonjakan 2045 perlu dijelaskan.' }], 'with the walidata note');
  t.match(byType('conflict.resolved'), [{ status: 'resolved' }], 'the decision on the disputed key');
  t.notOk(types().has('figure.changed'), 'only the subscribed types');
});

t.test('an agency past its deadline is reminded at the overdue stage', async (t) => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const walidata = await ctx.login('walidata');
  const hook = await receiver(t, 1000);
  hook.state.secret = (await subscribe(dinsos.auth, { url: hook.url, event_types: ['deadline.reminder'] })).secret;
  const cycle = await app.inject({ method: 'POST', url: '/v1/cycles', headers: walidata.auth, payload: { name: 'PPKS Tarakan (lewat)', region: '65.71', reference_periods: ['2018'], opens_on: day(-30), deadline: day(-2), status: 'open' } });
  t.equal(cycle.statusCode, 201, cycle.body);
  const obligations = await app.inject({ method: 'POST', url: `/v1/cycles/${cycle.json().id}/obligations`, headers: walidata.auth, payload: { obligations: [{ agency: 'DINSOS-6571', indicator: 'PPKS-06', region: '65.71' }] } });
  t.equal(obligations.statusCode, 201, obligations.body);
  const w = worker();
  await w.runOnce({ deadlines: true });
  await w.runOnce({ deadlines: true });
  const reminders = hook.state.accepted.filter((r) => (r.data as { cycle_id?: string }).cycle_id === cycle.json().id);
  t.match(reminders, [{ type: 'deadline.reminder', data: { stage: 'overdue', agency: 'DINSOS-6571', missing: 1 } }]);
  t.equal(reminders.length, 1, 'once for the stage');
});
