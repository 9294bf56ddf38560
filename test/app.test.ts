import t from 'tap';
import net from 'node:net';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.js';
import { createTestApp, TEST_JWT_SECRET } from './helpers/test-app.js';
import { loadConfig } from '../src/config.js';
import { schemaCompilers } from './helpers/schema-compilers.js';

// One database for the file: the tests that need an app of their own build it on this database
// (an app leaves closing a database it was given to the caller), and none looks at another's data.
const ctx = await createTestApp(t);
const { database } = ctx;

t.test('health: live always, ready when the database answers', async (t) => {
  const { app } = ctx;
  const live = await app.inject({ url: '/health/live' });
  t.equal(live.statusCode, 200);
  t.same(live.json(), { status: 'ok' });
  const ready = await app.inject({ url: '/health/ready' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', database: database.kind });
});

t.test('shutdown finishes in-flight requests and refuses new ones with 503 problem+json', async (t) => {
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' });
  const app = await buildApp(config, { database, logger: false, schemaCompilers });
  const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));

  // A raw keep-alive connection: the first request (an upload still arriving when SIGTERM
  // comes) must be answered; a second request pipelined behind it must get a 503 problem.
  // Each step waits for the server to have reached the state the next one needs.
  const body = JSON.stringify({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x'.repeat(40) });
  const socket = net.connect(Number(address.port), address.hostname);
  let received = '';
  socket.on('data', (chunk) => (received += String(chunk)));
  const ended = new Promise((resolve) => socket.on('close', resolve));
  // 'request' comes once the head is read, while the body is still awaited: the request is in flight.
  const inFlight = new Promise((resolve) => app.server.once('request', resolve));
  const head = `POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  socket.write(head + body.slice(0, 10));
  await inFlight;
  const closing = app.close();
  // The server stops listening once shutdown has begun (its preClose hooks have run).
  while (app.server.listening) await new Promise((r) => setImmediate(r));
  socket.write(body.slice(10) + 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  // Answered, then closed by the server (the 503 says `connection: close`).
  await ended;
  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  t.equal(statuses[0], '401', 'the in-flight request was answered (unknown client), not dropped');
  t.equal(statuses[1], '503', 'a new request during shutdown is refused');
  t.match(received, /application\/problem\+json[\s\S]*SERVICE_UNAVAILABLE/);
  await closing;
});

t.test('secrets and tokens never reach the logs', async (t) => {
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'trace' });
  let output = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      output += String(chunk);
      done();
    },
  });
  const app = await buildApp(config, {
    database,
    schemaCompilers,
    logger: { level: 'trace', stream, redact: { paths: ['req.headers.authorization', '*.client_secret'], censor: '[REDACTED]' } },
  });
  t.teardown(() => app.close());
  const { createClient } = await import('../src/modules/clients/service.js');
  const { client, client_secret } = await createClient(database.db, { system: 'test' }, undefined, { name: 'log test', role: 'consumer' });
  const token = await app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret },
  });
  const accessToken = token.json().access_token as string;
  await app.inject({ url: '/v1/regions/65', headers: { authorization: `Bearer ${accessToken}` } });
  await app.inject({ url: '/v1/regions/65', headers: { authorization: 'Bearer not-a-token' } });
  t.ok(output.length > 0, 'something was logged');
  t.notOk(output.includes(client_secret), 'client secret not logged');
  t.notOk(output.includes(accessToken), 'access token not logged');
});

t.test('request ids: a well-formed x-request-id is kept, anything else replaced', async (t) => {
  const { app } = ctx;
  const kept = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'sijosku-sync.2026:0001' } });
  t.equal(kept.headers['x-request-id'], 'sijosku-sync.2026:0001');
  const replaced = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'bad id with spaces' } });
  t.match(replaced.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  const generated = await app.inject({ url: '/nowhere' });
  t.equal(generated.json().request_id, generated.headers['x-request-id']);
});
