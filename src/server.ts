import pino from 'pino';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { waitForDatabase } from './db/connect.js';
import { createDb } from './db/create-db.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureBootstrapAdmin } from './modules/clients/service.js';
import { REDACT_PATHS } from './http/redact-paths.js';

let config: ServerConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const log = pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } });
if (config.jwtSecretGenerated) {
  log.warn('JWT_SECRET is not set: using a random key for this process, so tokens will not survive a restart');
}

// The routes' modules take seconds to load; they load while the database opens and migrates.
const loadingApp = import('./app.js');
// Awaited only after start-up succeeded: a failure before then must not also surface here.
loadingApp.catch(() => undefined);

const database = createDb(config.database, { onPoolError: (err) => log.warn({ err }, 'a database connection was lost; the pool makes a new one') });

try {
  log.info({ database: config.database.kind }, 'connecting to the database');
  await waitForDatabase(database, config.startupRetries, log);
  const migration = await migrateToLatest(database.db, database);
  log.info(migration, migration.applied.length > 0 ? 'migrations applied' : 'schema up to date');

  const admin = await ensureBootstrapAdmin(database.db, config.bootstrapAdmin);
  if (admin && !config.bootstrapAdmin) {
    // Printed once, to the terminal rather than the log stream, so it is not shipped to log storage.
    process.stdout.write(
      [
        '',
        '  First start: an admin client was created. Its secret is shown only now.',
        `    client_id:     ${admin.client.client_id}`,
        `    client_secret: ${admin.client_secret}`,
        '  Get a token:',
        `    curl -s -u '${admin.client.client_id}:${admin.client_secret}' -d grant_type=client_credentials http://localhost:${config.port}/v1/auth/token`,
        '',
      ].join('\n') + '\n',
    );
  } else if (admin) {
    log.info({ clientId: admin.client.client_id }, 'bootstrap admin created from BOOTSTRAP_ADMIN_CLIENT_ID');
  }
} catch (err) {
  log.fatal({ err }, 'start-up failed');
  await database.close().catch(() => undefined);
  process.exit(1);
}

const { buildApp } = await loadingApp;
const app = await buildApp(config, { database, loggerInstance: log });

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const force = setTimeout(() => {
    app.log.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  try {
    await app.close();
    await database.close();
    app.log.info('shutdown complete');
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.host, port: config.port });
