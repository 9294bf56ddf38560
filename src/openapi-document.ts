import { stringify } from 'yaml';
import { buildApp, type BuildOptions } from './app.js';
import { loadConfig } from './config.js';
import { createDb } from './db/create-db.js';

/**
 * The OpenAPI document as the routes describe it. Building the app needs a database
 * object but no data, so an empty in-memory PGlite serves. A test passes the database it
 * already has and its shared schema compilers (an empty PGlite runs initdb: seconds of CPU).
 */
export async function buildOpenapiDocument(options: Pick<BuildOptions, 'database' | 'schemaCompilers'> = {}): Promise<object> {
  const config = loadConfig({ JWT_SECRET: 'openapi-generation-only-not-a-real-secret', LOG_LEVEL: 'silent' });
  const database = options.database ?? createDb({ kind: 'pglite', dataDir: undefined });
  // PGlite starts on first use, which on a loaded machine can take longer than Fastify gives
  // a plugin to start: the app's first statement (listening for changes) must not be that use.
  await database.ping();
  const app = await buildApp(config, { ...options, database, logger: false });
  try {
    return app.swagger() as object;
  } finally {
    await app.close();
    if (!options.database) await database.close();
  }
}

export async function buildOpenapiFiles(): Promise<Record<string, string>> {
  const document = await buildOpenapiDocument();
  return { 'openapi.json': `${JSON.stringify(document, null, 2)}\n`, 'openapi.yaml': stringify(document, { lineWidth: 0 }) };
}
