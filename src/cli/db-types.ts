import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDb } from '../db/create-db.js';
import { migrateToLatest } from '../db/migrate.js';
import { writeOrCheck } from './generated-files.js';

/**
 * `npm run db:types` migrates a scratch database on a Postgres server and writes the Kysely
 * table types kysely-codegen reads from it to src/db/schema.generated.ts;
 * `npm run -s db:types:check` fails with a diff when the checked-in file differs (CI runs it,
 * so a migration without regenerated types fails). The server: DB_TYPES_DATABASE_URL, else
 * TEST_DATABASE_URL, else the local one. The scratch database is dropped afterwards.
 */
const root = new URL('../../../', import.meta.url);
const server = process.env.DB_TYPES_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function codegen(url: string, outFile: string): void {
  const run = spawnSync(
    new URL('node_modules/.bin/kysely-codegen', root).pathname,
    [
      '--dialect=postgres',
      `--url=${url}`,
      `--out-file=${outFile}`,
      // Kysely's own bookkeeping is not ours to query.
      '--exclude-pattern=kysely_*',
      // What pg and PGlite return without custom parsers (create-db.ts sets none).
      '--numeric-parser=string',
      // The database knows a json column only as json: its shape is declared in schema.ts,
      // which must name one for each such column (a marker type, so none is forgotten).
      // int8 comes back as text from pg but as a number from PGlite: Stored.Int8 says both.
      '--type-mapping={"json":"Stored.Json","jsonb":"Stored.Json","int8":"Stored.Int8"}',
      '--custom-imports={"Stored":"./stored-types.js"}',
      '--date-parser=timestamp',
      '--log-level=warn',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`kysely-codegen failed (${run.status ?? run.signal})`);
}

async function generate(): Promise<Record<string, string>> {
  const scratch = `sde_db_types_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${scratch}`;
  const temp = await mkdtemp(join(tmpdir(), 'db-types-'));
  await admin(`create database "${scratch}"`);
  try {
    const database = createDb({ kind: 'postgres', url: url.href, poolMax: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 600_000 });
    try {
      await migrateToLatest(database.db);
    } finally {
      await database.close();
    }
    const outFile = join(temp, 'schema.generated.ts');
    codegen(url.href, outFile);
    return { 'schema.generated.ts': await readFile(outFile, 'utf8') };
  } finally {
    await admin(`drop database if exists "${scratch}" with (force)`);
    await rm(temp, { recursive: true, force: true });
  }
}

await writeOrCheck(
  process.argv[2],
  { dir: new URL('src/db/', root), label: 'src/db/', what: 'Kysely table types', command: 'npm run db:types', generate },
  'db-types',
);
