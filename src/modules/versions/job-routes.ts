import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, toProblem } from '../../http/app-error.js';
import { pickLanguage } from '../../http/language.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { findJob } from '../jobs/repository.js';
import type { StoredProblem } from '../jobs/worker-service.js';
import type { ReviewResult } from '../review/service.js';
import { ReviewResultSchema } from '../review/schemas.js';
import { PushReportSchema } from './schemas.js';
import type { PushProgress, PushReport } from './ingest.js';

const PROGRESS_NOTE = 'So far, while the job runs, whichever service process runs it (updated about every second); null once it has ended or before it has started.';

const common = {
  id: Type.String({ format: 'uuid' }),
  status: Type.Enum(['running', 'succeeded', 'failed']),
  dataset_id: Type.String({ format: 'uuid' }),
  attempts: Type.Integer({ description: 'How many times a service process has taken the job up: more than 1 when the process running it stopped (or lost touch) and another went on with it.' }),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  problem: Type.Union([Type.Unsafe<Record<string, unknown>>({ $ref: 'Problem#' }), Type.Null()], { description: 'Once failed: why, as a problem (nothing of the job was stored).' }),
};

const PUSH_JOB_EXAMPLE = {
  id: '3f1c2a9e-6b0d-4d3e-9f51-2c7a0e8b4d10',
  kind: 'push',
  status: 'running',
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  attempts: 1,
  format: 'csv',
  dry_run: false,
  rows_expected: 1005144,
  created_at: '2026-01-20T03:00:00.000Z',
  finished_at: null,
  progress: { rows_read: 250000, accepted: 249998, errors: 2, warnings: 14 },
  version: null,
  report: null,
  problem: null,
  links: { self: '/v1/jobs/3f1c2a9e-6b0d-4d3e-9f51-2c7a0e8b4d10' },
};

const PUBLISH_JOB_EXAMPLE = {
  id: '7a2e9c41-0f3b-4c8e-a1d2-5b6c7d8e9f01',
  kind: 'publish',
  status: 'running',
  dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
  attempts: 1,
  version: 3,
  created_at: '2026-02-10T03:00:00.000Z',
  finished_at: null,
  progress: { keys_done: 400000, keys_total: 1005144 },
  result: null,
  problem: null,
  links: { self: '/v1/jobs/7a2e9c41-0f3b-4c8e-a1d2-5b6c7d8e9f01', version: '/v1/datasets/0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11/versions/3' },
};

const PushJob = Type.Object(
  {
    ...common,
    kind: Type.Literal('push'),
    format: Type.String(),
    dry_run: Type.Boolean(),
    rows_expected: Type.Union([Type.Integer(), Type.Null()], { description: 'Rows counted when the body was received (CSV: an upper bound); null for XLSX.' }),
    progress: Type.Union([Type.Object({ rows_read: Type.Integer(), accepted: Type.Integer(), errors: Type.Integer(), warnings: Type.Integer() }), Type.Null()], { description: PROGRESS_NOTE }),
    version: Type.Union([Type.Integer(), Type.Null()], { description: 'The version stored, once succeeded (null for a dry run).' }),
    report: Type.Union([PushReportSchema, Type.Null()], { description: 'Once succeeded: the same report a synchronous push returns.' }),
    links: Type.Object({ self: Type.String(), version: Type.Optional(Type.String()) }),
  },
  {
    title: 'PushJob',
    examples: [PUSH_JOB_EXAMPLE],
  },
);

const PublishJob = Type.Object(
  {
    ...common,
    kind: Type.Literal('publish'),
    version: Type.Integer({ description: 'The version being published.' }),
    progress: Type.Union([Type.Object({ keys_done: Type.Integer(), keys_total: Type.Integer() }), Type.Null()], { description: `Keys of the version reconciled. ${PROGRESS_NOTE}` }),
    result: Type.Union([ReviewResultSchema, Type.Null()], { description: 'Once succeeded: the same result a synchronous publication returns.' }),
    links: Type.Object({ self: Type.String(), version: Type.String() }),
  },
  {
    title: 'PublishJob',
    examples: [PUBLISH_JOB_EXAMPLE],
  },
);

export const JobSchema = Type.Union([PushJob, PublishJob], {
  title: 'Job',
  description: 'A push or a publication run as a job (`kind`).',
  examples: [PUSH_JOB_EXAMPLE, PUBLISH_JOB_EXAMPLE],
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'getPushJob',
        summary: 'Follow a push or a publication that runs as a job',
        description:
          "A push above PUSH_ASYNC_ROWS rows, or a publication of a version above PUBLISH_ASYNC_KEYS observations, or either sent with `Prefer: respond-async`, is answered 202 with this resource in `Location`. Poll it: `running` with progress, then `succeeded` with the push report (`kind: push`) or the publication's result (`kind: publish`), or `failed` with a problem (a failed job stores nothing). Jobs are kept in the database: any service process may run one, and one whose process stops is taken up by another (`attempts`), with the same outcome. Only the client that sent the job, walidata and admin see it; others get 404. Kept as long as the dataset.",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: JobSchema, 404: problem('No such job, or not this client\'s (JOB_NOT_FOUND).') },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const job = await findJob(app.database.db, request.params.id);
      if (!job || (viewer.role === 'producer' && job.client_id !== viewer.clientId)) throw new AppError('JOB_NOT_FOUND', { id: request.params.id });
      const stored = job.problem as StoredProblem | null;
      const self = `/v1/jobs/${job.id}`;
      const versionLink = job.version !== null ? { version: `/v1/datasets/${job.dataset_id}/versions/${job.version}` } : {};
      // This process's own jobs show their latest progress; others', what their process last wrote.
      const progress = job.status === 'running' ? (app.jobs.progress(job.id) ?? job.progress) : null;
      const shared = {
        id: job.id,
        status: job.status as 'running',
        dataset_id: job.dataset_id,
        attempts: job.attempts,
        created_at: job.created_at.toISOString(),
        finished_at: job.finished_at?.toISOString() ?? null,
        problem: stored ? toProblem(new AppError(stored.code, stored.params, stored.errors), pickLanguage(request.headers['accept-language']), self, request.id) : null,
      };
      if (job.kind === 'publish') {
        return {
          ...shared,
          kind: 'publish' as const,
          version: job.version!,
          progress: progress as { keys_done: number; keys_total: number } | null,
          result: job.report as ReviewResult | null,
          links: { self, version: versionLink.version! },
        };
      }
      return {
        ...shared,
        kind: 'push' as const,
        format: job.format!,
        dry_run: job.dry_run!,
        rows_expected: job.rows_expected,
        progress: progress as PushProgress | null,
        version: job.version,
        report: job.report as PushReport | null,
        links: { self, ...versionLink },
      };
    },
  );
};

export default routes;
