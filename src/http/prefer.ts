import type { FastifyRequest } from 'fastify';

/** The client sent `Prefer: respond-async` (RFC 7240): it would rather poll a job than wait. */
export function prefersAsync(request: FastifyRequest): boolean {
  return /(^|[,;\s])respond-async\b/i.test(String(request.headers.prefer ?? ''));
}
