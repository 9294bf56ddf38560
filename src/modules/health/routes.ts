import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';

const PING_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout exceeded when trying to connect')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Health'],
        operationId: 'live',
        summary: 'Liveness probe',
        description: 'Answers 200 while the process is running; does not touch the database.',
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Health'],
        operationId: 'ready',
        summary: 'Readiness probe',
        description:
          'Answers 200 when the database answers within 2 seconds, otherwise 503 (DATABASE_UNAVAILABLE). Recovers by itself when the database returns.',
        response: {
          200: Type.Object(
            { status: Type.Literal('ready'), database: Type.Enum(['postgres', 'pglite']) },
            { examples: [{ status: 'ready', database: 'postgres' }] },
          ),
        },
      },
    },
    async () => {
      try {
        await withTimeout(app.database.ping(), PING_TIMEOUT_MS);
      } catch (err) {
        app.log.warn({ err }, 'readiness check: database unreachable');
        throw new AppError('DATABASE_UNAVAILABLE');
      }
      return { status: 'ready' as const, database: app.database.kind };
    },
  );
};

export default routes;
