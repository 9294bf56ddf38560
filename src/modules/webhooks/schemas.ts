import Type from 'typebox';
import { NullableString } from '../../http/schemas.js';
import { FeedFigureSchema } from '../figures/schemas.js';
import { IndicatorCode } from '../indicators/schemas.js';
import { RegionCode } from '../regions/schemas.js';
import { EVENT_TYPES } from './event-types.js';

const EventTypeSchema = Type.Enum([...EVENT_TYPES], {
  description:
    '`figure.changed` (every reader; consumers with their visibility, including `withdrawn`), `conflict.opened`, `conflict.resolved` (producers, walidata, admins), `version.returned`, `version.verified`, `version.published`, `finding.awaiting_answer`, `deadline.reminder` (an agency\'s own producers, walidata whose jurisdiction covers the agency, admins).',
});

export const subscriptionExample = {
  id: '0b6f2d8e-9c51-4a57-a0a4-3cf0d3c2c1a9',
  url: 'https://sijosku.kaltaraprov.go.id/hooks/sde',
  description: 'SIJOSKU sync',
  event_types: ['figure.changed'],
  indicators: ['PPKS-06'],
  regions: ['65'],
  owner: 'sde-consumer-3f9a0c1d2b4e5f60',
  status: 'active',
  paused_reason: null,
  paused_at: null,
  consecutive_failures: 0,
  last_error: null,
  next_attempt_at: '2026-02-10T03:00:00.000Z',
  secret_rotated_at: '2026-02-10T03:00:00.000Z',
  created_at: '2026-02-10T03:00:00.000Z',
  updated_at: '2026-02-10T03:00:00.000Z',
};

const Codes = <T extends typeof IndicatorCode | typeof RegionCode>(code: T, description: string) =>
  Type.Array(code, { maxItems: 100, uniqueItems: true, description });

const Url = Type.String({
  format: 'uri',
  minLength: 8,
  maxLength: 2000,
  description: 'http(s) URL without credentials or fragment. Its host must resolve to public addresses only (loopback, private and link-local are refused, 422 WEBHOOK_TARGET_FORBIDDEN, unless the operator set WEBHOOK_ALLOW_PRIVATE_TARGETS); checked again at every delivery, and redirects are never followed.',
});

const filters = {
  description: Type.Optional(NullableString({ maxLength: 500 })),
  indicators: Type.Optional(Codes(IndicatorCode, 'Only events about these indicators (events about one indicator: figures and conflicts). Empty or absent: all.')),
  regions: Type.Optional(Codes(RegionCode, 'Only events about these regions or regions inside them (a figure\'s region; for an agency\'s events, its jurisdiction). Empty or absent: all.')),
};

export const SubscriptionCreate = Type.Object(
  { url: Url, event_types: Type.Array(EventTypeSchema, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true }), ...filters },
  { additionalProperties: false, examples: [{ url: 'https://sijosku.kaltaraprov.go.id/hooks/sde', event_types: ['figure.changed'], regions: ['65'] }] },
);

export const SubscriptionPatch = Type.Object(
  {
    url: Type.Optional(Url),
    event_types: Type.Optional(Type.Array(EventTypeSchema, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true })),
    status: Type.Optional(Type.Enum(['active', 'paused'], { description: '`paused` stops deliveries (events keep queueing); `active` resumes a paused subscription, clearing its failures.' })),
    ...filters,
  },
  { additionalProperties: false, minProperties: 1, examples: [{ status: 'active' }] },
);

export const Subscription = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    event_types: Type.Array(EventTypeSchema),
    indicators: Type.Union([Type.Array(Type.String()), Type.Null()]),
    regions: Type.Union([Type.Array(Type.String()), Type.Null()]),
    owner: Type.String({ description: 'The client that subscribed.' }),
    status: Type.Enum(['active', 'paused']),
    paused_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why deliveries stopped: failures in a row and the last one, a 410 Gone, or who paused it.' }),
    paused_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    consecutive_failures: Type.Integer(),
    last_error: Type.Union([Type.String(), Type.Null()]),
    next_attempt_at: Type.String({ format: 'date-time', description: 'When the next try is due (after failures: backoff with jitter).' }),
    secret_rotated_at: Type.String({ format: 'date-time' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { examples: [subscriptionExample] },
);

export const SubscriptionWithSecret = Type.Object(
  {
    subscription: Subscription,
    secret: Type.String({ description: 'The Standard Webhooks signing secret (`whsec_` + base64), shown this once: verify `webhook-signature` with it.' }),
  },
  { examples: [{ subscription: subscriptionExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }] },
);

export const attemptExample = { id: '42', event_id: 'msg_2b8c0a7f1e5d4c3b9a8f7e6d5c4b3a21', event_type: 'figure.changed', attempt: 2, at: '2026-02-10T03:00:12.000Z', duration_ms: 84, status_code: 503, outcome: 'failed', error: 'answered 503' };

export const Attempt = Type.Object(
  {
    id: Type.String(),
    event_id: Type.String({ description: 'The message id (webhook-id header); the same on every try of an event.' }),
    event_type: EventTypeSchema,
    attempt: Type.Integer({ description: '1 for the first try of this event, then 2, 3…' }),
    at: Type.String({ format: 'date-time' }),
    duration_ms: Type.Integer(),
    status_code: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s status; null when no answer came.' }),
    outcome: Type.Enum(['delivered', 'failed']),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { examples: [attemptExample] },
);

export const AttemptQuery = Type.Object(
  {
    outcome: Type.Optional(Type.Enum(['delivered', 'failed'], { description: '`failed` lists only the failures.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ReplayBody = Type.Object(
  { from: Type.String({ pattern: '^msg_[0-9a-f]{32}$', description: 'The event to start from: its id (the webhook-id header of a delivery, or `event_id` of the delivery log). It and every later event are sent again, in order.' }) },
  { additionalProperties: false, examples: [{ from: 'msg_2b8c0a7f1e5d4c3b9a8f7e6d5c4b3a21' }] },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64, examples: ['0b6f2d8e-9c51-4a57-a0a4-3cf0d3c2c1a9'] }) });

// --- payloads, for the OpenAPI document's `webhooks` -------------------------------------

const Key = { indicator: Type.String(), region: Type.String(), period: Type.String(), disaggregation: Type.Record(Type.String(), Type.String()) };
const VersionAbout = {
  dataset_id: Type.String({ format: 'uuid' }),
  dataset_title: Type.String(),
  agency: Type.String(),
  version: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  link: Type.String(),
};

/** What `data` holds for each event type. */
export const EVENT_DATA: Record<(typeof EVENT_TYPES)[number], { summary: string; data: ReturnType<typeof Type.Object> | ReturnType<typeof Type.Union> }> = {
  'figure.changed': {
    summary: 'An entry of /v1/figures/changes, with its cursor: `cursor` is the `next_cursor` that resumes the pull feed after it.',
    data: Type.Union([
      Type.Object({ kind: Type.Enum(['new', 'revised', 'disputed', 'resolved']), at: Type.String({ format: 'date-time' }), figure: FeedFigureSchema, cursor: Type.String() }),
      Type.Object({ kind: Type.Literal('withdrawn'), at: Type.String({ format: 'date-time' }), figure: Type.Object(Key), cursor: Type.String() }, { description: 'Consumers only: drop the figure.' }),
    ]),
  },
  'conflict.opened': {
    summary: 'Agencies disagree on a key (or a decision was taken back): the figure is disputed.',
    data: Type.Object({ conflict_id: Type.String(), ...Key, status: Type.Literal('open'), value: Type.Null(), method: Type.Null(), rationale: Type.Union([Type.String(), Type.Null()]), decided_by: Type.Union([Type.String(), Type.Null()]), at: Type.String({ format: 'date-time' }), link: Type.String() }),
  },
  'conflict.resolved': {
    summary: 'A conflict was settled, by policy or by a walidata, and the key has a value again.',
    data: Type.Object({ conflict_id: Type.String(), ...Key, status: Type.Literal('resolved'), value: Type.Union([Type.String(), Type.Null()]), method: Type.Union([Type.String(), Type.Null()]), rationale: Type.Union([Type.String(), Type.Null()]), decided_by: Type.Union([Type.String(), Type.Null()]), at: Type.String({ format: 'date-time' }), link: Type.String() }),
  },
  'version.returned': { summary: 'A walidata returned a version with a note: push a correction.', data: Type.Object({ ...VersionAbout, status: Type.Literal('returned'), note: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }) },
  'version.verified': { summary: 'A version was verified.', data: Type.Object({ ...VersionAbout, status: Type.Literal('verified'), note: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }) },
  'version.published': { summary: 'A version was published and its figures reconciled.', data: Type.Object({ ...VersionAbout, status: Type.Literal('published'), note: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }) },
  'finding.awaiting_answer': {
    summary: 'A pushed version has open anomaly findings the agency should answer (as /v1/inbox lists them).',
    data: Type.Object({
      ...VersionAbout,
      count: Type.Union([Type.Integer(), Type.Literal('100+')]),
      findings: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), severity: Type.String(), message_id: Type.String(), message_en: Type.String() }), { maxItems: 100 }),
    }),
  },
  'deadline.reminder': {
    summary: 'An agency still owes data in an open cycle: once from 7 days before the deadline (`due_soon`), once after it (`overdue`).',
    data: Type.Object({
      cycle_id: Type.String(),
      cycle_name: Type.String(),
      deadline: Type.String({ format: 'date' }),
      deadline_ends_at: Type.String({ format: 'date-time' }),
      stage: Type.Enum(['due_soon', 'overdue']),
      agency: Type.String(),
      missing: Type.Integer(),
      indicators: Type.Array(Type.String()),
      link: Type.String(),
    }),
  },
};
