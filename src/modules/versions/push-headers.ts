import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/app-error.js';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';

/** The push's Idempotency-Key header, checked; undefined when not sent. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION_FAILED', {}, [
      {
        location: 'header',
        pointer: '/idempotency-key',
        code: 'pattern',
        detail: { id: 'Idempotency-Key harus 1–200 karakter ASCII tanpa spasi', en: 'Idempotency-Key must be 1–200 ASCII characters without spaces' },
      },
    ]);
  }
  return key;
}
