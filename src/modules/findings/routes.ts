import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeDigitsCursor, paginate } from '../../http/pagination.js';
import { problem } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { presentFindingItem } from './present.js';
import { listFindings } from './repository.js';
import { AnswerBody, FindingItem, FindingPage, FindingParams, FindingQuery, ResolveBody, findingExample } from './schemas.js';
import { answerFinding, resolveFinding, visibleFinding } from './service.js';

const item = { ...FindingItem, examples: [findingExample] };

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;

  app.get(
    '',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Findings'],
        operationId: 'listFindings',
        summary: 'Search findings across datasets',
        description:
          "Validation and anomaly findings of every version, newest first, filtered by agency, dataset (and version), indicator, region (the region or anything inside it), detector, kind (`anomaly` or `rule`), severity and status. Producers see their own agency's findings only, whatever `agency` says. Anomaly findings carry the series, the value, what it was compared with and the threshold in `anomaly`.",
        querystring: FindingQuery,
        response: { 200: FindingPage },
      },
    },
    async (request) => {
      const viewer = principalOf(request);
      const { limit = 100, cursor, agency, dataset, version, ...filters } = request.query;
      const rows = await listFindings(db, {
        ...filters,
        agency,
        // A producer's view is its own agency, whatever it asks for.
        agencyId: viewer.role === 'producer' ? (viewer.agency?.id ?? '00000000-0000-0000-0000-000000000000') : undefined,
        datasetId: dataset,
        version,
        cursor: decodeDigitsCursor(cursor, 18),
        order: 'desc',
        limit,
      });
      return paginate(rows, limit, (r) => r.id, presentFindingItem);
    },
  );

  app.get(
    '/:id',
    {
      config: { access: ['producer', 'walidata', 'admin'] },
      schema: {
        tags: ['Findings'],
        operationId: 'getFinding',
        summary: 'Get one finding',
        description: "One finding with its answer and resolution. Producers see their own agency's findings only (404 otherwise).",
        params: FindingParams,
        response: { 200: item, 404: problem('No such finding, or not visible to this token (FINDING_NOT_FOUND).') },
      },
    },
    async (request) => presentFindingItem(await visibleFinding(db, principalOf(request), request.params.id)),
  );

  app.post(
    '/:id/answer',
    {
      config: { access: ['producer'] },
      schema: {
        tags: ['Findings'],
        operationId: 'answerFinding',
        summary: 'Answer a finding (agency)',
        description:
          "A producer of the agency that pushed the version explains the figure (e.g. \"a new outreach programme found 550 more children\"); the finding becomes `answered` and shows up in the walidata's inbox. The answer can be refined until a walidata decides (then 409 FINDING_CLOSED). Another agency's finding → 403. Audited.",
        params: FindingParams,
        body: AnswerBody,
        response: {
          200: item,
          403: problem("Not a producer, or the finding belongs to another agency (FORBIDDEN, AGENCY_SCOPE_FORBIDDEN)."),
          404: problem('No such finding (FINDING_NOT_FOUND).'),
          409: problem('A walidata already decided on the finding (FINDING_CLOSED).'),
        },
      },
    },
    async (request) => answerFinding(db, principalOf(request), request.id, request.params.id, request.body.answer),
  );

  app.post(
    '/:id/resolve',
    {
      config: { access: ['walidata'] },
      schema: {
        tags: ['Findings'],
        operationId: 'resolveFinding',
        summary: 'Decide on a finding (walidata)',
        description:
          "A walidata of the agency's region or a region above it marks the finding `explained` (the figure stands; the note records the explanation accepted) or `confirmed-error` (the figure is wrong: the version cannot be published and should be returned). A decision can be revised; every one is audited. Error findings must be explained before their version can be published.",
        params: FindingParams,
        body: ResolveBody,
        response: {
          200: item,
          403: problem("Not a walidata, or of a region outside the agency's (FORBIDDEN, REVIEW_NOT_PERMITTED)."),
          404: problem('No such finding (FINDING_NOT_FOUND).'),
        },
      },
    },
    async (request) => resolveFinding(db, principalOf(request), request.id, request.params.id, request.body),
  );
};

export default routes;
