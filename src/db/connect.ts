import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './create-db.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the database at start-up: an orchestrator often starts the service before
 * Postgres is ready. Exponential backoff from 500 ms, capped at 15 s between attempts.
 */
export async function waitForDatabase(database: Pick<Database, 'ping'>, retries: number, log: Pick<FastifyBaseLogger, 'warn' | 'info'>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await database.ping();
      if (attempt > 0) log.info({ attempt }, 'database reachable');
      return;
    } catch (err) {
      if (attempt >= retries) {
        throw new Error(`Database unreachable after ${attempt + 1} attempts`, { cause: err });
      }
      const delayMs = Math.min(500 * 2 ** attempt, 15_000);
      log.warn(
        { attempt: attempt + 1, retries, retryInMs: delayMs, reason: err instanceof Error ? err.message : String(err) },
        'database unreachable at start-up; retrying',
      );
      await sleep(delayMs);
    }
  }
}
