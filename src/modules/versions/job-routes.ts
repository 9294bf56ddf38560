import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, toProblem } from '../../http/app-error.js';
import { pickLanguage } from '../../http/language.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { PushReportSchema } from './schemas.js';
import type { PushReport } from './ingest.js';
import { findJob } from './job-repository.js';
import type { StoredProblem } from './job-runner.js';

const Progress = Type.Object(
  { rows_read: Type.Integer(), accepted: Type.Integer(), errors: Type.Integer(), warnings: Type.Integer() },
  { description: 'So far, while the job runs in the process that answers (null once it has ended, or when another instance runs it).' },
);

export const JobSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Enum(['running', 'succeeded', 'failed']),
    dataset_id: Type.String({ format: 'uuid' }),
    format: Type.String(),
    dry_run: Type.Boolean(),
    rows_expected: Type.Union([Type.Integer(), Type.Null()], { description: 'Rows counted when the body was received (CSV: an upper bound); null for XLSX.' }),
    created_at: Type.String({ format: 'date-time' }),
    finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    progress: Type.Union([Progress, Type.Null()]),
    version: Type.Union([Type.Integer(), Type.Null()], { description: 'The version stored, once succeeded (null for a dry run).' }),
    report: Type.Union([PushReportSchema, Type.Null()], { description: 'Once succeeded: the same report a synchronous push returns.' }),
    problem: Type.Union([Type.Unsafe<Record<string, unknown>>({ $ref: 'Problem#' }), Type.Null()], { description: 'Once failed: why, as a problem (nothing of the push was stored).' }),
    links: Type.Object({ self: Type.String(), version: Type.Optional(Type.String()) }),
  },
  {
    title: 'Job',
    examples: [
      {
        id: '3f1c2a9e-6b0d-4d3e-9f51-2c7a0e8b4d10',
        status: 'running',
        dataset_id: '0b6f3f0e-3c2e-4a8e-9a59-2f0f4f7d9c11',
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
      },
    ],
  },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'getPushJob',
        summary: 'Follow a push that runs as a job',
        description:
          "A push above PUSH_ASYNC_ROWS rows, or sent with `Prefer: respond-async`, is answered 202 with this resource in `Location`. Poll it: `running` with progress (rows read, accepted, findings so far), then `succeeded` with the push report, or `failed` with a problem (a failed push stores nothing). Only the client that pushed, walidata and admin see a job; others get 404. Kept as long as the dataset.",
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
      return {
        id: job.id,
        status: job.status as 'running',
        dataset_id: job.dataset_id,
        format: job.format,
        dry_run: job.dry_run,
        rows_expected: job.rows_expected,
        created_at: job.created_at.toISOString(),
        finished_at: job.finished_at?.toISOString() ?? null,
        progress: job.status === 'running' ? (app.jobs.progress(job.id) ?? null) : null,
        version: job.version,
        report: job.report as PushReport | null,
        problem: stored ? toProblem(new AppError(stored.code, stored.params, stored.errors), pickLanguage(request.headers['accept-language']), self, request.id) : null,
        links: { self, ...(job.version !== null ? { version: `/v1/datasets/${job.dataset_id}/versions/${job.version}` } : {}) },
      };
    },
  );
};

export default routes;
