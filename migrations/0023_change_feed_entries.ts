import { type Kysely, sql } from 'kysely';

// Frozen once released: later changes go in new migrations.
//
// Each change-feed entry keeps the JSON the API serves for it, written with the entry
// (writeFigures), so a page of the feed reads one index range of figure_changes and sends
// that text: no label look-ups, no JSON built per read. Built at read time, a page of 1,000
// cost ~50 ms, more for the indicators whose definition and formula sit compressed in their
// metadata (decompressed twice per entry), which is why a page of some indicators cost twice
// a page of others.
//
// An entry carries the figure but not its indicator's definition and formula (about 0.8 kB
// repeated in every entry of the indicator, 2.5× the rest of the entry; a consumer reads them
// once from /v1/indicators). It is a record of what was announced: the indicator's name and
// unit and the source's agency and dataset title as they were when the change was
// written. Until this migration they were looked up at each read, so an edit showed in every
// replay; the entries that exist now are written with the labels as they are now.
//
// While its figure is served the entry ends in `"valid_to" : null}}`; writeFigures replaces
// that null with the instant the figure stopped being served. A consumer's `withdrawn`
// form is built at read time from the key columns (it is rare and small).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table figure_changes add column entry text`.execute(db);
  const iso = (column: string) => sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  // The entries of one update, joined to themselves because an update cannot left-join its target.
  await sql`
    update figure_changes c set entry = json_build_object('kind', e.kind, 'at', ${iso('e.at')}, 'figure', json_build_object(
      'indicator', e.indicator_code, 'indicator_name', i.name, 'unit', i.unit,
      'region', e.region_code, 'region_name', e.region_name, 'region_level', ('{provinsi,kabkota,kecamatan,desa}'::text[])[e.region_level],
      'period', e.period, 'disaggregation', e.disagg, 'status', e.status, 'value', e.value::text, 'method', e.method,
      'source', case when a.code is not null and e.source_version is not null then json_build_object(
        'agency', a.code, 'agency_name', coalesce(a.name, a.code), 'dataset_id', e.source_dataset_id, 'dataset_title', coalesce(d.title, ''),
        'version', e.source_version, 'published_at', ${iso('e.source_published_at')}) end,
      'conflict_id', e.conflict_id::text, 'rationale', e.rationale, 'decided_by', e.decided_by,
      'valid_from', ${iso('e.valid_from')}, 'valid_to', ${iso('e.valid_to')}))::text
    from figure_changes e
    join indicators i on i.code = e.indicator_code
    left join datasets d on d.id = e.source_dataset_id
    left join agencies a on a.id = d.agency_id
    where e.seq = c.seq`.execute(db);
  await sql`alter table figure_changes alter column entry set not null`.execute(db);
}
