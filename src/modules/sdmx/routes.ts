import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/app-error.js';
import { chosenOffer, type Offer } from '../../http/media-type.js';
import { pastInstant } from '../../http/as-of.js';
import { problem, RESPONSE_HEADERS, withHeaders } from '../../http/route-docs.js';
import { principalOf } from '../../plugins/auth.js';
import { ALL_DIMENSIONS, sdmxCsv, sdmxJson, structureSpecificMessage, type DataQueryShape, type Detail } from './data-message.js';
import { dsdSchema } from './dsd-schema.js';
import { AGENCY, parseFlowRef, TIME_DIMENSION, VERSION, type DataStructure } from './model.js';
import { DATA_TYPES, DataParams, DataQuery, DataResponse, FlowParams, ResourceParams, SCHEMA_TYPE, SchemaParams, SchemaQuery, SchemaResponse, STRUCTURE_TYPE, StructureParams, StructureQuery, StructureResponse } from './schemas.js';
import { dataState, findObservations, findStructures, flowWithCodes, MAX_OBSERVATIONS } from './service.js';
import { fetchKept, memoryCache } from '../../util/memory-cache.js';
import { cacheStatus } from '../../http/cache-status.js';
import type { WatchedTable } from '../../db/change-signals.js';
import { structureMessage } from './structure-message.js';

const READERS = ['consumer', 'producer', 'walidata', 'admin'] as const;
const TAGS = ['SDMX'];

const STRUCTURE_OFFERS: Offer<'xml'>[] = [{ format: 'xml', type: STRUCTURE_TYPE, aliases: ['application/xml', 'text/xml'] }];
const DATA_OFFERS: Offer<'xml' | 'csv' | 'json'>[] = [
  { format: 'xml', type: DATA_TYPES.xml, aliases: ['application/xml', 'text/xml'] },
  { format: 'csv', type: DATA_TYPES.csv, aliases: ['text/csv'] },
  { format: 'json', type: DATA_TYPES.json, aliases: ['application/json'] },
];
const SCHEMA_OFFERS: Offer<'xml'>[] = [{ format: 'xml', type: SCHEMA_TYPE, aliases: ['application/xml', 'text/xml'] }];

/**
 * Every type an offer answers to, aliases included, for the service-wide 406 check; the
 * route then picks the exact representation (and its `version=` parameter) itself.
 */
function acceptedTypes(offers: readonly Offer<string>[]): string[] {
  return offers.flatMap((offer) => [offer.type, ...(offer.aliases ?? [])]);
}

const notAcceptable = problem('Accept names no format this operation produces (NOT_ACCEPTABLE); the detail lists those it does.');
const noResults = problem('Nothing matches (SDMX_NO_RESULTS, SDMX NoResultsFound): an unknown dataflow or structure, or no figure for the key, periods or updatedAfter.');

function messageHeader() {
  return { id: `IREF${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`, prepared: new Date() };
}

function observationDimension(value: string | undefined, dsd: DataStructure): string {
  const dimension = value ?? TIME_DIMENSION;
  if (dimension === ALL_DIMENSIONS || dimension === TIME_DIMENSION || dsd.dimensions.some((d) => d.id === dimension)) return dimension;
  throw new AppError('VALIDATION_FAILED', {}, [
    {
      location: 'query',
      pointer: '/dimensionAtObservation',
      code: 'unknown-dimension',
      detail: {
        id: `Dimensi ${dimension} tidak ada; pilih ${[...dsd.dimensions.map((d) => d.id), TIME_DIMENSION, ALL_DIMENSIONS].join(', ')}`,
        en: `There is no dimension ${dimension}; choose ${[...dsd.dimensions.map((d) => d.id), TIME_DIMENSION, ALL_DIMENSIONS].join(', ')}`,
      },
    },
  ]);
}

function flowOf(flowRef: string): string {
  const parsed = parseFlowRef(flowRef);
  if (!parsed) throw new AppError('SDMX_NO_RESULTS', { what: `dataflow ${flowRef} is not one of ${AGENCY}'s (version ${VERSION})` });
  return parsed.flow;
}

/**
 * Data answers are kept in memory until the figures or their labels change, as the pull API
 * keeps its pages: downstream systems poll the same query, and an answer costs a query over
 * the figures and a message build (64 MiB; the expiry is a safety net for a lost notification).
 */
const ANSWER_CACHE = { maxSize: 64 * 1024 * 1024, ttl: 10_000, sizeCalculation: (a: { body: string }) => Buffer.byteLength(a.body) };
// Followed for the dataflow's indicator only: publications of other indicators leave the answer kept.
const DATA_TABLES: readonly WatchedTable[] = ['reconciled_figures', 'indicators', 'datasets', 'agencies', 'regions'];

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database.db;
  const answers = memoryCache<{ body: string }>(ANSWER_CACHE);

  const structureDescription =
    'SDMX 2.1 REST structure query. Dataflows are the indicators (`PPKS-06`, one per indicator), each with its data structure `DSD_{indicator}`: REF_AREA (codelist CL_AREA: the Kemendagri region hierarchy, codes without dots — `3373` is 33.73 — with the original code in the KEMENDAGRI_CODE annotation and the parent region as Parent), the breakdowns the indicator allows (SEX, AGE, DISABILITY, DESIL; `_T` is the total) and TIME_PERIOD; the measure OBS_VALUE; attributes OBS_STATUS (the SDMX code list), FIGURE_STATUS, UNIT_MEASURE, METHOD, SOURCE_AGENCY, SOURCE_VERSION, CONFLICT_ID (and DESIL_RANKING_DATE with desil). Codelists: CL_AREA, CL_SEX, CL_AGE, CL_DISABILITY, CL_DESIL, CL_OBS_STATUS, CL_UNIT, CL_METHOD, CL_FIGURE_STATUS, CL_INDICATOR; concept scheme CS_SATUDATA. `references` adds parents or children. The region codelist (91,599 codes, ~20 MB) is streamed.';

  async function answerStructures(
    request: FastifyRequest,
    reply: FastifyReply,
    q: { resource: 'dataflow' | 'datastructure' | 'codelist' | 'conceptscheme'; agencyID: string; resourceID: string; version: string },
    references: 'none' | 'parents' | 'children' | 'descendants' | 'all' = 'none',
  ) {
    const offer = chosenOffer(request, STRUCTURE_OFFERS);
    const structures = await findStructures(db, { resource: q.resource, agency: q.agencyID, id: q.resourceID, version: q.version, references });
    if (!structures) throw new AppError('SDMX_NO_RESULTS', { what: `no ${q.resource} ${q.agencyID}:${q.resourceID}(${q.version})` });
    reply.header('vary', 'Accept, Authorization').type(offer.type);
    return reply.send(Readable.from(structureMessage(messageHeader(), structures)));
  }

  app.get(
    '/:resource/:agencyID/:resourceID/:version',
    {
      config: { access: READERS, produces: acceptedTypes(STRUCTURE_OFFERS) },
      schema: {
        tags: TAGS,
        operationId: 'getSdmxStructure',
        summary: 'SDMX structures: dataflows, data structures, codelists, concept scheme',
        description: structureDescription,
        params: StructureParams,
        querystring: StructureQuery,
        response: { 200: StructureResponse, 404: noResults, 406: notAcceptable },
      },
    },
    async (request, reply) => answerStructures(request, reply, request.params, request.query.references),
  );

  app.get(
    '/:resource',
    {
      config: { access: READERS, produces: acceptedTypes(STRUCTURE_OFFERS) },
      schema: {
        tags: TAGS,
        operationId: 'listSdmxStructures',
        summary: 'Every SDMX structure of one kind',
        description: `The same as /sdmx/2.1/{resource}/all/all/latest. ${structureDescription}`,
        params: ResourceParams,
        querystring: StructureQuery,
        response: { 200: StructureResponse, 404: noResults, 406: notAcceptable },
      },
    },
    async (request, reply) => answerStructures(request, reply, { resource: request.params.resource, agencyID: 'all', resourceID: 'all', version: 'latest' }, request.query.references),
  );

  const dataDescription =
    "SDMX 2.1 REST data query over the reconciled figures of one indicator (the dataflow), with the pull API's rules: consumers never see a value from a `tertutup` dataset, disputed keys carry no value (OBS_STATUS `O`, FIGURE_STATUS `disputed`), `asOf` gives what was served then. OBS_STATUS is the status the source agency reported with the chosen value (`E` for a median, `A` for a walidata's own value); provenance travels as the attributes METHOD, SOURCE_AGENCY and SOURCE_VERSION. Formats by Accept: `application/vnd.sdmx.structurespecificdata+xml;version=2.1` (default; its schema at /sdmx/2.1/schema/dataflow/SATUDATA/{flow}/1.0), `application/vnd.sdmx.data+csv;version=1.0.0` (or text/csv), `application/vnd.sdmx.data+json;version=1.0.0` (or application/json); or `format=`. Another Accept gets 406. At most 50,000 observations per response (413 beyond: narrow the query).";

  async function answerData(
    request: FastifyRequest,
    reply: FastifyReply,
    flowRef: string,
    key: string,
    q: { startPeriod?: string | undefined; endPeriod?: string | undefined; updatedAfter?: string | undefined; dimensionAtObservation?: string | undefined; detail?: Detail | undefined; asOf?: string | undefined; format?: 'xml' | 'csv' | 'json' | undefined },
  ) {
    const offer = q.format ? DATA_OFFERS.find((o) => o.format === q.format)! : chosenOffer(request, DATA_OFFERS);
    const flow = flowOf(flowRef);
    const hideClosed = principalOf(request).role === 'consumer';
    const asOf = pastInstant(q.asOf);
    const build = async () => {
      const found = await findObservations(db, { flow, key, startPeriod: q.startPeriod, endPeriod: q.endPeriod, updatedAfter: q.updatedAfter, asOf, hideClosed });
      const shape: DataQueryShape = { flow, dsd: found.dsd, dimensionAtObservation: observationDimension(q.dimensionAtObservation, found.dsd), detail: q.detail ?? 'full' };
      if (offer.format === 'csv') return { body: sdmxCsv(shape, found.observations) };
      if (offer.format === 'json')
        return { body: JSON.stringify(sdmxJson(messageHeader(), shape, found.observations, found.indicator.name, { dataflow: `/sdmx/2.1/dataflow/${AGENCY}/${flow}/${VERSION}` })) };
      return { body: structureSpecificMessage(messageHeader(), shape, found.observations) };
    };
    // The state is taken before the figures are read, so an answer is never filed under a state newer than its data.
    const state = app.changes.stamp(DATA_TABLES, [flow]) ?? (await dataState(db));
    const { value: answer, outcome } = await fetchKept(answers, JSON.stringify([hideClosed, offer.format, request.url, state]), build);
    return reply.header('vary', 'Accept, Authorization').header('cache-status', cacheStatus(outcome)).type(offer.type).send(answer.body);
  }

  const dataResponses = {
    200: withHeaders(DataResponse, RESPONSE_HEADERS.cacheStatus),
    404: noResults,
    406: notAcceptable,
    413: problem(`More than ${MAX_OBSERVATIONS.toLocaleString('en')} observations (SDMX_RESPONSE_TOO_LARGE): narrow the key or the periods.`),
  };

  app.get(
    '/data/:flowRef/:key',
    {
      config: { access: READERS, produces: acceptedTypes(DATA_OFFERS) },
      schema: { tags: TAGS, operationId: 'getSdmxData', summary: 'SDMX data of one indicator, by series key', description: dataDescription, params: DataParams, querystring: DataQuery, response: dataResponses },
    },
    async (request, reply) => answerData(request, reply, request.params.flowRef, request.params.key, request.query),
  );

  app.get(
    '/data/:flowRef',
    {
      config: { access: READERS, produces: acceptedTypes(DATA_OFFERS) },
      schema: {
        tags: TAGS,
        operationId: 'getSdmxDataAll',
        summary: 'SDMX data of one indicator, every key',
        description: `The same as /sdmx/2.1/data/{flowRef}/all. ${dataDescription}`,
        params: FlowParams,
        querystring: DataQuery,
        response: dataResponses,
      },
    },
    async (request, reply) => answerData(request, reply, request.params.flowRef, 'all', request.query),
  );

  app.get(
    '/schema/dataflow/:agencyID/:resourceID/:version',
    {
      config: { access: READERS, produces: acceptedTypes(SCHEMA_OFFERS) },
      schema: {
        tags: TAGS,
        operationId: 'getSdmxDataSchema',
        summary: 'The XML schema of a dataflow’s structure-specific data',
        description:
          'SDMX 2.1 REST schema query: the XSD a structure-specific data message of this dataflow validates against, derived from its data structure as the SDMX guidelines describe (series and observation types restricted to the codelists). It imports SDMXDataStructureSpecific.xsd and SDMXCommon.xsd from the same directory: put it beside the official SDMX-ML 2.1 schemas. `dimensionAtObservation` as for the data query.',
        params: SchemaParams,
        querystring: SchemaQuery,
        response: {
          200: SchemaResponse,
          404: noResults,
          406: notAcceptable,
        },
      },
    },
    async (request, reply) => {
      const offer = chosenOffer(request, SCHEMA_OFFERS);
      const { agencyID, resourceID, version } = request.params;
      if ((agencyID !== AGENCY && agencyID !== 'all') || !['latest', VERSION].includes(version)) throw new AppError('SDMX_NO_RESULTS', { what: `no dataflow ${agencyID}:${resourceID}(${version})` });
      const { dsd, codes } = await flowWithCodes(db, resourceID);
      const dimension = observationDimension(request.query.dimensionAtObservation, dsd);
      return reply.type(offer.type).send(dsdSchema(resourceID, dsd, dimension, codes));
    },
  );
};

export default routes;
