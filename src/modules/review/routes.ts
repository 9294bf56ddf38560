import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeCursor, paginate } from '../../http/pagination.js';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { prefersAsync } from '../../http/prefer.js';
import { principalOf } from '../../plugins/auth.js';
import { listAudit } from '../audit/repository.js';
import { AuditEntry, presentAudit } from '../audit/schemas.js';
import { DatasetParams } from '../datasets/schemas.js';
import { workingDataset } from '../datasets/service.js';
import { REVIEW_ACTIONS } from '../../domain/review-rules.js';
import { reviewVersion } from './service.js';
import { AcceptedPublicationSchema, ReviewResultSchema } from './schemas.js';
import { enqueuePublication } from './publish-job-service.js';
import { versionSize } from './publish-job-repository.js';

const ReviewParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  version: Type.Integer({ minimum: 1, maximum: 999_999_999 }),
});

const ReviewBody = Type.Object(
  {
    action: Type.Enum([...REVIEW_ACTIONS], {
      description: '`verify` (submitted → verified), `publish` (verified → published) or `return` (submitted or verified → returned, with a note).',
    }),
    note: Type.Optional(Type.String({ maxLength: 4000, description: 'Why; required for `return` (what the agency must fix).' })),
  },
  {
    title: 'ReviewAction',
    additionalProperties: false,
    examples: [{ action: 'return', note: 'Angka PPKS-06 Kecamatan Tarakan Barat 2025 melonjak 4 kali; mohon diperiksa ulang.' }, { action: 'verify' }],
  },
);

const routes: FastifyPluginAsyncTypebox<{ asyncKeys: number; publishChunkKeys: number }> = async (app, opts) => {
  const db = app.database.db;

  app.post(
    '/:id/versions/:version/review',
    {
      config: { access: ['walidata'] },
      schema: {
        tags: ['Review'],
        operationId: 'reviewVersion',
        summary: 'Verify, publish or return a version',
        description:
          "The Satu Data verification cycle, tiered by region. `verify`: a walidata of the agency's region or a region above it, not bound to the producing agency itself (submitted → verified). `publish`: a walidata of a region above the agency's (e.g. the province for a kab/kota agency; a walidata without an agency is national), not the one who verified (verified → published). Four eyes: the client that pushed a version never reviews it, and a walidata bound to the producing agency may return its data but not verify or publish it. `return`: either, with a mandatory note (→ returned; the agency pushes a corrected version, the returned one stays in history). Publishing is refused (409 VERSION_HAS_OPEN_ERRORS) while the version has error findings not yet explained or findings confirmed as errors. Only published versions feed reconciliation and the pull API; a newer published version supersedes the older one for the keys it covers. Producers may not review (403). Audited. A large publication (more observations than PUBLISH_ASYNC_KEYS), or one sent with `Prefer: respond-async`, is answered `202` with a job to poll (`Location: /v1/jobs/{id}`): its progress, then the result below, or the problem it was refused with; whichever service process is free runs it, and one whose process dies is run again by another with the same outcome.",
        params: ReviewParams,
        headers: Type.Object({
          Prefer: Type.Optional(Type.String({ description: '`respond-async` to run a publication as a job (202) whatever its size (RFC 7240); other actions ignore it.', examples: ['respond-async'] })),
        }),
        body: ReviewBody,
        response: {
          200: ReviewResultSchema,
          202: withHeaders(
            {
              description:
                'A publication of a version with more observations than PUBLISH_ASYNC_KEYS (default 100,000), or sent with `Prefer: respond-async`: it runs as a job; poll `Location` (GET /v1/jobs/{id}) for its progress and then the same result a synchronous publication returns, or the problem (403, 409…) it would have been refused with.',
              ...AcceptedPublicationSchema,
            },
            RESPONSE_HEADERS.location('the job to poll (GET /v1/jobs/{id})'),
            RESPONSE_HEADERS.preferenceApplied,
          ),
          403: problem('Not a walidata (FORBIDDEN), or not this walidata\'s region or tier, the verifier trying to publish, the version\'s own submitter, or a walidata of the producing agency verifying or publishing (REVIEW_NOT_PERMITTED).'),
          404: problem('No such dataset or version (DATASET_NOT_FOUND, VERSION_NOT_FOUND).'),
          409: problem('The version\'s status does not allow this action (REVIEW_TRANSITION_INVALID, with `allowed_actions`), or error findings are still open (VERSION_HAS_OPEN_ERRORS).'),
        },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request);
      const dataset = await workingDataset(db, actor, request.params.id);
      const { version } = request.params;
      if (request.body.action === 'publish') {
        const preferAsync = prefersAsync(request);
        // No such version: answered now, with the 404 of the synchronous path.
        const size = await versionSize(db, dataset.id, version);
        if (size !== undefined && (preferAsync || size > opts.asyncKeys)) {
          const job = await enqueuePublication(app.database, app.jobs, { actor, requestId: request.id, dataset, version, note: request.body.note });
          if (preferAsync) reply.header('preference-applied', 'respond-async');
          return reply.code(202).header('location', job.links.self).send(job);
        }
      }
      return reviewVersion(db, actor, request.id, dataset, version, request.body, { chunkKeys: opts.publishChunkKeys });
    },
  );

  app.get(
    '/:id/history',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Review'],
        operationId: 'getDatasetHistory',
        summary: 'The full story of a dataset',
        description:
          "Every audited event of the dataset, newest first: creation and metadata changes, each pushed version, each review step (verified, published, returned, with the note), and every answer to or decision on one of its findings, with who, when and the before/after. Producers see their own agency's datasets only.",
        params: DatasetParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: {
          200: PageOf(AuditEntry, 'History entries, newest first.', [
            {
              data: [
                {
                  id: '87',
                  at: '2026-02-10T03:00:00.000Z',
                  actor_id: 'walidata-prov-65',
                  actor_role: 'walidata',
                  actor_agency: 'DISKOMINFO-65',
                  action: 'dataset.version-published',
                  entity_type: 'dataset',
                  entity_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
                  before: { version: 3, status: 'verified' },
                  after: { version: 3, status: 'published', note: null, supersedes: [] },
                  request_id: '8f0c2c1e-6c1b-4a43-9f7e-0d6a3c9b1f20',
                },
              ],
              page: { next_cursor: null, limit: 100 },
            },
          ]),
        },
      },
    },
    async (request) => {
      const dataset = await workingDataset(db, principalOf(request), request.params.id);
      const { limit = 100, cursor } = request.query;
      const rows = await listAudit(db, { datasetId: dataset.id, before: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.id, presentAudit);
    },
  );
};

export default routes;
