import t from 'tap';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../src/db/schema.js';
import type { PushProgress, PushReport } from '../../../src/modules/versions/ingest.js';
import { JobRunner } from '../../../src/modules/versions/job-runner.js';
import { openTestDatabase } from '../../helpers/database.js';

const progress = (rows_read: number, errors = 0): PushProgress => ({ rows_read, accepted: rows_read - errors, errors, warnings: 0 });

t.test('a job\'s progress never goes back, though a push that met a repeated key is read again from its start', async (t) => {
  const database = await openTestDatabase(t);
  const runner = new JobRunner(database.db as Kysely<DB>, { error: () => {}, warn: () => {} } as unknown as FastifyBaseLogger);
  let report!: (p: PushProgress) => void;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // No such job row: finishing it updates nothing, which is all this test needs.
  const id = '00000000-0000-0000-0000-00000000abcd';
  runner.start(
    id,
    async (onProgress) => {
      report = onProgress;
      await finished;
      return { version: 1 } as PushReport;
    },
    async () => {},
  );
  t.same(runner.progress(id), progress(0), 'a job starts at nothing read');
  report(progress(5000));
  report(progress(10000));
  t.same(runner.progress(id), progress(10000));
  report(progress(5000, 1));
  t.same(runner.progress(id), progress(10000), 'the second reading shows nothing until it passes the first');
  report(progress(15000, 1));
  t.same(runner.progress(id), progress(15000, 1), 'then it goes on with what it found');
  finish();
  await runner.drain();
  t.equal(runner.progress(id), undefined, 'an ended job is no longer live');
});
