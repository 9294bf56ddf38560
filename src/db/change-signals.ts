import type { Database, Subscription } from './create-db.js';

/**
 * The channel migration 0022's triggers notify when a statement changed rows: the table's
 * name, or for a scoped table `table:CODE,CODE` naming the indicators whose rows changed.
 */
export const CHANGES_CHANNEL = 'sde_changes';

/** Tables whose changes are announced on CHANGES_CHANNEL. */
export type WatchedTable = 'agencies' | 'clients' | 'datasets' | 'ikesos_methodologies' | 'ikesos_official_scores' | 'indicators' | 'reconciled_figures' | 'regions';

/** Tables announced per indicator (migration 0022). */
const SCOPED: ReadonlySet<WatchedTable> = new Set(['indicators', 'reconciled_figures']);

export type Schedule = (retry: () => void, delayMs: number) => () => void;

/** A timer that does not keep the process alive: a retry is no reason to stay up. */
const scheduleTimer: Schedule = (retry, delayMs) => {
  const timer = setTimeout(retry, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Tells a process when tables it keeps in memory have changed, so a cache can be checked
 * without asking the database on every request. Each watched table has a counter that moves
 * when a committed transaction changed its rows (the database notifies at commit, whichever
 * process or tool wrote). Figures and indicators are announced per indicator: a stamp of those
 * tables for some indicators moves only when rows of these indicators change (or the whole
 * table is announced), so a publication of one indicator leaves other indicators' pages kept.
 *
 * A write through this process is followed by `flush`, which returns once its notifications
 * are in: the caller's next read then sees its own write, without dropping anything else.
 * `touchAll` moves every counter, for writes made past the API in this process.
 *
 * While no subscription is live (the listening connection failed and is being re-made),
 * `stamp` returns null and callers read the database as if there were no cache. A new
 * subscription moves every counter, since notifications may have been missed in between.
 */
export class ChangeSignals {
  /** Per table: `table` (the whole table announced), `table:*` (some indicator), `table:CODE`. */
  private readonly counters = new Map<string, number>();
  private epoch = 0;
  private live = false;
  private stopped = false;
  private subscription: Subscription | undefined;
  private retry: (() => void) | undefined;
  private failures = 0;

  constructor(
    private readonly database: Pick<Database, 'listen'>,
    private readonly log: { warn(details: object, message: string): void; info(details: object, message: string): void },
    /** Runs `retry` after `delayMs` and returns what cancels it; tests hand in their own clock. */
    private readonly schedule: Schedule = scheduleTimer,
  ) {}

  /** Subscribes; if that fails, the service keeps working without the caches and retries. */
  async start(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return;
    try {
      this.subscription = await this.database.listen(CHANGES_CHANNEL, (payload) => this.bump(payload), (err) => this.lost(err));
      if (this.stopped) {
        await this.subscription.close();
        return;
      }
      this.epoch++;
      this.live = true;
      if (this.failures > 0) this.log.info({ attempts: this.failures + 1 }, 'listening for data changes again; in-memory caches back on');
      this.failures = 0;
    } catch (err) {
      this.lost(err as Error);
    }
  }

  /**
   * What a value read now from `tables` should be filed under, or null when changes cannot be
   * followed. With `indicators`, the value covers only those indicators' rows of the tables
   * announced per indicator; without, it covers all of them.
   */
  stamp(tables: readonly WatchedTable[], indicators?: readonly string[]): string | null {
    if (!this.live) return null;
    let stamp = String(this.epoch);
    for (const table of tables) {
      stamp += `.${this.count(table)}`;
      if (!SCOPED.has(table)) continue;
      if (indicators === undefined) stamp += `:${this.count(`${table}:*`)}`;
      else for (const code of indicators) stamp += `:${this.count(`${table}:${code}`)}`;
    }
    return stamp;
  }

  /** Resolves once the notifications of every transaction committed before the call are counted. */
  async flush(): Promise<void> {
    if (this.live) await this.subscription?.flush();
  }

  touchAll(): void {
    this.epoch++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    this.retry?.();
    await this.subscription?.close().catch(() => undefined);
  }

  private count(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  private add(key: string): void {
    this.counters.set(key, this.count(key) + 1);
  }

  private bump(payload: string): void {
    const colon = payload.indexOf(':');
    if (colon < 0) return this.add(payload);
    const table = payload.slice(0, colon);
    this.add(`${table}:*`);
    for (const code of payload.slice(colon + 1).split(',')) this.add(`${table}:${code}`);
  }

  private lost(err: Error): void {
    this.live = false;
    this.subscription = undefined;
    // One retry at a time, whatever reports the loss.
    if (this.stopped || this.retry) return;
    const delayMs = Math.min(500 * 2 ** this.failures, 15_000);
    this.failures++;
    this.log.warn({ reason: err.message, retryInMs: delayMs }, 'not listening for data changes; caches are bypassed until the subscription is back');
    this.retry = this.schedule(() => void this.start(), delayMs);
  }
}
