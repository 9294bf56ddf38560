import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
//
// Migration 0012 announced a change per statement, whether or not it changed a row, and named
// only the table: one publication emptied every process's cached page of every indicator.
// Here a statement announces itself only when it changed rows, and a change to figures or to
// indicators names the indicators it touched (`reconciled_figures:PPKS-06,PPKS-07`), so a
// cache keeps what belongs to other indicators (src/db/change-signals.ts reads the payload).
//
// The rows a statement changed come from its transition tables: one pass over them per
// statement, not a trigger call per row. Postgres allows transition tables only on triggers
// of a single event, hence one trigger per event.

/** Tables whose announcements name the indicators changed, by the column holding the code. */
const SCOPED: Record<string, string> = { reconciled_figures: 'indicator_code', indicators: 'code' };
/** Tables announced as a whole. figure_changes is no longer announced: what caches read is reconciled_figures. */
const WHOLE = ['agencies', 'datasets', 'regions', 'ikesos_methodologies', 'ikesos_official_scores'];
const REPLACED = ['agencies', 'datasets', 'figure_changes', 'indicators', 'reconciled_figures', 'regions', 'clients'];

// A NOTIFY payload must stay under 8000 bytes; past this the whole table is announced.
const PAYLOAD_LIMIT = 7900;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of REPLACED) await sql`drop trigger ${sql.id(`${table}_notify_change`)} on ${sql.id(table)}`.execute(db);
  await sql`drop function sde_notify_change()`.execute(db);

  // Transition tables are reached through EXECUTE because one function serves every table
  // (the column naming the scope is the trigger's argument). A code containing the separator,
  // or too many codes, announce the whole table: a wider invalidation, never a missed one.
  await sql`
    create function sde_notify_rows() returns trigger language plpgsql as $$
    declare
      scope text;
      unsafe boolean;
    begin
      if tg_nargs = 0 then
        if exists (select from changed_rows) then
          perform pg_notify('sde_changes', tg_table_name);
        end if;
        return null;
      end if;
      execute format(
        'select string_agg(c, '','' order by c), bool_or(strpos(c, '','') > 0) from (select distinct %1$I as c from changed_rows %2$s) s',
        tg_argv[0],
        case when tg_op = 'UPDATE' then format('union select %1$I from old_rows', tg_argv[0]) else '' end)
      into scope, unsafe;
      if scope is null then
        return null;
      end if;
      if unsafe or octet_length(scope) > ${sql.lit(PAYLOAD_LIMIT)} then
        perform pg_notify('sde_changes', tg_table_name);
      else
        perform pg_notify('sde_changes', tg_table_name || ':' || scope);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create function sde_notify_table() returns trigger language plpgsql as $$
    begin
      perform pg_notify('sde_changes', tg_table_name);
      return null;
    end $$`.execute(db);

  const watch = async (table: string, column: string | undefined) => {
    const args = column ? sql`${sql.lit(column)}` : sql``;
    const name = (event: string) => sql.id(`${table}_notify_${event}`);
    await sql`
      create trigger ${name('insert')} after insert on ${sql.id(table)}
      referencing new table as changed_rows
      for each statement execute function sde_notify_rows(${args})`.execute(db);
    await sql`
      create trigger ${name('update')} after update on ${sql.id(table)}
      referencing old table as old_rows new table as changed_rows
      for each statement execute function sde_notify_rows(${args})`.execute(db);
    await sql`
      create trigger ${name('delete')} after delete on ${sql.id(table)}
      referencing old table as changed_rows
      for each statement execute function sde_notify_rows(${args})`.execute(db);
    // A truncate has no transition table: it announces the whole table.
    await sql`
      create trigger ${name('truncate')} after truncate on ${sql.id(table)}
      for each statement execute function sde_notify_table()`.execute(db);
  };
  for (const [table, column] of Object.entries(SCOPED)) await watch(table, column);
  for (const table of WHOLE) await watch(table, undefined);

  // Clients: only what a token's check reads. Every token request writes last_token_at, and
  // a trigger on a column list cannot have transition tables, so updates are checked per row
  // (the table is small and rarely written); Postgres folds the repeats of a transaction.
  await sql`
    create trigger clients_notify_insert after insert on clients
    referencing new table as changed_rows
    for each statement execute function sde_notify_rows()`.execute(db);
  await sql`
    create trigger clients_notify_delete after delete on clients
    referencing old table as changed_rows
    for each statement execute function sde_notify_rows()`.execute(db);
  await sql`
    create trigger clients_notify_update after update on clients
    for each row
    when (old.role is distinct from new.role or old.agency_id is distinct from new.agency_id
          or old.disabled_at is distinct from new.disabled_at or old.tokens_valid_after is distinct from new.tokens_valid_after)
    execute function sde_notify_table()`.execute(db);
  await sql`
    create trigger clients_notify_truncate after truncate on clients
    for each statement execute function sde_notify_table()`.execute(db);
}
