import type { Database } from './create-db.js';

/** The channel migration 0012's triggers notify, with the changed table's name as payload. */
export const CHANGES_CHANNEL = 'sde_changes';

/** Tables whose changes are announced on CHANGES_CHANNEL. */
export type WatchedTable = 'agencies' | 'clients' | 'datasets' | 'figure_changes' | 'indicators' | 'reconciled_figures' | 'regions';

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
 * when a committed transaction changed it (the database notifies at commit, whichever process
 * or tool wrote), and `touchAll` moves every counter for writes this process has just made,
 * which the notification would announce only a moment later.
 *
 * While no subscription is live (the listening connection failed and is being re-made),
 * `stamp` returns null and callers read the database as if there were no cache. A new
 * subscription moves every counter, since notifications may have been missed in between.
 */
export class ChangeSignals {
  private readonly counters = new Map<string, number>();
  private epoch = 0;
  private live = false;
  private stopped = false;
  private unsubscribe: (() => Promise<void>) | undefined;
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
      this.unsubscribe = await this.database.listen(CHANGES_CHANNEL, (table) => this.bump(table), (err) => this.lost(err));
      if (this.stopped) {
        await this.unsubscribe();
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

  /** What a value read now from `tables` should be filed under, or null when changes cannot be followed. */
  stamp(tables: readonly WatchedTable[]): string | null {
    if (!this.live) return null;
    let stamp = String(this.epoch);
    for (const table of tables) stamp += `.${this.counters.get(table) ?? 0}`;
    return stamp;
  }

  touchAll(): void {
    this.epoch++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    this.retry?.();
    await this.unsubscribe?.().catch(() => undefined);
  }

  private bump(table: string): void {
    this.counters.set(table, (this.counters.get(table) ?? 0) + 1);
  }

  private lost(err: Error): void {
    this.live = false;
    this.unsubscribe = undefined;
    // One retry at a time, whatever reports the loss.
    if (this.stopped || this.retry) return;
    const delayMs = Math.min(500 * 2 ** this.failures, 15_000);
    this.failures++;
    this.log.warn({ reason: err.message, retryInMs: delayMs }, 'not listening for data changes; caches are bypassed until the subscription is back');
    this.retry = this.schedule(() => void this.start(), delayMs);
  }
}
