import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.js';
import { AppError } from '../http/app-error.js';

/** The caller's address as limits count it: an IPv6 address by its /64, one subscriber's allocation. */
export function addressOf(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

export type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * At most `max` requests per window and key, counted in this process; 0 turns it off. A
 * refusal is 429 RATE_LIMITED with Retry-After, before any work is done for the request.
 */
export function limiter(app: FastifyInstance, max: number, windowSeconds: number, key: (request: FastifyRequest) => string): Limiter {
  if (max === 0) return async () => {};
  const check = app.createRateLimit({ max, timeWindow: windowSeconds * 1000, keyGenerator: key });
  return async (request, reply) => {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(result.ttlInSeconds));
    throw new AppError('RATE_LIMITED', { limit: max, window: windowSeconds, retry_after: result.ttlInSeconds });
  };
}

/** The 429 an operation can answer, for the OpenAPI document. */
export function rateLimitedResponse(description: string) {
  return {
    description,
    headers: { 'Retry-After': { type: 'integer', minimum: 1, description: 'Seconds until the limit resets.' } },
    content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
  };
}

// A JSON API asks a browser to load and run nothing. The pages that do render (Swagger UI
// under /docs, the compliance report) send their own policy.
const API_CSP = { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] };

// Beyond the CORS-safelisted ones: what a browser script may send, and may read.
const CORS_REQUEST_HEADERS = ['authorization', 'content-type', 'accept-language', 'idempotency-key', 'if-none-match', 'prefer', 'x-request-id'];
const CORS_EXPOSED_HEADERS = ['content-disposition', 'etag', 'idempotent-replayed', 'link', 'location', 'preference-applied', 'retry-after', 'www-authenticate', 'x-request-id'];

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The edges a browser or a flood meets first: security headers, CORS for the listed origins
 * only, and the per-client limit on writes. Registered before auth, so that even a 401 carries
 * the headers (and CORS lets the calling page read it).
 */
export default fp(
  async (app, opts: { corsOrigins: string[]; rateLimits: AppConfig['rateLimits'] }) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
      frameguard: { action: 'deny' },
    });

    if (opts.corsOrigins.length > 0) {
      const allowed = new Set(opts.corsOrigins);
      await app.register(cors, {
        // A listed origin is echoed back; any other, or none, gets no CORS headers at all.
        origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin) ? origin : false),
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: CORS_REQUEST_HEADERS,
        exposedHeaders: CORS_EXPOSED_HEADERS,
        // Bearer tokens, not cookies: a browser never sends credentials on its own.
        credentials: false,
        maxAge: 600,
        // An OPTIONS without Access-Control-Request-Method from a listed origin is answered as a
        // preflight rather than with the plugin's plain-text 400.
        strictPreflight: false,
      });
    }

    await app.register(rateLimit, { global: false });

    const { writesPerClient, windowSeconds } = opts.rateLimits;
    if (writesPerClient > 0) {
      const writes = limiter(app, writesPerClient, windowSeconds, (request) => request.principal!.clientId);
      // preParsing runs after auth's onRequest has named the client, and before a body of up
      // to UPLOAD_LIMIT_BYTES is read.
      app.addHook('preParsing', async (request, reply) => {
        if (request.principal && !READS.has(request.method)) await writes(request, reply);
      });
    }

    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      const methods = [route.method].flat();
      if (!route.schema || route.schema.hide || access === undefined || access === 'public' || methods.every((m) => READS.has(m))) return;
      const responses = (route.schema.response ??= {}) as Record<string, unknown>;
      responses[429] ??= rateLimitedResponse('Too many writes by this client in the window (RATE_LIMITED; WRITE_RATE_LIMIT_PER_CLIENT); retry after Retry-After seconds.');
    });
  },
  { name: 'security' },
);
