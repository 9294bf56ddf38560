import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** How many items each inbox section lists; `count` always tells the whole number. */
export const SECTION_LIMIT = 50;

function versions(db: Kysely<DB>) {
  return db
    .selectFrom('dataset_versions as v')
    .innerJoin('datasets as d', 'd.id', 'v.dataset_id')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id');
}

/** Agencies a walidata of `region` looks after: that region and everything in it (all, when national). */
function inRegion(region: string | null, strictlyBelow = false) {
  if (region === null) return sql<boolean>`true`;
  const below = sql<boolean>`a.jurisdiction_region_code like ${`${region}.%`}`;
  return strictlyBelow ? below : sql<boolean>`(a.jurisdiction_region_code = ${region} or ${below})`;
}

const versionColumns = [
  'v.dataset_id',
  'd.title as dataset_title',
  'a.code as agency',
  'v.version',
  'v.status',
  'v.submitted_at',
  'v.error_count',
  'v.warning_count',
] as const;

async function section<R>(rows: Promise<R[]>, count: Promise<{ n: number }>) {
  const [data, total] = await Promise.all([rows, count]);
  return { count: total.n, data };
}

const countAll = sql<number>`count(*)::int`.as('n');

/**
 * Submitted versions of agencies in the walidata's region (or below it): to verify. Not its
 * own agency's: four eyes, the review refuses those.
 */
export function versionsToVerify(db: Kysely<DB>, region: string | null, ownAgencyId: string | null) {
  let base = versions(db).where('v.status', '=', 'submitted').where(inRegion(region));
  if (ownAgencyId !== null) base = base.where('d.agency_id', '<>', ownAgencyId);
  return section(base.select(versionColumns).orderBy('v.submitted_at').limit(SECTION_LIMIT).execute(), base.select(countAll).executeTakeFirstOrThrow());
}

/** Verified versions of agencies strictly below the walidata's region, not verified by this walidata: to publish. */
export function versionsToPublish(db: Kysely<DB>, region: string | null, clientId: string) {
  const base = versions(db)
    .where('v.status', '=', 'verified')
    .where(inRegion(region, true))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('reviews as r').select(sql`1`.as('one')).whereRef('r.version_id', '=', 'v.id').where('r.action', '=', 'verify').where('r.actor_id', '=', clientId))),
    );
  return section(base.select(versionColumns).orderBy('v.submitted_at').limit(SECTION_LIMIT).execute(), base.select(countAll).executeTakeFirstOrThrow());
}

/** Versions of the agency returned by a walidata and not yet followed by a newer push: to correct. */
export function returnedVersions(db: Kysely<DB>, agencyId: string) {
  const base = versions(db)
    .where('v.status', '=', 'returned')
    .where('d.agency_id', '=', agencyId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('dataset_versions as later').select(sql`1`.as('one')).whereRef('later.dataset_id', '=', 'v.dataset_id').whereRef('later.version', '>', 'v.version'))),
    );
  const rows = base
    .leftJoinLateral(
      (eb) => eb.selectFrom('reviews as r').select(['r.note', 'r.at', 'r.actor_id']).whereRef('r.version_id', '=', 'v.id').where('r.action', '=', 'return').orderBy('r.id', 'desc').limit(1).as('ret'),
      (join) => join.onTrue(),
    )
    .select([...versionColumns, 'ret.note as return_note', 'ret.at as returned_at', 'ret.actor_id as returned_by'])
    // Oldest first like every inbox section: the longest-waiting correction comes first.
    .orderBy('ret.at')
    .orderBy('v.submitted_at')
    .limit(SECTION_LIMIT)
    .execute();
  return section(rows, base.select(countAll).executeTakeFirstOrThrow());
}

function findings(db: Kysely<DB>) {
  return versions(db).innerJoin('findings as f', 'f.version_id', 'v.id').where('v.status', 'in', ['submitted', 'verified']);
}

const findingColumns = [
  sql<string>`f.id::text`.as('id'),
  'f.code',
  'f.severity',
  'f.status',
  'f.message_id',
  'f.message_en',
  'f.answer',
  'v.dataset_id',
  'v.version',
  'a.code as agency',
] as const;

/** Open anomaly findings on the agency's versions under review: to answer. */
export function findingsToAnswer(db: Kysely<DB>, agencyId: string) {
  const base = findings(db).where('d.agency_id', '=', agencyId).where('f.status', '=', 'open').where('f.detector', 'is not', null);
  return section(base.select(findingColumns).orderBy('f.id').limit(SECTION_LIMIT).execute(), base.select(countAll).executeTakeFirstOrThrow());
}

/** Findings agencies in the walidata's region answered: to decide. */
export function findingsToDecide(db: Kysely<DB>, region: string | null) {
  const base = findings(db).where('f.status', '=', 'answered').where(inRegion(region));
  return section(base.select(findingColumns).orderBy('f.id').limit(SECTION_LIMIT).execute(), base.select(countAll).executeTakeFirstOrThrow());
}
