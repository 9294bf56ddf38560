import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem } from '../http/app-error.js';
import { pickLanguage } from '../http/language.js';
import { toFieldErrors } from '../http/validation-errors.js';
import { isDatabaseUnavailable, sqlState } from '../db/errors.js';

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const lang = pickLanguage(request.headers['accept-language']);
  if (err.status === 503) reply.header('retry-after', '5');
  // RFC 6750 §3 and RFC 6749 §5.2: tell the client which scheme to authenticate with.
  if (err.code === 'INVALID_CLIENT') reply.header('www-authenticate', 'Basic realm="satu-data-exchange"');
  else if (err.status === 401) reply.header('www-authenticate', `Bearer realm="satu-data-exchange"${err.code === 'UNAUTHENTICATED' ? '' : ', error="invalid_token"'}`);
  return reply
    .code(err.status)
    .header('content-language', lang)
    .type('application/problem+json; charset=utf-8')
    .send(toProblem(err, lang, request.url, request.id));
}

/**
 * Errors the router raises before any route is found: a path parameter longer than any code
 * or id we have names nothing (404), and a broken percent-encoding is a malformed request.
 */
export function routerError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(request, reply, new AppError('NOT_FOUND', { method: request.method, path: path.slice(0, 200) }));
  return sendProblem(
    request,
    reply,
    new AppError('VALIDATION_FAILED', {}, [
      { location: 'path', pointer: '', code: 'malformed-url', detail: { id: 'alamat berisi pengodean persen yang rusak', en: 'the path holds a broken percent-encoding' } },
    ]),
  );
}

/** Translates anything thrown in a route into our stable error vocabulary. */
function toAppError(err: FastifyError, request: FastifyRequest, bodyLimit: number): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) {
    const context = err.validationContext ?? 'body';
    const source = { body: request.body, querystring: request.query, params: request.params, headers: request.headers }[context];
    return new AppError('VALIDATION_FAILED', {}, toFieldErrors(err.validation, context, source));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', { limit: bodyLimit });
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', { limit: request.routeOptions.bodyLimit ?? bodyLimit });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { type: request.headers['content-type'] ?? '' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { type: request.headers['content-type'] ?? '' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_FAILED', {}, [
        {
          location: 'body',
          pointer: '',
          code: 'malformed-body',
          detail: { id: 'isi permintaan kosong atau bukan JSON yang sah', en: 'the body is empty or not well-formed JSON' },
        },
      ]);
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return toAppError({ ...err, code: 'FST_ERR_CTP_INVALID_JSON_BODY' } as FastifyError, request, bodyLimit);
  }
  if (isDatabaseUnavailable(err)) return new AppError('DATABASE_UNAVAILABLE');
  // Text Postgres cannot store (a NUL character, invalid encoding) is the client's error.
  const state = sqlState(err);
  if (state === '22021' || state === '22P05') {
    return new AppError('VALIDATION_FAILED', {}, [
      {
        location: 'body',
        pointer: '',
        code: 'invalid-character',
        detail: { id: 'teks berisi karakter yang tidak dapat disimpan (mis. NUL)', en: 'text contains a character that cannot be stored (e.g. NUL)' },
      },
    ]);
  }
  return new AppError('INTERNAL_ERROR');
}

export default fp(
  async (app, opts: { bodyLimit: number }) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const appError = toAppError(err, request, opts.bodyLimit);
      if (appError.status >= 500) {
        request.log.error({ err }, 'request failed');
      } else if (!(err instanceof AppError)) {
        request.log.info({ code: err.code, statusCode: err.statusCode }, err.message);
      }
      return sendProblem(request, reply, appError);
    });
    const notFound = (request: FastifyRequest) => new AppError('NOT_FOUND', { method: request.method, path: request.url.split('?')[0] ?? '' });
    app.setNotFoundHandler((request, reply) => sendProblem(request, reply, notFound(request)));
    // The router lets a path parameter be empty, so `/v1/regions/` would reach
    // `/v1/regions/{code}`: an empty segment names nothing, and only documented paths answer.
    app.addHook('onRequest', async (request) => {
      const params = request.params as Record<string, unknown> | undefined;
      // A wildcard (`*`, the docs' static files) may be empty; a named parameter may not.
      if (params && Object.entries(params).some(([name, value]) => value === '' && name !== '*')) throw notFound(request);
    });
  },
  { name: 'errors' },
);
