import Type, { type Static, type TSchema } from 'typebox';
import { containsNik } from '../domain/finding-builder.js';
import { ERROR_CATALOG } from './error-catalog.js';

const codes = Object.keys(ERROR_CATALOG);

/** RFC 9457 problem details, shared by every error response ($ref: Problem). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type.', examples: ['urn:satu-data-exchange:problem:validation-failed'] }),
    title: Type.String({ description: 'Short summary, in the language chosen by Accept-Language.' }),
    status: Type.Integer({ description: 'HTTP status code.' }),
    detail: Type.String({ description: 'What went wrong in this occurrence.' }),
    instance: Type.String({ description: 'The request path and query that failed.' }),
    code: Type.String({ description: `Stable machine-readable code, one of: ${codes.join(', ')}.`, enum: codes }),
    request_id: Type.String({ description: 'Echo of the x-request-id header; quote it when reporting a problem.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          location: Type.Enum(['body', 'query', 'path', 'header']),
          pointer: Type.String({ description: 'JSON pointer into that part of the request.' }),
          code: Type.String({ description: 'Stable reason, e.g. required, enum, region-code-malformed, unknown-code.' }),
          detail: Type.String(),
        }),
        { description: 'Present for validation problems: one entry per offending field.' },
      ),
    ),
    error: Type.Optional(Type.String({ description: 'OAuth2 error code (RFC 6749) on the token endpoint only.' })),
    allowed_actions: Type.Optional(Type.Array(Type.String(), { description: 'REVIEW_TRANSITION_INVALID only: the review actions the version\'s current status allows.' })),
  },
  {
    $id: 'Problem',
    description: 'An RFC 9457 problem details object (media type application/problem+json).',
    examples: [
      {
        type: 'urn:satu-data-exchange:problem:validation-failed',
        title: 'Permintaan tidak valid',
        status: 400,
        detail: 'Permintaan tidak sesuai skema: lihat daftar errors.',
        instance: '/v1/agencies',
        code: 'VALIDATION_FAILED',
        request_id: '8f0c2c1e-6c1b-4a43-9f7e-0d6a3c9b1f20',
        errors: [{ location: 'body', pointer: '/name', code: 'required', detail: 'kolom "name" wajib diisi' }],
      },
    ],
  },
);

export const PageInfo = Type.Object({
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` to get the next page; null on the last page.',
  }),
  limit: Type.Integer(),
}, { title: 'PageInfo' });

/** A page of items with an opaque cursor to the next page; `title` names it in the OpenAPI document. */
export function PageOf<T extends TSchema>(item: T, description: string, examples: unknown[], title?: string) {
  return Type.Object({ data: Type.Array(item), page: PageInfo }, { description, examples, ...(title === undefined ? {} : { title }) });
}

/** Largest value of a Postgres `integer` column (ids, version numbers). */
export const INT4_MAX = 2_147_483_647;

/**
 * Formats of our own, given to the schema validator (app.ts). `nik-free`: text holding no
 * NIK-like number (16 digits, alone or in separated groups); refused as `nik-forbidden`
 * without the value being quoted back (validation-errors.ts).
 */
export const SCHEMA_FORMATS = {
  'nik-free': (text: string) => !containsNik(text),
};

const NIK_FREE_NOTE = 'No NIK-like number (16 digits, alone or grouped with dots, dashes or spaces): refused as `nik-forbidden`.';

/** Free text that is published or stored, so may never carry a personal number. */
export const NikFreeText = ({ description, ...options }: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, format: 'nik-free', description: description ? `${description} ${NIK_FREE_NOTE}` : NIK_FREE_NOTE });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Items per page (1–1000).' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from `page.next_cursor`.' })),
};

/**
 * A value or null, written as a JSON-Schema type array rather than anyOf: with anyOf the
 * validator's type coercion turns an explicit null into 0 or "" before trying the null
 * branch, silently storing the wrong thing.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T, options: { description?: string } = {}) {
  return Type.Unsafe<Static<T> | null>({ ...schema, ...options, type: [schema.type, 'null'] });
}

export const NullableString = ({ maxLength = 4000, ...options }: { description?: string; maxLength?: number } = {}) =>
  Nullable(Type.String({ maxLength }), options);
