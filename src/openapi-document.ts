import { stringify } from 'yaml';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createDb } from './db/create-db.js';

/**
 * The OpenAPI document as the routes describe it. Building the app needs a database
 * object but no data, so an empty in-memory PGlite serves.
 */
export async function buildOpenapiDocument(): Promise<object> {
  const config = loadConfig({ JWT_SECRET: 'openapi-generation-only-not-a-real-secret', LOG_LEVEL: 'silent' });
  const database = createDb({ kind: 'pglite', dataDir: undefined });
  // PGlite starts on first use, which on a loaded machine can take longer than Fastify gives
  // a plugin to start: the app's first statement (listening for changes) must not be that use.
  await database.ping();
  const app = await buildApp(config, { database, logger: false });
  try {
    return app.swagger() as object;
  } finally {
    await app.close();
    await database.close();
  }
}

export async function buildOpenapiFiles(): Promise<Record<string, string>> {
  const document = await buildOpenapiDocument();
  return { 'openapi.json': `${JSON.stringify(document, null, 2)}\n`, 'openapi.yaml': stringify(document, { lineWidth: 0 }) };
}
