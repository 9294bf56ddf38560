import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/app-error.js';
import { sqlState } from '../../db/errors.js';
import { recordAudit, type Actor } from '../audit/record-audit.js';
import { findCodeAttributes, loadCodeSets } from '../codelists/repository.js';
import { checkIndicator, EMPTY_METADATA, INDICATOR_CODELISTS, type IndicatorCandidate } from './indicator-rules.js';
import {
  existingIndicatorCodes,
  findIndicator,
  insertIndicator,
  updateIndicator,
  type IndicatorRow,
  type IndicatorValues,
} from './repository.js';
import type { IndicatorCreateBody, IndicatorPatchBody } from './schemas.js';
import { checkIndicatorMetadata } from '../validation/metadata-rules.js';


/** API shape of a stored indicator: numeric columns as numbers, timestamps as ISO text, and how complete its MS-Ind metadata is. */
export function presentIndicator(row: IndicatorRow) {
  const metadata = { ...EMPTY_METADATA, ...row.metadata };
  return {
    ...row,
    valid_min: row.valid_min === null ? null : Number(row.valid_min),
    valid_max: row.valid_max === null ? null : Number(row.valid_max),
    value_type: row.value_type as 'integer' | 'decimal',
    metadata,
    metadata_completeness: checkIndicatorMetadata({ name: row.name, measure: row.measure, unit: row.unit, metadata }).completeness,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Checks a candidate against the codelists and catalogue; returns it with its derived value type. */
async function validated(db: Kysely<DB>, candidate: IndicatorCandidate): Promise<IndicatorValues> {
  const [codes, existing] = await Promise.all([
    loadCodeSets(db, [...INDICATOR_CODELISTS]),
    existingIndicatorCodes(db, candidate.metadata.indikator_pembangun),
  ]);
  const errors = checkIndicator(candidate, { codes, indicatorExists: (c) => existing.has(c) });
  if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
  const measure = await findCodeAttributes(db, 'measures', candidate.measure);
  return { ...candidate, value_type: String(measure.value_type ?? 'decimal') };
}

export async function createIndicator(db: Kysely<DB>, actor: Actor, requestId: string | undefined, body: IndicatorCreateBody) {
  return db.transaction().execute(async (trx) => {
    const values = await validated(trx, {
      code: body.code,
      name: body.name,
      name_en: body.name_en,
      group: body.group,
      measure: body.measure,
      unit: body.unit,
      valid_min: body.valid_min ?? null,
      valid_max: body.valid_max ?? null,
      direction: body.direction ?? null,
      dimension: body.dimension ?? null,
      source_agency_kinds: body.source_agency_kinds,
      periodicity: body.periodicity,
      disaggregations: body.disaggregations ?? [],
      metadata: { ...EMPTY_METADATA, ...body.metadata },
    });
    let row: IndicatorRow;
    try {
      row = await insertIndicator(trx, values);
    } catch (err) {
      if (sqlState(err) === '23505') throw new AppError('INDICATOR_CODE_TAKEN', { code: body.code });
      throw err;
    }
    const created = presentIndicator(row);
    await recordAudit(trx, { actor, requestId, action: 'indicator.created', entityType: 'indicator', entityId: row.code, after: created });
    return created;
  });
}

export async function patchIndicator(db: Kysely<DB>, actor: Actor, requestId: string | undefined, code: string, patch: IndicatorPatchBody) {
  return db.transaction().execute(async (trx) => {
    const current = await findIndicator(trx, code, { forUpdate: true });
    if (!current) throw new AppError('INDICATOR_NOT_FOUND', { code });
    const before = presentIndicator(current);
    const { metadata, ...fields } = patch;
    const values = await validated(trx, {
      code,
      name: fields.name ?? before.name,
      name_en: fields.name_en ?? before.name_en,
      group: fields.group ?? before.group,
      measure: fields.measure ?? before.measure,
      unit: fields.unit ?? before.unit,
      // null is a value here (clearing the bound), so only absence keeps the old one
      valid_min: fields.valid_min !== undefined ? fields.valid_min : before.valid_min,
      valid_max: fields.valid_max !== undefined ? fields.valid_max : before.valid_max,
      direction: fields.direction !== undefined ? fields.direction : before.direction,
      dimension: fields.dimension !== undefined ? fields.dimension : before.dimension,
      source_agency_kinds: fields.source_agency_kinds ?? before.source_agency_kinds,
      periodicity: fields.periodicity ?? before.periodicity,
      disaggregations: fields.disaggregations ?? before.disaggregations,
      metadata: { ...before.metadata, ...metadata },
    });
    const after = presentIndicator(await updateIndicator(trx, values));
    await recordAudit(trx, { actor, requestId, action: 'indicator.updated', entityType: 'indicator', entityId: code, before, after });
    return after;
  });
}
