import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { WRITERS_OF_REFERENCE } from '../../domain/principal.js';
import { listAudit } from './repository.js';
import { AuditEntry, auditExample as example, presentAudit } from './schemas.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Audit'],
        operationId: 'listAuditLog',
        summary: 'Read the audit log',
        description: 'Walidata or admin. Every change with who made it, when, and the state before and after; newest first. Secrets are never recorded.',
        querystring: Type.Object(
          {
            entity_type: Type.Optional(Type.String({ maxLength: 64, examples: ['indicator'] })),
            entity_id: Type.Optional(Type.String({ maxLength: 200, examples: ['PPKS-06'] })),
            actor_id: Type.Optional(Type.String({ maxLength: 128 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AuditEntry, 'Audit entries, newest first.', [{ data: [example], page: { next_cursor: null, limit: 100 } }]) },
      },
    },
    async (request) => {
      const { entity_type, entity_id, actor_id, limit = 100, cursor } = request.query;
      const before = decodeCursor(cursor);
      const rows = await listAudit(app.database.db, { entityType: entity_type, entityId: entity_id, actorId: actor_id, before, limit });
      return paginate(rows, limit, (r) => r.id, presentAudit);
    },
  );
};

export default routes;
