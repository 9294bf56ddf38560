import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// When a cycle was closed: a cell delivered after that counts as late even when the
// deadline itself had not ended yet (a cycle may be closed early).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table cycles add column closed_at timestamptz`.execute(db);
  // Cycles already closed: the moment of closing is unknown, the last change is the best bound.
  await sql`update cycles set closed_at = updated_at where status = 'closed'`.execute(db);
}
