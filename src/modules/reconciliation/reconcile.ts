import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { versionIndicators } from '../anomalies/repository.js';
import { DEFAULT_POLICY, policyFor, type Candidate, type ScopedPolicy } from './policy.js';
import {
  candidatesForVersion,
  conflictsForVersion,
  currentFiguresForVersion,
  FIRST_KEY,
  keyString,
  loadPolicies,
  lockIndicators,
  nextRangeEnd,
  publishCandidates,
  saveConflicts,
  versionKeyCount,
  writeFigures,
  type FigureWrite,
  type KeyRange,
} from './repository.js';
import { changeKind, settle, SYSTEM_DECIDER, type PriorConflict } from './settle.js';

export interface PublishProgress {
  keys_done: number;
  keys_total: number;
}

export interface ReconcileOptions {
  /** Keys reconciled per slice: what bounds the memory and each statement's work. */
  chunkKeys?: number | undefined;
  /** Called (and awaited) after each slice, inside the publishing transaction. */
  onProgress?: ((p: PublishProgress) => void | Promise<void>) | undefined;
}

export interface Reconciliation {
  keys: number;
  conflicts: number;
  changed: number;
}

/** Earlier published versions of the dataset, and how many of their keys the version takes over. */
export type Supersession = { version: number; keys: number }[];

export const DEFAULT_CHUNK_KEYS = 20_000;

/**
 * Runs when a version is published, in the publishing transaction: every key it covers is
 * compared with every other agency's latest published figure, conflicts are opened, kept or
 * closed under the indicator's policy, and the figures served change with their history.
 * Set-based, a slice of keys at a time: a handful of statements per slice, each an index range
 * of the version's keys, so memory and statement time stay bounded whatever the version's size
 * and however many versions came before.
 */
export async function reconcileVersion(db: Kysely<DB>, versionId: string, options: ReconcileOptions = {}): Promise<Reconciliation & { supersedes: Supersession }> {
  const indicators = (await versionIndicators(db, versionId)).map((i) => i.code);
  // Publications of other indicators go on meanwhile; those of the same indicators wait.
  await lockIndicators(db, indicators);
  const policies = await loadPolicies(db, indicators);
  const total = await versionKeyCount(db, versionId);
  const size = options.chunkKeys ?? DEFAULT_CHUNK_KEYS;
  const superseded = new Map<number, number>();
  const sum: Reconciliation = { keys: 0, conflicts: 0, changed: 0 };
  for (let after = FIRST_KEY, upto; (upto = await nextRangeEnd(db, versionId, after, size)); after = upto) {
    const range = { after, upto };
    for (const s of await publishCandidates(db, versionId, range)) superseded.set(s.version, (superseded.get(s.version) ?? 0) + s.keys);
    const slice = await reconcileRange(db, versionId, range, policies);
    sum.keys += slice.keys;
    sum.conflicts += slice.conflicts;
    sum.changed += slice.changed;
    await options.onProgress?.({ keys_done: sum.keys, keys_total: total });
  }
  return { ...sum, supersedes: [...superseded].sort(([a], [b]) => a - b).map(([version, keys]) => ({ version, keys })) };
}

async function reconcileRange(db: Kysely<DB>, versionId: string, range: KeyRange, policies: Map<string, ScopedPolicy[]>): Promise<Reconciliation> {
  const candidates = await candidatesForVersion(db, versionId, range);
  const priorConflicts = await conflictsForVersion(db, versionId, range);
  const current = await currentFiguresForVersion(db, versionId, range);
  const settled = candidates.map((key) => {
    const id = keyString(key);
    const prior = priorConflicts.get(id);
    const outcome = settle(
      key.candidates,
      policyFor(policies.get(key.indicator_code)!, key.region_code)?.policy ?? DEFAULT_POLICY,
      prior && { status: prior.status, candidates: prior.candidates as Candidate[], resolution: prior.resolution as PriorConflict['resolution'] },
      current.get(id),
    );
    return { key, id, prior, outcome };
  });
  const conflictIds = await saveConflicts(
    db,
    settled.flatMap(({ key, outcome }) => (outcome.conflict ? [{ key, state: outcome.conflict }] : [])),
  );
  const writes: FigureWrite[] = settled.flatMap(({ key, id, prior, outcome }) =>
    outcome.figure
      ? [
          {
            key,
            kind: changeKind(current.get(id), outcome.figure),
            state: {
              status: outcome.figure.status,
              value: outcome.figure.value,
              method: outcome.figure.method,
              sourceVersionId: outcome.figure.source?.version_id ?? null,
              conflictId: conflictIds.get(id) ?? prior?.id ?? null,
              rationale: outcome.figure.rationale,
              decidedBy: outcome.figure.status === 'final' ? SYSTEM_DECIDER : null,
            },
          },
        ]
      : [],
  );
  await writeFigures(db, writes);
  return { keys: candidates.length, conflicts: settled.filter((s) => s.outcome.conflict?.status === 'open').length, changed: writes.length };
}
