import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../http/app-error.js';
import { decodeDigitsCursor, paginate } from '../../http/pagination.js';
import { PageQuery } from '../../http/schemas.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { idempotencyKey } from './push-headers.js';
import { prefersAsync } from '../../http/prefer.js';
import { push } from './push-service.js';
import { preparePush, registerPushParsers } from './push-source.js';
import { templateCsv, templateXlsx } from '../tabular/template.js';
import { templateIndicators } from '../indicators/repository.js';
import type { DatasetRow } from '../datasets/repository.js';
import { DatasetParams } from '../datasets/schemas.js';
import { assertOwner, visibleDataset, workingDataset } from '../datasets/service.js';
import { findVersion, listObservations, listVersions } from './repository.js';
import { presentStoredFinding } from '../findings/present.js';
import { listFindings } from '../findings/repository.js';
import type { VersionStatus } from '../../domain/review-rules.js';
import {
  AcceptedJobSchema,
  ObservationPage,
  ObservationQuery,
  PushCsv,
  PushFile,
  PushJson,
  PushQuery,
  PushReportSchema,
  ReportQuery,
  ReportSchema,
  Version,
  VersionPage,
  VersionParams,
} from './schemas.js';

/** Versions are the agency's working material: its own producers, walidata and admin read them. */
const readableDataset = (request: FastifyRequest, id: string): Promise<DatasetRow> => workingDataset(request.server.database.db, principalOf(request), id);

function presentVersion(row: NonNullable<Awaited<ReturnType<typeof findVersion>>>) {
  return {
    dataset_id: row.dataset_id,
    version: row.version,
    status: row.status as VersionStatus,
    format: row.format,
    content_sha256: row.content_sha256,
    row_count: row.row_count,
    accepted_count: row.accepted_count,
    error_count: row.error_count,
    warning_count: row.warning_count,
    metadata_score: row.metadata_score,
    submitted_by: row.submitted_by,
    submitted_at: row.submitted_at.toISOString(),
    status_changed_at: row.status_changed_at?.toISOString() ?? null,
    published_at: row.published_at?.toISOString() ?? null,
  };
}

const routes: FastifyPluginAsyncTypebox<{ uploadLimitBytes: number; asyncRows: number; memoryPoints: number; slicePoints: number }> = async (app, opts) => {
  const db = app.database.db;
  await registerPushParsers(app, opts.uploadLimitBytes);

  app.post(
    '/:id/versions',
    {
      config: { access: ['producer'] },
      bodyLimit: opts.uploadLimitBytes,
      schema: {
        tags: ['Datasets'],
        operationId: 'pushVersion',
        summary: 'Push observations as a new version',
        description:
          "Producer of the owning agency only (403 AGENCY_SCOPE_FORBIDDEN otherwise, nothing written). Every push becomes a new immutable version, validated against the Satu Data principles — standar data, metadata, interoperabilitas, kode referensi — and stored in one transaction: `submitted` when it has no error findings, `rejected` with its report otherwise (its observations are kept for inspection but never used downstream). Send JSON (`{observations:[…]}`), CSV (`Content-Type: text/csv`), or one `.csv`/`.xlsx` file as `multipart/form-data` (first sheet, or `?sheet=`). `?dryRun=true` runs everything and stores nothing. Send an `Idempotency-Key` header to make retries safe: the same key and body replay the first response (header `idempotent-replayed: true`), the same key with another body or dataset → 422, while the first is still running → 409. Keys are per client and kept 24 hours. The response is the validation report. Pushes of more rows than PUSH_ASYNC_ROWS (default 50,000), or sent with `Prefer: respond-async`, are answered `202` with a job to poll (`Location: /v1/jobs/{id}`): progress while it runs, then the same report.",
        querystring: PushQuery,
        params: DatasetParams,
        // Types only: the route checks the key itself, to name the header in its problem.
        headers: Type.Object({
          'Idempotency-Key': Type.Optional(
            Type.String({ description: 'Makes retries safe: 1–200 ASCII characters without spaces (else 400), per client, kept 24 hours. A UUID is a good key.', examples: ['5d0c8f8e-2b7a-4d7e-9c36-1f0e9a6d2b11'] }),
          ),
          Prefer: Type.Optional(Type.String({ description: '`respond-async` to run the push as a job (202) whatever its size (RFC 7240).', examples: ['respond-async'] })),
        }),
        body: { content: { 'application/json': { schema: PushJson }, 'text/csv': { schema: PushCsv }, 'multipart/form-data': { schema: PushFile } } },
        response: {
          200: withHeaders({ ...PushReportSchema, description: 'Dry run: the report of what a push would give; nothing stored.' }, RESPONSE_HEADERS.idempotentReplayed),
          201: withHeaders(
            { ...PushReportSchema, description: 'The version was stored (submitted or rejected); its report.' },
            RESPONSE_HEADERS.location('the new version'),
            RESPONSE_HEADERS.idempotentReplayed,
          ),
          202: withHeaders({
            description: 'Large push (more rows than PUSH_ASYNC_ROWS) or `Prefer: respond-async`: it runs as a job; poll `Location` (GET /v1/jobs/{id}) for progress and the report.',
            ...AcceptedJobSchema,
          }, RESPONSE_HEADERS.location('the job to poll (GET /v1/jobs/{id})'), RESPONSE_HEADERS.preferenceApplied),
          403: problem("Not a producer of the dataset's agency (AGENCY_SCOPE_FORBIDDEN)."),
          409: problem('A request with the same Idempotency-Key is still running (IDEMPOTENCY_IN_PROGRESS).'),
          422: problem('The Idempotency-Key was used for a different body or dataset (IDEMPOTENCY_KEY_REUSED).'),
        },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request);
      const dataset = await visibleDataset(db, actor, request.params.id);
      assertOwner(actor, dataset);
      const outcome = await push(app.database, app.jobs, opts, {
        actor,
        requestId: request.id,
        dataset,
        dryRun: request.query.dryRun ?? false,
        idempotencyKey: idempotencyKey(request),
        preferAsync: prefersAsync(request),
        read: () => preparePush(request, { uploadLimitBytes: opts.uploadLimitBytes, sheet: request.query.sheet }),
      });
      switch (outcome.kind) {
        case 'replayed':
          return reply.code(outcome.status as 200).header('idempotent-replayed', 'true').send(outcome.body as never);
        case 'accepted':
          if (outcome.preferenceApplied) reply.header('preference-applied', 'respond-async');
          return reply.code(202).header('location', outcome.job.links.self).send(outcome.job as never);
        case 'pushed':
          if (outcome.status === 201) reply.header('location', `/v1/datasets/${dataset.id}/versions/${outcome.report.version}`);
          return reply.code(outcome.status).send(outcome.report);
      }
    },
  );

  const templateRoute = (format: 'csv' | 'xlsx') =>
    app.get(
      `/:id/template.${format}`,
      {
        config: { access: ['producer', 'walidata', 'admin'] },
        schema: {
          tags: ['Datasets'],
          operationId: format === 'csv' ? 'getTemplateCsv' : 'getTemplateXlsx',
          summary: `Download a ${format.toUpperCase()} template`,
          description:
            format === 'csv'
              ? "A CSV with the push columns and one row per dataset indicator, region and period already filled in (UTF-8 with BOM, so Excel opens it correctly)."
              : "An Excel workbook: sheet `data` with the push columns (code columns formatted as text, so 11.10 stays 11.10) and one row per dataset indicator; sheet `petunjuk` explains each column and lists the indicators with unit and allowed disaggregations.",
          params: DatasetParams,
          response: {
            200: {
              description: 'The template file.',
              content:
                format === 'csv'
                  ? { 'text/csv': { schema: Type.String({ examples: ['\uFEFFindicator,region,period,value,unit,obs_status,note,sex,age_group,disability,desil,desil_ranking_date\nPPKS-06,65.71,2025,,orang,,,,,,,\n'] }) } }
                  : { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: Type.String({ format: 'binary', examples: ['(binary .xlsx)'] }) } },
            },
          },
        },
      },
      async (request, reply) => {
        const dataset = await readableDataset(request, request.params.id);
        const indicators = await templateIndicators(db, dataset.indicator_codes);
        const periods = dataset.metadata.reference_periods as string[] | undefined;
        const input = { title: dataset.title, region: dataset.jurisdiction_region_code, period: periods?.[0] ?? String(new Date().getFullYear()), indicators };
        const filename = `template-${dataset.id}.${format}`;
        reply.header('content-disposition', `attachment; filename="${filename}"`);
        if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(templateCsv(input) as never);
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send((await templateXlsx(input)) as never);
      },
    );
  templateRoute('csv');
  templateRoute('xlsx');

  app.get(
    '/:id/versions',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'listVersions',
        summary: 'List versions of a dataset',
        description: "Every push, newest first, with status and counts. Producers see their own agency's datasets only.",
        params: DatasetParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: VersionPage },
      },
    },
    async (request) => {
      const dataset = await readableDataset(request, request.params.id);
      const { limit = 100, cursor } = request.query;
      const before = decodeDigitsCursor(cursor, 9);
      const rows = await listVersions(db, dataset.id, { before: before === undefined ? undefined : Number(before), limit });
      return paginate(rows, limit, (r) => String(r.version), presentVersion);
    },
  );

  async function versionOf(request: FastifyRequest, id: string, version: number) {
    const dataset = await readableDataset(request, id);
    const row = await findVersion(db, dataset.id, version);
    if (!row) throw new AppError('VERSION_NOT_FOUND', { id, version });
    return row;
  }

  app.get(
    '/:id/versions/:version',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'getVersion',
        summary: 'Get one version',
        description: 'Status, format, payload hash and counts of one push.',
        params: VersionParams,
        response: { 200: Version },
      },
    },
    async (request) => presentVersion(await versionOf(request, request.params.id, request.params.version)),
  );

  app.get(
    '/:id/versions/:version/observations',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'listVersionObservations',
        summary: 'Observations of a version',
        description: 'The accepted observations in file order, paged. JSON by default; CSV (same columns as a push) with `Accept: text/csv` or `?format=csv`.',
        params: VersionParams,
        querystring: ObservationQuery,
        response: {
          200: withHeaders({
            description: 'A page of observations.',
            content: {
              'application/json': { schema: ObservationPage },
              'text/csv': { schema: Type.String({ description: 'The same page as CSV; a Link header points to the next page.', examples: ['indicator,region,period,value,obs_status,note,sex\nPPKS-06,65.71,2025,128,A,,L\n'] }) },
            },
          }, RESPONSE_HEADERS.link),
        },
      },
    },
    async (request, reply) => {
      const version = await versionOf(request, request.params.id, request.params.version);
      const { limit = 100, cursor, format } = request.query;
      const after = decodeDigitsCursor(cursor, 9);
      const rows = await listObservations(db, version.id, { after: after === undefined ? undefined : Number(after), limit });
      const page = paginate(rows, limit, (r) => String(r.source_row ?? 0));
      const data = page.data.map((r) => ({
        indicator: r.indicator_code,
        region: r.region_code,
        period: r.period,
        disaggregation: r.disagg,
        value: r.value,
        obs_status: r.obs_status,
        note: r.note,
        row: r.source_row,
      }));
      const wantsCsv = format === 'csv' || (format === undefined && /text\/csv/.test(request.headers.accept ?? ''));
      if (wantsCsv) {
        if (page.page.next_cursor) reply.header('link', `<?format=csv&limit=${limit}&cursor=${page.page.next_cursor}>; rel="next"`);
        const table = data.map((o) => ({
          indicator: o.indicator,
          region: o.region,
          period: o.period,
          value: o.value,
          obs_status: o.obs_status,
          note: o.note ?? '',
          ...o.disaggregation,
        }));
        const columns = ['indicator', 'region', 'period', 'value', 'obs_status', 'note', 'sex', 'age_group', 'disability', 'desil', 'desil_ranking_date'];
        return reply.type('text/csv; charset=utf-8').send(stringify(table, { header: true, columns }) as never);
      }
      return reply.type('application/json; charset=utf-8').send({ data, page: page.page } as never);
    },
  );

  app.get(
    '/:id/versions/:version/report',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Datasets'],
        operationId: 'getVersionReport',
        summary: 'Validation report of a version',
        description: 'The summary (counts per rule code, metadata completeness, verdict) and every finding — Satu Data rule findings and anomaly (kewajaran) findings with their series and comparison values — with its id and where the conversation about it stands (status, the agency\'s answer, the walidata\'s decision); paged and filterable by severity and code.',
        params: VersionParams,
        querystring: ReportQuery,
        response: { 200: ReportSchema },
      },
    },
    async (request) => {
      const version = await versionOf(request, request.params.id, request.params.version);
      const { limit = 100, cursor, severity, code } = request.query;
      const rows = await listFindings(db, { versionId: version.id, severity, code, cursor: decodeDigitsCursor(cursor, 18), order: 'asc', limit });
      const page = paginate(rows, limit, (r) => r.id, presentStoredFinding);
      return {
        version: presentVersion(version),
        summary: version.summary as never,
        findings: page.data,
        page: page.page,
      };
    },
  );
};

export default routes;

