import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { openTestDatabase, seedPgliteDataDir, serverUrl, type TestDatabaseOptions } from './database.js';

/**
 * The real process: the server module in the form this helper runs in (src/server.ts under
 * tap's TypeScript loader, or its compiled .js under `npm test`), the way `npm start` runs
 * the compiled file.
 */
const serverFile = new URL(`../../src/server${extname(fileURLToPath(import.meta.url))}`, import.meta.url).pathname;

// The child runs through this test's loader, but not with its settings unless they are
// passed on: without TS_NODE_TRANSPILE_ONLY it type-checks every module first (about 18 s
// of CPU, minutes on a busy machine), and without TAP_TYPE_STRIP_ONLY a compiled run would
// load ts-node for nothing.
const loaderEnv = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => (e[0].startsWith('TS_NODE_') || e[0] === 'TAP_TYPE_STRIP_ONLY') && e[1] !== undefined),
);

export function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, serverFile], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...loaderEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (c) => (output.stdout += String(c)));
  child.stderr.on('data', (c) => (output.stderr += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitReady(port: number, exited: Promise<unknown>): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  // A fresh PGlite directory (processDatabase's `fresh`) loads the reference data first: ~12 s
  // alone, much more on a busy machine. So no deadline of its own: it waits until the process
  // answers or exits, and tap's timeout is the limit.
  while (!done) {
    if (await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * Where a real server process keeps its data for one test: a clone of the template on the
 * Postgres server, or a PGlite directory filled from the dump; either way the migrations are
 * applied and the reference data (small or full, see openTestDatabase) loaded. With `fresh`, a
 * PGlite directory is left empty, so the process creates and migrates it on its first start.
 */
export async function processDatabase(t: Test, options: TestDatabaseOptions & { fresh?: boolean } = {}): Promise<Record<string, string>> {
  if (serverUrl) {
    const database = await openTestDatabase(t, options);
    const [row] = await database.db.selectNoFrom((eb) => eb.fn<string>('current_database', []).as('name')).execute();
    const url = new URL(serverUrl);
    url.pathname = `/${row!.name}`;
    return { DATABASE_URL: url.toString() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sde-server-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'pglite');
  if (!options.fresh) await seedPgliteDataDir(dataDir, options);
  return { PGLITE_DATA_DIR: dataDir };
}
