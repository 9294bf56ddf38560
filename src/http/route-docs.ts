import type { FastifySchema } from 'fastify';
import type { Access } from '../domain/principal.js';

/** An error response in the OpenAPI document: problem+json with the shared Problem schema. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

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
  add(500, 'Unexpected error (INTERNAL_ERROR); quote request_id.');
  add(503, 'Database unreachable or service shutting down (DATABASE_UNAVAILABLE, SERVICE_UNAVAILABLE); retry after Retry-After seconds.');
  schema.response = responses;
}
