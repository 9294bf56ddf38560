import { LRUCache } from 'lru-cache';

/**
 * What a process keeps in memory to avoid rebuilding it per request (pages of figures, the
 * clients behind tokens): an lru-cache (bounded by count or size, with an expiry) whose
 * `fetch` runs the build the caller passes as its `context`. Callers put what decides a value
 * into its key, including a stamp of the data it was read from (see db/change-signals.ts), so
 * a change of data is a change of key; the expiry bounds how long a value can outlive a
 * change the stamp missed.
 *
 * lru-cache gives the rest: concurrent `fetch`es of one key share one build (after a
 * publication, every poller of a page would otherwise rebuild it together); a build that
 * fails is not kept, nor one that yields `undefined`, nor a value larger than the cache.
 */
export type Build<V> = () => Promise<V | undefined>;
export type MemoryCache<V extends {}> = LRUCache<string, V, Build<V>>;

export function memoryCache<V extends {}>(options: LRUCache.Options<string, V, Build<V>>): MemoryCache<V> {
  return new LRUCache<string, V, Build<V>>({
    // A build still running when its entry is evicted (a burst of newer entries) still
    // answers the requests waiting on it; its value is just not kept.
    ignoreFetchAbort: true,
    ...options,
    fetchMethod: (_key, _stale, { context: build }) => build(),
  });
}

/** How a value was had: kept, built now, built now after its kept value expired, or built by a request it waited for. */
export type CacheOutcome = 'hit' | 'miss' | 'stale' | 'collapsed';

/** `forceFetch`, saying how the value was had. */
export async function fetchKept<V extends {}>(cache: MemoryCache<V>, key: string, build: Build<V>): Promise<{ value: V; outcome: CacheOutcome }> {
  const status: LRUCache.Status<string, V, Build<V>> = {};
  const value = await cache.forceFetch(key, { context: build, status });
  const outcome = status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'collapsed' : status.fetch === 'stale' ? 'stale' : 'miss';
  return { value, outcome };
}
