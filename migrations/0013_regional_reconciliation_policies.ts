import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// A reconciliation policy may be set for a region (a province, a city) by its walidata; it
// overrides the national one (region_code null) for keys inside that region.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table reconciliation_policies drop constraint reconciliation_policies_pkey`.execute(db);
  await sql`alter table reconciliation_policies add column region_code text references regions(code)`.execute(db);
  // One policy per indicator and scope; the national one is the row whose region is null.
  await sql`
    alter table reconciliation_policies
      add constraint reconciliation_policies_scope_key unique nulls not distinct (indicator_code, region_code)`.execute(db);
}
