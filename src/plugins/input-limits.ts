import fp from 'fastify-plugin';
import type { InputLimits } from '../config.js';
import { AppError } from '../http/app-error.js';
import { jsonLimitBreach } from '../http/json-limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured bounds on request bodies, for the readers of pushes. */
    inputLimits: InputLimits;
  }
}

/**
 * Path and query values that read as numbers too large for any number (`1e999`, 400 nines):
 * the validator would coerce them to Infinity and let them past their bounds, and no column
 * holds that. They are refused before validation, naming where.
 */
function unboundedNumbers(part: 'path' | 'query', values: unknown) {
  if (typeof values !== 'object' || values === null) return [];
  return Object.entries(values).flatMap(([name, value]) =>
    [value].flat().some((v) => typeof v === 'string' && /^\s*[+-]?(\d|\.\d|infinity)/i.test(v) && Math.abs(Number(v)) === Infinity)
      ? [{ location: part, pointer: `/${name}`, code: 'number-out-of-range', detail: { id: 'angka di luar rentang yang dapat dibaca', en: 'a number beyond any readable range' } }]
      : [],
  );
}

/**
 * Bounds every JSON body before it is parsed (depth, array length), refuses path and query
 * numbers too large to read, and hands the limits of tabular pushes to the routes that read
 * them. Fastify's own parser (secure-json-parse, refusing `__proto__` and `constructor` keys)
 * still does the parsing.
 */
export default fp(
  async (app, limits: InputLimits) => {
    app.decorate('inputLimits', limits);
    app.addHook('preValidation', async (request) => {
      const errors = [...unboundedNumbers('path', request.params), ...unboundedNumbers('query', request.query)];
      if (errors.length > 0) throw new AppError('VALIDATION_FAILED', {}, errors);
    });
    const parse = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body as string;
      const breach = jsonLimitBreach(text, limits.json);
      if (breach?.kind === 'depth') return done(new AppError('JSON_TOO_DEEP', { limit: limits.json.maxDepth }), undefined);
      if (breach?.kind === 'array-items') return done(new AppError('JSON_ARRAY_TOO_LONG', { limit: limits.json.maxArrayItems }), undefined);
      parse(request, text, done);
    });
  },
  { name: 'input-limits' },
);
