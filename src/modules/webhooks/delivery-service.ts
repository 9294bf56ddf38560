import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import pLimit from 'p-limit';
import { Webhook } from 'standardwebhooks';
import type { DB } from '../../db/schema.js';
import type { Schedule } from '../../db/change-signals.js';
import { materializeEvents } from './event-service.js';
import { attemptsOf, claimDue, lastEventSeq, nextEvents, recordAttempt, updateLeased, type DueEvent, type SubscriptionRow } from './repository.js';
import { sendMessage, type SendLimits, type SendResult } from './sender.js';
import { retryDelayMs } from './target-policy.js';

export interface WorkerSettings extends SendLimits {
  /** Consecutive failed attempts after which a subscription is paused. */
  maxFailures: number;
  /** Subscriptions delivered to at once by one process. */
  concurrency: number;
  /** Events sent to one subscription per turn before others get theirs. */
  batch: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the loop looks for work when started (not used by runOnce). */
  pollMs: number;
  /** How often deadlines are checked for reminders. */
  deadlineEveryMs: number;
}

export interface WorkerDeps {
  now?: () => Date;
  random?: () => number;
  schedule?: Schedule;
  log?: { warn(details: object, message: string): void };
  send?: (url: string, headers: Record<string, string>, body: string, limits: SendLimits) => Promise<SendResult>;
}

/** Signatures with the current secret and, while it is still honoured, the one it replaced. */
export function signatureHeader(s: Pick<SubscriptionRow, 'secret' | 'previous_secret' | 'previous_secret_until'>, id: string, at: Date, body: string): string {
  const secrets = [s.secret];
  if (s.previous_secret && s.previous_secret_until && s.previous_secret_until.getTime() > at.getTime()) secrets.push(s.previous_secret);
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}

/** The Standard Webhooks message body of an event. */
export function messageBody(event: Pick<DueEvent, 'type' | 'created_at' | 'payload' | 'seq'>): string {
  return JSON.stringify({ type: event.type, timestamp: event.created_at.toISOString(), data: event.payload });
}

/**
 * Delivers events: at least once, in order per subscription (an event is sent only once every
 * earlier one was accepted), with exponential backoff and jitter between tries, pausing a
 * subscription after `maxFailures` consecutive failures (or at once on 410 Gone). Everything
 * is in the database (cursors, next tries, leases), so a restarted process goes on where the
 * last one stopped, and several processes on one database share the work: a subscription is
 * leased by one of them at a time.
 */
export class WebhookWorker {
  private readonly owner = `webhooks-${randomUUID()}`;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly send: NonNullable<WorkerDeps['send']>;
  private lastDeadlineCheck = 0;
  private cancel: (() => void) | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDeps = {},
  ) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.send = deps.send ?? sendMessage;
  }

  /** One pass: derive new events, then deliver to every subscription that is due. */
  async runOnce(opts: { deadlines?: boolean } = {}): Promise<{ events: number; delivered: number; failed: number }> {
    const now = this.now();
    const deadlines = opts.deadlines ?? now.getTime() - this.lastDeadlineCheck >= this.settings.deadlineEveryMs;
    if (deadlines) this.lastDeadlineCheck = now.getTime();
    const events = await materializeEvents(this.db, { now, deadlines });
    const upTo = await lastEventSeq(this.db);
    const leaseMs = (this.settings.timeoutMs + 5_000) * this.settings.batch;
    const claimed = await claimDue(this.db, { owner: this.owner, now, leaseMs, limit: this.settings.concurrency * 4, upTo });
    const limit = pLimit(this.settings.concurrency);
    const outcomes = await Promise.all(
      claimed.map((s) =>
        limit(() =>
          this.deliverTo(s, upTo).catch((err: unknown) => {
            // One subscription's trouble (it was deleted meanwhile, the database hiccuped) is not the others': its lease expires.
            this.deps.log?.warn({ err, subscription: s.id }, 'webhook delivery failed');
            return { delivered: 0, failed: 1 };
          }),
        ),
      ),
    );
    return { events, delivered: outcomes.reduce((n, o) => n + o.delivered, 0), failed: outcomes.reduce((n, o) => n + o.failed, 0) };
  }

  private async deliverTo(s: SubscriptionRow, upTo: string): Promise<{ delivered: number; failed: number }> {
    const events = await nextEvents(this.db, s, upTo, this.settings.batch);
    let delivered = 0;
    for (const event of events) {
      const at = this.now();
      const body = messageBody(event);
      const headers = { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signatureHeader(s, event.id, at, body) };
      const started = performance.now();
      const result = await this.send(s.url, headers, body, this.settings);
      const attempt = (await attemptsOf(this.db, s.id, event.seq)) + 1;
      const common = { subscription_id: s.id, event, attempt, at, duration_ms: Math.round(performance.now() - started), status_code: result.status };
      if (result.ok) {
        await recordAttempt(this.db, { ...common, outcome: 'delivered', error: null });
        await updateLeased(this.db, s.id, this.owner, { cursor: event.seq, consecutive_failures: 0, last_error: null });
        delivered++;
        continue;
      }
      await recordAttempt(this.db, { ...common, outcome: 'failed', error: result.error });
      const failures = s.consecutive_failures + 1;
      const pause = result.gone || failures >= this.settings.maxFailures;
      await updateLeased(this.db, s.id, this.owner, {
        consecutive_failures: failures,
        last_error: result.error,
        next_attempt_at: new Date(at.getTime() + retryDelayMs(failures, this.settings.retryBaseMs, this.settings.retryMaxMs, this.random)),
        ...(pause
          ? { status: 'paused' as const, paused_at: at, paused_reason: result.gone ? `the receiver answered 410 Gone` : `${failures} consecutive failed deliveries; last: ${result.error}` }
          : {}),
        release: true,
      });
      return { delivered, failed: 1 };
    }
    // Every event owed up to `upTo` was delivered (or none matched): the cursor moves past them.
    const caughtUp = events.length < this.settings.batch;
    await updateLeased(this.db, s.id, this.owner, { ...(caughtUp ? { cursor: upTo } : {}), release: true });
    return { delivered, failed: 0 };
  }

  /** Runs passes every `pollMs` until stopped; a failed pass is logged and the next one tries again. */
  start(): void {
    const schedule = this.deps.schedule ?? ((run: () => void, ms: number) => {
      const timer = setTimeout(run, ms);
      timer.unref();
      return () => clearTimeout(timer);
    });
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.deps.log?.warn({ err }, 'webhook delivery pass failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.cancel = schedule(tick, this.settings.pollMs);
        });
    };
    this.cancel = schedule(tick, 0);
  }

  /** Stops the loop and waits for a pass under way: its leases are released or expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }
}
