// `npm run db:types`: migrates a scratch database on a Postgres server and writes the Kysely
// table types kysely-codegen reads from it to src/db/schema.generated.ts.
// `npm run -s db:types:check`: the same into a temporary file; fails with a diff when the
// checked-in file differs (CI runs it, so a migration without regenerated types fails).
//
// The server: DB_TYPES_DATABASE_URL, else TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres. The scratch database is dropped afterwards.
// Needs the compiled migrations: the npm scripts build first.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src/db/schema.generated.ts');
const check = process.argv[2] === '--check';

const server =
  process.env.DB_TYPES_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = `sde_db_types_${randomBytes(4).toString('hex')}`;
const scratchUrl = new URL(server);
scratchUrl.pathname = `/${scratch}`;

async function admin(statement) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function migrate() {
  const { createDb } = await import(join(root, 'dist/src/db/create-db.js'));
  const { migrateToLatest } = await import(join(root, 'dist/src/db/migrate.js'));
  const database = createDb({ kind: 'postgres', url: scratchUrl.href, poolMax: 2, connectTimeoutMs: 10_000, statementTimeoutMs: 600_000 });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

function generate(outFile) {
  const codegen = spawnSync(
    join(root, 'node_modules/.bin/kysely-codegen'),
    [
      '--dialect=postgres',
      `--url=${scratchUrl.href}`,
      `--out-file=${outFile}`,
      // Kysely's own bookkeeping is not ours to query.
      '--exclude-pattern=kysely_*',
      // What pg and PGlite return without custom parsers (create-db.ts sets none).
      '--numeric-parser=string',
      // The database knows a json column only as json: its shape is declared in schema.ts,
      // which must name one for each such column (a marker type, so none is forgotten).
      // int8 comes back as text from pg but as a number from PGlite: Stored.Int8 says both.
      '--type-mapping={"json":"Stored.Json","jsonb":"Stored.Json","int8":"Stored.Int8"}',
      '--custom-imports={"Stored":"./schema.js"}',
      '--date-parser=timestamp',
      '--log-level=warn',
    ],
    { stdio: 'inherit' },
  );
  if (codegen.status !== 0) throw new Error(`kysely-codegen failed (${codegen.status ?? codegen.signal})`);
}

const temp = mkdtempSync(join(tmpdir(), 'db-types-'));
let failed = false;
try {
  await admin(`create database "${scratch}"`);
  try {
    await migrate();
    const outFile = check ? join(temp, 'schema.generated.ts') : target;
    generate(outFile);
    if (check) {
      if (readFileSync(outFile, 'utf8') !== readFileSync(target, 'utf8')) {
        const diff = spawnSync('diff', ['-u', '--label', 'src/db/schema.generated.ts (checked in)', '--label', 'generated from the migrations', target, outFile], { encoding: 'utf8' });
        process.stderr.write(`${diff.stdout}\nsrc/db/schema.generated.ts does not match the migrated schema: run \`npm run db:types\` and commit the result.\n`);
        failed = true;
      } else {
        process.stdout.write('src/db/schema.generated.ts matches the migrated schema\n');
      }
    } else {
      process.stdout.write(`wrote ${target.slice(root.length + 1)}\n`);
    }
  } finally {
    await admin(`drop database if exists "${scratch}" with (force)`);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
