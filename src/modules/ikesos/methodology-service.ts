import type { Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { sqlState } from '../../db/errors.js';
import { AppError } from '../../http/app-error.js';
import { unknownCode } from '../../http/field-errors.js';
import type { Principal } from '../../domain/principal.js';
import { recordAudit } from '../audit/record-audit.js';
import { existingIndicatorCodes } from '../indicators/repository.js';
import { findRegions } from '../regions/repository.js';
import { checkMethodology, type MethodologyConfig } from './methodology.js';
import { activateMethodology, findMethodology, insertMethodology, upsertOfficialScores, type MethodologyRow } from './repository.js';
import type { MethodologyCreate, OfficialScoresBody } from './schemas.js';

export function presentMethodology(row: MethodologyRow) {
  return {
    ...row,
    config: row.config as unknown as MethodologyConfig,
    status: row.status as 'draft',
    created_at: row.created_at.toISOString(),
    activated_at: row.activated_at?.toISOString() ?? null,
    retired_at: row.retired_at?.toISOString() ?? null,
  };
}

/** Registers a draft methodology after checking its indicators exist; audited. */
export async function createMethodology(db: Kysely<DB>, actor: Principal, requestId: string, body: Static<typeof MethodologyCreate>) {
  const config = body.config as MethodologyConfig;
  const codes = config.dimensions.flatMap((d) => d.indicators.map((i) => i.code));
  const existing = await existingIndicatorCodes(db, codes);
  const errors = checkMethodology(config, (c) => existing.has(c));
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
  const created = await db.transaction().execute(async (trx) => {
    let id: string;
    try {
      id = await insertMethodology(trx, { version: body.version, name: body.name, description: body.description ?? '', provisional: body.provisional ?? false, config, created_by: actor.clientId });
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('METHODOLOGY_VERSION_TAKEN', { version: body.version });
      throw err;
    }
    const row = presentMethodology((await findMethodology(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'ikesos.methodology-created', entityType: 'ikesos-methodology', entityId: id, after: row });
    return row;
  });
  return created;
}

/** Makes a draft the active methodology, retiring the one active before; audited. */
export async function activateDraft(db: Kysely<DB>, actor: Principal, requestId: string, id: string) {
  return db.transaction().execute(async (trx) => {
    const row = await findMethodology(trx, id, { forUpdate: true });
    if (!row) throw new AppError('METHODOLOGY_NOT_FOUND', { id });
    if (row.status !== 'draft') throw new AppError('METHODOLOGY_NOT_DRAFT', { id, status: row.status });
    try {
      await activateMethodology(trx, id, actor.clientId);
    } catch (err) {
      // Two drafts activated at once: each retires the methodology active when it started,
      // and the later one then meets the other's activation at the one-active index.
      // Nothing of this request is kept; the walidata decides whether theirs should win.
      if (sqlState(err) === '23505') throw new AppError('METHODOLOGY_ACTIVATION_CONFLICT', { id });
      throw err;
    }
    const after = presentMethodology((await findMethodology(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'ikesos.methodology-activated', entityType: 'ikesos-methodology', entityId: id, before: { status: row.status }, after: { status: after.status } });
    return after;
  });
}

/** Upserts the ministry's official scores for known regions, each region and period once; audited. */
export async function loadOfficialScores(db: Kysely<DB>, actor: Principal, requestId: string, body: Static<typeof OfficialScoresBody>) {
  const { source, scores } = body;
  // One batch states each region and period once: a second score for the same pair would
  // leave which one is official to the order of the array.
  const seen = new Map<string, number>();
  const repeats = scores.flatMap((s, i) => {
    const key = `${s.region}|${s.period}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    return first === undefined
      ? []
      : [{ location: 'body' as const, pointer: `/scores/${i}`, code: 'duplicate', detail: { id: `wilayah ${s.region} periode ${s.period} sudah ada di /scores/${first}`, en: `region ${s.region} period ${s.period} is already at /scores/${first}` } }];
  });
  if (repeats.length > 0) throw new AppError('VALIDATION_FAILED', {}, repeats);
  const codes = [...new Set(scores.map((s) => s.region))];
  const known = new Set((await findRegions(db, codes)).map((r) => r.code));
  const errors = scores.flatMap((s, i) => (known.has(s.region) ? [] : [unknownCode(`/scores/${i}/region`, s.region, 'regions')]));
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
  await db.transaction().execute(async (trx) => {
    await upsertOfficialScores(trx, source, actor.clientId, scores);
    await recordAudit(trx, { actor, requestId, action: 'ikesos.official-scores-loaded', entityType: 'ikesos-official-scores', entityId: source, after: { source, count: scores.length } });
  });
  return { loaded: scores.length };
}
