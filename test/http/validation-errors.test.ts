import t from 'tap';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { toFieldErrors } from '../../src/http/validation-errors.js';
import { REGION_CODE_PATTERN } from '../../src/domain/region-code.js';

function ajvError(keyword: string, instancePath: string, params: Record<string, unknown>, message?: string): FastifySchemaValidationError {
  return { keyword, instancePath, schemaPath: `#/${keyword}`, params, ...(message === undefined ? {} : { message }) };
}

t.test('a missing required field points at the field itself', async (t) => {
  const errors = toFieldErrors([ajvError('required', '', { missingProperty: 'name' })], 'body', {});
  t.same(errors, [
    {
      location: 'body',
      pointer: '/name',
      code: 'required',
      detail: { id: 'kolom "name" wajib diisi', en: '"name" is required' },
    },
  ]);
});

t.test('a missing field inside an object points below that object', async (t) => {
  const [error] = toFieldErrors([ajvError('required', '/metadata', { missingProperty: 'definisi' })], 'body', { metadata: {} });
  t.equal(error?.pointer, '/metadata/definisi');
});

t.test('an unknown field points at the unknown field and names it', async (t) => {
  const errors = toFieldErrors([ajvError('additionalProperties', '', { additionalProperty: 'colour' })], 'body', { colour: 'red' });
  t.equal(errors.length, 1);
  t.equal(errors[0]?.pointer, '/colour');
  t.equal(errors[0]?.code, 'additionalProperties');
  t.equal(errors[0]?.detail.en, '"colour" is not a known field');
  t.equal(errors[0]?.detail.id, 'kolom "colour" tidak dikenal');
});

t.test('an unknown field name with "/" or "~" is escaped in the JSON pointer (RFC 6901)', async (t) => {
  const [slash] = toFieldErrors([ajvError('additionalProperties', '', { additionalProperty: 'a/b' })], 'body', { 'a/b': 1 });
  t.equal(slash?.pointer, '/a~1b', 'a pointer of /a/b would name field "b" inside field "a"');
  const [tilde] = toFieldErrors([ajvError('additionalProperties', '', { additionalProperty: 'x~y' })], 'body', { 'x~y': 1 });
  t.equal(tilde?.pointer, '/x~0y');
});

t.test('enum lists the allowed values in both languages', async (t) => {
  const [error] = toFieldErrors(
    [ajvError('enum', '/level', { allowedValues: ['provinsi', 'kabkota', 'kecamatan', 'desa'] })],
    'querystring',
    { level: 'kota' },
  );
  t.equal(error?.location, 'query');
  t.equal(error?.pointer, '/level');
  t.equal(error?.code, 'enum');
  t.equal(error?.detail.en, 'must be one of: provinsi, kabkota, kecamatan, desa');
  t.equal(error?.detail.id, 'harus salah satu dari: provinsi, kabkota, kecamatan, desa');
});

t.test('a malformed region code quotes the value and explains the rule', async (t) => {
  const [error] = toFieldErrors(
    [ajvError('pattern', '/jurisdiction_region_code', { pattern: REGION_CODE_PATTERN }, 'must match pattern')],
    'body',
    { jurisdiction_region_code: '11.1' },
  );
  t.equal(error?.code, 'region-code-malformed');
  t.equal(error?.pointer, '/jurisdiction_region_code');
  t.match(error?.detail.en, /^region code "11\.1" is malformed: segment 2 "1" must have 2 digits/);
  t.match(error?.detail.id, /^kode wilayah "11\.1" tidak valid: segmen ke-2/);
});

t.test('a malformed region code in the path is reported at location path', async (t) => {
  const [error] = toFieldErrors([ajvError('pattern', '/code', { pattern: REGION_CODE_PATTERN })], 'params', { code: '65..01' });
  t.equal(error?.location, 'path');
  t.equal(error?.pointer, '/code');
  t.match(error?.detail.en, /region code "65\.\.01" is malformed: a segment is empty/);
});

t.test('a region code inside an array is found through the pointer', async (t) => {
  const [error] = toFieldErrors([ajvError('pattern', '/regions/1', { pattern: REGION_CODE_PATTERN })], 'body', { regions: ['65', 'ab'] });
  t.match(error?.detail.en, /region code "ab" is malformed: a code may contain only digits and dots/);
});

t.test('a pattern that is not the region pattern keeps the generic message', async (t) => {
  const [error] = toFieldErrors([ajvError('pattern', '/code', { pattern: '^[A-Z]+$' })], 'body', { code: 'x' });
  t.equal(error?.code, 'pattern');
  t.equal(error?.detail.en, 'must match the pattern ^[A-Z]+$');
});

t.test('keywords without our own wording fall back to ajv’s message', async (t) => {
  const [withMessage] = toFieldErrors([ajvError('multipleOf', '/n', { multipleOf: 5 }, 'must be multiple of 5')], 'body', { n: 3 });
  t.equal(withMessage?.code, 'multipleOf');
  t.equal(withMessage?.detail.en, 'must be multiple of 5');
  t.equal(withMessage?.detail.id, 'tidak valid (multipleOf)');

  const [withoutMessage] = toFieldErrors([ajvError('dependentRequired', '', {})], 'body', {});
  t.equal(withoutMessage?.detail.en, 'is invalid (dependentRequired)');
});

t.test('location follows the part of the request that failed', async (t) => {
  const err = [ajvError('type', '/x', { type: 'integer' })];
  t.equal(toFieldErrors(err, 'body', {})[0]?.location, 'body');
  t.equal(toFieldErrors(err, 'querystring', {})[0]?.location, 'query');
  t.equal(toFieldErrors(err, 'params', {})[0]?.location, 'path');
  t.equal(toFieldErrors(err, 'headers', {})[0]?.location, 'header');
  t.equal(toFieldErrors(err, 'body', {})[0]?.detail.en, 'must be of type integer');
});

t.test('one entry per field and reason; anyOf noise after a branch error is dropped', async (t) => {
  const errors = toFieldErrors(
    [
      ajvError('type', '/valid_min', { type: 'number' }),
      ajvError('type', '/valid_min', { type: 'null' }),
      ajvError('anyOf', '/valid_min', {}),
      ajvError('required', '', { missingProperty: 'name' }),
      ajvError('required', '', { missingProperty: 'unit' }),
    ],
    'body',
    { valid_min: 'x' },
  );
  t.same(
    errors.map((e) => `${e.pointer}|${e.code}`),
    ['/valid_min|type', '/name|required', '/unit|required'],
  );
});
