import t, { type Test } from 'tap';
import { request, type ClientRequest } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { LightMyRequestResponse } from 'fastify';
import { createAgency, createTestApp } from '../../helpers/test-app.js';
import { until } from '../../helpers/live-server.js';
import { createClient } from '../../../src/modules/clients/service.js';

/**
 * Every scrypt the process runs, counted where secret-hash.ts calls it: node:crypto's own
 * export, which syncBuiltinESMExports makes the ES module bindings follow. So "never reached
 * the hash" is observed, not inferred from timing.
 */
type Scrypt = (...args: unknown[]) => void;
const crypto = createRequire(import.meta.url)('node:crypto') as { scrypt: Scrypt };
const realScrypt = crypto.scrypt;
/** `gate` holds every hash that starts while it is closed, until it opens. */
const hashes = { started: 0, inFlight: 0, mostInFlight: 0, gate: Promise.resolve() };
crypto.scrypt = (...args: unknown[]) => {
  hashes.started++;
  hashes.mostInFlight = Math.max(hashes.mostInFlight, ++hashes.inFlight);
  const done = args.pop() as (...result: unknown[]) => void;
  void hashes.gate.then(() =>
    realScrypt(...args, (...result: unknown[]) => {
      hashes.inFlight--;
      done(...result);
    }),
  );
};
syncBuiltinESMExports();
t.teardown(() => {
  crypto.scrypt = realScrypt;
  syncBuiltinESMExports();
});

const WINDOW_SECONDS = 60;
const ctx = await createTestApp(t, {
  TOKEN_RATE_LIMIT_PER_CLIENT: '2',
  TOKEN_RATE_LIMIT_PER_ADDRESS: '3',
  RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  SECRET_HASH_CONCURRENCY: '2',
});
const { app } = ctx;
const db = ctx.database.db;
await createAgency(ctx, 'DINSOS-6571', '65.71');

async function newClient(name: string) {
  const created = await createClient(db, { system: 'test' }, undefined, { name, role: 'consumer' });
  return { id: created.client.client_id, secret: created.client_secret };
}

function requestToken(from: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/auth/token', remoteAddress: from, headers, payload: { grant_type: 'client_credentials', ...body } });
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** A 429 is problem+json with the retry seconds in Retry-After and in the detail. */
function assertRateLimited(t: Test, res: LightMyRequestResponse) {
  t.equal(res.statusCode, 429, res.body);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const retryAfter = Number(res.headers['retry-after']);
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, `Retry-After ${res.headers['retry-after']} is whole seconds within the window`);
  const body = res.json() as Record<string, unknown>;
  t.equal(body.code, 'RATE_LIMITED');
  t.equal(body.status, 429);
  t.equal(body.type, 'urn:satu-data-exchange:problem:rate-limited');
  t.equal(body.instance, '/v1/auth/token');
  t.equal(body.request_id, res.headers['x-request-id']);
  t.notOk('access_token' in body);
  return { body, retryAfter };
}

t.test('per client id: past the limit → 429 RATE_LIMITED with Retry-After, even with the right secret, without hashing', async (t) => {
  const client = await newClient('per-client');
  // Three addresses, so that only the per-client count can be what refuses.
  t.equal((await requestToken('10.1.0.1', { client_id: client.id, client_secret: 'wrong-wrong-wrong' })).statusCode, 401, 'a wrong secret counts');
  t.equal((await requestToken('10.1.0.2', { client_id: client.id, client_secret: client.secret })).statusCode, 200, 'a right one too');

  const hashed = hashes.started;
  const refused = await requestToken('10.1.0.3', {}, { authorization: basic(client.id, client.secret), 'accept-language': 'en' });
  const { body, retryAfter } = assertRateLimited(t, refused);
  t.equal(hashes.started, hashed, 'the refused request never reached the hash');
  t.equal(body.title, 'Too many requests');
  t.equal(body.detail, `The limit of 2 requests per ${WINDOW_SECONDS} seconds was exceeded; retry after ${retryAfter} seconds (see the Retry-After header).`, 'counted the same whether the id came in the body or in Basic auth');
  t.equal(refused.headers['content-language'], 'en');

  const indonesian = await requestToken('10.1.0.4', { client_id: client.id, client_secret: client.secret });
  t.match(assertRateLimited(t, indonesian).body.title, 'Terlalu banyak permintaan', 'Indonesian by default');

  const audit = await db.selectFrom('audit_log').select('id').where('action', '=', 'client.token-issued').where('entity_id', '=', client.id).execute();
  t.equal(audit.length, 1, 'only the one request let through issued a token');

  const other = await newClient('per-client other');
  t.equal((await requestToken('10.1.0.3', { client_id: other.id, client_secret: other.secret })).statusCode, 200, 'another client is not held back');
});

t.test('per address: past the limit → 429 before the body is read, for known and unknown ids alike', async (t) => {
  const known = await newClient('per-address');
  for (const [i, id] of ['sde-consumer-0000000000000001', 'sde-consumer-0000000000000002', known.id].entries()) {
    t.equal((await requestToken('10.2.0.1', { client_id: id, client_secret: 'wrong-wrong-wrong' })).statusCode, 401, `attempt ${i + 1} is only refused`);
  }
  const hashed = hashes.started;
  assertRateLimited(t, await requestToken('10.2.0.1', { client_id: 'sde-consumer-0000000000000003', client_secret: 'wrong-wrong-wrong' }));
  assertRateLimited(t, await requestToken('10.2.0.1', { client_id: known.id, client_secret: known.secret }));
  const malformed = await app.inject({ method: 'POST', url: '/v1/auth/token', remoteAddress: '10.2.0.1', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
  assertRateLimited(t, malformed);
  t.equal(hashes.started, hashed, 'no refused request reached the hash');
  t.equal((await requestToken('10.2.0.2', { client_id: known.id, client_secret: known.secret })).statusCode, 200, 'the same client from another address gets its token');
});

t.test('an IPv6 address counts by its /64, so a subscriber cannot step around the limit', async (t) => {
  for (const [i, from] of ['2001:db8:6571:1::1', '2001:db8:6571:1::2', '2001:db8:6571:1:ffff::3'].entries()) {
    t.equal((await requestToken(from, { client_id: `sde-consumer-000000000000006${i}`, client_secret: 'wrong-wrong-wrong' })).statusCode, 401, from);
  }
  assertRateLimited(t, await requestToken('2001:db8:6571:1::4', { client_id: 'sde-consumer-0000000000000069', client_secret: 'wrong-wrong-wrong' }));
  t.equal((await requestToken('2001:db8:6571:2::1', { client_id: 'sde-consumer-0000000000000069', client_secret: 'wrong-wrong-wrong' })).statusCode, 401, 'the next /64 is another address');
});

t.test('secrets are hashed one at a time per address and per client id, and at most SECRET_HASH_CONCURRENCY at once', async (t) => {
  const client = await newClient('queue');
  const burst = (addresses: string[]) =>
    Promise.all(addresses.map((from, i) => requestToken(from, { client_id: `sde-consumer-10000000000000${i}`, client_secret: 'wrong-wrong-wrong' })));

  hashes.mostInFlight = 0;
  const oneAddress = await burst(['10.3.0.1', '10.3.0.1', '10.3.0.1']);
  t.same(oneAddress.map((r) => r.statusCode), [401, 401, 401]);
  t.equal(hashes.mostInFlight, 1, 'one address never had two secrets hashed at once');

  hashes.mostInFlight = 0;
  const oneClient = await Promise.all(['10.4.0.1', '10.4.0.2'].map((from) => requestToken(from, { client_id: client.id, client_secret: 'wrong-wrong-wrong' })));
  t.same(oneClient.map((r) => r.statusCode), [401, 401]);
  t.equal(hashes.mostInFlight, 1, 'nor one client id, from two addresses');

  hashes.mostInFlight = 0;
  const spread = await burst(['10.5.0.1', '10.5.0.2', '10.5.0.3', '10.5.0.4', '10.5.0.5']);
  t.same(spread.map((r) => r.statusCode), [401, 401, 401, 401, 401]);
  // That they do run side by side is the queue's to prove (test/util/fair-queue.test.ts); here, the bound.
  t.ok(hashes.mostInFlight <= 2, `at most SECRET_HASH_CONCURRENCY (2) at once across addresses (saw ${hashes.mostInFlight})`);
});

t.test('a caller that hangs up while waiting for its turn costs no hash', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const connections = () => new Promise<number>((resolve, reject) => app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  const send = (id: string): { req: ClientRequest; answered: Promise<number> } => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: 'wrong-wrong-wrong' }).toString();
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/auth/token', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const answered = new Promise<number>((resolve) => {
      req.on('response', (res) => resolve(res.resume().statusCode ?? 0));
      req.on('error', () => resolve(0));
    });
    req.end(body);
    return { req, answered };
  };

  let open = () => {};
  hashes.gate = new Promise<void>((resolve) => (open = resolve));
  const started = hashes.started;
  const first = send('sde-consumer-2000000000000001');
  await until(() => hashes.started === started + 1);
  const quitter = send('sde-consumer-2000000000000002');
  await until(async () => (await connections()) === 2);
  quitter.req.destroy();
  await until(async () => (await connections()) === 1);

  open();
  hashes.gate = Promise.resolve();
  t.equal(await first.answered, 401);
  const after = send('sde-consumer-2000000000000003');
  t.equal(await after.answered, 401, 'a request from the same address queued behind the one that hung up');
  t.equal(await quitter.answered, 0, 'the one that hung up got no answer');
  t.equal(hashes.started, started + 2, 'and no hash: only the two that waited were checked');
});
