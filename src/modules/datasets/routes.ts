import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../http/app-error.js';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { presentDataset } from './present.js';
import { listDatasets } from './repository.js';
import { Dataset, DatasetCreate, DatasetListQuery, DatasetPage, DatasetParams, DatasetPatch } from './schemas.js';
import { createDataset, patchDataset, visibleDataset } from './service.js';

const scopeForbidden = problem("Not the dataset owner's producer (AGENCY_SCOPE_FORBIDDEN); nothing was written.");

/** Keyset for "newest first": creation time, then id to break ties. */
function parseDatasetCursor(cursor: string | undefined) {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [at, id] = key.split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) throw new AppError('INVALID_CURSOR');
  return { at, id };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Datasets'],
        operationId: 'listDatasets',
        summary: 'List datasets',
        description:
          'Datasets newest first, filtered by owning agency, indicator or the status of the latest version. Walidata and admin see all; a producer its own agency\'s and open ones; a consumer open (terbuka) ones.',
        querystring: DatasetListQuery,
        response: { 200: DatasetPage },
      },
    },
    async (request) => {
      const { agency, indicator, status, limit = 100, cursor } = request.query;
      const rows = await listDatasets(db, principalOf(request), { agency, indicator, status, before: parseDatasetCursor(cursor), limit });
      return paginate(rows, limit, (r) => `${r.created_at.toISOString()}|${r.id}`, presentDataset);
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Datasets'],
        operationId: 'getDataset',
        summary: 'Get a dataset',
        description: 'A dataset with its metadata and latest version. Not visible to this token → 404.',
        params: DatasetParams,
        response: { 200: Dataset },
      },
    },
    async (request) => presentDataset(await visibleDataset(db, principalOf(request), request.params.id)),
  );

  app.post(
    '',
    {
      config: { access: ['producer'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'createDataset',
        summary: 'Create a dataset',
        description:
          "Producer only: the dataset belongs to the token's agency. The Satu Data dataset metadata (reference periods, update schedule, source, responsible institution, steward and contact, access classification) is checked on every push and scored for completeness; unknown indicators → 422. Audited.",
        body: DatasetCreate,
        response: { 201: withHeaders(Dataset, RESPONSE_HEADERS.location('the new dataset')), 422: problem('An indicator is not in the catalogue (REFERENCE_INVALID).') },
      },
    },
    async (request, reply) => {
      const created = await createDataset(db, principalOf(request), request.id, request.body);
      return reply.code(201).header('location', `/v1/datasets/${created.id}`).send(created);
    },
  );

  app.patch(
    '/:id',
    {
      config: { access: ['producer'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'updateDataset',
        summary: 'Change dataset metadata',
        description:
          'Producer of the owning agency only (403 AGENCY_SCOPE_FORBIDDEN otherwise). Only the fields sent change. Audited with before and after. Changing `access_classification` to or from `tertutup` re-announces, in the same transaction, every current figure the dataset supports whose visibility to consumers it changes: consumers syncing from GET /v1/figures/changes get it withdrawn, or delivered.',
        params: DatasetParams,
        body: DatasetPatch,
        response: { 200: Dataset, 403: scopeForbidden, 422: problem('An indicator is not in the catalogue (REFERENCE_INVALID).') },
      },
    },
    async (request) => patchDataset(db, principalOf(request), request.id, request.params.id, request.body),
  );
};

export default routes;
