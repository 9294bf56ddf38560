import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../plugins/auth.js';
import type { RegionLevel } from '../../domain/region-code.js';
import type { DatasetMetadataInput } from '../validation/metadata-rules.js';
import { validateOnly } from './ingest.js';
import { preparePush, registerPushParsers } from './push-source.js';
import { PushCsv, PushFile, PushJson, PushReportSchema } from './schemas.js';

const ValidateJson = Type.Object(
  {
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Optional dataset metadata, shaped like the body of POST /v1/datasets; checked and scored when given, and its `indicators` are the declared ones.',
      }),
    ),
    observations: PushJson.properties.observations,
  },
  {
    additionalProperties: false,
    examples: [
      {
        metadata: { title: 'Uji ekspor PPKS', indicators: ['PPKS-06'], steward_contact: 'n/a' },
        observations: [{ indicator: 'PPKS-06', region: '65.71', period: '2025', value: 128 }],
      },
    ],
  },
);

const routes: FastifyPluginAsyncTypebox<{ uploadLimitBytes: number }> = async (app, opts) => {
  await registerPushParsers(app, opts.uploadLimitBytes);

  app.post(
    '',
    {
      config: { access: 'authenticated' },
      bodyLimit: opts.uploadLimitBytes,
      schema: {
        tags: ['Datasets'],
        operationId: 'validateObservations',
        summary: 'Validate observations without a dataset',
        description:
          "For integrators building an export: runs every Satu Data check a push runs and returns the same report, storing nothing. Accepts the same bodies as a push (JSON, CSV, or one .csv/.xlsx file). A producer's observations are checked against its agency's jurisdiction. Declared indicators come from `metadata.indicators` (JSON) or `?indicators=` (CSV and files); without them any catalogue indicator is accepted. Anomaly detection (plausibility against an agency's history) needs a dataset: use a push with `?dryRun=true` for that.",
        querystring: Type.Object(
          {
            indicators: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated indicator codes the data is meant to cover.', examples: ['PPKS-01,PPKS-06'] })),
            sheet: Type.Optional(Type.String({ maxLength: 100, description: 'XLSX only: the worksheet to read.' })),
          },
          { additionalProperties: false },
        ),
        body: { content: { 'application/json': { schema: ValidateJson }, 'text/csv': { schema: PushCsv }, 'multipart/form-data': { schema: PushFile } } },
        response: { 200: { ...PushReportSchema, description: 'The validation report; nothing was stored.' } },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const body = request.body as { metadata?: Record<string, unknown> } | undefined;
      const metadata = body && typeof body === 'object' && 'metadata' in body && body.metadata ? (body.metadata as DatasetMetadataInput) : null;
      const declared = metadata && Array.isArray(metadata.indicators) ? metadata.indicators.map(String) : request.query.indicators?.split(',').map((c) => c.trim()).filter(Boolean);
      // Read to the end before the trial's transaction opens: a slow upload must not hold a
      // database connection (PGlite has only one).
      const prepared = await preparePush(request, { uploadLimitBytes: opts.uploadLimitBytes, sheet: request.query.sheet });
      try {
        return await validateOnly(
          app.database.db,
          {
            metadata,
            indicatorCodes: declared && declared.length > 0 ? declared : null,
            jurisdiction: viewer.role === 'producer' ? (viewer.agency?.jurisdictionRegionCode ?? null) : null,
            estimationLevels: metadata && Array.isArray(metadata.estimation_levels) ? (metadata.estimation_levels as RegionLevel[]) : [],
          },
          prepared.source,
        );
      } finally {
        await prepared.dispose();
      }
    },
  );
};

export default routes;
