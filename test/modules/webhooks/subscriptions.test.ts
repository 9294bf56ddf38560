import t from 'tap';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { isNonPublicAddress, retryDelayMs, urlProblem } from '../../../src/modules/webhooks/target-policy.js';

// Who may subscribe to what, the refusals of every route, and the SSRF guard (this app does
// not allow private targets, as in production).
const ctx = await createTestApp(t);
const { app } = ctx;
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINSOS-65', '65');
const consumer = await ctx.login('consumer');
const producer = await ctx.login('producer', 'DINSOS-6571');
const walidata = await ctx.login('walidata', 'DINSOS-65');
const admin = await ctx.login('admin');
// A public address, never contacted: the worker does not run in tests and creation only checks the address.
const PUBLIC = 'https://192.0.3.10/hooks';

const post = (auth: { authorization: string } | undefined, payload: unknown, url = '/v1/webhooks') => app.inject({ method: 'POST', url, headers: auth ?? {}, payload: payload as object });

t.test('the SSRF guard refuses loopback, private, link-local and odd URLs', async (t) => {
  for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://192.168.1.1/x', 'http://172.16.0.5/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[fd00::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x', 'http://100.64.0.1/x']) {
    const res = await post(consumer.auth, { url, event_types: ['figure.changed'] });
    t.equal(res.statusCode, 422, url);
    t.equal(res.json().code, 'WEBHOOK_TARGET_FORBIDDEN', url);
  }
  for (const url of ['ftp://192.0.3.10/x', 'https://user:pw@192.0.3.10/x', 'https://192.0.3.10/x#frag']) {
    t.equal((await post(consumer.auth, { url, event_types: ['figure.changed'] })).statusCode, 422, url);
  }
  t.equal((await post(consumer.auth, { url: 'not a url', event_types: ['figure.changed'] })).statusCode, 400);
  t.ok(isNonPublicAddress('127.0.0.2') && isNonPublicAddress('::1') && isNonPublicAddress('fe80::1') && isNonPublicAddress('not-an-ip'));
  t.notOk(isNonPublicAddress('8.8.8.8') || isNonPublicAddress('2001:4860::8888'));
  t.equal(urlProblem(new URL('https://example.go.id/x')), null);
});

t.test('subscribing: roles, scopes and refusals', async (t) => {
  t.equal((await post(undefined, { url: PUBLIC, event_types: ['figure.changed'] })).statusCode, 401);
  t.equal((await post(consumer.auth, { url: PUBLIC })).statusCode, 400, 'event types are required');
  t.equal((await post(consumer.auth, { url: PUBLIC, event_types: ['nope'] })).statusCode, 400);
  t.equal((await post(consumer.auth, { url: PUBLIC, event_types: ['figure.changed'], extra: 1 })).statusCode, 400);
  const refused = await post(consumer.auth, { url: PUBLIC, event_types: ['figure.changed', 'version.returned'] });
  t.equal(refused.statusCode, 403);
  t.equal(refused.json().code, 'WEBHOOK_EVENTS_FORBIDDEN');
  const unknown = await post(consumer.auth, { url: PUBLIC, event_types: ['figure.changed'], indicators: ['NOPE-1'], regions: ['99.99'] });
  t.equal(unknown.statusCode, 422);
  t.equal(unknown.json().errors.length, 2);

  const created = await post(consumer.auth, { url: PUBLIC, event_types: ['figure.changed'], regions: ['65'] });
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json().secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
  t.equal(created.headers['cache-control'], 'no-store');
  t.equal(created.headers.location, `/v1/webhooks/${created.json().subscription.id}`);
  const id = created.json().subscription.id;
  t.equal((await post(consumer.auth, { url: PUBLIC, event_types: ['figure.changed'] })).statusCode, 409, 'the same URL twice');

  const own = await app.inject({ url: `/v1/webhooks/${id}`, headers: consumer.auth });
  t.equal(own.statusCode, 200);
  t.notOk('secret' in own.json(), 'the secret is never shown again');
  const other = await ctx.login('consumer');
  t.equal((await app.inject({ url: `/v1/webhooks/${id}`, headers: other.auth })).statusCode, 404, 'another client does not see it');
  t.equal((await app.inject({ url: '/v1/webhooks/not-a-uuid', headers: consumer.auth })).statusCode, 404);
  t.equal((await app.inject({ url: `/v1/webhooks/${id}`, headers: admin.auth })).statusCode, 200, 'an admin does');
  t.equal((await app.inject({ url: '/v1/webhooks', headers: other.auth })).json().data.length, 0);
  t.equal((await app.inject({ url: '/v1/webhooks', headers: consumer.auth })).json().data.length, 1);

  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: consumer.auth, payload: {} })).statusCode, 400, 'an empty change');
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: consumer.auth, payload: { url: 'http://10.0.0.1/' } })).statusCode, 422);
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: other.auth, payload: { status: 'paused' } })).statusCode, 404);
  const paused = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: consumer.auth, payload: { status: 'paused' } });
  t.match(paused.json(), { status: 'paused', paused_reason: `paused by ${consumer.clientId}` });

  const replayUnknown = await post(consumer.auth, { from: `msg_${'0'.repeat(32)}` }, `/v1/webhooks/${id}/replay`);
  t.equal(replayUnknown.statusCode, 422);
  t.equal((await post(consumer.auth, { from: 'x' }, `/v1/webhooks/${id}/replay`)).statusCode, 400);
  t.equal((await app.inject({ url: `/v1/webhooks/${id}/deliveries?cursor=zz`, headers: consumer.auth })).statusCode, 400);
  t.same((await app.inject({ url: `/v1/webhooks/${id}/deliveries`, headers: consumer.auth })).json().data, []);

  const audit = await app.inject({ url: `/v1/audit-log?entity_type=webhook&entity_id=${id}`, headers: admin.auth });
  t.equal(audit.statusCode, 200);
  t.ok(audit.json().data.length >= 2, 'creation and the change are audited');
  t.notMatch(audit.body, /whsec_/, 'no secret in the audit log');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: other.auth })).statusCode, 404);
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: consumer.auth })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: consumer.auth })).statusCode, 404);

  t.equal((await post(producer.auth, { url: PUBLIC, event_types: ['version.returned', 'finding.awaiting_answer', 'deadline.reminder', 'conflict.opened'] })).statusCode, 201, 'a producer follows its agency');
  t.equal((await post(walidata.auth, { url: PUBLIC, event_types: ['version.verified', 'figure.changed'] })).statusCode, 201, 'a walidata its jurisdiction');
});

t.test('retries back off exponentially with jitter, capped', async (t) => {
  t.equal(retryDelayMs(1, 1000, 60_000, () => 0), 500);
  t.equal(retryDelayMs(1, 1000, 60_000, () => 1), 1000);
  t.equal(retryDelayMs(4, 1000, 60_000, () => 1), 8000);
  t.equal(retryDelayMs(40, 1000, 60_000, () => 1), 60_000);
});
