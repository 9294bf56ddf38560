import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The review workflow moves a version forward (submitted → verified → published) or sends
  // it back (returned); a version's observations never change, only its status.
  await sql`alter table dataset_versions drop constraint dataset_versions_status_check`.execute(db);
  await sql`
    alter table dataset_versions
      add constraint dataset_versions_status_check check (status in ('submitted', 'rejected', 'verified', 'published', 'returned')),
      add column status_changed_at timestamptz,
      add column published_at timestamptz`.execute(db);
  await sql`create index dataset_versions_status_idx on dataset_versions (status, dataset_id)`.execute(db);

  await sql`
    create table reviews (
      id bigint generated always as identity primary key,
      version_id uuid not null references dataset_versions(id),
      action text not null check (action in ('verify', 'publish', 'return')),
      from_status text not null,
      to_status text not null,
      actor_id text not null,
      actor_role text not null,
      actor_agency text,
      note text,
      at timestamptz not null default now()
    )`.execute(db);
  await sql`create index reviews_version_idx on reviews (version_id, id)`.execute(db);

  // Anomaly findings name their detector and carry the numbers a person needs to judge
  // them; any finding can be answered by the agency and closed by a walidata.
  await sql`
    alter table findings
      add column detector text,
      add column details jsonb,
      add column indicator_code text,
      add column region_code text,
      add column period text,
      add column status text not null default 'open' check (status in ('open', 'answered', 'explained', 'confirmed-error')),
      add column answer text,
      add column answered_by text,
      add column answered_at timestamptz,
      add column resolution_note text,
      add column resolved_by text,
      add column resolved_at timestamptz`.execute(db);
  await sql`create index findings_detector_idx on findings (detector, status) where detector is not null`.execute(db);

  // Series history lookups (one indicator × region × breakdown over periods) for the detectors.
  await sql`create index observations_series_idx on observations (indicator_code, region_code, disagg_key, period)`.execute(db);

  await sql`
    create table quality_rules (
      indicator_code text primary key references indicators(code),
      config jsonb not null,
      updated_by text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}
