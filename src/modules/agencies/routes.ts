import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { principalOf } from '../../plugins/auth.js';
import { outsideJurisdictionResponse as outsideJurisdiction } from '../authority/authority.js';
import { WRITERS_OF_REFERENCE } from '../../domain/principal.js';
import { findAgency, listAgencies } from './repository.js';
import { Agency, AgencyCode, AgencyCreate, AgencyListQuery, AgencyPage, AgencyPatch } from './schemas.js';
import { createAgency, patchAgency, presentAgency } from './service.js';

const CodeParams = Type.Object({ code: AgencyCode });
const invalidReference = problem('Unknown agency kind or jurisdiction region (REFERENCE_INVALID).');

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Agencies'],
        operationId: 'listAgencies',
        summary: 'List agencies',
        description: 'Registered agencies (OPD), filtered by kind or by a region their jurisdiction lies in.',
        querystring: AgencyListQuery,
        response: { 200: AgencyPage },
      },
    },
    async (request) => {
      const { kind, within, limit = 100, cursor } = request.query;
      const rows = await listAgencies(db, { kind, within, after: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.code, presentAgency);
    },
  );

  app.get(
    '/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Agencies'],
        operationId: 'getAgency',
        summary: 'Get one agency',
        description: 'An agency with its kind and jurisdiction.',
        params: CodeParams,
        response: { 200: Agency },
      },
    },
    async (request) => {
      const row = await findAgency(db, request.params.code);
      if (!row) throw new AppError('AGENCY_NOT_FOUND', { code: request.params.code });
      return presentAgency(row);
    },
  );

  app.post(
    '',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Agencies'],
        operationId: 'createAgency',
        summary: 'Register an agency',
        description:
          'Walidata or admin, for a jurisdiction inside the walidata\'s own (403 OUTSIDE_JURISDICTION otherwise; a walidata without an agency is national). The kind must be in codelist agency-kinds and the jurisdiction an existing region (422 otherwise); an existing code → 409 AGENCY_CODE_TAKEN. Audited.',
        body: AgencyCreate,
        response: { 201: withHeaders(Agency, RESPONSE_HEADERS.location('the new agency')), 403: outsideJurisdiction, 409: problem('Code already in use (AGENCY_CODE_TAKEN).'), 422: invalidReference },
      },
    },
    async (request, reply) => {
      const created = await createAgency(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/agencies/${created.code}`).send(created);
    },
  );

  app.patch(
    '/:code',
    {
      config: { access: WRITERS_OF_REFERENCE },
      schema: {
        tags: ['Agencies'],
        operationId: 'updateAgency',
        summary: 'Change an agency',
        description: 'Walidata or admin, for an agency whose jurisdiction lies inside the walidata\'s own, and only to a jurisdiction still inside it (403 OUTSIDE_JURISDICTION); a walidata never changes its own agency\'s jurisdiction (403 OWN_JURISDICTION_LOCKED: the region above decides). Name, kind or jurisdiction; the code is permanent. A change of jurisdiction needs a `reason` (400 otherwise). Audited with before and after (and the reason).',
        params: CodeParams,
        body: AgencyPatch,
        response: { 200: Agency, 403: outsideJurisdiction, 404: problem('No such agency (AGENCY_NOT_FOUND).'), 422: invalidReference },
      },
    },
    async (request) => patchAgency(db, principalOf(request), request.id, request.params.code, request.body),
  );
};

export default routes;
