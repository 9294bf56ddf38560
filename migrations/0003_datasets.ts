import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table datasets (
      id uuid primary key default gen_random_uuid(),
      agency_id uuid not null references agencies(id),
      title text not null,
      indicator_codes text[] not null,
      metadata jsonb not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index datasets_agency_idx on datasets (agency_id, created_at)`.execute(db);
  await sql`create index datasets_indicators_idx on datasets using gin (indicator_codes)`.execute(db);

  // Every push is a new immutable version; the status column is the only thing the review
  // workflow will move, and never back to an earlier state.
  await sql`
    create table dataset_versions (
      id uuid primary key default gen_random_uuid(),
      dataset_id uuid not null references datasets(id),
      version integer not null,
      status text not null check (status in ('submitted', 'rejected')),
      format text not null check (format in ('json', 'csv', 'xlsx')),
      content_sha256 text not null,
      row_count integer not null,
      accepted_count integer not null,
      error_count integer not null,
      warning_count integer not null,
      metadata_score integer not null,
      summary jsonb not null,
      submitted_by text not null,
      submitted_at timestamptz not null default now(),
      unique (dataset_id, version)
    )`.execute(db);

  await sql`
    create table observations (
      version_id uuid not null references dataset_versions(id),
      indicator_code text not null,
      region_code text not null,
      period text not null,
      disagg jsonb not null default '{}'::jsonb,
      -- canonical text of disagg, so the key can be unique and indexed
      disagg_key text not null default '',
      value numeric not null,
      obs_status text not null default 'A',
      note text,
      source_row integer,
      primary key (version_id, indicator_code, region_code, period, disagg_key)
    )`.execute(db);

  await sql`
    create table findings (
      id bigint generated always as identity primary key,
      version_id uuid not null references dataset_versions(id),
      code text not null,
      severity text not null check (severity in ('error', 'warning')),
      principle text not null,
      source_row integer,
      pointer text,
      column_name text,
      value text,
      message_id text not null,
      message_en text not null,
      hint_id text,
      hint_en text
    )`.execute(db);
  await sql`create index findings_version_idx on findings (version_id, id)`.execute(db);
}
