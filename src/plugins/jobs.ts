import fp from 'fastify-plugin';
import { failAbandonedJobs } from '../modules/jobs/repository.js';
import { JobRunner, type StoredProblem } from '../modules/jobs/runner.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobRunner;
  }
}

const INTERRUPTED: StoredProblem = { code: 'JOB_INTERRUPTED', params: {}, errors: [] };

/**
 * Background pushes: one runner per process, drained on shutdown. At start-up, jobs whose
 * process died are marked failed (their push rolled back). On PGlite no other process can
 * hold the database, so every leftover job is abandoned; on a server, another instance's
 * job gets a minute to take its lock.
 */
export default fp(
  async (app) => {
    const runner = new JobRunner(app.database.db, app.log);
    app.decorate('jobs', runner);
    app.addHook('onReady', async () => {
      const failed = await failAbandonedJobs(app.database.db, INTERRUPTED, app.database.pglite ? 0 : 60);
      if (failed > 0) app.log.warn({ failed }, 'push jobs interrupted by a previous stop were marked failed');
    });
    app.addHook('onClose', () => runner.drain());
  },
  { name: 'jobs', dependencies: ['db'] },
);
