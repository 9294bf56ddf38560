import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { encodeCursor } from '../../http/pagination.js';
import { obligationsDue } from '../cycles/service.js';
import { listChanges, type ChangeRow } from '../figures/repository.js';
import { deadlineStage, reviewEventType } from './event-types.js';
import {
  agenciesOwingInOpenCycles,
  anyoneWants,
  datasetsWithAgency,
  dropQueuedAuditEntries,
  findingsToAnswerOf,
  insertEvents,
  queuedAuditEntries,
  setSourceCursor,
  sourceCursor,
  tryLockMaterializer,
  type NewEvent,
} from './repository.js';

/**
 * Events are derived from records the service keeps anyway, so no other module knows about
 * webhooks and nothing is lost when a process stops between a change and its event:
 * - figure changes and conflicts from the figure change feed (its sequence number is the
 *   cursor, read with and without the consumer's visibility, exactly as /v1/figures/changes);
 * - review steps and pushes from the audit log, through a queue that a trigger on the log fills
 *   in the change's own transaction (migration 0016);
 * - deadline reminders from the open cycles, as /v1/cycles/{id}/overdue and the inbox compute
 *   them, once per cycle, agency and stage (before the deadline, after it).
 * Each event is keyed by its source record, so deriving it twice stores it once.
 */

const BATCH = 200;

const newEventId = () => `msg_${randomUUID().replaceAll('-', '')}`;

/** A change-feed entry as GET /v1/figures/changes serves it, with its cursor. */
type FeedEntry = { kind: string; at: string; figure: { indicator: string; region: string; period: string; disaggregation: Record<string, string> } & Partial<Record<'value' | 'method' | 'conflict_id' | 'rationale' | 'decided_by', string | null>> };

function figureEntry(row: ChangeRow): FeedEntry & { cursor: string } {
  return { ...(JSON.parse(row.entry) as FeedEntry), cursor: encodeCursor(row.seq) };
}

function conflictEvent(row: ChangeRow): NewEvent | null {
  const type = row.kind === 'disputed' ? 'conflict.opened' : row.kind === 'resolved' ? 'conflict.resolved' : null;
  if (!type) return null;
  const { at, figure } = JSON.parse(row.entry) as FeedEntry;
  if (!figure.conflict_id) return null;
  return {
    id: newEventId(),
    type,
    source_key: `conflict:${row.seq}`,
    indicator_code: row.indicator_code,
    region_code: row.region_code,
    agency_id: null,
    payload: {
      conflict_id: figure.conflict_id,
      indicator: figure.indicator,
      region: figure.region,
      period: figure.period,
      disaggregation: figure.disaggregation,
      status: type === 'conflict.opened' ? 'open' : 'resolved',
      value: figure.value ?? null,
      method: figure.method ?? null,
      rationale: figure.rationale ?? null,
      decided_by: figure.decided_by ?? null,
      at,
      link: `/v1/conflicts/${figure.conflict_id}`,
    },
    consumer_payload: null,
  };
}

/** The next figure changes after the source cursor, as events; returns how far they reach. */
async function figureEvents(db: Kysely<DB>): Promise<{ events: NewEvent[]; cursor: string | null }> {
  const since = await sourceCursor(db, 'figure_changes');
  const [all, consumers] = await Promise.all([
    listChanges(db, { since, limit: BATCH, hideClosed: false }),
    listChanges(db, { since, limit: BATCH, hideClosed: true }),
  ]);
  // Both views are read up to the same change: the shorter of the two full pages.
  const bounds = [all, consumers].filter((rows) => rows.length > BATCH).map((rows) => BigInt(rows[BATCH - 1]!.seq));
  const upTo = bounds.length > 0 ? bounds.reduce((a, b) => (a < b ? a : b)) : null;
  const within = (row: ChangeRow) => upTo === null || BigInt(row.seq) <= upTo;
  const forConsumers = new Map(consumers.filter(within).map((r) => [r.seq, r]));
  const bySeq = new Map(all.filter(within).map((r) => [r.seq, r]));
  for (const [seq, row] of forConsumers) if (!bySeq.has(seq)) bySeq.set(seq, row);
  const seqs = [...bySeq.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const events: NewEvent[] = [];
  for (const seq of seqs) {
    const row = all.find((r) => r.seq === seq);
    const consumerRow = forConsumers.get(seq);
    const any = row ?? consumerRow!;
    events.push({
      id: newEventId(),
      type: 'figure.changed',
      source_key: `figure:${seq}`,
      indicator_code: any.indicator_code,
      region_code: any.region_code,
      agency_id: null,
      // Re-announcements after a reclassification are for consumers only, as in the pull feed.
      payload: row ? figureEntry(row) : null,
      consumer_payload: consumerRow ? figureEntry(consumerRow) : null,
    });
    if (row) {
      const conflict = conflictEvent(row);
      if (conflict) events.push(conflict);
    }
  }
  const last = upTo !== null ? upTo.toString() : seqs.at(-1) ?? null;
  return { events, cursor: last };
}

/** Review steps and pushes waiting in the audit queue, as events. */
async function auditEvents(db: Kysely<DB>): Promise<{ events: NewEvent[]; done: string[] }> {
  const entries = await queuedAuditEntries(db, BATCH);
  const versionOf = (entry: (typeof entries)[number]) => (entry.after ?? {}) as { version?: number; status?: string; note?: string | null };
  const datasets = await datasetsWithAgency(db, entries.map((e) => e.entity_id));
  const pushed = entries.flatMap((e) => {
    const after = versionOf(e);
    return after.status === 'submitted' && !reviewEventType(e.action) && typeof after.version === 'number' ? [{ datasetId: e.entity_id, version: after.version }] : [];
  });
  const findingsByVersion = await findingsToAnswerOf(db, pushed);
  const events: NewEvent[] = [];
  for (const entry of entries) {
    const after = versionOf(entry);
    const dataset = datasets.get(entry.entity_id);
    if (!dataset || typeof after.version !== 'number') continue;
    const base = { indicator_code: null, region_code: dataset.jurisdiction_region_code, agency_id: dataset.agency_id, consumer_payload: null };
    const about = { dataset_id: dataset.id, dataset_title: dataset.title, agency: dataset.agency, version: after.version };
    const reviewed = reviewEventType(entry.action);
    if (reviewed) {
      events.push({
        ...base,
        id: newEventId(),
        type: reviewed,
        source_key: `audit:${entry.audit_id}`,
        payload: { ...about, status: after.status ?? null, note: after.note ?? null, by: entry.actor_id, at: entry.at.toISOString(), link: `/v1/datasets/${dataset.id}/versions/${after.version}` },
      });
    } else if (after.status === 'submitted') {
      const findings = findingsByVersion.get(`${dataset.id}:${after.version}`) ?? [];
      if (findings.length === 0) continue;
      events.push({
        ...base,
        id: newEventId(),
        type: 'finding.awaiting_answer',
        source_key: `audit:${entry.audit_id}`,
        payload: { ...about, count: findings.length > 100 ? '100+' : findings.length, findings: findings.slice(0, 100), at: entry.at.toISOString(), link: '/v1/inbox' },
      });
    }
  }
  return { events, done: entries.map((e) => e.queue_id) };
}

/** Reminders for agencies that still owe data in an open cycle whose deadline is near or past. */
async function deadlineEvents(db: Kysely<DB>, now: Date): Promise<NewEvent[]> {
  if (!(await anyoneWants(db, 'deadline.reminder'))) return [];
  const events: NewEvent[] = [];
  for (const agency of await agenciesOwingInOpenCycles(db)) {
    const due = await obligationsDue(db, agency.id);
    for (const item of due.data) {
      const stage = deadlineStage(new Date(item.deadline_ends_at), now);
      events.push({
        id: newEventId(),
        type: 'deadline.reminder',
        source_key: `deadline:${item.cycle_id}:${agency.id}:${stage}`,
        indicator_code: null,
        region_code: agency.jurisdiction_region_code,
        agency_id: agency.id,
        payload: { ...item, stage, agency: agency.code },
        consumer_payload: null,
      });
    }
  }
  return events;
}

/**
 * Derives what is new into webhook_events, in one transaction that one process at a time may
 * run; returns how many events were stored (0 when another process holds the turn).
 */
export async function materializeEvents(db: Kysely<DB>, opts: { now: Date; deadlines: boolean }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryLockMaterializer(trx))) return 0;
    let stored = 0;
    // A bounded number of rounds keeps the transaction short; the next run goes on from there.
    for (let round = 0; round < 10; round++) {
      const figures = await figureEvents(trx);
      stored += await insertEvents(trx, figures.events);
      if (figures.cursor !== null) await setSourceCursor(trx, 'figure_changes', figures.cursor);
      const audit = await auditEvents(trx);
      stored += await insertEvents(trx, audit.events);
      await dropQueuedAuditEntries(trx, audit.done);
      if (figures.events.length === 0 && audit.done.length === 0) break;
    }
    if (opts.deadlines) stored += await insertEvents(trx, await deadlineEvents(trx, opts.now));
    return stored;
  });
}
