import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify compiles every route's validators (ajv) and response serializers
 * (fast-json-stringify) before it listens: about two seconds of start-up for some two hundred
 * routes, most of which a given process never serves. These factories wrap fastify's own
 * compilers so that a route's functions are built on its first request instead, with the same
 * options and shared schemas; a broken schema then fails that request rather than the start
 * (test/http/lazy-compilers.test.ts builds the app with fastify's eager compilers, so a broken
 * schema still fails the suite).
 */
export function lazyCompilers(): CompilersFactory {
  const validators = AjvCompiler();
  const serializers = SerializerSelector();
  const factory: CompilersFactory = {
    buildValidator: (externalSchemas, ajvOptions) => {
      const compile = validators(externalSchemas, ajvOptions);
      return (route) => {
        // A factory of our own makes fastify hand header schemas over as written; it lowercases
        // their names for its own compiler only, and incoming header names are lowercase.
        const schema = route.httpPart === 'headers' ? lowerCaseHeaderNames(route.schema) : route.schema;
        return onFirstUse(() => compile({ ...route, schema: schema as typeof route.schema })) as unknown as ReturnType<typeof compile>;
      };
    },
    buildSerializer: (externalSchemas, serializerOptions) => {
      const compile = serializers(externalSchemas, serializerOptions);
      return (route) => onFirstUse(() => compile(route)) as ReturnType<typeof compile>;
    },
  };
  return factory;
}

type CompilersFactory = {
  buildValidator: ReturnType<typeof AjvCompiler>;
  buildSerializer: ReturnType<typeof SerializerSelector>;
};

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };

function onFirstUse(compile: () => unknown): Compiled {
  let compiled: Compiled | undefined;
  // Fastify reads a validator's `errors` after calling it, as ajv leaves them there.
  const lazy: Compiled = (data) => {
    compiled ??= compile() as Compiled;
    const result = compiled(data);
    lazy.errors = compiled.errors;
    return result;
  };
  return lazy;
}

function lowerCaseHeaderNames(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const { properties, required } = schema as { properties?: Record<string, unknown>; required?: unknown };
  return {
    ...schema,
    ...(properties && { properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name.toLowerCase(), value])) }),
    ...(Array.isArray(required) && { required: required.map((name: string) => name.toLowerCase()) }),
  };
}
