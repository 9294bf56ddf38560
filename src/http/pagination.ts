import { AppError } from './app-error.js';

/**
 * Cursors are opaque to clients: base64url JSON of the sort key of the last item served.
 * Keyset pagination keeps every page as cheap as the first, whatever the offset.
 */
export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as { k?: unknown }).k === 'string') {
      return (parsed as { k: string }).k;
    }
  } catch {
    // fall through: any undecodable cursor is the client's error, not ours
  }
  throw new AppError('INVALID_CURSOR');
}

/** A cursor that must be a whole number of at most `maxDigits` digits (a version, a row, an id). */
export function decodeDigitsCursor(cursor: string | undefined, maxDigits: number): string | undefined {
  const key = decodeCursor(cursor);
  if (key !== undefined && !new RegExp(`^\\d{1,${maxDigits}}$`).test(key)) throw new AppError('INVALID_CURSOR');
  return key;
}

/**
 * Given rows fetched with limit + 1, the page to serve (each row in its API shape) and the
 * cursor to the next one.
 */
export function paginate<T, U = T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string,
  present: (row: T) => U = (row) => row as unknown as U,
): { data: U[]; page: { next_cursor: string | null; limit: number } } {
  const hasMore = rows.length > limit;
  const served = hasMore ? rows.slice(0, limit) : rows;
  const last = served[served.length - 1];
  return { data: served.map(present), page: { next_cursor: hasMore && last ? encodeCursor(keyOf(last)) : null, limit } };
}
