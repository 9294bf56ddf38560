import fp from 'fastify-plugin';
import { JobRunner } from './job-runner.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobRunner;
  }
}

/** Background pushes: one runner per app, drained on shutdown so running jobs can finish. */
export default fp(
  async (app) => {
    const runner = new JobRunner(app.database.db, app.log);
    app.decorate('jobs', runner);
    app.addHook('onClose', () => runner.drain());
  },
  { name: 'jobs', dependencies: ['db'] },
);
