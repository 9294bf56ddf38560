import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, serverUrl } from './helpers/database.js';

/**
 * The real process: src/server.ts run by node with this test's own TypeScript loader,
 * the way `npm start` runs the compiled file.
 */
const serverFile = new URL('../src/server.ts', import.meta.url).pathname;

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, serverFile], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (c) => (output.stdout += String(c)));
  child.stderr.on('data', (c) => (output.stderr += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(port: number, exited: Promise<unknown>): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) {
    if (await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

t.test('a bad configuration value stops the process with a message naming it', async (t) => {
  const { output, exited } = run({ PORT: 'eighty' });
  t.equal(await exited, 78);
  t.match(output.stderr, /Invalid configuration: PORT/);
});

t.test('an unreachable database at start-up is retried with backoff, then the process exits 1', async (t) => {
  const port = await freePort(); // nothing listens there
  const { output, exited } = run({ DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/none`, DB_STARTUP_RETRIES: '2', DB_CONNECT_TIMEOUT_MS: '500' });
  t.equal(await exited, 1);
  const retries = output.stdout.split('\n').filter((l) => l.includes('database unreachable at start-up; retrying'));
  t.equal(retries.length, 2, 'one log line per retry');
  t.match(retries[1], /"retryInMs":1000/);
  t.match(output.stdout, /start-up failed/);
});

t.test('first start: migrates, prints the bootstrap admin once, serves, and exits 0 on SIGTERM', async (t) => {
  const port = await freePort();
  let env: Record<string, string>;
  if (serverUrl) {
    const database = await openTestDatabase(t); // a clone of the template, so migrations are already applied
    const [row] = await database.db.selectNoFrom((eb) => eb.fn<string>('current_database', []).as('name')).execute();
    const url = new URL(serverUrl);
    url.pathname = `/${row!.name}`;
    env = { DATABASE_URL: url.toString() };
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'sde-server-test-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    env = { PGLITE_DATA_DIR: join(dir, 'pglite') };
  }
  const { child, output, exited } = run({ ...env, PORT: String(port) });
  t.teardown(() => void child.kill('SIGKILL'));
  t.ok(await waitReady(port, exited), `ready (stderr: ${output.stderr.slice(0, 500)})`);
  t.match(output.stdout, /client_id:\s+sde-admin-/);
  const id = /client_id:\s+(\S+)/.exec(output.stdout)![1]!;
  const secret = /client_secret:\s+(\S+)/.exec(output.stdout)![1]!;
  t.match(output.stdout, /JWT_SECRET is not set/, 'warns that tokens will not survive a restart');

  const token = await fetch(`http://127.0.0.1:${port}/v1/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  t.equal(token.status, 200, 'the printed credentials work');
  const { access_token } = (await token.json()) as { access_token: string };
  const regions = await fetch(`http://127.0.0.1:${port}/v1/regions?parent=65`, { headers: { authorization: `Bearer ${access_token}` } });
  t.equal(((await regions.json()) as { data: unknown[] }).data.length, 5);
  t.notOk(output.stdout.includes(access_token), 'the token is not logged');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'graceful shutdown exits 0');
  t.match(output.stdout, /shutdown complete/);
});
