import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppConfig } from './config.js';
import { createDb, type Database } from './db/create-db.js';
import { AppError } from './http/app-error.js';
import { lazyCompilers } from './http/lazy-compilers.js';
import { REDACT_PATHS } from './http/redact-paths.js';
import { ProblemSchema, SCHEMA_FORMATS } from './http/schemas.js';
import authPlugin from './plugins/auth.js';
import { findClientForAuth } from './modules/clients/repository.js';
import dbPlugin from './plugins/db.js';
import jobsPlugin from './modules/jobs/plugin.js';
import errorsPlugin, { routerError, sendProblem } from './plugins/errors.js';
import inputLimitsPlugin from './plugins/input-limits.js';
import contentNegotiationPlugin from './plugins/content-negotiation.js';
import openapiPlugin from './plugins/openapi.js';
import securityPlugin from './plugins/security.js';
import agencyRoutes from './modules/agencies/routes.js';
import catalogRoutes from './modules/catalog/routes.js';
import qualityRuleRoutes from './modules/anomalies/routes.js';
import auditRoutes from './modules/audit/routes.js';
import authRoutes from './modules/auth/routes.js';
import clientRoutes from './modules/clients/routes.js';
import codelistRoutes from './modules/codelists/routes.js';
import cycleRoutes from './modules/cycles/routes.js';
import agencyObligationRoutes from './modules/cycles/agency-routes.js';
import reportLetterheadRoutes from './modules/cycles/letterhead-routes.js';
import datasetRoutes from './modules/datasets/routes.js';
import dhis2Routes from './modules/dhis2/routes.js';
import versionRoutes from './modules/versions/routes.js';
import validateRoutes from './modules/versions/validate-routes.js';
import figureRoutes from './modules/figures/routes.js';
import findingRoutes from './modules/findings/routes.js';
import healthRoutes from './modules/health/routes.js';
import ikesosRoutes from './modules/ikesos/routes.js';
import inboxRoutes from './modules/inbox/routes.js';
import indicatorRoutes from './modules/indicators/routes.js';
import jobRoutes from './modules/versions/job-routes.js';
import { pushJobHandler } from './modules/versions/push-job-service.js';
import { PUSH_OPENERS } from './modules/versions/push-source.js';
import { DHIS2_PUSH_OPENERS } from './modules/dhis2/push-source.js';
import { publishJobHandler } from './modules/review/publish-job-service.js';
import regionRoutes from './modules/regions/routes.js';
import conflictRoutes from './modules/reconciliation/routes.js';
import policyRoutes from './modules/reconciliation/policy-routes.js';
import reviewRoutes from './modules/review/routes.js';
import sdmxRoutes from './modules/sdmx/routes.js';
import webhookRoutes from './modules/webhooks/routes.js';
import webhooksPlugin from './modules/webhooks/worker-plugin.js';
import { webhookDocs } from './modules/webhooks/openapi-webhooks.js';

export type App = FastifyInstance;

export interface BuildOptions {
  /** An already-open database; the caller closes it. Without one, the app opens and closes its own. */
  database?: Database;
  /** Pino options or false; defaults to a JSON logger at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /** An existing pino logger (the server's), used instead of `logger`. */
  loggerInstance?: FastifyBaseLogger;
  /** Compiles every route's validators and serializers before ready, as fastify does by itself (see lazy-compilers.ts). */
  eagerSchemas?: boolean;
  /**
   * What builds the routes' validators and serializers (Fastify's own by default). A test
   * seam: the suite builds a hundred apps in a few processes and hands them all one that
   * keeps what it compiled, which saves about a second of CPU per app.
   */
  schemaCompilers?: NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;


export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } } }),
    bodyLimit: config.bodyLimitBytes,
    // Behind a load balancer every request comes from it: only its X-Forwarded-For names the client.
    ...(config.trustedProxies.length > 0 ? { trustProxy: config.trustedProxies } : {}),
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 72_000,
    // Our own hook answers 503 as problem+json while closing (see below).
    return503OnClosing: false,
    requestIdHeader: false,
    frameworkErrors: routerError,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ...(!options.eagerSchemas && { schemaController: { compilersFactory: lazyCompilers() } }),
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true, formats: SCHEMA_FORMATS },
    },
    ...(options.schemaCompilers ? { schemaController: { compilersFactory: options.schemaCompilers } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const ownsDatabase = !options.database;
  const database = options.database ?? createDb(config.database, { onPoolError: (err) => app.log.error({ err }, 'database pool error') });
  if (ownsDatabase) app.addHook('onClose', () => database.close());

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      return sendProblem(request, reply, new AppError('SERVICE_UNAVAILABLE'));
    }
  });

  // Bodies are JSON (and form-encoded for the token endpoint); routes that take other
  // types register their own parsers. Anything else is a 415, not a validation error.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ProblemSchema);
  await app.register(errorsPlugin, { bodyLimit: config.bodyLimitBytes });
  await app.register(inputLimitsPlugin, config.inputLimits);
  await app.register(dbPlugin, { database, analyzeIntervalMs: config.analyzeIntervalMs });
  await app.register(securityPlugin, { corsOrigins: config.corsOrigins, rateLimits: config.rateLimits });
  await app.register(openapiPlugin, { webhooks: webhookDocs() });
  await app.register(authPlugin, { jwt: config.jwt, findClient: findClientForAuth });
  // After authentication: a caller without a token learns it needs one before anything else.
  await app.register(contentNegotiationPlugin);
  // Each kind of durable job and what runs it, in whichever process claims it.
  await app.register(jobsPlugin, {
    ...config.jobs,
    handlers: {
      push: pushJobHandler({ memoryPoints: config.pushMemoryPoints, slicePoints: config.pushSlicePoints, limits: config.inputLimits }, { ...PUSH_OPENERS, ...DHIS2_PUSH_OPENERS }),
      publish: publishJobHandler({ chunkKeys: config.publishChunkKeys }),
    },
  });
  await app.register(webhooksPlugin, config.webhooks);

  await app.register(healthRoutes);
  // Form-encoded bodies are OAuth2's, for the token endpoint only: elsewhere they are a 415.
  await app.register(async (tokenScope) => {
    await tokenScope.register(formbody, { bodyLimit: 16 * 1024 });
    await tokenScope.register(authRoutes, { prefix: '/v1/auth', jwt: config.jwt, rateLimits: config.rateLimits, secretHashConcurrency: config.secretHashConcurrency });
  });
  await app.register(regionRoutes, { prefix: '/v1/regions' });
  await app.register(reportLetterheadRoutes, { prefix: '/v1/regions' });
  await app.register(indicatorRoutes, { prefix: '/v1/indicators' });
  await app.register(qualityRuleRoutes, { prefix: '/v1/indicators' });
  await app.register(policyRoutes, { prefix: '/v1/indicators' });
  await app.register(agencyRoutes, { prefix: '/v1/agencies' });
  await app.register(agencyObligationRoutes, { prefix: '/v1/agencies' });
  await app.register(codelistRoutes, { prefix: '/v1/codelists' });
  await app.register(datasetRoutes, { prefix: '/v1/datasets' });
  await app.register(versionRoutes, { prefix: '/v1/datasets', uploadLimitBytes: config.uploadLimitBytes, asyncRows: config.pushAsyncRows, memoryPoints: config.pushMemoryPoints, slicePoints: config.pushSlicePoints });
  await app.register(dhis2Routes, { prefix: '/v1/datasets', uploadLimitBytes: config.uploadLimitBytes, asyncRows: config.pushAsyncRows, memoryPoints: config.pushMemoryPoints, slicePoints: config.pushSlicePoints });
  await app.register(jobRoutes, { prefix: '/v1/jobs' });
  await app.register(reviewRoutes, { prefix: '/v1/datasets', asyncKeys: config.publishAsyncKeys, publishChunkKeys: config.publishChunkKeys });
  await app.register(findingRoutes, { prefix: '/v1/findings' });
  await app.register(inboxRoutes, { prefix: '/v1/inbox' });
  await app.register(conflictRoutes, { prefix: '/v1/conflicts' });
  await app.register(figureRoutes, { prefix: '/v1/figures' });
  await app.register(ikesosRoutes, { prefix: '/v1/ikesos' });
  await app.register(catalogRoutes, { prefix: '/v1/catalog', publicBaseUrl: config.publicBaseUrl, publisherName: config.catalogPublisherName });
  await app.register(sdmxRoutes, { prefix: '/sdmx/2.1' });
  await app.register(cycleRoutes, { prefix: '/v1/cycles' });
  await app.register(validateRoutes, { prefix: '/v1/validate', uploadLimitBytes: config.uploadLimitBytes });
  await app.register(clientRoutes, { prefix: '/v1/clients' });
  await app.register(auditRoutes, { prefix: '/v1/audit-log' });
  await app.register(webhookRoutes, { prefix: '/v1/webhooks', allowPrivateTargets: config.webhooks.allowPrivateTargets });

  await app.ready();
  return app;
}
