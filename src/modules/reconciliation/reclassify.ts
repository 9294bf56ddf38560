import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { consumerVisibilityOfDatasetFigures, lockAllIndicators, refreshConsumerVisibility, unchangedRewrites, writeFigures } from './repository.js';

/** The figures whose consumer visibility differs between two readings (figure id → visible). */
function flippedFigures(before: ReadonlyMap<string, boolean>, after: ReadonlyMap<string, boolean>): string[] {
  return [...after].filter(([id, visible]) => before.has(id) && before.get(id) !== visible).map(([id]) => id);
}

/**
 * Runs `reclassify` (a change of the dataset's access classification) in the caller's
 * transaction, and writes again, unchanged, every current figure the dataset supports whose
 * visibility to consumers it flipped (to or from `tertutup`). Changing a classification
 * writes no figure by itself, so without this a consumer syncing from the change feed would
 * keep a value /v1/figures no longer serves it, and never receive one it now may see. The
 * rewrite goes through writeFigures like every other figure change: the new entry reaches
 * consumers as `withdrawn` or with the figure, and stands in for the figure's earlier entry
 * (see listChanges). The feed entries of the dataset's past figures learn the new visibility
 * too, so a replay from the start shows a consumer nothing of a dataset closed since. The
 * dataset's figures may be of any indicator: no publication may rewrite them meanwhile.
 */
export async function reannounceReclassified<T>(db: Kysely<DB>, datasetId: string, reclassify: () => Promise<T>): Promise<T> {
  await lockAllIndicators(db);
  const before = await consumerVisibilityOfDatasetFigures(db, datasetId);
  const result = await reclassify();
  await refreshConsumerVisibility(db, datasetId);
  const after = await consumerVisibilityOfDatasetFigures(db, datasetId);
  await writeFigures(db, await unchangedRewrites(db, flippedFigures(before, after)));
  return result;
}
