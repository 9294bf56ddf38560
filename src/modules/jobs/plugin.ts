import fp from 'fastify-plugin';
import type { JobConfig } from '../../config.js';
import { JobWorker, type JobHandler } from './worker-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobWorker;
  }
}

/**
 * Durable jobs: one worker per process, handed the handler of each kind of job by app.ts. It
 * starts once the app is ready and, on close, stops claiming and finishes or gives back what it runs.
 */
export default fp(
  async (app, opts: JobConfig & { handlers: Record<string, JobHandler> }) => {
    const { handlers, ...settings } = opts;
    const worker = new JobWorker(app.database, settings, handlers, app.log);
    app.decorate('jobs', worker);
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', () => worker.stop());
  },
  { name: 'jobs', dependencies: ['db'] },
);
