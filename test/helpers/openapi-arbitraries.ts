import fc from 'fast-check';
import type { Media, Operation, Parameter, Schema } from './openapi-document.js';

/**
 * fast-check arbitraries of HTTP requests for one OpenAPI operation, from its parameter and
 * request-body schemas. A *valid* request fits every schema (and mostly names things that
 * exist, through hints, so it reaches the handler); a *malformed* one breaks exactly one
 * part (a path or query parameter, the body, or its content type) and keeps the rest valid,
 * so the refusal comes from the part under test.
 */

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** Which part was made malformed, e.g. `query limit`; `valid` otherwise. */
  target: string;
}

export interface Hints {
  /**
   * Values that exist for a path parameter, keyed by the path up to and including it, e.g.
   * `/v1/datasets/{id}` (also used by `/v1/datasets/{id}/versions`).
   */
  path: Record<string, readonly string[]>;
  /** Plausible values for a query parameter or body property of this name. */
  named: Record<string, fc.Arbitrary<unknown>>;
  /** A small valid XLSX workbook, for multipart uploads. */
  xlsx?: Buffer;
}

export type Mode = 'valid' | 'malformed';

/** A JSON token written as is, for numbers JSON.stringify cannot produce (1e999, 400 digits). */
class RawJson {
  constructor(readonly text: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function toText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// Values that overflow Postgres int4 (2^31), a JS safe integer, int8 and a double.
const HUGE_INTEGERS = [2147483648, 8589934592, 31105683880436, 9007199254740993, -2147483649];
const HUGE_NUMBER_TOKENS = ['9223372036854775808', '1e999', '-1e999', `1${'0'.repeat(400)}`, '0.1e-400'];
const NASTY_STRINGS = [
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '../../etc/passwd',
  "' OR '1'='1' --",
  '<script>alert(1)</script>',
  '\uD800',
  '\uFFFF',
  '😀'.repeat(40),
  '\u202Eabc',
];
const WRONG_JSON_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, '', 'x', [], {}, [null], { a: 1 }];

const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []);
const num = (s: Schema, key: string): number | undefined => (typeof s[key] === 'number' ? (s[key] as number) : undefined);
const props = (s: Schema): Record<string, Schema> => (s.properties ?? {}) as Record<string, Schema>;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// Building an arbitrary parses regexes and walks schemas, and the document repeats the same
// schemas across operations: each is built once per set of hints, not once per use.
const built = new WeakMap<Hints, Map<string, fc.Arbitrary<unknown>>>();

function memo(hints: Hints, schema: Schema, kind: string, build: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  if (!built.has(hints)) built.set(hints, new Map());
  const cache = built.get(hints)!;
  const key = `${kind} ${JSON.stringify(schema)}`;
  if (!cache.has(key)) cache.set(key, build());
  return cache.get(key)!;
}

function weighted<T>(...choices: [number, fc.Arbitrary<T> | undefined][]): fc.Arbitrary<T> {
  const present = choices.filter((c): c is [number, fc.Arbitrary<T>] => c[1] !== undefined && c[0] > 0);
  return fc.oneof(...present.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

function isoDate(): fc.Arbitrary<string> {
  return fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
}

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  const min = num(s, 'minLength') ?? 0;
  const max = num(s, 'maxLength');
  const fits = (v: string) => [...v].length >= min && (max === undefined || [...v].length <= max);
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return isoDate();
  if (s.format === 'date') return isoDate().map((d) => d.slice(0, 10));
  if (s.format === 'email') return fc.emailAddress().filter(fits);
  if (s.format === 'uri' || s.format === 'url') return fc.webUrl().filter(fits);
  // A pattern's match that breaks a length bound is refused with a documented 400: no
  // filter, which would slow fast-check's regex generator many times over.
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
  const shortMax = Math.min(max ?? min + 40, min + 40);
  return weighted<string>(
    [4, fc.string({ minLength: min, maxLength: shortMax })],
    [2, fc.string({ minLength: min, maxLength: shortMax, unit: 'grapheme' })],
    [1, max !== undefined && max > shortMax ? fc.constant('a'.repeat(max)) : undefined],
  );
}

function integerBounds(s: Schema): { min: number; max: number } {
  const exMin = num(s, 'exclusiveMinimum');
  const exMax = num(s, 'exclusiveMaximum');
  const min = Math.max(num(s, 'minimum') ?? -Number.MAX_SAFE_INTEGER, exMin === undefined ? -Infinity : Math.floor(exMin) + 1);
  const max = Math.min(num(s, 'maximum') ?? Number.MAX_SAFE_INTEGER, exMax === undefined ? Infinity : Math.ceil(exMax) - 1);
  return { min, max };
}

function numberArbitrary(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const { min, max } = integerBounds(s);
  // Small values are what clients send (and keep pages short, so requests stay cheap); the
  // bounds (or the largest safe integer) are what breaks a narrower database column.
  const low = Math.max(min, -20);
  const small = low <= max ? fc.integer({ min: low, max: Math.min(max, low + 40) }) : undefined;
  const edges = fc.constantFrom(...new Set([min, max, Math.max(min, Math.min(max, 0))]));
  const wide = fc.integer({ min: Math.max(min, -Number.MAX_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
  if (integer) return weighted<number>([6, small], [2, edges], [1, wide]);
  const lo = num(s, 'minimum') ?? num(s, 'exclusiveMinimum') ?? -1e12;
  const hi = num(s, 'maximum') ?? num(s, 'exclusiveMaximum') ?? 1e12;
  const double = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).filter(
    (n) => (s.exclusiveMinimum === undefined || n > (s.exclusiveMinimum as number)) && (s.exclusiveMaximum === undefined || n < (s.exclusiveMaximum as number)),
  );
  return weighted<number>([3, small], [3, double], [1, edges]);
}

/**
 * Values that fit `schema`. With `base` (a documented example) most parts keep the
 * example's value and some are regenerated; `name` picks a hint for named properties.
 */
export function validArbitrary(schema: Schema, hints: Hints, name?: string, base?: unknown): fc.Arbitrary<unknown> {
  if (base === undefined) return memo(hints, schema, `valid ${name ?? ''}`, () => buildValid(schema, hints, name));
  return buildValid(schema, hints, name, base);
}

function buildValid(schema: Schema, hints: Hints, name?: string, base?: unknown): fc.Arbitrary<unknown> {
  const generated = schemaValues(schema, hints, base);
  const hint = name === undefined ? undefined : hints.named[name];
  const example = base === undefined || base instanceof RawJson ? undefined : fc.constant(base);
  return weighted<unknown>([3, example], [4, hint], [3, generated]);
}

function schemaValues(s: Schema, hints: Hints, base?: unknown): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((alt) => schemaValues(alt, hints, base)));
  const types = typesOf(s);
  if (types.length > 1) return fc.oneof(...types.map((type) => schemaValues({ ...s, type }, hints, base)));
  switch (types[0] ?? (s.properties ? 'object' : s.items ? 'array' : undefined)) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return arrayArbitrary(s, hints, Array.isArray(base) ? base : undefined);
    case 'object':
      return objectArbitrary(s, hints, isObject(base) ? base : undefined);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function arrayArbitrary(s: Schema, hints: Hints, base?: unknown[]): fc.Arbitrary<unknown[]> {
  const items = (s.items ?? {}) as Schema;
  const minLength = num(s, 'minItems') ?? 0;
  const maxLength = Math.max(minLength, Math.min(num(s, 'maxItems') ?? 4, minLength + 4));
  const item = weighted<unknown>([2, base?.length ? fc.constantFrom(...base) : undefined], [1, validArbitrary(items, hints)]);
  return s.uniqueItems
    ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
    : fc.array(item, { minLength, maxLength });
}

function objectArbitrary(s: Schema, hints: Hints, base?: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set((s.required ?? []) as string[]);
  const model = Object.fromEntries(Object.entries(props(s)).map(([key, sub]) => [key, validArbitrary(sub, hints, key, base?.[key])]));
  const record = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
  const extra = isObject(s.additionalProperties)
    ? fc.dictionary(fc.stringMatching(/^[a-z_]{1,20}$/), validArbitrary(s.additionalProperties as Schema, hints), { maxKeys: 3 })
    : fc.constant({});
  const minProperties = num(s, 'minProperties') ?? 0;
  return fc
    .tuple(record, extra)
    .map(([known, more]) => ({ ...more, ...known }) as Record<string, unknown>)
    .filter((o) => Object.keys(o).length >= minProperties);
}

/** Values that break `schema` in one way, as JSON (`json`) or as a parameter's text (`text`). */
export function malformedArbitrary(s: Schema, hints: Hints, context: 'json' | 'text', base?: unknown): fc.Arbitrary<unknown> {
  if (base === undefined) return memo(hints, s, `malformed ${context}`, () => buildMalformed(s, hints, context));
  return buildMalformed(s, hints, context, base);
}

function buildMalformed(s: Schema, hints: Hints, context: 'json' | 'text', base?: unknown): fc.Arbitrary<unknown> {
  const types = typesOf(s);
  const wrongTypes = context === 'json' ? WRONG_JSON_TYPES.filter((v) => !fitsType(v, types)) : [];
  const wrongType = wrongTypes.length ? fc.constantFrom(...wrongTypes) : undefined;
  const choices: [number, fc.Arbitrary<unknown> | undefined][] = [[1, wrongType]];
  if (Array.isArray(s.enum)) {
    const known = (s.enum as unknown[]).map(String);
    choices.push([4, fc.constantFrom('UNKNOWN', 'x', '', ...known.map((v) => v.toUpperCase()), ...known.map((v) => `${v} `)).filter((v) => !known.includes(v))]);
  }
  if (types.includes('integer') || types.includes('number')) choices.push([4, numberBreakers(s, types.includes('integer'), context)]);
  if (types.includes('string') && !Array.isArray(s.enum)) choices.push([4, stringBreakers(s)]);
  if (types.includes('boolean')) choices.push([2, context === 'json' ? fc.constantFrom('true', 1, 'yes') : fc.constantFrom('yes', '2', 'TRUE ', '')]);
  if (types.includes('array') || s.items) choices.push([4, arrayBreakers(s, hints, context, Array.isArray(base) ? base : undefined)]);
  if (context === 'json' && (types.includes('object') || s.properties)) choices.push([4, objectBreakers(s, hints, isObject(base) ? base : undefined)]);
  const present = choices.filter((c) => c[1] !== undefined);
  // A schema that admits anything ({}) can only be broken by a raw token.
  return present.length ? weighted(...present) : fc.constantFrom(...HUGE_NUMBER_TOKENS.map((t) => new RawJson(t)));
}

function fitsType(value: unknown, types: string[]): boolean {
  if (types.length === 0) return true;
  return types.some((type) =>
    type === 'null' ? value === null
    : type === 'array' ? Array.isArray(value)
    : type === 'object' ? isObject(value)
    : type === 'integer' ? Number.isInteger(value)
    : typeof value === type,
  );
}

function numberBreakers(s: Schema, integer: boolean, context: 'json' | 'text'): fc.Arbitrary<unknown> {
  const { min, max } = integerBounds(s);
  const outside = [min - 1, max + 1, ...HUGE_INTEGERS].filter((n) => Number.isFinite(n) && (n < min || n > max));
  const tokens = [...HUGE_NUMBER_TOKENS, ...(integer ? ['1.5', '-0.5'] : [])];
  const texts = context === 'text' ? ['abc', '', ' 1', '0x1F', '1,5', '١٢', 'NaN', 'Infinity', '9'.repeat(400)] : ['1', 'abc'];
  return weighted<unknown>(
    [3, outside.length ? fc.constantFrom(...outside) : undefined],
    [2, fc.constantFrom(...tokens).map((t) => (context === 'json' ? new RawJson(t) : t))],
    [1, fc.constantFrom(...texts)],
  );
}

function stringBreakers(s: Schema): fc.Arbitrary<string> {
  const min = num(s, 'minLength') ?? 0;
  const max = num(s, 'maxLength');
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined;
  const formats: Record<string, string[]> = {
    uuid: ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', '{00000000-0000-0000-0000-000000000000}'],
    'date-time': ['yesterday', '2025-01-01', '2025-13-01T00:00:00Z', '2025-02-30T25:61:00Z', '+275760-09-13T00:00:00.001Z'],
    date: ['2025-02-30', '2025-13-01', '25-01-01', '2025-1-1', '99999-01-01'],
  };
  return weighted<string>(
    [2, max !== undefined ? fc.constantFrom('a'.repeat(max + 1), 'é'.repeat(max + 1)) : fc.constant('a'.repeat(10_000))],
    [1, min > 0 ? fc.constant('a'.repeat(min - 1)) : undefined],
    [3, pattern ? fc.string({ maxLength: 40, unit: 'grapheme' }).filter((v) => !pattern.test(v)) : undefined],
    [2, typeof s.format === 'string' && formats[s.format] ? fc.constantFrom(...formats[s.format]!) : undefined],
    [2, fc.constantFrom(...NASTY_STRINGS)],
  );
}

function arrayBreakers(s: Schema, hints: Hints, context: 'json' | 'text', base?: unknown[]): fc.Arbitrary<unknown> {
  const items = (s.items ?? {}) as Schema;
  const good = fc.array(validArbitrary(items, hints), { minLength: 1, maxLength: 3 });
  const maxItems = num(s, 'maxItems');
  const minItems = num(s, 'minItems') ?? 0;
  const sample = base?.length ? fc.constantFrom(...base) : validArbitrary(items, hints);
  return weighted<unknown>(
    [3, fc.tuple(good, malformedArbitrary(items, hints, context)).map(([list, bad]) => [...list, bad])],
    // Arrays far past a large maxItems cost more to send than they tell; up to 1000 is cheap.
    [1, maxItems !== undefined && maxItems < 1000 ? sample.map((v) => Array.from({ length: maxItems + 1 }, () => v)) : undefined],
    [1, minItems > 0 ? fc.constant([]) : undefined],
    [1, s.uniqueItems ? sample.map((v) => [v, v]) : undefined],
    [1, context === 'json' ? fc.constantFrom<unknown>('x', {}, null) : undefined],
  );
}

function objectBreakers(s: Schema, hints: Hints, base?: Record<string, unknown>): fc.Arbitrary<unknown> {
  const valid = objectArbitrary(s, hints, base);
  const required = ((s.required ?? []) as string[]).filter((k) => k in props(s));
  const keys = Object.keys(props(s));
  const withBroken = keys.length
    ? fc.oneof(...keys.map((key) => fc.tuple(valid, malformedArbitrary(props(s)[key]!, hints, 'json', base?.[key])).map(([object, bad]) => ({ ...object, [key]: bad }))))
    : undefined;
  return weighted<unknown>(
    [5, withBroken],
    [2, required.length ? fc.tuple(valid, fc.constantFrom(...required)).map(([object, key]) => omit(object, key)) : undefined],
    [1, s.additionalProperties === false ? valid.map((object) => ({ ...object, unexpected_field: 'x' })) : undefined],
    [1, fc.constantFrom<unknown>([], 'x', null)],
  );
}

function omit(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = object;
  return rest;
}

// ---------------------------------------------------------------------------------------
// Requests

type Body = { contentType?: string; payload: string | Buffer };

const GARBAGE_JSON = [
  '',
  '{',
  '[1,',
  '{"a":1,}',
  'nul',
  "{'a':1}",
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '\uFEFF{}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`,
];
const WRONG_CONTENT_TYPES = ['text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', 'multipart/form-data', 'application/x-www-form-urlencoded', 'image/png', 'application/vnd.ms-excel'];
const MULTIPART_BOUNDARY = 'fuzzboundary7d8e9f';

function firstExample(media: Media | undefined): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const fromMedia = Object.values(media.examples ?? {})[0]?.value;
  return fromMedia ?? (media.schema?.examples as unknown[] | undefined)?.[0];
}

function allExamples(media: Media): unknown[] {
  return [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value), ...((media.schema?.examples as unknown[] | undefined) ?? [])].filter((e) => e !== undefined);
}

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : toText(value);
  return /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The array-of-objects property of a JSON body schema (e.g. `observations`): the rows of its CSV twin. */
function rowSchemaOf(op: Operation): Schema | undefined {
  const json = op.requestBody?.content['application/json']?.schema;
  const arrays = Object.values(json ? props(json) : {}).filter((p) => isObject(p.items) && (p.items as Schema).properties);
  return arrays.length === 1 ? (arrays[0]!.items as Schema) : undefined;
}

function csvArbitrary(op: Operation, hints: Hints, media: Media): fc.Arbitrary<string> {
  const example = typeof media.example === 'string' ? fc.constant(media.example) : undefined;
  const rowSchema = rowSchemaOf(op);
  if (!rowSchema) return example ?? fc.constant('');
  const columns = Object.keys(props(rowSchema));
  const required = ((rowSchema.required ?? []) as string[]).filter((c) => columns.includes(c));
  const rows = fc.array(objectArbitrary(rowSchema, hints), { minLength: 1, maxLength: 4 });
  const generated = fc
    .tuple(fc.subarray(columns.filter((c) => !required.includes(c))), rows, fc.constantFrom(',', ';'))
    .map(([optional, list, separator]) => {
      const header = [...required, ...optional];
      return [header.join(separator), ...list.map((row) => header.map((c) => csvCell(row[c])).join(separator))].join('\n') + '\n';
    });
  return weighted<string>([1, example], [3, generated]);
}

function malformedCsv(valid: fc.Arbitrary<string>): fc.Arbitrary<string | Buffer> {
  return weighted<string | Buffer>(
    [2, fc.string({ maxLength: 200, unit: 'grapheme' })],
    [2, valid.map((csv) => csv.replace('\n', '\n"unterminated,'))],
    [1, valid.map((csv) => csv.replace(/^[^\n]*/, (header) => header.toUpperCase().replaceAll(',', '|')))],
    [1, valid.map((csv) => csv.replaceAll(',', ',\u0000'))],
    [1, fc.constant(`${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n`)],
    [1, valid.map((csv) => `${csv.trimEnd()}${'x'.repeat(200_000)}\n`)],
    [1, fc.constant(Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x00, 0x0a, 0xc3, 0x28]))],
    [1, fc.constant('\n\n\n')],
  );
}

function multipart(parts: { name: string; filename?: string; type?: string; content: string | Buffer }[]): Body {
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}\r\n` +
        `${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`,
    ),
    Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content),
    Buffer.from('\r\n'),
  ]);
  return { contentType: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, payload: Buffer.concat([...chunks, Buffer.from(`--${MULTIPART_BOUNDARY}--\r\n`)]) };
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function multipartArbitrary(csv: fc.Arbitrary<string>, hints: Hints, mode: Mode): fc.Arbitrary<Body> {
  const xlsx = hints.xlsx;
  if (mode === 'valid') {
    return weighted<Body>(
      [2, csv.map((content) => multipart([{ name: 'file', filename: 'data.csv', type: 'text/csv', content }]))],
      [1, xlsx ? fc.constant(multipart([{ name: 'file', filename: 'data.xlsx', type: XLSX_TYPE, content: xlsx }])) : undefined],
    );
  }
  const bad = malformedCsv(csv);
  return weighted<Body>(
    [2, bad.map((content) => multipart([{ name: 'file', filename: 'data.csv', type: 'text/csv', content }]))],
    [2, xlsx ? fc.integer({ min: 1, max: xlsx.length - 1 }).map((n) => multipart([{ name: 'file', filename: 'data.xlsx', type: XLSX_TYPE, content: xlsx.subarray(0, n) }])) : undefined],
    [1, fc.uint8Array({ maxLength: 300 }).map((bytes) => multipart([{ name: 'file', filename: 'data.xlsx', type: XLSX_TYPE, content: Buffer.from(bytes) }]))],
    [1, csv.map((content) => multipart([{ name: 'upload', filename: 'data.csv', type: 'text/csv', content }]))],
    [1, csv.map((content) => multipart([{ name: 'file', filename: 'data.pdf', type: 'application/pdf', content }]))],
    [1, csv.map((content) => multipart([{ name: 'file', content }]))],
    [1, fc.constant(multipart([]))],
    [1, csv.map((content) => ({ contentType: 'multipart/form-data; boundary=other', payload: multipart([{ name: 'file', filename: 'a.csv', content }]).payload }))],
  );
}

function bodyArbitrary(op: Operation, contentType: string, media: Media, hints: Hints, mode: Mode): fc.Arbitrary<Body> {
  const schema = media.schema ?? {};
  const examples = allExamples(media);
  if (contentType === 'text/csv') {
    const csv = csvArbitrary(op, hints, media);
    return (mode === 'valid' ? csv : malformedCsv(csv)).map((payload) => ({ contentType, payload }));
  }
  if (contentType.startsWith('multipart/')) return multipartArbitrary(csvArbitrary(op, hints, op.requestBody?.content['text/csv'] ?? {}), hints, mode);
  const values = fc.oneof(
    ...(examples.length ? examples : [undefined]).map((b) => (mode === 'valid' ? validArbitrary(schema, hints, undefined, b) : malformedArbitrary(schema, hints, 'json', b))),
  );
  if (contentType === 'application/x-www-form-urlencoded') {
    return values.map((value) => ({
      contentType,
      payload: isObject(value) ? new URLSearchParams(Object.entries(value).map(([k, v]): [string, string] => [k, toText(v)])).toString() : toText(value),
    }));
  }
  const json = values.map((value) => ({ contentType, payload: toJson(value) }));
  if (mode === 'valid' || !contentType.includes('json')) return json;
  return weighted<Body>([6, json], [2, fc.constantFrom(...GARBAGE_JSON).map((payload) => ({ contentType, payload }))]);
}

function wrongContentType(op: Operation, bodyLimit: number): fc.Arbitrary<Body> {
  const accepted = Object.keys(op.requestBody?.content ?? {});
  const example = firstExample(op.requestBody?.content[accepted[0] ?? ''] ?? undefined);
  const payload = typeof example === 'string' ? example : toJson(example ?? { a: 1 });
  return weighted<Body>(
    [4, fc.constantFrom(...WRONG_CONTENT_TYPES.filter((type) => !accepted.includes(type))).map((contentType) => ({ contentType, payload }))],
    [1, fc.constant({ payload })],
    // Past the body limit: 413, whatever the type.
    [1, fc.constant({ contentType: accepted[0] ?? 'application/json', payload: `"${'a'.repeat(bodyLimit + 16)}"` })],
  );
}

function paramValues(p: Parameter, hints: Hints, path: string, mode: Mode): fc.Arbitrary<unknown> {
  const schema = p.schema ?? {};
  if (mode === 'malformed') return malformedArbitrary(schema, hints, 'text');
  const known = p.in === 'path' ? hints.path[path.slice(0, path.indexOf(`{${p.name}}`) + p.name.length + 2)] : undefined;
  return weighted<unknown>(
    [6, known?.length ? fc.constantFrom(...known) : undefined],
    [p.in === 'query' ? 5 : 0, hints.named[p.name]],
    [1, p.example === undefined ? undefined : fc.constant(p.example)],
    [3, validArbitrary(schema, hints)],
  );
}

type Query = [string, string][];

/** One parameter's values replaced, e.g. by malformed ones or by one edge value. */
type Override = { param: Parameter; values: fc.Arbitrary<unknown> };

function queryPairs(name: string, value: unknown): Query {
  return (Array.isArray(value) ? value : [value]).map((v) => [name, toText(v)]);
}

function queryArbitrary(params: Parameter[], hints: Hints, path: string, override?: Override): fc.Arbitrary<Query> {
  const parts = params.map((p) => {
    if (p === override?.param) return override.values.map((v) => queryPairs(p.name, v));
    const value = paramValues(p, hints, path, 'valid').map((v) => queryPairs(p.name, v));
    return p.required ? value : fc.option(value, { nil: [] as Query, freq: 2 });
  });
  return fc.tuple(...parts).map((lists) => lists.flat());
}

function malformedQuery(p: Parameter, hints: Hints, path: string): fc.Arbitrary<unknown> {
  // A scalar given twice arrives as an array.
  const repeated = typesOf(p.schema ?? {}).includes('array') ? undefined : paramValues(p, hints, path, 'valid').map((v) => [v, v]);
  return weighted<unknown>([5, paramValues(p, hints, path, 'malformed')], [1, repeated]);
}

/** encodeURIComponent, except that a lone surrogate is sent as UTF-8 (U+FFFD) rather than thrown on. */
function percentEncode(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
}

// An empty segment would reach a path no operation has (`/v1/datasets/`), so a path
// value is never empty; a `{ raw }` value is sent unencoded, to reach the URL decoder.
const nonEmpty = (v: unknown) => toText(v) !== '';
const isRaw = (v: unknown): v is { raw: string } => isObject(v) && typeof v.raw === 'string';

function malformedPath(p: Parameter, hints: Hints, path: string): fc.Arbitrary<unknown> {
  return weighted<unknown>(
    [6, paramValues(p, hints, path, 'malformed').filter(nonEmpty)],
    [1, fc.constantFrom({ raw: '%' }, { raw: '%E0%A4%A' }, { raw: '%C0%AF' }, { raw: '%00' }, { raw: '..' })],
  );
}

function pathArbitrary(op: Operation, hints: Hints, override?: Override): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'path');
  const values = params.map((p) => (p === override?.param ? override.values : paramValues(p, hints, op.path, 'valid').filter(nonEmpty)));
  return fc.tuple(...values).map((list) =>
    params.reduce((path, p, i) => path.replace(`{${p.name}}`, isRaw(list[i]) ? list[i].raw : percentEncode(toText(list[i]))), op.path),
  );
}

function assemble(op: Operation, target: string, path: fc.Arbitrary<string>, query: fc.Arbitrary<Query>, body: fc.Arbitrary<Body | undefined>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, query, body }).map(({ path: p, query: pairs, body: b }): FuzzRequest => {
    const search = new URLSearchParams(pairs).toString();
    return {
      method: op.method,
      url: search ? `${p}?${search}` : p,
      headers: b?.contentType ? { 'content-type': b.contentType } : {},
      ...(b ? { payload: b.payload } : {}),
      target,
    };
  });
}

function anyBody(op: Operation, hints: Hints, mode: Mode): fc.Arbitrary<Body | undefined> {
  const content = Object.entries(op.requestBody?.content ?? {});
  return content.length ? fc.oneof(...content.map(([type, media]) => bodyArbitrary(op, type, media, hints, mode))) : fc.constant(undefined);
}

export function requestArbitrary(op: Operation, hints: Hints, mode: Mode, options: { bodyLimit: number }): fc.Arbitrary<FuzzRequest> {
  const query = op.parameters.filter((p) => p.in === 'query');
  const validPath = pathArbitrary(op, hints);
  const validQuery = queryArbitrary(query, hints, op.path);
  const validBody = anyBody(op, hints, 'valid');
  if (mode === 'valid') return assemble(op, 'valid', validPath, validQuery, validBody);

  const variants: fc.Arbitrary<FuzzRequest>[] = [];
  for (const p of op.parameters.filter((q) => q.in === 'path')) {
    variants.push(assemble(op, `path ${p.name}`, pathArbitrary(op, hints, { param: p, values: malformedPath(p, hints, op.path) }), validQuery, validBody));
  }
  for (const p of query) {
    variants.push(assemble(op, `query ${p.name}`, validPath, queryArbitrary(query, hints, op.path, { param: p, values: malformedQuery(p, hints, op.path) }), validBody));
  }
  if (op.requestBody) {
    variants.push(assemble(op, 'body', validPath, validQuery, anyBody(op, hints, 'malformed')));
    variants.push(assemble(op, 'content-type', validPath, validQuery, wrongContentType(op, options.bodyLimit)));
  } else if (op.method !== 'GET') {
    // A body where none is expected is ignored or refused, never a crash.
    const unexpected = fc.constantFrom<Body>({ contentType: 'application/json', payload: '{"x":1}' }, { contentType: 'application/json', payload: '{' }, { contentType: 'text/plain', payload: 'x' });
    variants.push(assemble(op, 'unexpected body', validPath, validQuery, unexpected));
  }
  if (!variants.length) variants.push(assemble(op, 'unknown query', validPath, validQuery.map((q): Query => [...q, ['unexpected', '1']]), validBody));
  return fc.oneof(...variants);
}

// ---------------------------------------------------------------------------------------
// Edges: every parameter and every numeric body field, each with every edge value once

const EDGE_NUMBER_TEXTS = ['Infinity', '-Infinity', 'NaN', '1.5', ...HUGE_NUMBER_TOKENS];

/** The values at and past a schema's limits, as text (parameters) or JSON (bodies). */
function edgeValues(s: Schema, context: 'json' | 'text'): unknown[] {
  const types = typesOf(s);
  if (types.includes('array') && isObject(s.items)) return edgeValues(s.items as Schema, context).map((v) => [v]);
  if (Array.isArray(s.enum)) return ['UNKNOWN'];
  if (types.includes('integer') || types.includes('number')) {
    const { min, max } = integerBounds(s);
    const outside = [min - 1, max + 1, ...HUGE_INTEGERS].filter((n) => Number.isSafeInteger(n) || HUGE_INTEGERS.includes(n));
    const tokens = context === 'text' ? EDGE_NUMBER_TEXTS : HUGE_NUMBER_TOKENS.map((t) => new RawJson(t));
    return [...new Set(outside), ...tokens];
  }
  // Over-long strings are among the random malformed values; a NUL reaches the database.
  if (types.includes('string')) return ['a\u0000b'];
  return [];
}

/** Paths to the numeric fields of a documented example (into objects, and the first item of arrays). */
function numericFields(s: Schema, example: unknown, at: (string | number)[] = []): { at: (string | number)[]; schema: Schema }[] {
  const types = typesOf(s);
  if (types.includes('integer') || types.includes('number')) return [{ at, schema: s }];
  if (Array.isArray(example) && isObject(s.items) && example.length) return numericFields(s.items as Schema, example[0], [...at, 0]);
  if (!isObject(example)) return [];
  return Object.entries(props(s)).flatMap(([key, sub]) => numericFields(sub, example[key] ?? (typesOf(sub).some((t) => t === 'integer' || t === 'number') ? 0 : undefined), [...at, key]));
}

function setAt(value: unknown, at: (string | number)[], leaf: unknown): unknown {
  if (!at.length) return leaf;
  const [head, ...rest] = at;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, leaf);
  return copy;
}

/**
 * A fixed sweep, not a random sample: each parameter with each of its edge values, and each
 * numeric field of the JSON example with each out-of-range or oversized number, the rest of
 * the request valid. Overflowing integers are a class of bug a random sample hits by chance.
 */
export function edgeRequests(op: Operation, hints: Hints, seed: number): FuzzRequest[] {
  const query = op.parameters.filter((p) => p.in === 'query');
  const validPath = pathArbitrary(op, hints);
  const validQuery = queryArbitrary(query, hints, op.path);
  const validBody = anyBody(op, hints, 'valid');
  const requests: fc.Arbitrary<FuzzRequest>[] = [];
  for (const p of op.parameters.filter((q) => q.in === 'path' || q.in === 'query')) {
    // An over-long path segment only meets the router's length limit, whatever the parameter.
    const values = edgeValues(p.schema ?? {}, 'text').filter((v) => p.in === 'query' || toText(v).length < 100);
    for (const value of values) {
      const override = { param: p, values: fc.constant(value) };
      requests.push(
        p.in === 'path'
          ? assemble(op, `edge path ${p.name}`, pathArbitrary(op, hints, override), validQuery, validBody)
          : assemble(op, `edge query ${p.name}`, validPath, queryArbitrary(query, hints, op.path, override), validBody),
      );
    }
  }
  const json = op.requestBody?.content['application/json'];
  const example = firstExample(json);
  for (const field of json?.schema && isObject(example) ? numericFields(json.schema, example) : []) {
    for (const value of edgeValues(field.schema, 'json')) {
      const body = fc.constant<Body>({ contentType: 'application/json', payload: toJson(setAt(example, field.at, value)) });
      requests.push(assemble(op, `edge body /${field.at.join('/')}`, validPath, validQuery, body));
    }
  }
  return requests.map((arbitrary, i) => fc.sample(arbitrary, { seed: seed + i, numRuns: 1 })[0]!);
}
