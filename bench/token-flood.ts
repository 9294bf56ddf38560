/**
 * Token flood: 200 wrong secrets sent at once to POST /v1/auth/token from one address
 * (127.0.0.2), half for an existing client and half for unknown ids, while a legitimate
 * client on 127.0.0.1 asks for its tokens one after another. Prints the legitimate client's
 * latency during the flood next to a baseline without it, and how the flood was answered.
 * Two runs on fresh servers: the default limits, then the rate limits off
 * (TOKEN_RATE_LIMIT_PER_ADDRESS=0, TOKEN_RATE_LIMIT_PER_CLIENT=0), which leaves the bound on
 * concurrent hashing (SECRET_HASH_CONCURRENCY, one at a time per address and client id) alone.
 *
 *   npx tsc -p tsconfig.json --outDir .bench-build && node .bench-build/bench/token-flood.js
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node .bench-build/bench/token-flood.js
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ADMIN, benchDatabase, freePort, startServer, stopServer, token } from './server-process.js';

const FLOOD = 200;
const FLOOD_FROM = '127.0.0.2';
const LEGIT_FROM = '127.0.0.1';
const BASELINE_TOKENS = 5;
const FLOOD_TOKENS = 10;
// Within the default TOKEN_RATE_LIMIT_PER_CLIENT (20 a minute): the legitimate client stays
// inside its own limit, so what it meets is the flood's doing.
const LEGIT_PAUSE_MS = 500;

interface Answer {
  status: number;
  ms: number;
}

/**
 * One token request over its own connection from `from`, timed to the end of the answer.
 * Status 0: the server closed the connection unanswered (idle past REQUEST_TIMEOUT_MS).
 */
function tokenRequest(port: number, from: string, id: string, secret: string): Promise<Answer> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, localAddress: from, method: 'POST', path: '/v1/auth/token', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve({ status: 0, ms: performance.now() - started }) : reject(err)));
    req.end(body);
  });
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { n: sorted.length, 'median ms': at(0.5), 'max ms': Math.round(sorted.at(-1) ?? NaN) };
}

async function createConsumer(port: number, adminToken: string, name: string) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, role: 'consumer' }),
  });
  if (res.status !== 201) throw new Error(`client creation: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { client: { client_id: string }; client_secret: string };
  return { id: created.client.client_id, secret: created.client_secret };
}

async function scenario(label: string, env: Record<string, string>) {
  const database = await benchDatabase(process.env.BENCH_DATABASE_URL);
  const port = await freePort();
  const { child } = await startServer({ ...database.env, ...env }, port);
  try {
    const adminToken = await token(port, ADMIN.id, ADMIN.secret);
    const legit = await createConsumer(port, adminToken, 'legit dashboard');
    const victim = await createConsumer(port, adminToken, 'flood target');

    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_TOKENS; i++) {
      const answer = await tokenRequest(port, LEGIT_FROM, legit.id, legit.secret);
      if (answer.status !== 200) throw new Error(`baseline token: ${answer.status}`);
      baseline.push(answer.ms);
      await new Promise((r) => setTimeout(r, LEGIT_PAUSE_MS));
    }

    const floodStarted = performance.now();
    const flood = Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        tokenRequest(port, FLOOD_FROM, i % 2 === 0 ? victim.id : `sde-consumer-${randomBytes(8).toString('hex')}`, `wrong-${i}`),
      ),
    );
    const during: Answer[] = [];
    for (let i = 0; i < FLOOD_TOKENS; i++) {
      await new Promise((r) => setTimeout(r, LEGIT_PAUSE_MS));
      during.push(await tokenRequest(port, LEGIT_FROM, legit.id, legit.secret));
    }
    const legitDone = performance.now();
    const answers = await flood;
    const floodDone = performance.now();

    const by = (status: number) => answers.filter((a) => a.status === status);
    const others = answers.filter((a) => ![0, 401, 429].includes(a.status)).map((a) => a.status);
    console.log(`\n${label}`);
    console.table({
      'legit, no flood': stats(baseline),
      'legit, during the flood': stats(during.filter((a) => a.status === 200).map((a) => a.ms)),
      'flood answered 401': stats(by(401).map((a) => a.ms)),
      'flood answered 429': stats(by(429).map((a) => a.ms)),
      'flood closed unanswered': stats(by(0).map((a) => a.ms)),
    });
    console.log(`legit during the flood, in order (ms): ${during.map((a) => (a.status === 200 ? Math.round(a.ms) : `${a.status}!`)).join(', ')}`);
    console.log(
      `flood: ${by(401).length} × 401, ${by(429).length} × 429, ${by(0).length} closed unanswered${others.length ? `, others: ${others.join(', ')}` : ''}; ` +
        `the legitimate client's ${FLOOD_TOKENS} requests (${during.filter((a) => a.status !== 200).length} not answered 200) were done ${Math.round(legitDone - floodStarted)} ms after the flood's start, ` +
        `the last flood answer after ${Math.round(floodDone - floodStarted)} ms`,
    );
  } finally {
    await stopServer(child);
    await database.cleanup();
  }
}

console.log(`Satu Data Exchange — token flood (${process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite'}, node ${process.version}, ${FLOOD} wrong secrets from ${FLOOD_FROM}, legitimate client on ${LEGIT_FROM})`);
await scenario('default limits (60 per address, 20 per client id a minute; 2 hashes at once)', {});
await scenario('rate limits off: the bound on concurrent hashing alone', { TOKEN_RATE_LIMIT_PER_ADDRESS: '0', TOKEN_RATE_LIMIT_PER_CLIENT: '0' });
