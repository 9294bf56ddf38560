import { randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppConfig } from '../../config.js';
import { problem } from '../../http/route-docs.js';
import { AppError } from '../../http/app-error.js';
import { addressOf, limiter, rateLimitedResponse } from '../../plugins/security.js';
import { FairQueue } from '../../util/fair-queue.js';
import { invalidClient, recordTokenIssued, verifyClientCredentials } from './token-service.js';

const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64, description: 'Must be `client_credentials`.' }),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    scope: Type.Optional(Type.String({ maxLength: 256, description: 'Ignored: a token carries its client\'s role.' })),
  },
  {
    examples: [{ grant_type: 'client_credentials', client_id: 'sde-producer-3f9a0c1d2b4e5f60', client_secret: '••••••' }],
  },
);

const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'JWT (HS256) to send as `Authorization: Bearer …`.' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Lifetime in seconds.' }),
    role: Type.Enum(['admin', 'walidata', 'producer', 'consumer']),
    agency: Type.Union([Type.String(), Type.Null()], { description: 'The agency a producer token writes for.' }),
  },
  {
    title: 'TokenResponse',
    examples: [{ access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…', token_type: 'Bearer', expires_in: 900, role: 'producer', agency: 'DINSOS-6571' }],
  },
);

/** RFC 6749 §2.3.1: credentials in HTTP Basic (preferred) or in the body. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalidClient();
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient(); // broken percent-encoding: malformed credentials, not a server fault
  }
}

/** The client id and secret of a token request, wherever they were sent; 401 if either is missing. */
function credentialsOf(authorization: string | undefined, body: Static<typeof TokenRequest>): { id: string; secret: string } {
  const basic = basicCredentials(authorization);
  const id = basic?.id ?? body.client_id;
  const secret = basic?.secret ?? body.client_secret;
  if (!id || !secret) throw invalidClient();
  return { id, secret };
}

interface AuthRouteOptions {
  jwt: AppConfig['jwt'];
  rateLimits: AppConfig['rateLimits'];
  secretHashConcurrency: number;
}

const routes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, opts) => {
  const { windowSeconds, tokenPerAddress, tokenPerClient } = opts.rateLimits;
  // The address is counted before the body is even read. The client id may be in the body, so
  // it is counted in the handler, once the credentials are known to be there; both before the hash.
  const perAddress = limiter(app, tokenPerAddress, windowSeconds, addressOf);
  const perClient = limiter(app, tokenPerClient, windowSeconds, (request) =>
    credentialsOf(request.headers.authorization, request.body as Static<typeof TokenRequest>).id,
  );
  const hashing = new FairQueue(opts.secretHashConcurrency);
  const perWindow = (max: number) => (max === 0 ? 'no limit' : `${max} per ${windowSeconds} s`);

  app.post(
    '/token',
    {
      config: { access: 'public' },
      onRequest: perAddress,
      schema: {
        tags: ['Auth'],
        operationId: 'issueToken',
        summary: 'Get an access token (client credentials)',
        description: `OAuth2 client-credentials grant. Send the client id and secret as HTTP Basic auth, or as \`client_id\`/\`client_secret\` in a form-encoded or JSON body, with \`grant_type=client_credentials\`. The token lives ${opts.jwt.ttlSeconds} seconds; request a new one when it expires. Wrong or unknown credentials, or a disabled client → 401 INVALID_CLIENT (with OAuth2 \`error: invalid_client\`).

**Limits.** Requests are counted, successful or not, per address (TOKEN_RATE_LIMIT_PER_ADDRESS: ${perWindow(tokenPerAddress)}) and per client id (TOKEN_RATE_LIMIT_PER_CLIENT: ${perWindow(tokenPerClient)}); beyond either → 429 RATE_LIMITED with \`Retry-After\`, before the secret is checked. Secrets are checked a few at a time (SECRET_HASH_CONCURRENCY), one at a time per address and per client id, with addresses taking turns, so a flood from one address delays only itself.`,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: {
          200: TokenResponse,
          401: problem('Unknown client, wrong secret or disabled client (INVALID_CLIENT).'),
          429: rateLimitedResponse('Too many token requests from this address or for this client id (RATE_LIMITED); retry after Retry-After seconds.'),
        },
      },
    },
    async (request, reply) => {
      if (request.body.grant_type !== 'client_credentials') throw new AppError('UNSUPPORTED_GRANT_TYPE', {}, [], { error: 'unsupported_grant_type' });
      const { id, secret } = credentialsOf(request.headers.authorization, request.body);
      await perClient(request, reply);

      // A caller that hung up while waiting (a flood's requests time out in the queue) is not
      // worth a hash: nobody will read the answer.
      const inTurn = (check: () => Promise<boolean>) =>
        hashing.run([`address|${addressOf(request)}`, `client|${id}`], () => (request.raw.socket.destroyed ? Promise.resolve(false) : check()));
      const client = await verifyClientCredentials(app.database.db, id, secret, inTurn);
      // Right after a rotation the cut-off lies up to a second ahead; date the token from it
      // so that a token from the new secret is never refused.
      const token = await reply.jwtSign(
        { role: client.role, ...(client.agency ? { agency: client.agency } : {}) },
        { sub: client.clientId, jti: randomUUID(), clockTimestamp: Math.max(Date.now(), client.tokensValidAfterMs) },
      );
      await recordTokenIssued(app.database.db, client, request.id);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { access_token: token, token_type: 'Bearer' as const, expires_in: opts.jwt.ttlSeconds, role: client.role, agency: client.agency };
    },
  );
};

export default routes;
