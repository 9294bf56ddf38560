/**
 * Served pages of figures, kept in memory and keyed by what decides their bytes: who asks
 * (what a consumer may see differs), the request, and the state of the data. Figures change
 * only when something is published, resolved or reclassified, while downstream systems poll
 * the same pages over and over; a page is built once per change of state instead of once
 * per request.
 *
 * The state token comes from the database (see figuresState), so every process of a
 * deployment agrees on when a page is stale. An entry also expires after `ttlMs`: label edits
 * (an indicator's unit, a dataset's title) are dated by their transaction's start, so an edit
 * that commits after a later one may not move the token; the expiry bounds how long such a
 * page can outlive it.
 */
export interface CachedPage {
  body: string;
  type: string;
  etag: string;
  /** The Link header of a CSV page with a next page. */
  link: string | null;
}

interface Entry {
  page: CachedPage;
  storedAt: number;
}

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  /** Characters held: pages are ASCII-heavy JSON or CSV, so close to their bytes. */
  private chars = 0;

  constructor(
    private readonly options: { maxChars: number; ttlMs: number; now?: () => number },
  ) {}

  get(key: string): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.options.ttlMs) {
      this.remove(key, entry);
      return undefined;
    }
    // Re-inserted so the map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  set(key: string, page: CachedPage): void {
    const size = page.body.length;
    if (size > this.options.maxChars) return;
    const existing = this.entries.get(key);
    if (existing) this.remove(key, existing);
    this.entries.set(key, { page, storedAt: this.now() });
    this.chars += size;
    for (const [oldest, entry] of this.entries) {
      if (this.chars <= this.options.maxChars) break;
      this.remove(oldest, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.chars -= entry.page.body.length;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
