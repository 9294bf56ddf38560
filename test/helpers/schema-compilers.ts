import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Compilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildSerializer = NonNullable<Compilers['buildSerializer']>;

// Fastify's own compilers, in the versions it depends on.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const validatorSelector = fromFastify('@fastify/ajv-compiler') as () => NonNullable<Compilers['buildValidator']>;
const serializerSelector = fromFastify('@fastify/fast-json-stringify-compiler') as () => BuildSerializer;

const serializers = serializerSelector();
const compiled = new Map<string, WeakMap<object, ReturnType<ReturnType<BuildSerializer>>>>();

/**
 * Fastify's schema compilers, kept for the life of the process (buildApp's `schemaCompilers`),
 * so the hundred apps a suite process builds compile each route schema once: compiling them
 * is most of the second of CPU an app takes to build. One selector serves every app, so its
 * Ajv (one per set of shared schemas and options) keeps what it compiled per schema object;
 * serializers are kept here the same way.
 */
export const schemaCompilers: Compilers = {
  buildValidator: validatorSelector(),
  buildSerializer: (externalSchemas, options) => {
    const key = JSON.stringify([externalSchemas, options]);
    let bySchema = compiled.get(key);
    if (!bySchema) compiled.set(key, (bySchema = new WeakMap()));
    const cache = bySchema;
    const compile = serializers(externalSchemas, options);
    return (route) => {
      let serialize = cache.get(route.schema as object);
      if (!serialize) cache.set(route.schema as object, (serialize = compile(route)));
      return serialize;
    };
  },
};
