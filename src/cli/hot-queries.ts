import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { expectedCells, versionQuality } from '../modules/cycles/repository.js';
import { figureSeries, figuresState, listChanges, listFigures } from '../modules/figures/repository.js';
import { officialScores, scoreListInputs, scoringFigures, selectedRegions } from '../modules/ikesos/repository.js';
import { candidatesForVersion, conflictsForVersion, currentFiguresForVersion, nextRangeEnd, publishCandidates, writeFigures } from '../modules/reconciliation/repository.js';

/** One call of a repository function, with fixed arguments, whose statements are snapshotted. */
export interface HotQuery {
  /** The function's name. */
  name: string;
  /** Its arguments after the database, as the snapshot's comment shows them. */
  args: readonly unknown[];
  run: (db: Kysely<DB>) => Promise<unknown>;
}

function call<A extends unknown[]>(fn: (db: Kysely<DB>, ...args: A) => Promise<unknown>, ...args: A): HotQuery {
  return { name: fn.name, args, run: (db) => fn(db, ...args) };
}

// Fixed ids: the statements' text does not depend on them, but the comments show them.
const VERSION = '00000000-0000-4000-8000-000000000001';
const CYCLE = '00000000-0000-4000-8000-000000000002';
const AGENCY = '00000000-0000-4000-8000-000000000003';
const KALTARA = '65';
const TARAKAN = '65.71';
const KABKOTA = 2;
const SLICE = {
  after: { indicator_code: 'IKS-01', region_code: '65.01', period: '2025', disagg_key: '' },
  upto: { indicator_code: 'IKS-02', region_code: TARAKAN, period: '2025', disagg_key: '' },
};

/**
 * The statements behind the pages and jobs that carry the load, by repository: the figures
 * pull and change feed, reconciliation of a published version, the compliance report and
 * IKESOS scores. Each call runs in a transaction that is rolled back, on the migrated, empty
 * database. A function that builds its statement from its arguments is called once per shape
 * that matters (consumer or not, filtered or not, first or later page).
 */
export const HOT_QUERIES: Record<string, readonly HotQuery[]> = {
  figures: [
    // A consumer's first page: the kab/kota of a province for a year (README's pull example).
    call(listFigures, { within: KALTARA, level: KABKOTA, period: '2025', hideClosed: true, limit: 100 }),
    // A later page for a producer or walidata: some indicators over a period range, as served at an instant.
    call(listFigures, {
      indicators: ['IKS-01', 'IKS-02'],
      periodFrom: '2023',
      periodTo: '2025',
      asOf: '2026-01-01T00:00:00.000Z',
      hideClosed: false,
      limit: 100,
      after: ['IKS-01', '2024', TARAKAN, ''],
    }),
    call(figureSeries, { indicators: ['IKS-01'], region: TARAKAN, totalOnly: true, hideClosed: true }),
    call(figuresState),
    call(listChanges, { since: '0', limit: 500, hideClosed: false }),
    call(listChanges, { since: '0', limit: 500, hideClosed: false, indicators: ['IKS-01'] }),
    call(listChanges, { since: '0', limit: 500, hideClosed: true }),
    call(listChanges, { since: '0', limit: 500, hideClosed: true, indicators: ['IKS-01'] }),
  ],
  reconciliation: [
    // One slice of a version's keys, as reconcile.ts takes them.
    call(nextRangeEnd, VERSION, SLICE.after, 20_000),
    call(publishCandidates, VERSION, SLICE),
    call(candidatesForVersion, VERSION, SLICE),
    call(conflictsForVersion, VERSION, SLICE),
    call(currentFiguresForVersion, VERSION, SLICE),
    call(writeFigures, [
      {
        key: { indicator_code: 'IKS-01', region_code: TARAKAN, period: '2025', disagg_key: '', disagg: {}, candidates: [] },
        state: { status: 'final', value: '12.5', method: 'single-source', sourceVersionId: null, conflictId: null, rationale: null, decidedBy: null },
        kind: 'new',
      },
    ]),
  ],
  cycles: [
    call(expectedCells, CYCLE),
    call(expectedCells, CYCLE, AGENCY),
    // Midnight WITA of the cycle's opening day.
    call(versionQuality, CYCLE, new Date('2025-12-31T16:00:00.000Z')),
  ],
  ikesos: [
    call(scoreListInputs, { indicators: ['IKS-01', 'IKS-02', 'IKS-03'], selection: { level: KABKOTA }, period: '2025', asOf: undefined, hideClosed: false }),
    call(scoreListInputs, { indicators: ['IKS-01', 'IKS-02', 'IKS-03'], selection: { level: KABKOTA, within: KALTARA }, period: '2025', asOf: '2026-01-01T00:00:00.000Z', hideClosed: true }),
    call(selectedRegions, { level: KABKOTA, within: KALTARA }),
    call(selectedRegions, { region: TARAKAN }),
    call(scoringFigures, { indicators: ['IKS-01', 'IKS-02', 'IKS-03'], regions: ['65.01', TARAKAN], period: '2025', asOf: undefined, hideClosed: false }),
    call(scoringFigures, { indicators: ['IKS-01', 'IKS-02', 'IKS-03'], regions: ['65.01', TARAKAN], period: '2025', asOf: '2026-01-01T00:00:00.000Z', hideClosed: true }),
    call(officialScores, ['65.01', TARAKAN], '2025', undefined),
    call(officialScores, ['65.01', TARAKAN], '2025', '2026-01-01T00:00:00.000Z'),
  ],
};
