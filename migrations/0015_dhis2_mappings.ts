import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
// DHIS2 data value sets: the mapping of a dataset's DHIS2 codes to indicators, breakdowns and
// regions (one document per dataset, replaced whole and audited), and the two push formats.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table dhis2_mappings (
      dataset_id uuid primary key references datasets(id) on delete cascade,
      mapping jsonb not null,
      updated_by text not null,
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    alter table dataset_versions
      drop constraint dataset_versions_format_check,
      add constraint dataset_versions_format_check check (format in ('json', 'csv', 'xlsx', 'dhis2-json', 'dhis2-csv'))
  `.execute(db);
}
