/**
 * A figure as /v1/figures serves it, in the form the change feed and webhooks announce it:
 * without the indicator's definition and formula (FeedFigureSchema).
 */
export function asFeedFigure<F extends object>(figure: F): Omit<F, 'definition' | 'formula'> {
  const { definition: _definition, formula: _formula, ...rest } = figure as F & { definition?: unknown; formula?: unknown };
  return rest;
}
