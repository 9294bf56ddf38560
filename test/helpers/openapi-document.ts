import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../migrations/reference-files.js';

/**
 * The checked-in OpenAPI document as plain data, for tests that are driven by it (the fuzz
 * suite): its operations, and its schemas with their local `$ref`s resolved.
 */

export type Schema = { [keyword: string]: unknown };

export interface Media {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

export function readOpenapiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8')) as OpenApiDocument;
}

/** Every operation of the document, with path-level parameters merged into each. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => {
    const shared = (item.parameters ?? []) as Parameter[];
    return Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, raw]) => {
        const op = resolveRefs(raw, doc) as Omit<Operation, 'method' | 'path' | 'parameters'> & { parameters?: Parameter[] };
        const own = op.parameters ?? [];
        const parameters = [...resolveRefs(shared, doc) as Parameter[], ...own].filter(
          (p, i, all) => all.findIndex((q) => q.in === p.in && q.name === p.name) === i,
        );
        return { ...op, method: method.toUpperCase(), path, parameters, operationId: op.operationId ?? `${method} ${path}` };
      });
  });
}

/**
 * A copy of `node` with every local `$ref` (`#/…`) replaced by what it points at. The
 * document's references are not recursive; a cycle would be a document bug, so it throws.
 */
export function resolveRefs(node: unknown, doc: OpenApiDocument, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, doc, seen));
  if (node === null || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as Schema;
  if (typeof $ref === 'string') {
    if (!$ref.startsWith('#/')) throw new Error(`only local references are supported: ${$ref}`);
    if (seen.includes($ref)) throw new Error(`recursive reference ${$ref}`);
    const target = $ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
    if (target === undefined) throw new Error(`unresolved reference ${$ref}`);
    return { ...(resolveRefs(target, doc, [...seen, $ref]) as Schema), ...(resolveRefs(rest, doc, seen) as Schema) };
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolveRefs(value, doc, seen)]));
}
