import type { FastifySchemaValidationError, SchemaErrorDataVar } from 'fastify/types/schema.js';
import type { FieldError } from './app-error.js';
import { explainMalformedRegionCode, REGION_CODE_PATTERN } from '../domain/region-code.js';

const LOCATION: Record<SchemaErrorDataVar, FieldError['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

type Params = Record<string, unknown>;

/** Indonesian and English wording per JSON-Schema keyword; ajv's own messages are English only. */
const MESSAGES: Record<string, (p: Params) => { id: string; en: string }> = {
  required: (p) => ({ id: `kolom "${p.missingProperty}" wajib diisi`, en: `"${p.missingProperty}" is required` }),
  additionalProperties: (p) => ({
    id: `kolom "${p.additionalProperty}" tidak dikenal`,
    en: `"${p.additionalProperty}" is not a known field`,
  }),
  type: (p) => ({ id: `harus bertipe ${p.type}`, en: `must be of type ${p.type}` }),
  enum: (p) => ({
    id: `harus salah satu dari: ${(p.allowedValues as unknown[]).join(', ')}`,
    en: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`,
  }),
  const: (p) => ({ id: `harus bernilai ${JSON.stringify(p.allowedValue)}`, en: `must equal ${JSON.stringify(p.allowedValue)}` }),
  minLength: (p) => ({ id: `minimal ${p.limit} karakter`, en: `must have at least ${p.limit} characters` }),
  maxLength: (p) => ({ id: `maksimal ${p.limit} karakter`, en: `must have at most ${p.limit} characters` }),
  minimum: (p) => ({ id: `minimal ${p.limit}`, en: `must be at least ${p.limit}` }),
  maximum: (p) => ({ id: `maksimal ${p.limit}`, en: `must be at most ${p.limit}` }),
  minItems: (p) => ({ id: `minimal ${p.limit} butir`, en: `must have at least ${p.limit} items` }),
  maxItems: (p) => ({ id: `maksimal ${p.limit} butir`, en: `must have at most ${p.limit} items` }),
  uniqueItems: () => ({ id: 'butir tidak boleh berulang', en: 'items must be unique' }),
  minProperties: (p) => ({ id: `minimal ${p.limit} kolom`, en: `must have at least ${p.limit} fields` }),
  format: (p) => ({ id: `format harus ${p.format}`, en: `must be a valid ${p.format}` }),
  pattern: (p) => ({ id: `harus cocok dengan pola ${p.pattern}`, en: `must match the pattern ${p.pattern}` }),
};

function fallback(err: FastifySchemaValidationError) {
  return { id: `tidak valid (${err.keyword})`, en: err.message ?? `is invalid (${err.keyword})` };
}

/** RFC 6901: `~` and `/` inside a key are written `~0` and `~1`. */
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The value at a JSON pointer, so a message can quote what the client sent. */
function valueAt(source: unknown, pointer: string): unknown {
  let node = source;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function toFieldErrors(
  errors: FastifySchemaValidationError[],
  context: SchemaErrorDataVar,
  source: unknown,
): FieldError[] {
  const location = LOCATION[context] ?? 'body';
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const err of errors) {
    const params = err.params as Params;
    let pointer = err.instancePath;
    if (err.keyword === 'required') pointer += `/${escapePointer(String(params.missingProperty))}`;
    if (err.keyword === 'additionalProperties') pointer += `/${escapePointer(String(params.additionalProperty))}`;
    // anyOf repeats its branches' failures; the branch errors already say what is wrong.
    if (err.keyword === 'anyOf' && out.some((e) => e.pointer === pointer)) continue;
    const key = `${pointer}|${err.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);

    if (err.keyword === 'format' && params.format === 'nik-free') {
      // The value is personal data: the reason is given, the value is never quoted back.
      out.push({
        location,
        pointer,
        code: 'nik-forbidden',
        detail: {
          id: 'berisi angka 16 digit (dengan atau tanpa pemisah) yang bentuknya seperti NIK; data perorangan tidak boleh dikirim',
          en: 'holds a 16-digit number (with or without separators) that looks like a NIK; personal data must never be sent',
        },
      });
      continue;
    }
    if (err.keyword === 'pattern' && params.pattern === REGION_CODE_PATTERN) {
      const value = String(valueAt(source, pointer));
      const reason = explainMalformedRegionCode(value);
      out.push({
        location,
        pointer,
        code: 'region-code-malformed',
        detail: {
          id: `kode wilayah "${value}" tidak valid: ${reason?.id ?? ''}`,
          en: `region code "${value}" is malformed: ${reason?.en ?? ''}`,
        },
      });
      continue;
    }
    out.push({ location, pointer, code: err.keyword, detail: (MESSAGES[err.keyword] ?? (() => fallback(err)))(params) });
  }
  return out;
}
