import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Each dataset's latest published observation of each key: what reconciliation compares and
  // what a new version of the dataset supersedes, found by an index lookup on the version's
  // keys however many versions came before. Publication keeps it (a published version is final,
  // so nothing else does). No foreign keys: they were checked row by row on every publication of
  // a million keys, and the rows are written only from a version being published in the same
  // transaction, so they cannot dangle.
  await sql`
    create table published_candidates (
      indicator_code text not null,
      region_code text not null,
      period text not null,
      disagg_key text not null,
      dataset_id uuid not null,
      version_id uuid not null,
      version integer not null,
      value numeric not null,
      obs_status text not null,
      note text,
      published_at timestamptz not null,
      primary key (indicator_code, region_code, period, disagg_key, dataset_id)
    )`.execute(db);
  // The same order as reconciliation's candidates ever was: latest publication, then highest version.
  await sql`
    insert into published_candidates (indicator_code, region_code, period, disagg_key, dataset_id, version_id, version, value, obs_status, note, published_at)
    select distinct on (o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id)
           o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id, v.id, v.version, o.value, o.obs_status, o.note, v.published_at
    from observations o
    join dataset_versions v on v.id = o.version_id
    where v.status = 'published'
    order by o.indicator_code, o.region_code, o.period, o.disagg_key, v.dataset_id, v.published_at desc, v.version desc`.execute(db);
}
