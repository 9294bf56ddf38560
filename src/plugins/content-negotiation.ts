import fp from 'fastify-plugin';
import Negotiator from 'negotiator';
import type { FastifyRequest, FastifySchema } from 'fastify';
import { AppError } from '../http/app-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The media types the route's successful answers can have. Filled from the 2xx responses
     * of its schema (their `content` types; a plain JSON schema is application/json), so a
     * route declares what it produces by documenting it; set it only for a route whose
     * answers the schema cannot describe.
     */
    produces?: readonly string[];
  }
}

// Every operation can answer a problem, so a client that accepts one is not refused.
const ALWAYS = ['application/problem+json'];

/** The media types a route's 2xx responses declare; none for a route that only answers without a body. */
export function producedTypes(schema: FastifySchema | undefined): string[] {
  const responses = (schema?.response ?? {}) as Record<string, { content?: Record<string, unknown>; type?: unknown }>;
  const types = new Set<string>();
  for (const [status, response] of Object.entries(responses)) {
    if (!/^2/.test(status) || status === '204') continue;
    if (response.content) for (const type of Object.keys(response.content)) types.add(type);
    else if (response.type !== 'null') types.add('application/json');
  }
  return [...types];
}

// Only whether the route can answer the type at all is decided here, so media-type
// parameters other than q are dropped: a charset names how text is encoded (ours is always
// UTF-8), and a `version=` (SDMX) is the route's own choice to make. Kept, they would make
// `application/json; charset=utf-8` miss `application/json`.
const typesAndWeights = (accept: string) => accept.replace(/;\s*(?!q\s*=)[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*("[^"]*"|[^;,]*)/g, '');

/**
 * A route that takes a `format` query parameter lets a client that cannot set Accept (a
 * browser link, a harvester) name the format; when it does, that choice wins over Accept.
 */
function choosesFormat(request: FastifyRequest): boolean {
  const query = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return query?.properties?.format !== undefined && (request.query as Record<string, unknown> | undefined)?.format !== undefined;
}

/**
 * 406 NOT_ACCEPTABLE when the Accept header names none of the media types the route
 * produces (RFC 9110 §12.5.1): `*` ranges, q-values and q=0 exclusions count; a missing or
 * empty Accept accepts anything. Routes that declare nothing (the docs pages) are left alone.
 */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      if (route.config?.produces) return;
      const produces = producedTypes(route.schema);
      if (produces.length > 0) route.config = { ...route.config, produces };
    });

    app.addHook('onRequest', async (request) => {
      const produces = request.routeOptions.config.produces;
      const accept = request.headers.accept;
      if (!produces || !accept?.trim() || choosesFormat(request)) return;
      const negotiator = new Negotiator({ headers: { accept: typesAndWeights(accept) } });
      if (negotiator.mediaType([...produces, ...ALWAYS]) === undefined) {
        throw new AppError('NOT_ACCEPTABLE', { accept: accept.slice(0, 200), produces: produces.join(', ') });
      }
    });
  },
  { name: 'content-negotiation' },
);
