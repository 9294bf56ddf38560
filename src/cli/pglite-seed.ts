import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createDb } from '../db/create-db.js';
import { migrateToLatest } from '../db/migrate.js';
import { SEED_DIR, seedPath } from '../db/pglite-seed.js';

/**
 * Run by `npm run build`: makes this build's PGlite seed (db/pglite-seed.ts) unless it is
 * there, and removes the seeds of earlier builds. The checkpoint writes every change into the
 * data files, so a start from the seed replays no WAL; WAL segments it frees are removed
 * rather than kept for reuse, so the tarball holds one.
 */
const started = performance.now();
const path = seedPath();
if (existsSync(path)) {
  process.stdout.write(`PGlite seed up to date (${basename(path)})\n`);
} else {
  const database = createDb({ kind: 'pglite', dataDir: undefined });
  try {
    const pglite = database.pglite!;
    await pglite.exec('set wal_recycle = off');
    await migrateToLatest(database.db, database);
    await pglite.exec('checkpoint');
    const tarball = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    await mkdir(SEED_DIR, { recursive: true });
    for (const old of await readdir(SEED_DIR)) await rm(join(SEED_DIR, old), { force: true });
    // Renamed only when complete, so an interrupted build never leaves half a seed to start from.
    const partial = `${path}.${process.pid}`;
    await writeFile(partial, tarball);
    await rename(partial, path);
    process.stdout.write(`PGlite seed made in ${Math.round(performance.now() - started)} ms (${(tarball.length / 2 ** 20).toFixed(0)} MiB): a new PGLITE_DATA_DIR starts from it\n`);
  } finally {
    await database.close();
  }
}
