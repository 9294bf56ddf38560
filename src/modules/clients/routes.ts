import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { principalOf } from '../../plugins/auth.js';
import { AgencyCode } from '../agencies/schemas.js';
import { ADMIN_ONLY, ROLES } from '../../domain/principal.js';
import { findClient, listClients } from './repository.js';
import { createClient, disable, presentClient, rotateSecret } from './service.js';

const example = {
  client_id: 'sde-producer-3f9a0c1d2b4e5f60',
  name: 'SIKS Dinas Sosial Kota Tarakan',
  role: 'producer',
  agency: 'DINSOS-6571',
  status: 'active',
  created_at: '2026-01-05T02:00:00.000Z',
  disabled_at: null,
  last_token_at: null,
  secret_rotated_at: '2026-01-05T02:00:00.000Z',
};

const Client = Type.Object(
  {
    client_id: Type.String(),
    name: Type.String(),
    role: Type.Enum([...ROLES]),
    agency: Type.Union([Type.String(), Type.Null()], { description: 'Agency code the client acts for (required for producers).' }),
    status: Type.Enum(['active', 'disabled']),
    created_at: Type.String({ format: 'date-time' }),
    disabled_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    last_token_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    secret_rotated_at: Type.String({ format: 'date-time', description: 'Tokens issued before this moment are refused.' }),
  },
  { title: 'Client', examples: [example] },
);

const ClientWithSecret = Type.Object(
  {
    client: Client,
    client_secret: Type.String({ description: 'Shown this once and never again; store it in a secret manager.' }),
  },
  { title: 'ClientWithSecret', examples: [{ client: example, client_secret: 'q3J9n0yXw6s1b2k4ZpR8tLmV5cHdE7aF0uGiOjYxKzA' }] },
);

const ClientCreate = Type.Object(
  {
    name: Type.String({ minLength: 3, maxLength: 200, description: 'Who or what uses it, e.g. the agency system.' }),
    role: Type.Enum([...ROLES]),
    agency: Type.Optional({ ...AgencyCode, description: 'Agency code; required for producers, optional for walidata and consumers.' }),
  },
  {
    title: 'ClientCreate',
    additionalProperties: false,
    examples: [{ name: 'SIKS Dinas Sosial Kota Tarakan', role: 'producer', agency: 'DINSOS-6571' }],
  },
);

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,64}$', examples: ['sde-producer-3f9a0c1d2b4e5f60'] }) });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;
  const access = ADMIN_ONLY;

  app.get(
    '',
    {
      config: { access },
      schema: {
        tags: ['Clients'],
        operationId: 'listClients',
        summary: 'List clients',
        description: 'Admin only. Machine clients with role, agency and status; secrets are never shown.',
        querystring: Type.Object(
          {
            role: Type.Optional(Type.Enum([...ROLES])),
            agency: Type.Optional(AgencyCode),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Client, 'Clients ordered by id.', [{ data: [example], page: { next_cursor: null, limit: 100 } }]) },
      },
    },
    async (request) => {
      const { role, agency, limit = 100, cursor } = request.query;
      const rows = await listClients(db, { role, agency, after: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.id, presentClient);
    },
  );

  app.get(
    '/:id',
    {
      config: { access },
      schema: {
        tags: ['Clients'],
        operationId: 'getClient',
        summary: 'Get one client',
        description: 'Admin only.',
        params: IdParams,
        response: { 200: Client },
      },
    },
    async (request) => {
      const row = await findClient(db, request.params.id);
      if (!row) throw new AppError('CLIENT_NOT_FOUND', { id: request.params.id });
      return presentClient(row);
    },
  );

  app.post(
    '',
    {
      config: { access },
      schema: {
        tags: ['Clients'],
        operationId: 'createClient',
        summary: 'Create a client',
        description: 'Admin only. Returns the new client and its secret, which is shown this once. A producer must name an existing agency (422 otherwise). Audited.',
        body: ClientCreate,
        response: { 201: withHeaders(ClientWithSecret, RESPONSE_HEADERS.location('the new client')), 422: problem('Unknown agency, or a producer without one (REFERENCE_INVALID).') },
      },
    },
    async (request, reply) => {
      const created = await createClient(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/clients/${created.client.client_id}`).header('cache-control', 'no-store').send(created);
    },
  );

  app.post(
    '/:id/disable',
    {
      config: { access },
      schema: {
        tags: ['Clients'],
        operationId: 'disableClient',
        summary: 'Disable a client',
        description: 'Admin only. The client can no longer get tokens, and its existing tokens stop working at once. The last active admin cannot be disabled (409). Audited.',
        params: IdParams,
        response: { 200: Client, 409: problem('Already disabled (CLIENT_ALREADY_DISABLED) or the last active admin (LAST_ACTIVE_ADMIN).') },
      },
    },
    async (request) => disable(db, principalOf(request), request.id, request.params.id),
  );

  app.post(
    '/:id/rotate-secret',
    {
      config: { access },
      schema: {
        tags: ['Clients'],
        operationId: 'rotateClientSecret',
        summary: 'Rotate a client secret',
        description: 'Admin only. Issues a new secret (shown once); the old secret and every token issued before now stop working. Audited (without the secret).',
        params: IdParams,
        response: { 200: ClientWithSecret },
      },
    },
    async (request, reply) => {
      const rotated = await rotateSecret(db, principalOf(request), request.id, request.params.id);
      return reply.header('cache-control', 'no-store').send(rotated);
    },
  );
};

export default routes;
