import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { migrateToLatest } from '../db/migrate.js';

/** `npm run migrate`: applies pending migrations and exits; the server also does this at start-up. */
const config = loadConfig(process.env);
const database = createDb(config.database);
try {
  const outcome = await migrateToLatest(database.db, database);
  process.stdout.write(
    outcome.applied.length > 0
      ? `Applied ${outcome.applied.join(', ')} in ${outcome.durationMs} ms\n`
      : 'Schema already up to date\n',
  );
} catch (err) {
  process.stderr.write(`Migration failed: ${err instanceof Error ? `${err.message}: ${String(err.cause)}` : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
