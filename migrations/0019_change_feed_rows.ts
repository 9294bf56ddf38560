import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
//
// A page of the change feed is one index range scan of figure_changes: each entry carries its
// figure as written (and, once superseded, when it stopped being served), the region's labels
// (reference data, never edited) and what decides who is given it. Labels that can be edited
// (indicator, dataset, agency) stay in their tables and are looked up once per page by their
// distinct keys, so an edit shows in every replay, as before.
//
// Consumer visibility (listChanges explains the rules) is kept in four flags, maintained by
// writeFigures and by a reclassification instead of being worked out per entry at read time:
// - consumer_visible: a consumer may see this entry's figure now;
// - prev_consumer_visible: the same, of the figure it replaced (false when there was none);
// - unchanged: it replaced a figure that says the same thing (a re-announcement);
// - superseded_unchanged: a later entry re-announced its figure unchanged.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table figure_changes
      add column indicator_code text references indicators(code),
      add column region_code text,
      add column region_name text,
      add column region_level int,
      add column period text,
      add column disagg_key text,
      add column disagg jsonb,
      add column status text,
      add column value numeric,
      add column method text,
      add column source_dataset_id uuid,
      add column source_version int,
      add column source_published_at timestamptz,
      add column conflict_id bigint,
      add column rationale text,
      add column decided_by text,
      add column valid_from timestamptz,
      add column valid_to timestamptz,
      add column consumer_visible boolean,
      add column prev_consumer_visible boolean,
      add column unchanged boolean,
      add column superseded_unchanged boolean not null default false`.execute(db);

  // Existing entries, worked out once the way listChanges did per read: the figure replaced is
  // the one closed at the instant this one started, the one replacing it started when it closed.
  await sql`
    with figure as (
      select f.*, sv.dataset_id as source_dataset_id, sv.version as source_version, sv.published_at as source_published_at,
             coalesce(sd.metadata->>'access_classification', 'terbuka') <> 'tertutup' and exists (
               select 1 from jsonb_array_elements(f.candidates) c join datasets d on d.id = (c->>'dataset_id')::uuid
               where coalesce(d.metadata->>'access_classification', 'terbuka') <> 'tertutup') as visible
      from reconciled_figures f
      left join dataset_versions sv on sv.id = f.source_version_id
      left join datasets sd on sd.id = sv.dataset_id
    ),
    same as (
      select a.id, bool_or(b.id is not null and a.status = b.status and a.value is not distinct from b.value and a.method is not distinct from b.method
               and a.source_version_id is not distinct from b.source_version_id and a.candidates = b.candidates
               and a.conflict_id is not distinct from b.conflict_id and a.rationale is not distinct from b.rationale
               and a.decided_by is not distinct from b.decided_by) filter (where b.valid_to = a.valid_from) as unchanged,
             bool_or(b.id is not null and a.status = b.status and a.value is not distinct from b.value and a.method is not distinct from b.method
               and a.source_version_id is not distinct from b.source_version_id and a.candidates = b.candidates
               and a.conflict_id is not distinct from b.conflict_id and a.rationale is not distinct from b.rationale
               and a.decided_by is not distinct from b.decided_by) filter (where b.valid_from = a.valid_to) as superseded_unchanged,
             bool_or(b.visible) filter (where b.valid_to = a.valid_from) as prev_visible
      from figure a
      left join figure b on b.indicator_code = a.indicator_code and b.period = a.period and b.region_code = a.region_code
        and b.disagg_key = a.disagg_key and (b.valid_to = a.valid_from or b.valid_from = a.valid_to)
      group by a.id
    )
    update figure_changes c set
      indicator_code = f.indicator_code, region_code = f.region_code, region_name = r.name, region_level = r.level, period = f.period,
      disagg_key = f.disagg_key, disagg = f.disagg, status = f.status, value = f.value, method = f.method,
      source_dataset_id = f.source_dataset_id, source_version = f.source_version, source_published_at = f.source_published_at,
      conflict_id = f.conflict_id, rationale = f.rationale, decided_by = f.decided_by, valid_from = f.valid_from, valid_to = f.valid_to,
      consumer_visible = f.visible, prev_consumer_visible = coalesce(s.prev_visible, false),
      unchanged = coalesce(s.unchanged, false), superseded_unchanged = coalesce(s.superseded_unchanged, false)
    from figure f
    join same s on s.id = f.id
    join regions r on r.code = f.region_code
    where f.id = c.figure_id`.execute(db);

  for (const column of ['indicator_code', 'region_code', 'region_name', 'region_level', 'period', 'disagg_key', 'disagg', 'status', 'valid_from', 'consumer_visible', 'prev_consumer_visible', 'unchanged']) {
    await sql`alter table figure_changes alter column ${sql.id(column)} set not null`.execute(db);
  }
  // Re-announcements are for consumers only; a consumer is given an entry whose figure it may
  // see, or that hides one it could see, or that re-announces one, unless a later entry
  // re-announces the same figure (it stands in for this one).
  await sql`
    alter table figure_changes add column consumer_listed boolean not null
      generated always as ((consumer_visible or prev_consumer_visible or unchanged) and not superseded_unchanged) stored`.execute(db);

  // Writers update the entry of the figure they replace.
  await sql`create unique index figure_changes_figure_idx on figure_changes (figure_id)`.execute(db);
  // A page is a range of one of these, whoever asks and whatever the indicator filter.
  await sql`create index figure_changes_consumer_idx on figure_changes (seq) where consumer_listed`.execute(db);
  await sql`create index figure_changes_indicator_idx on figure_changes (indicator_code, seq)`.execute(db);
  await sql`create index figure_changes_indicator_consumer_idx on figure_changes (indicator_code, seq) where consumer_listed`.execute(db);
}
