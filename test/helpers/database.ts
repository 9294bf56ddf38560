import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';
import { createDb, type Database } from '../../src/db/create-db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DatabaseConfig } from '../../src/config.js';

/**
 * Loading 91k regions takes seconds, so it happens once per run: into a template database
 * on the server (CREATE DATABASE … TEMPLATE per test file) and into a dumped PGlite data
 * directory (loaded per test file). Both are keyed by the migrations' content, so a
 * changed migration rebuilds them.
 */
const root = new URL('../../', import.meta.url).pathname;
const migrationsDir = join(root, 'migrations');

function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(migrationsDir);
  return hash.digest('hex').slice(0, 12);
}

const HASH = migrationsHash();
const TEMPLATE = `sde_tpl_${HASH}`;
const CACHE_DIR = join(root, 'node_modules', '.cache', 'satu-data-exchange');
const PGLITE_DUMP = join(CACHE_DIR, `pglite-${HASH}.tar`);

export const serverUrl = process.env.TEST_DATABASE_URL || undefined;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Run once before all test files (tap `before`). */
export async function prepareTemplates(): Promise<void> {
  if (serverUrl) {
    await admin(async (client) => {
      const leftovers = await client.query<{ datname: string }>("select datname from pg_database where datname like 'sde\\_test\\_%'");
      // Only databases of runs that have ended: another run may be using its own right now.
      for (const { datname } of leftovers.rows) {
        const pid = Number(/^sde_test_(\d+)_/.exec(datname)?.[1]);
        if (!isAlive(pid)) await client.query(`drop database if exists "${datname}" with (force)`);
      }
      const exists = await client.query('select 1 from pg_database where datname = $1', [TEMPLATE]);
      if (exists.rowCount) return;
      const building = `${TEMPLATE}_building`;
      await client.query(`drop database if exists "${building}" with (force)`);
      await client.query(`create database "${building}"`);
      const db = createDb(serverConfig(withDatabase(serverUrl!, building)));
      try {
        await migrateToLatest(db.db);
      } finally {
        await db.close();
      }
      // Renamed only when complete, so an interrupted build is never mistaken for a template.
      await client.query(`alter database "${building}" rename to "${TEMPLATE}"`);
    });
  } else if (!existsSync(PGLITE_DUMP)) {
    const db = createDb({ kind: 'pglite', dataDir: undefined });
    try {
      await migrateToLatest(db.db);
      const dump = await dumpPglite(db);
      await mkdir(CACHE_DIR, { recursive: true });
      const partial = `${PGLITE_DUMP}.${process.pid}`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, PGLITE_DUMP);
    } finally {
      await db.close();
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function serverConfig(url: string): DatabaseConfig {
  return { kind: 'postgres', url, poolMax: 5, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 };
}

async function dumpPglite(db: Database): Promise<Blob> {
  if (!db.pglite) throw new Error('not a PGlite database');
  return db.pglite.dumpDataDir('none');
}

/** A database of its own for one test file, with the reference data loaded; dropped at teardown. */
export async function openTestDatabase(t: Test): Promise<Database> {
  if (serverUrl) {
    const name = `sde_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`create database "${name}" template "${TEMPLATE}"`));
    const db = createDb(serverConfig(withDatabase(serverUrl, name)));
    t.teardown(async () => {
      await db.close();
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    });
    return db;
  }
  const dump = await readFile(PGLITE_DUMP);
  const db = createDb({ kind: 'pglite', dataDir: undefined }, { loadDataDir: new Blob([dump]) });
  t.teardown(() => db.close());
  // Loading the dump takes a moment; tests should time their own work, not the load.
  await db.ping();
  return db;
}

export { serverConfig, withDatabase };
