import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The foreign key to dataset_versions was checked row by row: half the time of every
  // batch insert of a push (bench/README.md). Observations are written only by the push
  // transaction, right after it inserts their version, and versions are never deleted, so
  // the reference cannot dangle; the primary key still keeps every row's key unique.
  await sql`alter table observations drop constraint if exists observations_version_id_fkey`.execute(db);
}
