import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

// The key of the session advisory lock one process holds while it refreshes statistics.
const UPKEEP_LOCK = 7_110_005;

/**
 * The tables of the service's schema whose rows changed enough since their statistics were
 * last taken to need new ones: autovacuum's own rule (50 rows and a tenth of the table).
 */
async function staleTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select s.relname as name
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema() and s.n_mod_since_analyze >= 50 + 0.1 * greatest(c.reltuples, 0)
    order by s.relname`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Runs ANALYZE on every table that needs it (staleTables), unless another process is doing so
 * (a try-lock: nobody waits). Returns the tables analysed.
 */
export async function refreshStatistics(db: Kysely<DB>): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${UPKEEP_LOCK}) as locked`.execute(conn);
    if (!rows[0]!.locked) return [];
    try {
      const tables = await staleTables(conn);
      for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(conn);
      return tables;
    } finally {
      await sql`select pg_advisory_unlock(${UPKEEP_LOCK})`.execute(conn);
    }
  });
}

/**
 * Keeps the planner's statistics up with the data. A push or a publication adds tens of
 * thousands of rows at once; until the tables are analysed, the planner takes them for the
 * size they were (or, never analysed, for a guess) and picks plans that read whole tables
 * where an index lookup would do. Postgres's autovacuum analyses them within a minute when it
 * is on; embedded PGlite has no autovacuum at all, and a server may run with it off. Every
 * `intervalMs` the process checks which tables need it and analyses them; the check is one
 * read of the statistics views, and one process at a time does the work.
 */
export class StatisticsUpkeep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly intervalMs: number,
    private readonly log: { info(details: object, message: string): void; warn(details: object, message: string): void },
  ) {}

  start() {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    // Statistics are no reason to keep a process up.
    this.timer.unref();
  }

  /** One check, and the analyses it calls for; overlapping calls share the one running. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      const started = performance.now();
      try {
        const tables = await refreshStatistics(this.db);
        if (tables.length > 0) this.log.info({ tables, ms: Math.round(performance.now() - started) }, 'table statistics refreshed');
      } catch (err) {
        // A database that is away now is retried at the next interval; requests report it.
        this.log.warn({ err }, 'table statistics not refreshed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
