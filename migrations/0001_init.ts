import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table codelists (
      name text primary key,
      title_id text not null,
      title_en text not null,
      description_id text not null,
      description_en text not null
    )`.execute(db);
  await sql`
    create table codelist_codes (
      codelist text not null references codelists(name),
      code text not null,
      label_id text not null,
      label_en text not null,
      sort_order integer not null,
      attributes jsonb not null default '{}'::jsonb,
      primary key (codelist, code)
    )`.execute(db);

  await sql`
    create table regions (
      code text primary key check (code ~ '^[0-9]{2}([.][0-9]{2}([.][0-9]{2}([.][0-9]{4})?)?)?$'),
      name text not null,
      level smallint not null check (level between 1 and 4),
      kind text not null,
      parent_code text references regions(code)
    )`.execute(db);
  await sql`create index regions_parent_code_idx on regions (parent_code, code)`.execute(db);
  await sql`create index regions_level_idx on regions (level, code)`.execute(db);

  await sql`
    create table populations (
      region_code text not null references regions(code),
      year smallint not null,
      male bigint not null,
      female bigint not null,
      total bigint not null,
      source text not null,
      primary key (region_code, year)
    )`.execute(db);

  await sql`
    create table indicators (
      code text primary key,
      name text not null,
      name_en text not null,
      "group" text not null,
      measure text not null,
      unit text not null,
      value_type text not null,
      valid_min numeric,
      valid_max numeric,
      direction text,
      dimension text,
      source_agency_kinds text[] not null default '{}',
      periodicity text not null,
      disaggregations text[] not null default '{}',
      metadata jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (valid_min is null or valid_max is null or valid_min <= valid_max)
    )`.execute(db);

  await sql`
    create table agencies (
      id uuid primary key default gen_random_uuid(),
      code text not null unique,
      name text not null,
      kind text not null,
      jurisdiction_region_code text not null references regions(code),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table clients (
      id text primary key,
      name text not null,
      role text not null check (role in ('admin', 'walidata', 'producer', 'consumer')),
      agency_id uuid references agencies(id),
      secret_hash text not null,
      tokens_valid_after timestamptz not null default date_trunc('second', now()),
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      last_token_at timestamptz,
      check (role <> 'producer' or agency_id is not null)
    )`.execute(db);

  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_id text,
      actor_role text,
      actor_agency text,
      action text not null,
      entity_type text not null,
      entity_id text not null,
      before jsonb,
      after jsonb,
      request_id text
    )`.execute(db);
  await sql`create index audit_log_entity_idx on audit_log (entity_type, entity_id, id)`.execute(db);
}
