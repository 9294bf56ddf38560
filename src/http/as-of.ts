import { AppError } from './app-error.js';

/**
 * An `asOf` instant from a query (its form is checked by the schema): history can be asked
 * about, the future cannot.
 */
export function pastInstant(asOf: string | undefined): string | undefined {
  if (asOf !== undefined && Date.parse(asOf) > Date.now()) {
    throw new AppError('VALIDATION_FAILED', {}, [
      { location: 'query', pointer: '/asOf', code: 'future', detail: { id: 'asOf tidak boleh di masa depan', en: 'asOf may not be in the future' } },
    ]);
  }
  return asOf;
}
