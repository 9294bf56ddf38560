import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// Which process owns an unfinished idempotency key or push job (its instance id), and which
// claim of the key is the current one, so a claim whose process died is found at once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table idempotency_keys add column owner text, add column claim text`.execute(db);
  await sql`alter table push_jobs add column owner text`.execute(db);
}
