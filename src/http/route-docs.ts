import type { FastifySchema } from 'fastify';
import type { Access } from '../modules/auth/principal.js';

/** An error response in the OpenAPI document: problem+json with the shared Problem schema. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

/**
 * Adds the error responses every route can give, and its security requirement, so the
 * OpenAPI document tells integrators about them without each route repeating them.
 */
export function documentStandardResponses(schema: FastifySchema, access: Access): void {
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
    add(413, 'The body exceeds the size limit (PAYLOAD_TOO_LARGE).');
    add(415, 'The Content-Type is not accepted here (UNSUPPORTED_MEDIA_TYPE).');
  }
  add(500, 'Unexpected error (INTERNAL_ERROR); quote request_id.');
  add(503, 'Database unreachable or service shutting down (DATABASE_UNAVAILABLE, SERVICE_UNAVAILABLE); retry after Retry-After seconds.');
  schema.response = responses;
}
