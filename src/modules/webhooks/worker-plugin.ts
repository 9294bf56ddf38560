import fp from 'fastify-plugin';
import type { WebhookConfig } from '../../config.js';
import { WebhookWorker } from './delivery-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookWorker;
  }
}

/** Webhook deliveries: one worker per process; its loop runs when configured, and stops on close. */
export default fp(
  async (app, opts: WebhookConfig) => {
    const worker = new WebhookWorker(app.database.db, { ...opts, batch: 20, deadlineEveryMs: 10 * 60_000 }, { log: app.log });
    app.decorate('webhooks', worker);
    if (opts.worker) app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', () => worker.stop());
  },
  { name: 'webhooks', dependencies: ['db'] },
);
