export interface JsonLimits {
  /** Arrays and objects open at once. */
  maxDepth: number;
  /** Items of any one array. */
  maxArrayItems: number;
}

export type JsonLimitBreach = { kind: 'depth' } | { kind: 'array-items' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Index of the quote that closes the string whose opening quote is at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * The first limit JSON text goes past, read before it is parsed: the parser, the schema
 * validator and every walk over the value afterwards cost memory and stack per level and
 * per item, so a body 100,000 levels deep or with millions of tiny items must never reach
 * them. One pass, no allocation beyond the open containers; strings are skipped with
 * indexOf. Malformed JSON is not judged here: the parser refuses it next.
 */
export function jsonLimitBreach(text: string, limits: JsonLimits): JsonLimitBreach | undefined {
  // Per open container: the commas seen so far in an array, -1 for an object.
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (end === -1) return undefined;
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (open.length >= limits.maxDepth) return { kind: 'depth' };
      open.push(c === OPEN_ARRAY ? 0 : -1);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      open.pop();
    } else if (c === COMMA) {
      const top = open.length - 1;
      const commas = open[top];
      if (commas !== undefined && commas >= 0) {
        // n commas separate n + 1 items.
        if (commas + 1 >= limits.maxArrayItems) return { kind: 'array-items' };
        open[top] = commas + 1;
      }
    }
  }
  return undefined;
}
