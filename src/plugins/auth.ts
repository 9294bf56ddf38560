import fp from 'fastify-plugin';
import fastifyJwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../http/app-error.js';
import { documentStandardResponses } from '../http/route-docs.js';
import type { Access, Principal, Role } from '../modules/auth/principal.js';
import { findClientForAuth } from '../modules/clients/repository.js';
import type { AppConfig } from '../config.js';

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

async function authenticate(request: FastifyRequest): Promise<Principal> {
  let claims: FastifyRequest['user'];
  try {
    claims = await request.jwtVerify();
  } catch (err) {
    throw jwtErrorToAppError(err);
  }
  // The client record is the authority: a disabled client or a rotated secret ends its
  // tokens at once instead of when they expire.
  const client = await findClientForAuth(request.server.database.db, claims.sub);
  if (!client || client.disabled_at) throw new AppError('TOKEN_REVOKED');
  if (claims.iat * 1000 < client.tokens_valid_after.getTime()) throw new AppError('TOKEN_REVOKED');
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
  async (app, opts: { jwt: AppConfig['jwt'] }) => {
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

    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access === undefined) {
        if (route.url.startsWith('/v1/')) throw new Error(`Route ${route.method} ${route.url} must declare config.access`);
        return;
      }
      if (route.schema && !route.schema.hide) documentStandardResponses(route.schema, access);
    });

    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (access === undefined || access === 'public') return;
      const principal = await authenticate(request);
      if (access !== 'authenticated' && !access.includes(principal.role)) {
        throw new AppError('FORBIDDEN', { role: principal.role, allowed: access.join(', ') });
      }
      request.principal = principal;
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

/** The authenticated caller; routes that declare an access other than public can rely on it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED');
  return request.principal;
}
