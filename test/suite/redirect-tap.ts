import type { InitializeHook, ResolveHook } from 'node:module';

// A module hook (registered by run-files.ts, in its process only): a test file's `tap` is the
// root proxy; everything else, tap's own modules included, resolves as usual.
let proxy = '';

export const initialize: InitializeHook<{ proxy: string }> = (data) => {
  proxy = data.proxy;
};

export const resolve: ResolveHook = (specifier, context, next) =>
  specifier === 'tap' && context.parentURL?.endsWith('.test.js') ? { url: proxy, shortCircuit: true } : next(specifier, context);
