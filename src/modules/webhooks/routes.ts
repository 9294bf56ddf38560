import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { decodeDigitsCursor, paginate, decodeCursor } from '../../http/pagination.js';
import { problem } from '../../http/route-docs.js';
import { PageOf, PageQuery } from '../../http/schemas.js';
import { principalOf } from '../../plugins/auth.js';
import { ROLES } from '../../domain/principal.js';
import { presentSubscription } from './present.js';
import { listAttempts, listSubscriptions } from './repository.js';
import { Attempt, attemptExample, subscriptionExample, AttemptQuery, IdParams, ReplayBody, Subscription, SubscriptionCreate, SubscriptionPatch, SubscriptionWithSecret } from './schemas.js';
import { changeSubscription, createSubscription, ownedSubscription, removeSubscription, replay, rotateSubscriptionSecret } from './service.js';

const access = ROLES;
const tags = ['Webhooks'];

const routes: FastifyPluginAsyncTypebox<{ allowPrivateTargets: boolean }> = async (app, opts) => {
  const db = app.database.db;
  const context = (request: { id: string }) => ({ actor: principalOf(request as never), requestId: request.id, allowPrivateTargets: opts.allowPrivateTargets });

  app.post(
    '',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to events',
        description:
          'Signed deliveries (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`; see the document\'s `webhooks` for each payload) of the events after now, at least once and in order; de-duplicate by `webhook-id`. Consumers may follow `figure.changed` (with their visibility); producers also their own agency\'s versions, findings and deadlines, and conflicts; walidata those of agencies in their jurisdiction; admins everything. The secret is shown this once. Audited.',
        body: SubscriptionCreate,
        response: {
          201: SubscriptionWithSecret,
          403: problem('The role may not call this, or may not subscribe to one of the event types (FORBIDDEN, WEBHOOK_EVENTS_FORBIDDEN).'),
          409: problem('This client already subscribed this URL (WEBHOOK_EXISTS).'),
          422: problem('The URL is refused (WEBHOOK_TARGET_FORBIDDEN: a non-public address, unresolvable host) or an indicator or region is unknown (REFERENCE_INVALID).'),
        },
      },
    },
    async (request, reply) => {
      const created = await createSubscription(db, context(request), request.body);
      return reply.code(201).header('location', `/v1/webhooks/${created.subscription.id}`).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'List my subscriptions',
        description: 'The caller\'s subscriptions with their delivery state (an admin sees everyone\'s): a paused one says why.',
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: PageOf(Subscription, 'Subscriptions by id.', [{ data: [subscriptionExample], page: { next_cursor: null, limit: 100 } }]) },
      },
    },
    async (request) => {
      const actor = principalOf(request);
      const { limit = 100, cursor } = request.query;
      const rows = await listSubscriptions(db, { owner: actor.role === 'admin' ? null : actor.clientId, after: decodeCursor(cursor), limit });
      return paginate(rows, limit, (r) => r.id, presentSubscription);
    },
  );

  app.get(
    '/:id',
    {
      config: { access },
      schema: { tags, operationId: 'getWebhook', summary: 'One subscription', description: 'Its delivery state: failures in a row, the last error, when it is tried next, and why it is paused.', params: IdParams, response: { 200: Subscription, 404: problem('No such subscription of the caller (WEBHOOK_NOT_FOUND).') } },
    },
    async (request) => presentSubscription(await ownedSubscription(db, principalOf(request), request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'updateWebhook',
        summary: 'Change, pause or resume a subscription',
        description: '`status: active` resumes a paused subscription from where it stopped (its failures cleared); the URL and event types are checked as at creation. Audited.',
        params: IdParams,
        body: SubscriptionPatch,
        response: {
          200: Subscription,
          403: problem('FORBIDDEN or WEBHOOK_EVENTS_FORBIDDEN.'),
          404: problem('WEBHOOK_NOT_FOUND.'),
          409: problem('Another subscription of the caller has this URL (WEBHOOK_EXISTS).'),
          422: problem('WEBHOOK_TARGET_FORBIDDEN or REFERENCE_INVALID.'),
        },
      },
    },
    async (request) => changeSubscription(db, context(request), request.params.id, request.body),
  );

  app.delete(
    '/:id',
    {
      config: { access },
      schema: { tags, operationId: 'deleteWebhook', summary: 'Unsubscribe', description: 'Deliveries stop; the delivery log goes with it. Audited.', params: IdParams, response: { 204: { description: 'Deleted.', type: 'null' }, 404: problem('WEBHOOK_NOT_FOUND.') } },
    },
    async (request, reply) => {
      await removeSubscription(db, context(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/rotate-secret',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description: 'A new secret, shown once. For 24 hours messages carry two signatures (new and old, space-separated in `webhook-signature`), so the receiver can switch without losing a delivery. Audited (without the secret).',
        params: IdParams,
        response: { 200: SubscriptionWithSecret, 404: problem('WEBHOOK_NOT_FOUND.') },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await rotateSubscriptionSecret(db, context(request), request.params.id)),
  );

  app.get(
    '/:id/deliveries',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: 'Delivery attempts',
        description: 'Every try, newest first, with the receiver\'s status, the time it took and the error; `outcome=failed` for the failures.',
        params: IdParams,
        querystring: AttemptQuery,
        response: { 200: PageOf(Attempt, 'Attempts, newest first.', [{ data: [attemptExample], page: { next_cursor: null, limit: 100 } }]), 404: problem('WEBHOOK_NOT_FOUND.') },
      },
    },
    async (request) => {
      const row = await ownedSubscription(db, principalOf(request), request.params.id);
      const { outcome, limit = 100, cursor } = request.query;
      const rows = await listAttempts(db, { subscription: row.id, outcome, after: decodeDigitsCursor(cursor, 18), limit });
      return paginate(rows, limit, (r) => r.id, (r) => ({ ...r, attempt: Number(r.attempt), event_type: r.event_type as 'figure.changed', at: r.at.toISOString(), outcome: r.outcome as 'delivered' }));
    },
  );

  app.post(
    '/:id/replay',
    {
      config: { access },
      schema: {
        tags,
        operationId: 'replayWebhook',
        summary: 'Send events again from one on',
        description: 'Delivers again the given event and every later one, in order (a paused subscription resumes). Only already delivered events can be the start. Audited.',
        params: IdParams,
        body: ReplayBody,
        response: {
          202: Subscription,
          404: problem('WEBHOOK_NOT_FOUND.'),
          409: problem('The event has not been delivered to this subscription yet (WEBHOOK_REPLAY_AHEAD).'),
          422: problem('No such event (WEBHOOK_EVENT_UNKNOWN).'),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await replay(db, context(request), request.params.id, request.body.from)),
  );
};

export default routes;

