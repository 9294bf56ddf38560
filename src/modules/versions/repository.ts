import { sql, type Kysely } from 'kysely';
import type { CopyIn } from '../../db/create-db.js';
import type { DB } from '../../db/schema.js';
import { disaggKey, isTotal } from '../../domain/disagg-key.js';
import type { AnomalyDetails, Finding, Observation } from '../../domain/finding.js';

export async function nextVersionNumber(db: Kysely<DB>, datasetId: string): Promise<number> {
  const row = await db
    .selectFrom('dataset_versions')
    .select(sql<number>`coalesce(max(version), 0)::int + 1`.as('next'))
    .where('dataset_id', '=', datasetId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function insertVersion(
  db: Kysely<DB>,
  v: { dataset_id: string; version: number; format: string; submitted_by: string },
): Promise<string> {
  const row = await db
    .insertInto('dataset_versions')
    .values({
      ...v,
      // Placeholders until the last batch is in; the same transaction sets the real ones.
      status: 'rejected',
      content_sha256: '',
      row_count: 0,
      accepted_count: 0,
      error_count: 0,
      warning_count: 0,
      metadata_score: 0,
      summary: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishVersion(
  db: Kysely<DB>,
  id: string,
  v: { status: string; content_sha256: string; row_count: number; accepted_count: number; error_count: number; warning_count: number; metadata_score: number; summary: object },
) {
  await db
    .updateTable('dataset_versions')
    .set({ ...v, summary: JSON.stringify(v.summary) })
    .where('id', '=', id)
    .execute();
}

/** An observation turned away because its key was already stored for the version. */
export interface RepeatedKey {
  /** Its position in the batch given. */
  index: number;
  /** Source row of the observation that holds the key. */
  firstRow: number;
}

/** Where a push's observations go: the version's own rows, or a trial run's scratch table. */
type ObservationTable = 'observations' | 'trial_observations';

/**
 * Holds a trial run's observations for the rest of its transaction, keyed like the real table,
 * so a validation that stores nothing still finds repeated keys the same way.
 */
export async function createTrialObservations(db: Kysely<DB>) {
  await sql`create temporary table trial_observations (like observations including all) on commit drop`.execute(db);
}

/**
 * One statement per batch, on both pg and PGlite: arrays in, rows out through UNNEST. The
 * primary key is the duplicate check of the whole push, so memory holds one batch whatever the
 * file's size: rows whose key is already stored are skipped, then looked up (rare) with the row
 * that holds the key. Every row needs its source row (a file row, or a JSON index + 1).
 */
export async function insertObservations(db: Kysely<DB>, versionId: string, rows: Observation[], table: ObservationTable = 'observations'): Promise<RepeatedKey[]> {
  if (rows.length === 0) return [];
  const key = {
    indicators: rows.map((r) => r.indicator_code),
    regions: rows.map((r) => r.region_code),
    periods: rows.map((r) => r.period),
    disaggs: rows.map((r) => disaggKey(r.disagg)),
    sourceRows: rows.map((r) => r.row ?? null),
  };
  const { rows: inserted } = await sql<{ n: number }>`
    with stored as (
      insert into ${sql.table(table)} (version_id, indicator_code, region_code, period, disagg, disagg_key, value, obs_status, note, source_row)
      select ${versionId}::uuid, o.indicator_code, o.region_code, o.period, o.disagg::jsonb, o.disagg_key, o.value::numeric, o.obs_status, o.note, o.source_row
      from unnest(${key.indicators}::text[], ${key.regions}::text[], ${key.periods}::text[],
                  ${rows.map((r) => JSON.stringify(r.disagg))}::text[], ${key.disaggs}::text[], ${rows.map((r) => r.value)}::text[],
                  ${rows.map((r) => r.obs_status)}::text[], ${rows.map((r) => r.note)}::text[], ${key.sourceRows}::int[])
        as o(indicator_code, region_code, period, disagg, disagg_key, value, obs_status, note, source_row)
      on conflict do nothing
      returning 1)
    select count(*)::int as n from stored`.execute(db);
  if (inserted[0]!.n === rows.length) return [];
  const { rows: repeats } = await sql<{ source_row: number; first_row: number }>`
    select b.source_row, o.source_row as first_row
    from unnest(${key.indicators}::text[], ${key.regions}::text[], ${key.periods}::text[], ${key.disaggs}::text[], ${key.sourceRows}::int[])
      as b(indicator_code, region_code, period, disagg_key, source_row)
    join ${sql.table(table)} o on o.version_id = ${versionId}::uuid and o.indicator_code = b.indicator_code and o.region_code = b.region_code
      and o.period = b.period and o.disagg_key = b.disagg_key
    where o.source_row <> b.source_row
    order by b.source_row`.execute(db);
  const indexOf = new Map(rows.map((r, i) => [r.row, i]));
  return repeats.map((r) => ({ index: indexOf.get(r.source_row)!, firstRow: r.first_row }));
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** One field in COPY's text format: tabs, line breaks and backslashes escaped, \N for null. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

/** One observation as a line of COPY text, in the column order copyObservations names. */
function copyLine(versionId: string, r: Observation): string {
  // A total's breakdown columns are '{}' and ''.
  const breakdown = isTotal(r.disagg) ? '{}\t' : `${copyField(JSON.stringify(r.disagg))}\t${copyField(disaggKey(r.disagg))}`;
  return `${versionId}\t${copyField(r.indicator_code)}\t${copyField(r.region_code)}\t${copyField(r.period)}\t${breakdown}\t${copyField(r.value)}\t${copyField(r.obs_status)}\t${copyField(r.note)}\t${r.row ?? '\\N'}\n`;
}

/**
 * The fast way in on a server: one COPY per batch, about half the cost of the batch insert
 * (bench/README.md). The batch is encoded at once and sent when the returned step runs, so
 * the encoding can be done while the last batch is still being written. COPY cannot skip a
 * stored key, so a repeated key fails the statement (and the push's transaction) with a
 * unique violation; pushVersion then runs the push again through insertObservations, which
 * reports each repeat with both rows.
 */
export function copyObservations(copy: CopyIn, versionId: string, rows: readonly Observation[]): () => Promise<RepeatedKey[]> {
  let text = '';
  for (const r of rows) text += copyLine(versionId, r);
  const encoded = Buffer.from(text);
  return async () => {
    if (encoded.length > 0) await copy('copy observations (version_id, indicator_code, region_code, period, disagg, disagg_key, value, obs_status, note, source_row) from stdin', encoded);
    return [];
  };
}

/** Whether a failed push met a key it had already stored (see copyObservations). */
export function isRepeatedObservationKey(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'observations_pkey';
}

/**
 * Findings per statement: a batch of 5,000 rows can carry several findings each, and a large
 * push's plausibility checks tens of thousands; one statement for them all passed the
 * statement timeout and built its parameters in memory at once.
 */
const FINDINGS_PER_STATEMENT = 2_000;

export async function insertFindings(db: Kysely<DB>, versionId: string, findings: Finding[]) {
  for (let at = 0; at < findings.length; at += FINDINGS_PER_STATEMENT) await insertFindingRows(db, versionId, findings.slice(at, at + FINDINGS_PER_STATEMENT));
}

async function insertFindingRows(db: Kysely<DB>, versionId: string, rows: Finding[]) {
  const col = <K extends keyof Finding>(k: K) => rows.map((r) => r[k] ?? null);
  const anomaly = <K extends keyof AnomalyDetails>(k: K) => rows.map((r) => r.anomaly?.[k] ?? null);
  await sql`
    insert into findings (version_id, code, severity, principle, source_row, pointer, column_name, value, message_id, message_en, hint_id, hint_en,
                          detector, indicator_code, region_code, period, details)
    select ${versionId}::uuid, f.code, f.severity, f.principle, f.source_row, f.pointer, f.column_name, f.value, f.message_id, f.message_en, f.hint_id, f.hint_en,
           f.detector, f.indicator_code, f.region_code, f.period, f.details::jsonb
    from unnest(${col('code')}::text[], ${col('severity')}::text[], ${col('principle')}::text[], ${col('row')}::int[], ${col('pointer')}::text[],
                ${col('column')}::text[], ${col('value')}::text[], ${rows.map((r) => r.message.id)}::text[], ${rows.map((r) => r.message.en)}::text[],
                ${rows.map((r) => r.hint?.id ?? null)}::text[], ${rows.map((r) => r.hint?.en ?? null)}::text[],
                ${anomaly('detector')}::text[], ${anomaly('indicator')}::text[], ${anomaly('region')}::text[], ${anomaly('period')}::text[],
                ${rows.map((r) => (r.anomaly ? JSON.stringify({ disaggregation: r.anomaly.disaggregation, ...r.anomaly.details }) : null))}::text[])
      as f(code, severity, principle, source_row, pointer, column_name, value, message_id, message_en, hint_id, hint_en, detector, indicator_code, region_code, period, details)`.execute(db);
}

export function findVersion(db: Kysely<DB>, datasetId: string, version: number) {
  return db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).where('version', '=', version).executeTakeFirst();
}

export function listVersions(db: Kysely<DB>, datasetId: string, f: { before?: number | undefined; limit: number }) {
  let q = db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).orderBy('version', 'desc').limit(f.limit + 1);
  if (f.before !== undefined) q = q.where('version', '<', f.before);
  return q.execute();
}

export function listObservations(db: Kysely<DB>, versionId: string, f: { after?: number | undefined; limit: number }) {
  // Stored order is file order: page by source row (or by insertion for JSON, where row is the index).
  let q = db
    .selectFrom('observations')
    .select(['indicator_code', 'region_code', 'period', 'disagg', sql<string>`value::text`.as('value'), 'obs_status', 'note', 'source_row'])
    .where('version_id', '=', versionId)
    .orderBy('source_row')
    .limit(f.limit + 1);
  if (f.after !== undefined) q = q.where('source_row', '>', f.after);
  return q.execute();
}
