import t from 'tap';
import { encodeCursor } from '../../../src/http/pagination.js';
import { createAgency, createTestApp } from '../../helpers/test-app.js';

const ctx = await createTestApp(t);
const { app } = ctx;
// The walidata is made the way a real one is (an admin creates it over the API and it asks
// for a token), so that its creation and its token show in the log.
const admin = await ctx.login('admin');
const created = await app.inject({ method: 'POST', url: '/v1/clients', headers: admin.auth, payload: { name: 'Walidata Tarakan', role: 'walidata' } });
const { client, client_secret } = created.json() as { client: { client_id: string }; client_secret: string };
const issued = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: client.client_id, client_secret } });
const walidata = { clientId: client.client_id, secret: client_secret, auth: { authorization: `Bearer ${(issued.json() as { access_token: string }).access_token}` } };
const { auth } = walidata;

interface AuditEntry {
  id: string;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  actor_agency: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}
interface AuditPage {
  data: AuditEntry[];
  page: { next_cursor: string | null; limit: number };
}

async function page(query: string): Promise<AuditPage> {
  const res = await app.inject({ url: `/v1/audit-log?${query}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`GET /v1/audit-log?${query} → ${res.statusCode}: ${res.body}`);
  return res.json() as AuditPage;
}

// Some history: three agencies registered in order, one renamed with a known request id.
await createAgency(ctx, 'DINSOS-6571', '65.71');
await createAgency(ctx, 'DINKES-6571', '65.71', 'DINKES');
await createAgency(ctx, 'DINSOS-3373', '33.73');
const renamed = await app.inject({
  method: 'PATCH',
  url: '/v1/agencies/DINSOS-3373',
  headers: { ...auth, 'x-request-id': 'audit-test-rename-1' },
  payload: { name: 'Dinas Sosial Kota Salatiga' },
});
if (renamed.statusCode !== 200) throw new Error(`rename failed: ${renamed.body}`);

t.test('consumers and producers may not read the audit log', async (t) => {
  const consumer = await ctx.login('consumer');
  const asConsumer = await app.inject({ url: '/v1/audit-log', headers: consumer.auth });
  t.equal(asConsumer.statusCode, 403);
  t.match(asConsumer.headers['content-type'], /application\/problem\+json/);
  t.equal(asConsumer.json().code, 'FORBIDDEN');
  t.match(asConsumer.json().detail, /consumer/);

  const producer = await ctx.login('producer', 'DINSOS-6571');
  const asProducer = await app.inject({ url: '/v1/audit-log', headers: producer.auth });
  t.equal(asProducer.statusCode, 403);
  t.equal(asProducer.json().code, 'FORBIDDEN');

  const anonymous = await app.inject({ url: '/v1/audit-log' });
  t.equal(anonymous.statusCode, 401);
});

t.test('walidata sees entries newest first', async (t) => {
  const { data } = await page('');
  t.ok(data.length >= 5, 'client and agency changes are all there');
  for (let i = 1; i < data.length; i++) {
    const newer = data[i - 1]!;
    const older = data[i]!;
    t.ok(BigInt(newer.id) > BigInt(older.id), `entry ${newer.id} before ${older.id}`);
    t.ok(Date.parse(newer.at) >= Date.parse(older.at), 'timestamps do not go backwards');
  }
  const agencies = await page('entity_type=agency');
  t.same(
    agencies.data.map((e) => `${e.action} ${e.entity_id}`),
    ['agency.updated DINSOS-3373', 'agency.created DINSOS-3373', 'agency.created DINKES-6571', 'agency.created DINSOS-6571'],
  );
});

t.test('admins may read the audit log too', async (t) => {
  const res = await app.inject({ url: '/v1/audit-log?entity_type=agency', headers: admin.auth });
  t.equal(res.statusCode, 200);
  t.equal((res.json() as AuditPage).data.length, 4);
});

t.test('an entry records who, what, when, the request and the state before and after', async (t) => {
  const { data } = await page('entity_type=agency&entity_id=DINSOS-3373');
  t.equal(data.length, 2);
  t.match(data[0], {
    action: 'agency.updated',
    entity_type: 'agency',
    entity_id: 'DINSOS-3373',
    actor_id: walidata.clientId,
    actor_role: 'walidata',
    actor_agency: null,
    request_id: 'audit-test-rename-1',
    before: { code: 'DINSOS-3373', name: 'Agency DINSOS-3373' },
    after: { code: 'DINSOS-3373', name: 'Dinas Sosial Kota Salatiga' },
  });
  t.match(data[0]?.id, /^\d+$/, 'ids are decimal text');
  t.ok(Math.abs(Date.parse(data[0]!.at) - Date.now()) < 5 * 60_000, 'at is the time of the change');
  t.match(data[1], { action: 'agency.created', before: null, after: { name: 'Agency DINSOS-3373' } });
});

t.test('filters by entity and by actor', async (t) => {
  const clients = await page('entity_type=client');
  t.ok(clients.data.length >= 1);
  t.ok(clients.data.every((e) => e.entity_type === 'client'));
  t.ok(clients.data.some((e) => e.entity_id === walidata.clientId && e.action === 'client.created'));

  const byActor = await page(`actor_id=${walidata.clientId}`);
  t.ok(byActor.data.length > 0 && byActor.data.every((e) => e.actor_id === walidata.clientId), 'only entries by that client');
  t.same(
    byActor.data.map((e) => e.action).sort(),
    ['agency.updated', 'client.token-issued'],
    'its own token and its one change, not the client creation done by someone else',
  );

  const none = await page('entity_type=agency&entity_id=NOPE-1');
  t.same(none.data, []);
  t.equal(none.page.next_cursor, null);
});

t.test('client secrets never reach the audit log', async (t) => {
  const res = await app.inject({ url: '/v1/audit-log?entity_type=client&limit=1000', headers: auth });
  t.equal(res.statusCode, 200);
  t.notOk(res.body.includes(walidata.secret), 'the secret handed out at creation is not recorded');
  for (const e of (res.json() as AuditPage).data) {
    t.notOk(e.after && ('client_secret' in e.after || 'secret' in e.after || 'secret_hash' in e.after), `${e.entity_id} has no secret field`);
  }
});

t.test('pages walk the whole log once, newest first', async (t) => {
  const full = (await page('limit=1000')).data.map((e) => e.id);
  const seen: string[] = [];
  let query = 'limit=2';
  let pages = 0;
  for (; pages < 100; pages++) {
    const body = await page(query);
    t.ok(body.data.length <= 2);
    t.equal(body.page.limit, 2);
    seen.push(...body.data.map((e) => e.id));
    if (body.page.next_cursor === null) break;
    query = `limit=2&cursor=${body.page.next_cursor}`;
  }
  t.same(seen, full);
  t.equal(new Set(seen).size, seen.length, 'no duplicates');
  t.equal(pages + 1, Math.ceil(full.length / 2));
});

t.test('a cursor keeps the filters it is used with', async (t) => {
  const first = await page('entity_type=agency&limit=3');
  t.equal(first.data.length, 3);
  t.type(first.page.next_cursor, 'string');
  const second = await page(`entity_type=agency&limit=3&cursor=${first.page.next_cursor}`);
  t.same(second.data.map((e) => e.entity_id), ['DINSOS-6571']);
  t.equal(second.page.next_cursor, null);
});

t.test('a bad cursor is a 400 INVALID_CURSOR', async (t) => {
  const cursors = {
    garbage: 'not-a-cursor',
    'not a number': encodeCursor('abc'),
    negative: encodeCursor('-1'),
    'twenty digits': encodeCursor('12345678901234567890'),
  };
  for (const [what, cursor] of Object.entries(cursors)) {
    const res = await app.inject({ url: `/v1/audit-log?cursor=${cursor}`, headers: auth });
    t.equal(res.statusCode, 400, what);
    t.equal(res.json().code, 'INVALID_CURSOR', what);
  }
});

t.test('a cursor past the largest possible id is a 400 INVALID_CURSOR, not a 500', async (t) => {
  // 19 digits, but above 9223372036854775807 (the bigint maximum of audit_log.id).
  const res = await app.inject({ url: `/v1/audit-log?cursor=${encodeCursor('9999999999999999999')}`, headers: auth });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'INVALID_CURSOR');

  const largest = await app.inject({ url: `/v1/audit-log?cursor=${encodeCursor('9223372036854775807')}`, headers: auth });
  t.equal(largest.statusCode, 200, 'the bigint maximum itself is a valid position');
  t.ok((largest.json() as AuditPage).data.length > 0, 'and every entry lies before it');
});

t.test('limit must be 1–1000 and unknown parameters are refused', async (t) => {
  for (const query of ['limit=0', 'limit=1001', 'entity=agency']) {
    const res = await app.inject({ url: `/v1/audit-log?${query}`, headers: auth });
    t.equal(res.statusCode, 400, query);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
});
