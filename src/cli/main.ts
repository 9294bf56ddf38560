import { loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { migrateToLatest } from '../db/migrate.js';
import { runClientsCommand, USAGE } from './clients-command.js';

/** `npm run cli -- clients …`: manage machine clients without going through the API. */
const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(argv.length === 0 ? 2 : 0);
}

const database = createDb(loadConfig(process.env).database);
try {
  await migrateToLatest(database.db, database);
  const result = await runClientsCommand(argv, database.db);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} finally {
  await database.close();
}
