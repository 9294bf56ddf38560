import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { WRITERS_OF_REFERENCE } from '../auth/principal.js';
import { listAudit } from './repository.js';

const example = {
  id: '42',
  at: '2026-01-05T02:00:00.000Z',
  actor_id: 'sde-walidata-0a1b2c3d4e5f6071',
  actor_role: 'walidata',
  actor_agency: 'DISKOMINFO-6571',
  action: 'indicator.updated',
  entity_type: 'indicator',
  entity_id: 'PPKS-06',
  before: { valid_max: null },
  after: { valid_max: 5000 },
  request_id: '8f0c2c1e-6c1b-4a43-9f7e-0d6a3c9b1f20',
};

const AuditEntry = Type.Object({
  id: Type.String({ description: 'Monotonic sequence number (as text: it may exceed 2^53).' }),
  at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  actor_role: Type.Union([Type.String(), Type.Null()]),
  actor_agency: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'What happened, e.g. indicator.updated, agency.created, client.disabled.' }),
  entity_type: Type.String(),
  entity_id: Type.String(),
  before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
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
      return paginate(rows, limit, (r) => r.id, (r) => ({ ...r, at: r.at.toISOString() }));
    },
  );
};

export default routes;
