import fp from 'fastify-plugin';
import fastifyJwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { AppError } from '../http/app-error.js';
import { documentStandardResponses } from '../http/route-docs.js';
import { rolesOf, type Access, type Principal, type Role } from '../domain/principal.js';
import { jurisdictionOf } from '../domain/jurisdiction.js';
import type { AppConfig } from '../config.js';
import type { DB } from '../db/schema.js';
import { memoryCache } from '../util/memory-cache.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route. Every /v1 route must say; see Access. */
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { role: Role; agency?: string };
    user: { sub: string; role: Role; agency?: string; iat: number; exp: number };
  }
}

function jwtErrorToAppError(err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER') return new AppError('UNAUTHENTICATED');
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return new AppError('TOKEN_EXPIRED');
  return new AppError('TOKEN_INVALID');
}

/** What authentication needs about a token's client; the clients module looks it up. */
export interface AuthClient {
  id: string;
  role: string;
  disabled_at: Date | null;
  tokens_valid_after: Date;
  agency_id: string | null;
  agency_code: string | null;
  jurisdiction_region_code: string | null;
}

export type FindAuthClient = (db: Kysely<DB>, id: string) => Promise<AuthClient | undefined>;

// The tables a client's record is read from; a change to either is a new stamp.
const CLIENT_TABLES = ['clients', 'agencies'] as const;

/**
 * Clients behind tokens, kept per change stamp so a disabled client or a rotated secret is
 * seen by the next request (see db/change-signals.ts), without a query per request. The
 * expiry bounds what a lost notification could cost: a listening connection that dies
 * without a word is noticed by its heartbeat within seconds.
 */
function clientLookup(findClientForAuth: FindAuthClient) {
  const kept = memoryCache<AuthClient>({ max: 10_000, ttl: 10_000 });
  return async (request: FastifyRequest, id: string): Promise<AuthClient | undefined> => {
    const { database, changes } = request.server;
    const stamp = changes.stamp(CLIENT_TABLES);
    if (stamp === null) return findClientForAuth(database.db, id);
    // An unknown id is not kept (a build yielding undefined is not stored): anyone can make up
    // ids, and they must not crowd out real clients.
    return kept.fetch(`${stamp}|${id}`, { context: () => findClientForAuth(database.db, id) });
  };
}

async function authenticate(request: FastifyRequest, findClient: ReturnType<typeof clientLookup>, jwt: AppConfig['jwt']): Promise<Principal> {
  let claims: FastifyRequest['user'];
  try {
    claims = await request.jwtVerify();
  } catch (err) {
    throw jwtErrorToAppError(err);
  }
  // Our tokens live exactly TOKEN_TTL_SECONDS. A longer life is not ours, whoever holds the
  // key, and would outlast the lifetime the operator chose.
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw new AppError('TOKEN_INVALID');
  if ((claims.exp - claims.iat) * 1000 > jwt.ttlSeconds * 1000 + jwt.clockToleranceMs) throw new AppError('TOKEN_INVALID');
  // The client record is the authority: a disabled client or a rotated secret ends its
  // tokens at once instead of when they expire.
  const client = await findClient(request, claims.sub);
  if (!client || client.disabled_at) throw new AppError('TOKEN_REVOKED');
  const validAfterMs = client.tokens_valid_after.getTime();
  if (claims.iat * 1000 < validAfterMs) throw new AppError('TOKEN_REVOKED');
  // Our tokens are dated now, or at a rotation's cut-off (up to a second ahead). One dated
  // later would survive the next rotation's cut-off.
  if (claims.iat * 1000 > Math.max(Date.now(), validAfterMs) + jwt.clockToleranceMs) throw new AppError('TOKEN_INVALID');
  return {
    clientId: client.id,
    role: client.role as Role,
    agency:
      client.agency_id && client.agency_code && client.jurisdiction_region_code
        ? { id: client.agency_id, code: client.agency_code, jurisdictionRegionCode: client.jurisdiction_region_code }
        : null,
  };
}

export default fp(
  async (app, opts: { jwt: AppConfig['jwt']; findClient: FindAuthClient }) => {
    await app.register(fastifyJwt, {
      secret: opts.jwt.secret,
      sign: { algorithm: 'HS256', iss: opts.jwt.issuer, aud: opts.jwt.audience, expiresIn: opts.jwt.ttlSeconds },
      verify: {
        algorithms: ['HS256'],
        allowedIss: opts.jwt.issuer,
        allowedAud: opts.jwt.audience,
        requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
        clockTolerance: opts.jwt.clockToleranceMs,
      },
    });
    app.decorateRequest('principal', null);
    const findClient = clientLookup(opts.findClient);

    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access === undefined) {
        if (route.url.startsWith('/v1/')) throw new Error(`Route ${route.method} ${route.url} must declare config.access`);
        return;
      }
      if (route.schema && !route.schema.hide) documentStandardResponses(route.schema, access, [route.method].flat());
    });

    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (access === undefined || access === 'public') return;
      const principal = await authenticate(request, findClient, opts.jwt);
      const roles = rolesOf(access);
      if (roles !== null && !roles.includes(principal.role)) {
        throw new AppError('FORBIDDEN', { role: principal.role, allowed: roles.join(', ') });
      }
      if (typeof access === 'object' && 'national' in access) requireNational(principal, access.what);
      request.principal = principal;
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

/** Refuses anyone but a national walidata or an admin; `what` names the reference data. */
export function requireNational(actor: Principal, what: string): void {
  const own = jurisdictionOf(actor);
  if (own !== null) throw new AppError('NATIONAL_AUTHORITY_REQUIRED', { what, jurisdiction: own });
}

/** The authenticated caller; routes that declare an access other than public can rely on it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED');
  return request.principal;
}
