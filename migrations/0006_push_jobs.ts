import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A large push runs after its request has been answered; this is what the client polls.
  await sql`
    create table push_jobs (
      id uuid primary key default gen_random_uuid(),
      dataset_id uuid not null references datasets(id),
      client_id text not null,
      status text not null check (status in ('running', 'succeeded', 'failed')),
      format text not null,
      dry_run boolean not null,
      rows_expected integer,
      version integer,
      report jsonb,
      problem jsonb,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index push_jobs_running_idx on push_jobs (created_at) where status = 'running'`.execute(db);
}
