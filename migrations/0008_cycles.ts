import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cycles (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      region_code text not null references regions(code),
      reference_periods text[] not null,
      time_zone text not null check (time_zone in ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')),
      opens_on date not null,
      deadline date not null,
      original_deadline date not null,
      milestones jsonb not null,
      status text not null check (status in ('planned', 'open', 'closed')),
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (deadline >= opens_on)
    )`.execute(db);

  // Who is expected to deliver what: one agency, one indicator, a region or every region of a
  // level under it, and the breakdown keys required (the total is '').
  await sql`
    create table obligations (
      id bigint generated always as identity primary key,
      cycle_id uuid not null references cycles(id),
      agency_id uuid not null references agencies(id),
      indicator_code text not null references indicators(code),
      region_code text not null references regions(code),
      scope_level smallint check (scope_level between 1 and 4),
      disaggregations text[] not null,
      disagg_keys text[] not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      unique nulls not distinct (cycle_id, agency_id, indicator_code, region_code, scope_level)
    )`.execute(db);
  await sql`create index obligations_agency_idx on obligations (agency_id, cycle_id)`.execute(db);
}
