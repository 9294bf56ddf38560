import type { CacheOutcome } from '../util/memory-cache.js';

/** The name the service's in-memory cache goes by in Cache-Status. */
const CACHE = 'satudata';

/**
 * An RFC 9211 Cache-Status value: whether the response came from what the service keeps in
 * memory, so a client (or a test) can tell a kept answer from one built for it. `bypass`:
 * nothing is kept while changes to the data cannot be followed.
 */
export function cacheStatus(outcome: CacheOutcome | 'bypass'): string {
  switch (outcome) {
    case 'hit':
      return `${CACHE}; hit`;
    case 'collapsed':
      return `${CACHE}; fwd=miss; collapsed`;
    default:
      return `${CACHE}; fwd=${outcome}`;
  }
}
