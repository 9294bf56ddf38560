import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { versionIndicators } from '../anomalies/repository.js';
import { DEFAULT_POLICY, policyFor, type Candidate } from './policy.js';
import {
  candidatesForVersion,
  conflictsForVersion,
  currentFiguresForVersion,
  keyString,
  loadPolicies,
  lockFigureWriters,
  saveConflicts,
  writeFigures,
  type FigureWrite,
} from './repository.js';
import { changeKind, settle, SYSTEM_DECIDER, type PriorConflict } from './settle.js';

/**
 * Runs when a version is published, in the publishing transaction: every key it covers is
 * compared with every other agency's latest published figure, conflicts are opened, kept or
 * closed under the indicator's policy, and the figures served change with their history.
 * Set-based per indicator: a handful of statements whatever the number of keys.
 */
export async function reconcileVersion(db: Kysely<DB>, versionId: string): Promise<{ keys: number; conflicts: number; changed: number }> {
  await lockFigureWriters(db);
  const indicators = (await versionIndicators(db, versionId)).map((i) => i.code);
  const policies = await loadPolicies(db, indicators);
  let keys = 0;
  let conflicts = 0;
  let changed = 0;
  for (const indicator of indicators) {
    const scoped = policies.get(indicator)!;
    const candidates = await candidatesForVersion(db, versionId, indicator);
    const priorConflicts = await conflictsForVersion(db, versionId, indicator);
    const current = await currentFiguresForVersion(db, versionId, indicator);
    const settled = candidates.map((key) => {
      const id = keyString(key);
      const prior = priorConflicts.get(id);
      const outcome = settle(
        key.candidates,
        policyFor(scoped, key.region_code)?.policy ?? DEFAULT_POLICY,
        prior && { status: prior.status, candidates: prior.candidates as Candidate[], resolution: prior.resolution as PriorConflict['resolution'] },
        current.get(id),
      );
      return { key, id, prior, outcome };
    });
    const conflictIds = await saveConflicts(
      db,
      settled.flatMap(({ key, outcome }) => (outcome.conflict ? [{ key, state: outcome.conflict }] : [])),
    );
    conflicts += settled.filter((s) => s.outcome.conflict?.status === 'open').length;
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
    keys += candidates.length;
    changed += writes.length;
  }
  return { keys, conflicts, changed };
}
