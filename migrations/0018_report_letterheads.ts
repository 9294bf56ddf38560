import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// The heading and signature block a region's compliance reports are printed with: one per
// region, because the office issuing the reports (and its head who signs them) is the same
// for every cycle of that region. The logo is kept as the data: URL it is printed from.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table report_letterheads (
      region_code text primary key references regions(code),
      office_name text not null,
      office_address text,
      office_contact text,
      logo text,
      signatory_name text,
      signatory_position text,
      signatory_nip text,
      place text,
      updated_by text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}
