import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type ServerConfig } from '../../src/config.js';
import type { Database } from '../../src/db/create-db.js';
import type { Role } from '../../src/modules/auth/principal.js';
import { createClient } from '../../src/modules/clients/service.js';
import { openTestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  config: ServerConfig;
  /** A fresh client of this role (and agency) with a real token for it. */
  login(role: Role, agency?: string): Promise<{ clientId: string; secret: string; token: string; auth: { authorization: string } }>;
}

export async function createTestApp(t: Test, env: Record<string, string> = {}): Promise<TestContext> {
  const database = await openTestDatabase(t);
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const app = await buildApp(config, { database, logger: false });
  t.teardown(() => app.close());
  return {
    app,
    database,
    config,
    async login(role, agency) {
      const { client, client_secret } = await createClient(database.db, { system: 'test' }, undefined, { name: `test ${role}`, role, agency });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret },
      });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      const token = (res.json() as { access_token: string }).access_token;
      return { clientId: client.client_id, secret: client_secret, token, auth: { authorization: `Bearer ${token}` } };
    },
  };
}

/** Registers an agency through the API as a walidata would; returns its code. */
export async function createAgency(ctx: TestContext, code: string, jurisdiction: string, kind = 'DINSOS'): Promise<string> {
  const { auth } = await ctx.login('walidata');
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: auth,
    payload: { code, name: `Agency ${code}`, kind, jurisdiction_region_code: jurisdiction },
  });
  if (res.statusCode !== 201) throw new Error(`agency creation failed: ${res.body}`);
  return code;
}
