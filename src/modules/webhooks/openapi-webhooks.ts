import { EVENT_TYPES } from './event-types.js';
import { EVENT_DATA } from './schemas.js';

const HEADERS = [
  { name: 'webhook-id', description: 'The event id (`msg_…`): the same on every retry and replay; de-duplicate by it.', example: 'msg_2b8c0a7f1e5d4c3b9a8f7e6d5c4b3a21' },
  { name: 'webhook-timestamp', description: 'Seconds since the epoch when this attempt was signed; refuse messages far from your clock.', example: '1770692400' },
  { name: 'webhook-signature', description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures of `{webhook-id}.{webhook-timestamp}.{body}` with the subscription secret (two during a rotation). Verify with any Standard Webhooks library.', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
].map((h) => ({ in: 'header', name: h.name, required: true, description: h.description, schema: { type: 'string', examples: [h.example] } }));

/** The OpenAPI 3.1 `webhooks` of the document: one message per event type. */
export function webhookDocs(): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook-${type.replace(/[._]/g, '-')}`,
          tags: ['Webhooks'],
          summary: EVENT_DATA[type].summary,
          description: `Sent to subscriptions of \`${type}\`, in order per subscription, at least once (retried with backoff until a 2xx; redirects are not followed). Answer 2xx quickly; 410 Gone pauses the subscription.`,
          parameters: HEADERS,
          // The receiver checks the Standard Webhooks signature headers, not a token of ours.
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: JSON.parse(
                  JSON.stringify({
                    type: 'object',
                    required: ['type', 'timestamp', 'data'],
                    properties: { type: { const: type }, timestamp: { type: 'string', format: 'date-time', description: 'When the event happened (stored).' }, data: EVENT_DATA[type].data },
                  }),
                ),
              },
            },
          },
          responses: { '2XX': { description: 'Accepted; the next event follows.' }, default: { description: 'Any other answer (or none within the timeout) is a failure: the event is tried again later.' } },
        },
      },
    ]),
  );
}
