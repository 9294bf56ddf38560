import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table reconciliation_policies (
      indicator_code text primary key references indicators(code),
      config jsonb not null,
      updated_by text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  // One conflict per key, reopened rather than duplicated when its candidates change.
  await sql`
    create table conflicts (
      id bigint generated always as identity primary key,
      indicator_code text not null references indicators(code),
      region_code text not null references regions(code),
      period text not null,
      disagg_key text not null,
      disagg jsonb not null,
      status text not null check (status in ('open', 'resolved')),
      candidates jsonb not null,
      proposal jsonb,
      resolution jsonb,
      resolved_by text,
      resolved_at timestamptz,
      opened_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (indicator_code, region_code, period, disagg_key)
    )`.execute(db);
  await sql`create index conflicts_status_idx on conflicts (status, id)`.execute(db);

  // A figure is never overwritten: a change closes the current row (valid_to) and adds one,
  // so asOf queries see what was served on any date.
  await sql`
    create table reconciled_figures (
      id bigint generated always as identity primary key,
      indicator_code text not null references indicators(code),
      region_code text not null references regions(code),
      period text not null,
      disagg_key text not null,
      disagg jsonb not null,
      status text not null check (status in ('final', 'disputed')),
      value numeric,
      method text check (method in ('single-source', 'agreement', 'priority', 'median', 'latest', 'manual')),
      source_version_id uuid references dataset_versions(id),
      candidates jsonb not null,
      conflict_id bigint references conflicts(id),
      rationale text,
      decided_by text,
      valid_from timestamptz not null default now(),
      valid_to timestamptz,
      check ((status = 'final') = (value is not null))
    )`.execute(db);
  await sql`
    create unique index reconciled_figures_current_idx on reconciled_figures (indicator_code, period, region_code, disagg_key)
    where valid_to is null`.execute(db);
  await sql`create index reconciled_figures_history_idx on reconciled_figures (indicator_code, period, region_code, disagg_key, valid_from)`.execute(db);

  // The change feed: one row per figure change, in commit order (writers serialise on an
  // advisory lock), so a cursor on seq never skips a change committed late.
  await sql`
    create table figure_changes (
      seq bigint generated always as identity primary key,
      figure_id bigint not null references reconciled_figures(id),
      kind text not null check (kind in ('new', 'revised', 'disputed', 'resolved')),
      at timestamptz not null default now()
    )`.execute(db);
}
