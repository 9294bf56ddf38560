import type { Migration, MigrationProvider } from 'kysely';
import type { CopyFromBlob } from './reference-files.js';
import * as m0001 from './0001_init.js';
import * as m0002 from './0002_reference_data.js';
import * as m0003 from './0003_datasets.js';
import * as m0004 from './0004_idempotency_keys.js';
import * as m0005 from './0005_review_and_anomalies.js';
import * as m0006 from './0006_push_jobs.js';
import * as m0007 from './0007_reconciliation.js';
import * as m0008 from './0008_cycles.js';
import * as m0009 from './0009_ikesos.js';
import * as m0010 from './0010_cycle_closed_at.js';
import * as m0011 from './0011_observations_bulk_ingest.js';
import * as m0012 from './0012_change_notifications.js';
import * as m0013 from './0013_regional_reconciliation_policies.js';
import * as m0014 from './0014_claim_owners.js';
import * as m0015 from './0015_dhis2_mappings.js';
import * as m0016 from './0016_webhooks.js';
import * as m0017 from './0017_indicator_definitions.js';
import * as m0018 from './0018_report_letterheads.js';
import * as m0019 from './0019_change_feed_rows.js';
import * as m0020 from './0020_published_candidates.js';
import * as m0022 from './0022_scoped_change_notifications.js';
import * as m0021 from './0021_durable_jobs.js';
import * as m0023 from './0023_change_feed_entries.js';

/** Static list so bundling or compiling never changes which migrations run, or their order. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_reference_data': m0002,
  '0003_datasets': m0003,
  '0004_idempotency_keys': m0004,
  '0005_review_and_anomalies': m0005,
  '0006_push_jobs': m0006,
  '0007_reconciliation': m0007,
  '0008_cycles': m0008,
  '0009_ikesos': m0009,
  '0010_cycle_closed_at': m0010,
  '0011_observations_bulk_ingest': m0011,
  '0012_change_notifications': m0012,
  '0013_regional_reconciliation_policies': m0013,
  '0014_claim_owners': m0014,
  '0015_dhis2_mappings': m0015,
  '0016_webhooks': m0016,
  '0017_indicator_definitions': m0017,
  '0018_report_letterheads': m0018,
  '0019_change_feed_rows': m0019,
  '0020_published_candidates': m0020,
  '0022_scoped_change_notifications': m0022,
  '0021_durable_jobs': m0021,
  '0023_change_feed_entries': m0023,
};

/** The migrations, with the bulk loading an engine offers (see 0002). */
export function migrationProvider(options: { copyFromBlob?: CopyFromBlob } = {}): MigrationProvider {
  const referenceData: Migration = { up: (db) => m0002.up(db, options.copyFromBlob) };
  return { getMigrations: async () => ({ ...migrations, '0002_reference_data': referenceData }) };
}
