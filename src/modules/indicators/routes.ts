import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { principalOf } from '../../plugins/auth.js';
import { nationalWriters } from '../../domain/principal.js';
import { findIndicator, listIndicators } from './repository.js';
import { Indicator, IndicatorCode, IndicatorCreate, IndicatorListQuery, IndicatorPage, IndicatorPatch } from './schemas.js';
import { createIndicator, patchIndicator, presentIndicator } from './service.js';

const CodeParams = Type.Object({ code: IndicatorCode });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Indicators'],
        operationId: 'listIndicators',
        summary: 'List the indicator catalogue',
        description:
          'The catalogue: the 15 IKESOS indicators and the 26 PPKS categories to start with, each with measure, unit, valid range, direction, dimension, source agency kinds, periodicity, allowed disaggregations and MS-Ind metadata.',
        querystring: IndicatorListQuery,
        response: { 200: IndicatorPage },
      },
    },
    async (request) => {
      const { group, dimension, source_agency_kind, limit = 100, cursor } = request.query;
      const rows = await listIndicators(db, { group, dimension, sourceAgencyKind: source_agency_kind, after: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.code, presentIndicator);
    },
  );

  app.get(
    '/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Indicators'],
        operationId: 'getIndicator',
        summary: 'Get one indicator',
        description: 'One catalogue entry with its Satu Data standard fields and MS-Ind metadata.',
        params: CodeParams,
        response: { 200: Indicator },
      },
    },
    async (request) => {
      const row = await findIndicator(db, request.params.code);
      if (!row) throw new AppError('INDICATOR_NOT_FOUND', { code: request.params.code });
      return presentIndicator(row);
    },
  );

  app.post(
    '',
    {
      config: { access: nationalWriters('katalog indikator / indicator catalogue') },
      schema: {
        tags: ['Indicators'],
        operationId: 'createIndicator',
        summary: 'Add an indicator to the catalogue',
        description:
          'National walidata or admin (the catalogue is national reference data). Every code the entry names must exist in its codelist (422 REFERENCE_INVALID otherwise); an existing code → 409 INDICATOR_CODE_TAKEN. The value type follows from the measure. Audited.',
        body: IndicatorCreate,
        response: { 201: withHeaders(Indicator, RESPONSE_HEADERS.location('the new indicator')), 409: problem('Code already in use (INDICATOR_CODE_TAKEN).'), 422: problem('A code it names does not exist, or fields contradict each other (REFERENCE_INVALID).') },
      },
    },
    async (request, reply) => {
      const created = await createIndicator(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/indicators/${created.code}`).send(created);
    },
  );

  app.patch(
    '/:code',
    {
      config: { access: nationalWriters('katalog indikator / indicator catalogue') },
      schema: {
        tags: ['Indicators'],
        operationId: 'updateIndicator',
        summary: 'Change an indicator',
        description:
          'National walidata or admin. Only the fields sent change; metadata fields merge. The result is checked like a new entry (422 REFERENCE_INVALID). The audit log keeps the before and after.',
        params: CodeParams,
        body: IndicatorPatch,
        response: { 200: Indicator, 422: problem('A code it names does not exist, or fields contradict each other (REFERENCE_INVALID).') },
      },
    },
    async (request) => patchIndicator(db, principalOf(request), request.id, request.params.code, request.body),
  );
};

export default routes;
