import fp from 'fastify-plugin';
import { ChangeSignals } from '../db/change-signals.js';
import { StatisticsUpkeep } from '../db/table-statistics.js';
import type { Database } from '../db/create-db.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    /** When watched tables last changed, for what routes keep in memory. */
    changes: ChangeSignals;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Makes the database available to routes; its lifetime belongs to whoever created it. */
export default fp(
  async (app, opts: { database: Database; analyzeIntervalMs: number }) => {
    app.decorate('database', opts.database);
    const statistics = new StatisticsUpkeep(opts.database.db, opts.analyzeIntervalMs, app.log);
    app.addHook('onReady', async () => statistics.start());
    app.addHook('onClose', () => statistics.stop());
    const changes = new ChangeSignals(opts.database, app.log);
    await changes.start();
    app.decorate('changes', changes);
    app.addHook('onClose', () => changes.stop());
    // A write through this process has committed by the time its response goes out (a job's
    // only later, when its notification does the same), and the caller's next read must see
    // it: the response waits until the write's own notifications are in, which then drop
    // exactly what it changed. Public routes (the token endpoint) change nothing a cache holds.
    app.addHook('onSend', async (request, reply) => {
      if (READS.has(request.method) || reply.statusCode >= 400 || request.routeOptions.config.access === 'public') return;
      await changes.flush();
    });
  },
  { name: 'db' },
);
