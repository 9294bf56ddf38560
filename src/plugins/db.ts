import fp from 'fastify-plugin';
import type { Database } from '../db/create-db.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
  }
}

/** Makes the database available to routes; its lifetime belongs to whoever created it. */
export default fp(
  async (app, opts: { database: Database }) => {
    app.decorate('database', opts.database);
  },
  { name: 'db' },
);
