import type { FastifySchema } from 'fastify';
import type { Access } from '../domain/principal.js';

/** An error response in the OpenAPI document: problem+json with the shared Problem schema. */
export const problem = (description: string, headers?: Record<string, ResponseHeader>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

/** A header of a response, as the OpenAPI document shows it (Fastify does not check them). */
export interface ResponseHeader {
  type: 'string' | 'integer';
  description: string;
  format?: string;
  minimum?: number;
}

/** The response headers the service sends, for routes to declare on the responses that carry them. */
export const RESPONSE_HEADERS = {
  location: (what: string): Record<string, ResponseHeader> => ({ Location: { type: 'string', format: 'uri-reference', description: `Path of ${what}.` } }),
  etag: { ETag: { type: 'string', description: 'Strong validator of the body; send it back in If-None-Match to get 304 while nothing changed.' } },
  link: { Link: { type: 'string', description: 'RFC 8288 link to the next page (`rel="next"`), when there is one.' } },
  contentEncoding: { 'Content-Encoding': { type: 'string', description: '`gzip` when the request accepts it (Accept-Encoding) and the body is 1 KiB or more; absent otherwise. Its ETag differs from the uncompressed one.' } },
  retryAfter: (why: string): Record<string, ResponseHeader> => ({ 'Retry-After': { type: 'integer', minimum: 1, description: `Seconds to wait before retrying: ${why}` } }),
  idempotentReplayed: { 'idempotent-replayed': { type: 'string', description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.' } },
  cacheStatus: {
    'Cache-Status': {
      type: 'string',
      description:
        'RFC 9211: how the service\'s in-memory cache handled the request. `satudata; hit`: served from memory (the data under it has not changed since it was built); `satudata; fwd=miss`: built for this request and kept (`collapsed`: built once for this and concurrent requests); `fwd=stale`: built again after the kept answer expired; `fwd=bypass`: not kept, because changes cannot be followed right now.',
    },
  },
  preferenceApplied: { 'Preference-Applied': { type: 'string', description: '`respond-async` when the push or publication runs as a job because the request asked it to (Prefer).' } },
} as const;

/** A response (a JSON schema, or `{ description, content }`) with the headers it carries declared beside it. */
export const withHeaders = <R extends object>(response: R, ...headers: Record<string, ResponseHeader>[]) => ({
  ...response,
  headers: Object.assign({}, (response as { headers?: object }).headers, ...headers) as Record<string, ResponseHeader>,
});

/** Request headers read by every operation: declared on each, so generated clients can send them. */
const COMMON_REQUEST_HEADERS = {
  'Accept-Language': {
    type: 'string',
    description: "Language of problem titles and details: `id` (Bahasa Indonesia, the default) or `en`; usual Accept-Language syntax with q-values.",
    examples: ['en'],
  },
  'x-request-id': {
    type: 'string',
    description: 'Your id for this request (1–128 characters of `A-Z a-z 0-9 . _ : -`), echoed in the response header of the same name and in every problem; anything else is replaced by a generated UUID.',
    examples: ['8f0c2c1e-6c1b-4a43-9f7e-0d6a3c9b1f20'],
  },
};

/**
 * The route's headers schema with the common headers added. A new object: a route's own
 * schema may be shared with others. Types only (no limits): what they declare must not
 * refuse a request the service would serve.
 */
function withCommonHeaders(headers: unknown): object {
  const own = (headers ?? { type: 'object', properties: {} }) as { properties?: Record<string, unknown> };
  return { ...own, properties: { ...COMMON_REQUEST_HEADERS, ...own.properties } };
}

/**
 * Adds the error responses every route can give, and its security requirement, so the
 * OpenAPI document tells integrators about them without each route repeating them.
 */
export function documentStandardResponses(schema: FastifySchema, access: Access, methods: readonly string[]): void {
  const responses = (schema.response ?? {}) as Record<string, unknown>;
  const add = (status: number, description: string) => {
    if (!(status in responses)) responses[status] = problem(description);
  };
  if (schema.body || schema.querystring || schema.params) add(400, 'Invalid request (problem code VALIDATION_FAILED and others); see `errors`.');
  if (access !== 'public') {
    add(401, 'Missing, malformed, expired or revoked token (UNAUTHENTICATED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED).');
    if (access !== 'authenticated') {
      const national = 'national' in access;
      const roles = national ? access.national : access;
      add(
        403,
        national
          ? `National reference data: national walidata (no agency) and admins only. Another role → FORBIDDEN; a regional walidata → NATIONAL_AUTHORITY_REQUIRED. Allowed roles: ${roles.join(', ')}.`
          : `The token's role may not call this (FORBIDDEN). Allowed roles: ${roles.join(', ')}.`,
      );
    }
    schema.security = [{ bearerAuth: [] }];
  } else {
    // Explicitly none, so linters and generators do not read the route as missing its scheme.
    schema.security = [];
  }
  if (schema.params) add(404, 'The resource named in the path does not exist.');
  if (schema.body) {
    // Pushes (the only bodies that may be CSV) are also bounded in columns, lines and cells.
    const tabular = 'text/csv' in ((schema.body as { content?: Record<string, unknown> }).content ?? {});
    add(
      413,
      tabular
        ? 'The body exceeds a limit: its size (PAYLOAD_TOO_LARGE); JSON nesting or array length (JSON_TOO_DEEP, JSON_ARRAY_TOO_LONG); CSV/XLSX columns, line length or cell size (TOO_MANY_COLUMNS, LINE_TOO_LONG, CELL_TOO_LARGE); XLSX decompressed size (XLSX_TOO_LARGE). See the request body for the limits. Nothing was stored.'
        : 'The body exceeds a limit: its size (PAYLOAD_TOO_LARGE), or for JSON its nesting depth or an array\'s length (JSON_TOO_DEEP, JSON_ARRAY_TOO_LONG).',
    );
    add(415, 'The Content-Type is not accepted here (UNSUPPORTED_MEDIA_TYPE).');
  } else if (methods.some((m) => m !== 'GET' && m !== 'HEAD')) {
    // A write that takes no body may still be sent one: too large, or of a type we do not read.
    add(413, 'The body exceeds the size limit (PAYLOAD_TOO_LARGE); this operation takes no body.');
    add(415, 'The Content-Type is not accepted here (UNSUPPORTED_MEDIA_TYPE); this operation takes no body.');
  }
  add(406, 'The Accept header names none of the media types this operation produces (NOT_ACCEPTABLE); problems are always sent as application/problem+json.');
  add(500, 'Unexpected error (INTERNAL_ERROR); quote request_id.');
  if (!(503 in responses)) {
    responses[503] = problem(
      'Database unreachable or service shutting down (DATABASE_UNAVAILABLE, SERVICE_UNAVAILABLE); retry after Retry-After seconds.',
      RESPONSE_HEADERS.retryAfter('the service expects to be back by then.'),
    );
  }
  schema.response = responses;
  schema.headers = withCommonHeaders(schema.headers);
}
