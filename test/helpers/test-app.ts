import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type ServerConfig } from '../../src/config.js';
import type { Database } from '../../src/db/create-db.js';
import type { Role } from '../../src/domain/principal.js';
import { randomBytes } from 'node:crypto';
import { findAgencyId } from '../../src/modules/agencies/repository.js';
import { hashSecret } from '../../src/modules/clients/secret-hash.js';
import { insertClient } from '../../src/modules/clients/repository.js';
import { openTestDatabase, type TestDatabaseOptions } from './database.js';
import { schemaCompilers } from './schema-compilers.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const SHARED_SECRET = 'test-client-secret-shared-by-logins-0123456789';
let sharedHash: Promise<string> | undefined;

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  config: ServerConfig;
  /** A fresh client of this role (and agency) with a real token for it. */
  login(role: Role, agency?: string): Promise<{ clientId: string; secret: string; token: string; auth: { authorization: string } }>;
}

/** `options.regions: 'full'` for a file that needs every region (see openTestDatabase). */
export async function createTestApp(t: Test, env: Record<string, string> = {}, options: TestDatabaseOptions = {}): Promise<TestContext> {
  const database = await openTestDatabase(t, options);
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const app = await buildApp(config, { database, logger: false, schemaCompilers });
  t.teardown(() => app.close());
  return {
    app,
    database,
    config,
    async login(role, agency) {
      // Tokens come from the app's own signer and the client row is real, so requests take
      // the whole authentication path; the hash is computed once per process.
      // The token endpoint itself is exercised in test/modules/auth.
      const agencyId = agency === undefined ? null : ((await findAgencyId(database.db, agency))?.id ?? null);
      if (agency !== undefined && agencyId === null) throw new Error(`login: no agency ${agency}`);
      const clientId = `test-${role}-${randomBytes(6).toString('hex')}`;
      sharedHash ??= hashSecret(SHARED_SECRET);
      await insertClient(database.db, { id: clientId, name: `test ${role}`, role, agency_id: agencyId, secret_hash: await sharedHash });
      const token = app.jwt.sign({ role, ...(agency ? { agency } : {}) }, { sub: clientId });
      return { clientId, secret: SHARED_SECRET, token, auth: { authorization: `Bearer ${token}` } };
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
