/**
 * A bounded, least-recently-used map with an expiry, for what a process keeps in memory to
 * avoid rebuilding it per request (pages of figures, the clients behind tokens). Callers put
 * what decides a value into its key, including a stamp of the data it was read from (see
 * db/change-signals.ts), so a change of data is a change of key; the expiry bounds how long a
 * value can outlive a change the stamp missed.
 *
 * `getOrBuild` builds a missing value once however many requests ask for it at the same
 * moment: after a publication, every poller of a page would otherwise rebuild it together.
 */
export interface MemoryCacheOptions<V> {
  /** The most the cache holds, in the unit of `sizeOf`. */
  maxSize: number;
  ttlMs: number;
  sizeOf: (value: V) => number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  size: number;
  storedAt: number;
}

export class MemoryCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly building = new Map<string, Promise<V>>();
  private held = 0;

  constructor(private readonly options: MemoryCacheOptions<V>) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.options.ttlMs) {
      this.remove(key, entry);
      return undefined;
    }
    // Re-inserted so the map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const size = this.options.sizeOf(value);
    if (size > this.options.maxSize) return;
    const existing = this.entries.get(key);
    if (existing) this.remove(key, existing);
    this.entries.set(key, { value, size, storedAt: this.now() });
    this.held += size;
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.options.maxSize) break;
      this.remove(oldest, entry);
    }
  }

  /** The kept value, or the one `build` makes (shared by concurrent callers; kept unless `keep` says no). */
  async getOrBuild(key: string, build: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const kept = this.get(key);
    if (kept !== undefined) return kept;
    const pending = this.building.get(key);
    if (pending) return pending;
    const built = build().then((value) => {
      if (keep(value)) this.set(key, value);
      return value;
    });
    this.building.set(key, built);
    try {
      return await built;
    } finally {
      this.building.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.held -= entry.size;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
