import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
const WATCHED = ['agencies', 'datasets', 'figure_changes', 'indicators', 'reconciled_figures', 'regions'];

export async function up(db: Kysely<unknown>): Promise<void> {
  // Processes keep pages of figures and the clients behind tokens in memory and must learn,
  // whoever wrote, when those tables change (src/db/change-signals.ts). A statement-level
  // trigger costs one call per statement, not per row, and Postgres delivers the notification
  // only when the transaction commits, folding repeats within it into one.
  await sql`
    create function sde_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('sde_changes', tg_table_name);
      return null;
    end $$`.execute(db);
  for (const table of WATCHED) {
    await sql`
      create trigger ${sql.id(`${table}_notify_change`)}
      after insert or update or delete or truncate on ${sql.id(table)}
      for each statement execute function sde_notify_change()`.execute(db);
  }
  // For clients, only what a token's check reads: every token request writes last_token_at,
  // and that must not empty every process's cache of clients.
  await sql`
    create trigger clients_notify_change
    after insert or delete or truncate or update of role, agency_id, disabled_at, tokens_valid_after on clients
    for each statement execute function sde_notify_change()`.execute(db);
}
