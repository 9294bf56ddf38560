import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from '../../migrations/index.js';
import type { Database } from './create-db.js';
import type { DB } from './schema.js';

export interface MigrationOutcome {
  applied: string[];
  durationMs: number;
}

/**
 * Brings the schema to the latest version. Kysely takes a Postgres advisory lock for the
 * run, so two instances starting together apply each migration exactly once. `engine` is the
 * Database `db` belongs to, when its engine can bulk-load reference data faster.
 */
export async function migrateToLatest(db: Kysely<DB>, engine: Pick<Database, 'copyFromBlob'> = {}): Promise<MigrationOutcome> {
  const started = performance.now();
  const migrator = new Migrator({ db, provider: migrationProvider({ copyFromBlob: engine.copyFromBlob }) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed`, { cause: error });
  }
  return {
    applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    durationMs: Math.round(performance.now() - started),
  };
}
