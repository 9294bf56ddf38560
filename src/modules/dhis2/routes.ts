import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../http/app-error.js';
import { pickLanguage } from '../../http/language.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { DatasetParams } from '../datasets/schemas.js';
import { assertOwner, visibleDataset, workingDataset } from '../datasets/service.js';
import { idempotencyKey } from '../versions/push-headers.js';
import { prefersAsync } from '../../http/prefer.js';
import { CSV_TYPES, limited } from '../versions/push-source.js';
import { AcceptedJobSchema } from '../versions/schemas.js';
import { csvRecord, EXPORT_CSV_COLUMNS } from './export-rules.js';
import { unsupportedScheme, type SchemeParameters } from './id-schemes.js';
import { csvPush, jsonPush, type Dhis2DataValueSet } from './push-source.js';
import { DataValueSetCsv, DataValueSetJson, Dhis2PushAnswer, ExportQuery, ExportSchema, MappingBody, MappingSchema, PushQuery } from './schemas.js';
import { currentMapping, exportDataValues, mappingIndex, pushDataValueSet, readMapping, replaceMapping } from './service.js';

function requireCodes(query: SchemeParameters, payload?: SchemeParameters): void {
  const refused = unsupportedScheme(query, payload);
  if (refused) throw new AppError('DHIS2_ID_SCHEME_UNSUPPORTED', refused);
}

const WEB_MESSAGE_STATUS = { SUCCESS: 'OK', WARNING: 'WARNING', ERROR: 'ERROR' } as const;
const WEB_MESSAGE = {
  SUCCESS: 'Import was successful.',
  WARNING: 'Import was successful, with findings: see conflicts.',
  ERROR: 'The import was rejected: see conflicts.',
} as const;

const exportCsvSchema = {
  type: 'string',
  examples: [`${EXPORT_CSV_COLUMNS.join(',')}\nPPKS_ANAK_TERLANTAR,2025,65.71,LAKI_LAKI,,128,,2026-02-10T03:00:00.000Z,single-source: DINSOS-6571 v2\n`],
};

const routes: FastifyPluginAsyncTypebox<{ uploadLimitBytes: number; asyncRows: number; memoryPoints: number; slicePoints: number }> = async (app, opts) => {
  const db = app.database.db;
  // DHIS2 CSV stays a stream, spooled by the push like every CSV push.
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));

  app.get(
    '/:id/dhis2/mapping',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['DHIS2'],
        operationId: 'getDhis2Mapping',
        summary: "The dataset's DHIS2 code mapping",
        description: "How this dataset reads DHIS2 codes (idScheme=CODE): data elements → indicators, category option combos → breakdowns, org units → Kemendagri regions. The agency's own producers, walidata and admin; 404 DHIS2_MAPPING_NOT_FOUND until one is made.",
        params: DatasetParams,
        response: { 200: MappingSchema, 403: problem("A producer of another agency (AGENCY_SCOPE_FORBIDDEN).") },
      },
    },
    async (request) => readMapping(db, await workingDataset(db, principalOf(request), request.params.id)),
  );

  app.put(
    '/:id/dhis2/mapping',
    {
      config: { access: ['producer', 'walidata'] },
      schema: {
        tags: ['DHIS2'],
        operationId: 'putDhis2Mapping',
        summary: "Create or replace the dataset's DHIS2 code mapping",
        description:
          "Replaces the mapping whole. The producers of the dataset's agency, or a walidata whose jurisdiction covers the agency's region. Every data element maps to one of the dataset's indicators, every breakdown uses the codelists, every org unit a Kemendagri region inside the agency's region; each code and each target once, so a value maps one way in and out (422 REFERENCE_INVALID with the errors otherwise). Audited (`dhis2_mapping.created` / `dhis2_mapping.replaced`, with the mapping before and after). Versions already pushed keep what they were read as.",
        params: DatasetParams,
        body: MappingBody,
        response: {
          200: { ...MappingSchema, description: 'Replaced.' },
          201: { ...MappingSchema, description: 'Created.' },
          403: problem("A producer of another agency (AGENCY_SCOPE_FORBIDDEN), or a walidata outside the agency's region (OUTSIDE_JURISDICTION); nothing is written."),
          422: problem('The mapping names an indicator the dataset lacks, a code not in its codelist, a region that does not exist or lies outside, or a code or target twice (REFERENCE_INVALID, see errors).'),
        },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request);
      const dataset = await visibleDataset(db, actor, request.params.id);
      const { created, mapping } = await replaceMapping(db, actor, request.id, dataset, request.body);
      return reply.code(created ? 201 : 200).send(mapping);
    },
  );

  app.post(
    '/:id/dhis2/dataValueSets',
    {
      config: { access: ['producer'] },
      bodyLimit: opts.uploadLimitBytes,
      schema: {
        tags: ['DHIS2'],
        operationId: 'pushDhis2DataValueSet',
        summary: 'Push a DHIS2 data value set as a new version',
        description:
          "A DHIS2 `dataValueSets` payload, JSON or CSV as DHIS2's Web API sends it, with codes (idScheme=CODE; other schemes → 400 DHIS2_ID_SCHEME_UNSUPPORTED), read through the dataset's mapping (409 DHIS2_MAPPING_MISSING without one). Periods: 2025 → 2025, 2025S1 → 2025-S1, 2025Q3 → 2025-Q3, 202507 → 2025-07; other DHIS2 period types are reported. It is a push like POST /v1/datasets/{id}/versions — producer of the owning agency only, a new immutable version with the same validation, plausibility checks and report, `Idempotency-Key`, `dryRun`, and a job (202) for a large payload or `Prefer: respond-async` / `async=true` — and a value the mapping cannot read is a finding of the report (DHIS2_UNKNOWN_DATA_ELEMENT, DHIS2_UNKNOWN_CATEGORY_OPTION_COMBO, DHIS2_UNKNOWN_ORG_UNIT, DHIS2_PERIOD_MALFORMED, DHIS2_PERIOD_UNSUPPORTED, …) that rejects the version. The answer is a DHIS2 WebMessage whose `response` is an ImportSummary (imported/ignored counts, a conflict per finding naming the value received, with the data value's index), with the push's report beside it in `report`.",
        querystring: PushQuery,
        params: DatasetParams,
        body: { content: { 'application/json': { schema: DataValueSetJson }, 'text/csv': { schema: DataValueSetCsv }, 'application/csv': { schema: DataValueSetCsv } } },
        response: {
          200: { ...Dhis2PushAnswer, description: 'Dry run: what the import would give; nothing stored.' },
          201: { ...Dhis2PushAnswer, description: 'The version was stored (submitted, or rejected with status ERROR); the import summary and the report.' },
          202: { description: 'Run as a job: poll `Location` (GET /v1/jobs/{id}) for the report.', ...AcceptedJobSchema },
          403: problem("Not a producer of the dataset's agency (AGENCY_SCOPE_FORBIDDEN)."),
          409: problem('The dataset has no DHIS2 mapping (DHIS2_MAPPING_MISSING), or a request with the same Idempotency-Key is still running (IDEMPOTENCY_IN_PROGRESS).'),
          422: problem('The Idempotency-Key was used for a different body or dataset (IDEMPOTENCY_KEY_REUSED).'),
        },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request);
      const dataset = await visibleDataset(db, actor, request.params.id);
      assertOwner(actor, dataset);
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const csv = CSV_TYPES.includes(type);
      const body = csv ? undefined : (request.body as Dhis2DataValueSet);
      requireCodes(request.query, body as SchemeParameters | undefined);
      // As it is now: a job run later reads the payload the same way.
      const mapping = await currentMapping(db, dataset);
      const header = request.query.firstRowIsHeader ?? true;
      const result = await pushDataValueSet(app.database, app.jobs, opts, {
        actor,
        requestId: request.id,
        dataset,
        dryRun: request.query.dryRun ?? false,
        idempotencyKey: idempotencyKey(request),
        preferAsync: prefersAsync(request) || request.query.async === true,
        csvHeader: csv && header,
        language: pickLanguage(request.headers['accept-language']),
        read: async () => {
          if (!csv) return jsonPush(body!, mapping);
          if (Number(request.headers['content-length']) > opts.uploadLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', { limit: opts.uploadLimitBytes });
          return csvPush(limited(request.body as AsyncIterable<Buffer>, opts.uploadLimitBytes), mapping, { limits: app.inputLimits, header });
        },
      });
      if (result.kind === 'accepted') {
        const { outcome } = result;
        if (outcome.preferenceApplied) reply.header('preference-applied', 'respond-async');
        return reply.code(202).header('location', outcome.job.links.self).send(outcome.job as never);
      }
      if (result.kind === 'replayed-job') {
        const self = (result.body.links as { self: string }).self;
        return reply.code(202).header('idempotent-replayed', 'true').header('location', self).send(result.body as never);
      }
      const { status, summary, report } = result;
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      else if (status === 201) reply.header('location', `/v1/datasets/${dataset.id}/versions/${report.version}`);
      return reply.code(status as 201).send({
        httpStatus: status === 201 ? 'Created' : 'OK',
        httpStatusCode: status,
        status: WEB_MESSAGE_STATUS[summary.status],
        message: WEB_MESSAGE[summary.status],
        response: summary,
        report: report as never,
      });
    },
  );

  app.get(
    '/:id/dhis2/dataValueSets',
    {
      config: { access: ['consumer', 'producer', 'walidata', 'admin'] },
      schema: {
        tags: ['DHIS2'],
        operationId: 'exportDhis2DataValueSet',
        summary: 'Reconciled figures as a DHIS2 data value set',
        description:
          "The reconciled figures of the dataset's mapped indicators, as a DHIS2 `dataValueSets` payload with codes (idScheme=CODE) through the same mapping the pushes use, ready to POST to a DHIS2 instance's /api/dataValueSets. By default the agency's region and every region inside it; `orgUnit` (repeatable, with `children`) and `period` (repeatable, DHIS2 form) narrow it. The pull API's rules hold: consumers see only open (`terbuka`) datasets here and never a value from a `tertutup` one; a disputed key has no value and is left out, as is a figure whose indicator, breakdown or region has no code in the mapping. JSON, or DHIS2 CSV with `Accept: text/csv` / `application/csv` or `format=csv`. At most 100,000 values (400 DHIS2_EXPORT_TOO_LARGE: narrow it).",
        params: DatasetParams,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The data value set.',
            content: {
              'application/json': { schema: ExportSchema },
              'text/csv': { schema: exportCsvSchema },
              // DHIS2's own name for its CSV; the answer is sent as text/csv.
              'application/csv': { schema: exportCsvSchema },
            },
          },
          409: problem('The dataset has no DHIS2 mapping (DHIS2_MAPPING_MISSING).'),
        },
      },
    },
    async (request, reply) => {
      const viewer = principalOf(request);
      const dataset = await visibleDataset(db, viewer, request.params.id);
      const q = request.query;
      requireCodes(q);
      const mapping = await mappingIndex(db, dataset);
      const values = await exportDataValues(db, dataset, mapping, { periods: q.period, orgUnits: q.orgUnit, children: q.children ?? false, hideClosed: viewer.role === 'consumer' });
      const accept = request.headers.accept ?? '';
      if (q.format === 'csv' || (q.format === undefined && /(text|application)\/csv/.test(accept))) {
        return reply.type('text/csv; charset=utf-8').send(stringify(values.map(csvRecord), { header: true, columns: [...EXPORT_CSV_COLUMNS] }) as never);
      }
      return reply.type('application/json; charset=utf-8').send({ ...(mapping.dataSet ? { dataSet: mapping.dataSet } : {}), dataValues: values });
    },
  );
};

export default routes;
