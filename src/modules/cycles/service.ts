import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../http/app-error.js';
import { unknownCode } from '../../http/field-errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { requireCovers } from '../authority/authority.js';
import type { Principal } from '../../domain/principal.js';
import { loadCodeSets } from '../codelists/repository.js';
import { existingIndicatorCodes } from '../indicators/repository.js';
import { findRegions } from '../regions/repository.js';
import { agencyIdsByCode } from '../agencies/repository.js';
import { groupBy } from '../../util/group-by.js';
import { agencySummary, cellState, cycleKpis, light, type Cell, type CellFilter } from './compliance.js';
import { countedUntil, dayStart, deadlineEnd, remindsNow, zoneOfRegion, type TimeZone } from './deadline.js';
import {
  catalogueSources,
  expectedCells,
  finalisedAt,
  findCycle,
  insertCycle,
  insertObligations,
  listObligations,
  openCyclesOfAgency,
  updateCycle,
  versionQuality,
  type CycleRow,
  type ObligationInput,
} from './repository.js';

export const DIMENSION_CODELISTS = { sex: 'sex', age_group: 'age-group', disability: 'disability' } as const;
export type RequiredDimension = keyof typeof DIMENSION_CODELISTS;

export function presentCycle(row: CycleRow) {
  return {
    ...row,
    time_zone: row.time_zone as TimeZone,
    status: row.status as 'planned',
    deadline_ends_at: deadlineEnd(row.deadline, row.time_zone as TimeZone).toISOString(),
    closed_at: row.closed_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function presentObligation(o: Awaited<ReturnType<typeof listObligations>>[number]) {
  return { ...o, created_at: o.created_at.toISOString() };
}

const deadlineBeforeOpening = () =>
  new AppError('VALIDATION_FAILED', {}, [
    { location: 'body', pointer: '/deadline', code: 'before-opening', detail: { id: 'tenggat tidak boleh sebelum siklus dibuka', en: 'the deadline may not be before the cycle opens' } },
  ]);

export async function createCycle(
  db: Kysely<DB>,
  actor: Principal,
  requestId: string,
  body: { name: string; region: string; reference_periods: string[]; time_zone?: TimeZone | undefined; opens_on: string; deadline: string; milestones?: Record<string, string> | undefined; status?: string | undefined },
) {
  requireCovers(actor, body.region);
  if (body.deadline < body.opens_on) throw deadlineBeforeOpening();
  if ((await findRegions(db, [body.region])).length === 0) throw new AppError('REFERENCE_INVALID', {}, [unknownCode('/region', body.region, 'regions')]);
  return db.transaction().execute(async (trx) => {
    const id = await insertCycle(trx, {
      name: body.name,
      region_code: body.region,
      reference_periods: body.reference_periods,
      time_zone: body.time_zone ?? zoneOfRegion(body.region),
      opens_on: body.opens_on,
      deadline: body.deadline,
      milestones: body.milestones ?? {},
      status: body.status ?? 'planned',
      created_by: actor.clientId,
    });
    const created = presentCycle((await findCycle(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'cycle.created', entityType: 'cycle', entityId: id, after: created });
    return created;
  });
}

export async function patchCycle(
  db: Kysely<DB>,
  actor: Principal,
  requestId: string,
  id: string,
  patch: { name?: string | undefined; reference_periods?: string[] | undefined; opens_on?: string | undefined; deadline?: string | undefined; milestones?: Record<string, string> | undefined; status?: string | undefined; reason?: string | undefined },
) {
  return db.transaction().execute(async (trx) => {
    const current = await findCycle(trx, id, { forUpdate: true });
    if (!current) throw new AppError('CYCLE_NOT_FOUND', { id });
    requireCovers(actor, current.region_code);
    const next = {
      name: patch.name ?? current.name,
      reference_periods: patch.reference_periods ?? current.reference_periods,
      opens_on: patch.opens_on ?? current.opens_on,
      deadline: patch.deadline ?? current.deadline,
      milestones: { ...current.milestones, ...patch.milestones },
      status: patch.status ?? current.status,
    };
    if (next.deadline < next.opens_on) throw deadlineBeforeOpening();
    // Moving a deadline from or to a day already past changes who was on time (an extension
    // after the fact, or a retroactive cut): it needs a stated reason, kept in the audit, and
    // the report can still be asked for against the original deadline.
    const zone = current.time_zone as TimeZone;
    const past = (date: string) => deadlineEnd(date, zone).getTime() <= Date.now();
    if (next.deadline !== current.deadline && (past(current.deadline) || past(next.deadline)) && !patch.reason?.trim()) {
      throw new AppError('VALIDATION_FAILED', {}, [
        { location: 'body', pointer: '/reason', code: 'required', detail: { id: 'tenggat yang sudah lewat, atau tenggat baru yang sudah lewat, hanya dapat ditetapkan dengan alasan', en: 'a deadline can only be moved from or to a day already past with a reason' } },
      ]);
    }
    await updateCycle(trx, id, next);
    const after = presentCycle((await findCycle(trx, id))!);
    await recordAudit(trx, { actor, requestId, action: 'cycle.updated', entityType: 'cycle', entityId: id, before: { ...presentCycle(current), reason: null }, after: { ...after, reason: patch.reason ?? null } });
    return after;
  });
}

/** The breakdown keys an obligation expects: the total, and each code of each required dimension. */
async function disaggKeys(db: Kysely<DB>, dims: RequiredDimension[]): Promise<string[]> {
  if (dims.length === 0) return [''];
  const sets = await loadCodeSets(db, dims.map((d) => DIMENSION_CODELISTS[d]));
  return ['', ...dims.flatMap((d) => [...(sets.get(DIMENSION_CODELISTS[d]) ?? [])].sort().map((code) => `${d}=${code}`))];
}

export interface ObligationBody {
  agency: string;
  indicator: string;
  region: string;
  scope_level?: number | undefined;
  disaggregations?: RequiredDimension[] | undefined;
}

export async function addObligations(db: Kysely<DB>, actor: Principal, requestId: string, cycleId: string, body: { obligations?: ObligationBody[] | undefined; from_catalogue?: { indicators?: string[] | undefined } | undefined }) {
  return db.transaction().execute(async (trx) => {
    const cycle = await findCycle(trx, cycleId);
    if (!cycle) throw new AppError('CYCLE_NOT_FOUND', { id: cycleId });
    requireCovers(actor, cycle.region_code);
    const items: ObligationInput[] = [];
    if (body.from_catalogue) {
      for (const s of await catalogueSources(trx, cycle.region_code, body.from_catalogue.indicators)) {
        items.push({ agency_id: s.agency_id, indicator_code: s.indicator_code, region_code: cycle.region_code, scope_level: null, disaggregations: [], disagg_keys: [''] });
      }
    }
    const explicit = body.obligations ?? [];
    const agencyIds = await agencyIdsByCode(trx, explicit.map((o) => o.agency));
    const indicators = await existingIndicatorCodes(trx, explicit.map((o) => o.indicator));
    const regions = new Set((await findRegions(trx, explicit.map((o) => o.region))).map((r) => r.code));
    const errors: FieldError[] = explicit.flatMap((o, i) => [
      ...(agencyIds.has(o.agency) ? [] : [unknownCode(`/obligations/${i}/agency`, o.agency, 'agencies')]),
      ...(indicators.has(o.indicator) ? [] : [unknownCode(`/obligations/${i}/indicator`, o.indicator, 'indicators')]),
      ...(regions.has(o.region) ? [] : [unknownCode(`/obligations/${i}/region`, o.region, 'regions')]),
    ]);
    if (errors.length > 0) throw new AppError('REFERENCE_INVALID', {}, errors);
    for (const o of explicit) {
      items.push({
        agency_id: agencyIds.get(o.agency)!,
        indicator_code: o.indicator,
        region_code: o.region,
        scope_level: o.scope_level ?? null,
        disaggregations: o.disaggregations ?? [],
        disagg_keys: await disaggKeys(trx, o.disaggregations ?? []),
      });
    }
    const created = await insertObligations(trx, cycleId, items, actor.clientId);
    await recordAudit(trx, { actor, requestId, action: 'cycle.obligations-added', entityType: 'cycle', entityId: cycleId, after: { requested: items.length, created } });
    return { requested: items.length, created };
  });
}

const per100 = (n: number, rows: number) => (rows === 0 ? 0 : Math.round((n / rows) * 10000) / 100);

/** The listing behind each cycle KPI. */
const KPI_CELLS: Record<string, CellFilter> = {
  agencies_fully_on_time_pct: 'not_on_time',
  indicators_complete_pct: 'missing',
  indicators_complete_on_time_pct: 'not_on_time',
  inconsistency_after_reconciliation_pct: 'unresolved',
  days_deadline_to_final: 'not_final',
};

/** The compliance report of a cycle, computed from what actually arrived. */
export async function complianceReport(db: Kysely<DB>, cycleId: string, which: 'current' | 'original', agency?: { id: string; code: string }) {
  const cycle = await findCycle(db, cycleId);
  if (!cycle) throw new AppError('CYCLE_NOT_FOUND', { id: cycleId });
  const zone = cycle.time_zone as TimeZone;
  const date = which === 'original' ? cycle.original_deadline : cycle.deadline;
  const deadlineEndsAt = deadlineEnd(date, zone);
  // On time means before the deadline ended and before the cycle closed, whichever came first.
  const end = countedUntil(deadlineEndsAt, cycle.closed_at);
  const cells: Cell[] = await expectedCells(db, cycleId, agency?.id);
  const quality = await versionQuality(db, cycleId, dayStart(cycle.opens_on, zone));
  const base = `/v1/cycles/${cycleId}/compliance`;
  const agencies = [...groupBy(cells, (c) => c.agency)].map(([code, cs]) => {
    const cellsOf = (f: CellFilter) => `${base}/${code}?cells=${f}`;
    const s = agencySummary(cs, end);
    const q = quality.get(code);
    return {
      agency: code,
      agency_name: cs[0]!.agency_name,
      light: light(s),
      ...s,
      quality: {
        versions: q?.versions ?? 0,
        rejected: q?.rejected ?? 0,
        returned: q?.returned ?? 0,
        findings_per_100_rows: { error: per100(q?.errors ?? 0, q?.rows ?? 0), warning: per100(q?.warnings ?? 0, q?.rows ?? 0) },
      },
      metadata_completeness_avg: q?.metadata ?? null,
      links: { all: cellsOf('all'), missing: cellsOf('missing'), late: cellsOf('late'), in_conflict: cellsOf('in_conflict'), unresolved: cellsOf('unresolved') },
    };
  });
  const missing = [...groupBy(cells.filter((c) => cellState(c, end) === 'missing'), (c) => `${c.indicator}|${c.agency}`).values()].map((cs) => ({
    indicator: cs[0]!.indicator,
    agency: cs[0]!.agency,
    cells: cs.length,
  }));
  return {
    cycle: {
      id: cycle.id,
      name: cycle.name,
      region: cycle.region_code,
      reference_periods: cycle.reference_periods,
      time_zone: zone,
      status: cycle.status,
    },
    deadline_used: {
      which,
      date,
      ends_at: deadlineEndsAt.toISOString(),
      original: cycle.original_deadline,
      current: cycle.deadline,
      closed_at: cycle.closed_at?.toISOString() ?? null,
      on_time_until: end.toISOString(),
    },
    generated_at: new Date().toISOString(),
    kpis: withLinks(cycleKpis(cells, end, agency ? null : await finalisedAt(db, cycleId)), (f) => `${base}${agency ? `/${agency.code}` : ''}?cells=${f}`),
    agencies,
    missing,
    cells,
    end,
  };
}

/** Each KPI with the link to the cells behind it. */
function withLinks<K extends Record<string, unknown>>(kpis: K, link: (f: CellFilter) => string) {
  return Object.fromEntries(Object.entries(kpis).map(([k, v]) => [k, typeof v === 'object' && v !== null ? { ...v, cells: link(KPI_CELLS[k] ?? 'all') } : v])) as {
    [P in keyof K]: K[P] extends object ? K[P] & { cells: string } : K[P];
  };
}

/** Reminders for one agency: open cycles from `days` before their deadline on, where it still owes cells. */
export async function obligationsDue(db: Kysely<DB>, agencyId: string, days = 7) {
  const cycles = await openCyclesOfAgency(db, agencyId);
  const due = [];
  for (const c of cycles) {
    const end = deadlineEnd(c.deadline, c.time_zone as TimeZone);
    if (!remindsNow(c.status, end, days)) continue;
    const missing = (await expectedCells(db, c.id, agencyId)).filter((cell) => !cell.delivered_at);
    if (missing.length === 0) continue;
    due.push({
      cycle_id: c.id,
      cycle_name: c.name,
      deadline: c.deadline,
      deadline_ends_at: end.toISOString(),
      missing: missing.length,
      indicators: [...new Set(missing.map((m) => m.indicator))],
      link: `/v1/cycles/${c.id}/compliance/${missing[0]!.agency}?cells=missing`,
    });
  }
  return { count: due.length, data: due };
}
