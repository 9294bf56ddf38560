/**
 * Post-processing of the generated OpenAPI document, so that generators give names to what
 * the routes describe inline: a schema with a `title` becomes `components.schemas[title]`,
 * referenced wherever it appears, and the x-request-id every response carries is one
 * shared header.
 */

type Node = { [key: string]: unknown };

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

// Keys whose values are data, not schemas: an example may well hold a `title` field.
const DATA_KEYS = new Set(['example', 'examples', 'default', 'const', 'enum']);

const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The schema as compared with another of the same title: a description may differ by use,
 * and @fastify/swagger moves a response schema's own examples to its media type.
 */
const shape = ({ description: _description, examples: _examples, ...rest }: Node) => JSON.stringify(rest);

/**
 * Replaces every titled schema under `paths` and `components.schemas` by a `$ref` to
 * `components.schemas[title]` (children first, so named schemas refer to each other). A use
 * whose description differs from the first keeps its own beside the `$ref`; the component
 * has the examples of whichever use has them. Two different
 * schemas with one title are a mistake in the routes, so it throws.
 */
export function nameTitledSchemas(document: Node): void {
  const components = ((document.components ??= {}) as Node);
  const schemas = ((components.schemas ??= {}) as Node);
  const shapes = new Map<string, string>();

  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isNode(node)) return node;
    const out: Node = {};
    for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYS.has(key) ? value : visit(value);
    const title = out.title;
    if (typeof title !== 'string' || !('type' in out || 'properties' in out || 'anyOf' in out || 'oneOf' in out || 'allOf' in out)) return out;
    if (!COMPONENT_NAME.test(title)) throw new Error(`schema title "${title}" is not a valid component name`);
    const known = shapes.get(title);
    if (known === undefined) {
      if (title in schemas) throw new Error(`schema title "${title}" is already a component`);
      shapes.set(title, shape(out));
      schemas[title] = out;
    } else if (known !== shape(out)) {
      throw new Error(`two different schemas are titled "${title}"`);
    }
    const stored = schemas[title] as Node;
    if (stored.examples === undefined && out.examples !== undefined) stored.examples = out.examples;
    const ref: Node = { $ref: `#/components/schemas/${title}` };
    if (out.description !== undefined && out.description !== stored.description) ref.description = out.description;
    return ref;
  };

  for (const [name, schema] of Object.entries(schemas)) {
    if (!isNode(schema)) continue;
    const { title, ...rest } = schema;
    // A component keeps its own body; only what it contains is named.
    schemas[name] = { ...(visit(rest) as Node), ...(title === undefined ? {} : { title }) };
  }
  document.paths = visit(document.paths);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Adds `header` (a Header Object) as `components.headers[name]` and to every response of every operation. */
export function addHeaderToEveryResponse(document: Node, name: string, header: Node): void {
  const components = ((document.components ??= {}) as Node);
  const headers = ((components.headers ??= {}) as Node);
  headers[name] = header;
  for (const item of Object.values((document.paths ?? {}) as Node)) {
    if (!isNode(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isNode(operation) || !isNode(operation.responses)) continue;
      for (const response of Object.values(operation.responses)) {
        if (!isNode(response)) continue;
        response.headers = { [name]: { $ref: `#/components/headers/${name}` }, ...(isNode(response.headers) ? response.headers : {}) };
      }
    }
  }
}
