import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

// With the second key 0, the transaction lock one process holds while it analyses a table (the
// two-key form: no single-key lock of the service, hashed or not, can collide with it).
const UPKEEP_LOCK = 7_110_005;

/**
 * The tables of the service's schema whose rows changed enough since their statistics were
 * last taken to need new ones: autovacuum's own rule (50 rows and a tenth of the table),
 * the most changed first.
 */
async function staleTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select s.relname as name
    from pg_stat_user_tables s
    join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema() and s.n_mod_since_analyze >= 50 + 0.1 * greatest(c.reltuples, 0)
    order by s.n_mod_since_analyze desc, s.relname`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Runs ANALYZE on `table` unless another process is analysing a table now (a try-lock: nobody
 * waits); true when it did. One short transaction: the connection (PGlite's only one) is
 * free again between tables.
 */
async function analyzeTable(db: Kysely<DB>, table: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${UPKEEP_LOCK}, 0) as locked`.execute(trx);
    if (!rows[0]!.locked) return false;
    await sql`analyze ${sql.table(table)}`.execute(trx);
    return true;
  });
}

/**
 * Runs ANALYZE on every table that needs it (staleTables), one at a time, while `goOn` says
 * so; stops at a table another process is analysing. Returns the tables analysed.
 */
export async function refreshStatistics(db: Kysely<DB>, goOn: () => boolean = () => true): Promise<string[]> {
  const analysed: string[] = [];
  for (const table of await staleTables(db)) {
    if (!goOn() || !(await analyzeTable(db, table))) break;
    analysed.push(table);
  }
  return analysed;
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
  private stopping = false;

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
        const tables = await refreshStatistics(this.db, () => !this.stopping);
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

  /** Stops the timer; a run under way ends after the table it is analysing. */
  async stop() {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
