import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// Jobs any process can run: what a job needs is stored with it (its parameters, and a push's
// body in job_chunks until it ends), and the process running it holds a lease it renews, so a
// job whose process died is taken by another once the lease has expired. `attempts` counts the
// claims and fences a claim's writes: a process that lost its lease can no longer finish the
// job. Publications run as jobs too (kind 'publish'), so format and dry_run are for pushes.
// The table keeps its name: a process of the previous release may still be finishing a push in
// it while this one starts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table push_jobs
      add column kind text not null default 'push' check (kind in ('push', 'publish')),
      add column payload jsonb,
      add column lease_until timestamptz,
      add column attempts integer not null default 0,
      add column progress jsonb,
      alter column format drop not null,
      alter column dry_run drop not null`.execute(db);
  // A job of the previous release has its body in a file of the process that accepted it: no
  // other process can run it. It is failed as soon as that process has ended (db/instance.ts),
  // or after this minute, like any job whose lease runs out with nothing left to retry.
  await sql`update push_jobs set lease_until = now() + interval '1 minute' where status = 'running'`.execute(db);
  await sql`
    create table job_chunks (
      job_id uuid not null references push_jobs(id) on delete cascade,
      seq integer not null,
      bytes bytea not null,
      primary key (job_id, seq)
    )`.execute(db);
}
