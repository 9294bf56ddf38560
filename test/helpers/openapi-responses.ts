import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Operation, Schema } from './openapi-document.js';

/**
 * Checks a response against what the OpenAPI document promises for the operation: a status
 * it lists (never a 5xx), a media type it lists for that status, and a body its schema
 * accepts. Returns what is wrong, one line each, empty when the response keeps the promise.
 */

export interface ResponseLike {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

// ajv-formats is CommonJS; under NodeNext its default import is the module, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

export function responseChecker(): (op: Operation, res: ResponseLike) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compiled once per distinct schema (most operations share their problem schemas), and
  // looked up by object first so that a response does not re-serialise its schema.
  const byText = new Map<string, ValidateFunction>();
  const byObject = new WeakMap<Schema, ValidateFunction>();
  const validator = (schema: Schema) => {
    let validate = byObject.get(schema);
    if (!validate) {
      const text = JSON.stringify(schema);
      validate = byText.get(text) ?? ajv.compile(schema);
      byText.set(text, validate);
      byObject.set(schema, validate);
    }
    return validate;
  };

  return (op, res) => {
    const status = res.statusCode;
    if (status >= 500) return [`status ${status} (server error)`];
    const documented = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
    if (!documented) return [`status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];

    const media = documented.content ?? {};
    const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (Object.keys(media).length === 0) return res.body === '' ? [] : [`status ${status} documents no body but one was sent (${contentType})`];
    const entry = media[contentType];
    if (!entry) return [`content type "${contentType}" is not documented for ${status} (documented: ${Object.keys(media).join(', ')})`];
    if (!entry.schema || entry.schema.format === 'binary') return [];

    let body: unknown = res.body;
    if (contentType.endsWith('json')) {
      try {
        body = JSON.parse(res.body);
      } catch {
        return [`${contentType} body is not JSON`];
      }
    }
    const validate = validator(entry.schema);
    const problems = validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `body does not match the ${status} schema: ${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*') || '/'} ${e.message ?? e.keyword}`);
    if (contentType === 'application/problem+json' && (body as { status?: unknown }).status !== status) {
      problems.push(`problem status ${String((body as { status?: unknown }).status)} differs from the HTTP status ${status}`);
    }
    return [...new Set(problems)];
  };
}
