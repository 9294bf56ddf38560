import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'kysely';
import pg from 'pg';
import type { Test } from 'tap';
import { createDb, type Database } from '../../src/db/create-db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { projectRoot } from '../../migrations/reference-files.js';
import { useTestHashCost } from '../../src/modules/clients/secret-hash.js';
import type { DatabaseConfig } from '../../src/config.js';
import { BytesBlob } from '../../src/db/pglite-seed.js';

/**
 * Loading 91k regions takes seconds, so it happens once per run: into a template database
 * on the server (CREATE DATABASE … TEMPLATE per test file) and into a dumped PGlite data
 * directory (loaded per test file). Both are keyed by the migrations' content, so a
 * changed migration rebuilds them.
 *
 * There are two of each. `full` holds everything the migrations load. `small` is the full
 * one with the kecamatan and desa outside SMALL_REGION_ROOTS deleted (every provinsi and
 * kab/kota, and so every population figure, stays): an 8.5 MB template instead of 28 MB, a
 * 74 MB dump instead of 95 MB, and it holds 1,116 regions instead of 91,599.
 * It is what a test file gets unless it asks for `{ regions: 'full' }` because it counts or
 * searches the whole country below kab/kota level. (Opening either costs about the same on
 * PGlite, where starting the engine dominates; see bench/README.md, "Test suite speed".)
 */
const migrationsDir = join(projectRoot(), 'migrations');

// Every test that stores a client's secret has a database from here: its secrets are hashed at
// a test cost (see useTestHashCost; test/modules/clients/secret-hash.test.ts checks the real one).
useTestHashCost();

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

export type RegionSet = 'full' | 'small';

/**
 * Below kab/kota level, the small fixture keeps only these regions' kecamatan and desa:
 * Kalimantan Utara (65, the tests' usual province) and Kota Salatiga (33.73), which tests
 * use as an agency's jurisdiction.
 */
export const SMALL_REGION_ROOTS = ['65', '33.73'];

// Deletes of the tables that reference regions come first, for the foreign keys; after the
// migrations only populations does. They run without the per-row foreign-key checks (replica
// role: one check per deleted region and referencing table was 14 s of CPU on PGlite, most of
// building the fixture), so the last statement checks every reference to regions once. VACUUM
// FULL rewrites the tables and indexes to their new size, so the template and the dump shrink too.
const PRUNE = [
  'set local session_replication_role = replica',
  `delete from populations where region_code in (select code from regions where level > 2 and not (${keepCondition()}))`,
  `delete from regions where level > 2 and not (${keepCondition()})`,
  `do $$
  declare fk record; dangling bigint;
  begin
    for fk in
      select c.conrelid::regclass as tbl, a.attname as col from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.confrelid = 'regions'::regclass
    loop
      execute format('select count(*) from %s t where t.%I is not null and not exists (select 1 from regions r where r.code = t.%I)', fk.tbl, fk.col, fk.col) into dangling;
      if dangling > 0 then raise exception 'pruning regions left % rows of % pointing at none', dangling, fk.tbl; end if;
    end loop;
  end $$`,
];
const VACUUM = 'vacuum (full, analyze)';

function keepCondition(): string {
  return SMALL_REGION_ROOTS.map((root) => `code like '${root}.%'`).join(' or ');
}

/**
 * Every test file starts a PGlite engine from a dump, so the dump is made cheap to start from.
 * Postgres clears its shared memory at start: a 16 MB buffer pool instead of 128 MB saves about
 * half a second of CPU per database (ALTER SYSTEM writes it into the dumped directory). WAL
 * segments a checkpoint leaves behind are deleted rather than kept for reuse, and a switch to a
 * fresh segment then a checkpoint before the dump put every change into the data files: the
 * dump holds one 16 MB WAL segment (it held two, and four before that), and a database starts
 * without replaying any of it. template0 and template1 go: nothing creates a database in an
 * embedded engine, and they were 600 of the dump's 1,100 files, each written into a new
 * engine's filesystem at every start.
 */
const DUMP_SETUP = [
  "alter system set shared_buffers = '16MB'",
  'set wal_recycle = off',
  "update pg_database set datistemplate = false where datname in ('template0', 'template1')",
  'drop database if exists template0',
  'drop database if exists template1',
];
const DUMP_FINISH = ['select pg_switch_wal()', 'checkpoint'];

const HASH = migrationsHash();
// The small fixture is also keyed by how it is cut, so changing the roots rebuilds it; the
// dumps by how they are made.
const SMALL_HASH = createHash('sha256').update(HASH).update([...PRUNE, VACUUM].join('\n')).digest('hex').slice(0, 8);
const DUMP_HASH = createHash('sha256').update([...DUMP_SETUP, ...DUMP_FINISH].join('\n')).digest('hex').slice(0, 6);
const TEMPLATES: Record<RegionSet, string> = { full: `sde_tpl_${HASH}`, small: `sde_tpl_${HASH}_small_${SMALL_HASH}` };
export const CACHE_DIR = join(projectRoot(), 'node_modules', '.cache', 'satu-data-exchange');
const PGLITE_DUMPS: Record<RegionSet, string> = {
  full: join(CACHE_DIR, `pglite-${HASH}-${DUMP_HASH}.tar`),
  small: join(CACHE_DIR, `pglite-${HASH}-small-${SMALL_HASH}-${DUMP_HASH}.tar`),
};

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
  if (serverUrl) await prepareServerTemplates();
  else await preparePgliteDumps();
}

async function prepareServerTemplates(): Promise<void> {
  await admin(async (client) => {
    const leftovers = await client.query<{ datname: string }>("select datname from pg_database where datname like 'sde\\_test\\_%'");
    // Only databases of runs that have ended: another run may be using its own right now.
    for (const { datname } of leftovers.rows) {
      const pid = Number(/^sde_test_(\d+)_/.exec(datname)?.[1]);
      if (!isAlive(pid)) await client.query(`drop database if exists "${datname}" with (force)`);
    }
    const exists = async (name: string) => Boolean((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount);
    // Renamed only when complete, so an interrupted build is never mistaken for a template.
    const build = async (name: string, fill: (building: string) => Promise<void>) => {
      const building = `${name}_building`;
      await client.query(`drop database if exists "${building}" with (force)`);
      await fill(building);
      await client.query(`alter database "${building}" rename to "${name}"`);
    };
    if (!(await exists(TEMPLATES.full))) {
      await build(TEMPLATES.full, async (building) => {
        await client.query(`create database "${building}"`);
        const db = createDb(serverConfig(withDatabase(serverUrl!, building)));
        try {
          await migrateToLatest(db.db);
        } finally {
          await db.close();
        }
      });
    }
    if (!(await exists(TEMPLATES.small))) {
      await build(TEMPLATES.small, async (building) => {
        await client.query(`create database "${building}" template "${TEMPLATES.full}"`);
        const db = createDb(serverConfig(withDatabase(serverUrl!, building)));
        try {
          await prune(db);
        } finally {
          await db.close();
        }
      });
    }
  });
}

async function preparePgliteDumps(): Promise<void> {
  if (existsSync(PGLITE_DUMPS.full) && existsSync(PGLITE_DUMPS.small)) return;
  const db = existsSync(PGLITE_DUMPS.full)
    ? createDb({ kind: 'pglite', dataDir: undefined }, { fs: new DumpFS(dataDirFiles(await readFile(PGLITE_DUMPS.full))) })
    : createDb({ kind: 'pglite', dataDir: undefined });
  try {
    for (const statement of DUMP_SETUP) await sql.raw(statement).execute(db.db);
    if (!existsSync(PGLITE_DUMPS.full)) {
      await migrateToLatest(db.db, db);
      await writeDump(db, PGLITE_DUMPS.full);
    }
    await prune(db);
    await writeDump(db, PGLITE_DUMPS.small);
  } finally {
    await db.close();
  }
}

async function prune(db: Database): Promise<void> {
  // One transaction: on a server, a pool's statements need not share a connection, and the
  // replica role must hold for the deletes.
  await db.db.transaction().execute(async (trx) => {
    for (const statement of PRUNE) await sql.raw(statement).execute(trx);
  });
  await sql.raw(VACUUM).execute(db.db);
}

async function writeDump(db: Database, path: string): Promise<void> {
  if (!db.pglite) throw new Error('not a PGlite database');
  for (const statement of DUMP_FINISH) await sql.raw(statement).execute(db.db);
  const dump = await db.pglite.dumpDataDir('none');
  await mkdir(CACHE_DIR, { recursive: true });
  // Renamed only when complete, so an interrupted write is never mistaken for a dump.
  const partial = `${path}.${process.pid}`;
  await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
  await rename(partial, path);
}

export function isAlive(pid: number): boolean {
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

export interface TestDatabaseOptions {
  /**
   * Which reference regions the database holds: `small` (the default) has every provinsi and
   * kab/kota but kecamatan and desa only under SMALL_REGION_ROOTS; `full` has all 91,599.
   */
  regions?: RegionSet;
}

// A process that runs several test files (test/suite/run-files.ts) reads each dump once.
const dumps = new Map<RegionSet, Promise<Buffer>>();
function readDump(regions: RegionSet): Promise<Buffer> {
  let dump = dumps.get(regions);
  if (!dump) dumps.set(regions, (dump = readFile(PGLITE_DUMPS[regions])));
  return dump;
}

/** A file or directory of a dumped data directory, its path relative to the directory. */
interface DataDirEntry {
  path: string;
  directory: boolean;
  bytes: Uint8Array;
}

const dumpEntries = new Map<RegionSet, Promise<DataDirEntry[]>>();
function readDumpEntries(regions: RegionSet): Promise<DataDirEntry[]> {
  let entries = dumpEntries.get(regions);
  if (!entries) dumpEntries.set(regions, (entries = readDump(regions).then(dataDirFiles)));
  return entries;
}

/**
 * The entries of a dump, a plain ustar archive as PGlite writes it (512-byte headers: the name
 * at 0, its prefix at 345, the size in octal at 124, the type at 156), in archive order, so
 * every directory comes before what it holds. The bytes are views into the dump.
 */
function dataDirFiles(tar: Buffer): DataDirEntry[] {
  const entries: DataDirEntry[] = [];
  const text = (at: number, length: number) => {
    const field = tar.subarray(at, at + length);
    const end = field.indexOf(0);
    return field.toString('latin1', 0, end < 0 ? length : end);
  };
  let at = 0;
  while (at + 512 <= tar.length && tar[at] !== 0) {
    const prefix = text(at + 345, 155);
    const path = `${prefix ? `${prefix}/` : ''}${text(at, 100)}`.replace(/^\/+|\/+$/g, '');
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const directory = tar[at + 156] === 0x35; // '5'
    entries.push({ path, directory, bytes: new Uint8Array(tar.buffer, tar.byteOffset + at + 512, size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/**
 * A new engine's in-memory filesystem, holding a dump's data directory when the engine starts.
 * PGlite's own `loadDataDir` untars into it with several path lookups per file and its parents,
 * about half of a database's start on a shared machine; here each directory is made once and
 * each file written once, from a copy of its bytes that the engine then owns and writes to.
 */
class DumpFS extends MemoryFS {
  readonly #entries: readonly DataDirEntry[];
  constructor(entries: readonly DataDirEntry[]) {
    super();
    this.#entries = entries;
  }
  override async initialSyncFs(): Promise<void> {
    await super.initialSyncFs();
    const { FS, ENV } = this.pg!.Module;
    const root = String(ENV.PGDATA);
    FS.mkdirTree(root);
    for (const entry of this.#entries) {
      const path = `${root}/${entry.path}`;
      if (entry.directory) FS.mkdir(path);
      else FS.writeFile(path, entry.bytes.slice(), { canOwn: true });
    }
  }
}

/** A database of its own for one test file, with the reference data loaded; dropped at teardown. */
export async function openTestDatabase(t: Test, options: TestDatabaseOptions = {}): Promise<Database> {
  const regions = options.regions ?? 'small';
  if (serverUrl) {
    const name = `sde_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`create database "${name}" template "${TEMPLATES[regions]}"`));
    const db = createDb(serverConfig(withDatabase(serverUrl, name)));
    t.teardown(async () => {
      await db.close();
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    });
    return db;
  }
  const db = createDb({ kind: 'pglite', dataDir: undefined }, { fs: new DumpFS(await readDumpEntries(regions)) });
  t.teardown(() => db.close());
  // Loading the dump takes a moment; tests should time their own work, not the load.
  await db.ping();
  return db;
}

/**
 * Fills an empty PGlite data directory from the dump, for a server process of a test to open:
 * it finds the migrations applied and the reference data loaded, as a clone of the template
 * is on a server.
 */
export async function seedPgliteDataDir(dataDir: string, options: TestDatabaseOptions = {}): Promise<void> {
  const dump = await readDump(options.regions ?? 'small');
  const pglite = await PGlite.create({ dataDir, loadDataDir: new BytesBlob(dump), extensions: { pg_trgm } });
  await pglite.close();
}

export { serverConfig, withDatabase };
