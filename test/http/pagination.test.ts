import t from 'tap';
import { AppError } from '../../src/http/app-error.js';
import { decodeCursor, encodeCursor, paginate } from '../../src/http/pagination.js';

t.test('a cursor decodes to the key it was made from', async (t) => {
  for (const key of ['65.71', '', 'PPKS-06', '1234567890123', 'Kabupaten Ñ/ü "kutip" \\ 🚀']) {
    const cursor = encodeCursor(key);
    t.match(cursor, /^[A-Za-z0-9_-]*$/, `cursor for ${JSON.stringify(key)} is URL-safe`);
    t.equal(decodeCursor(cursor), key);
  }
});

t.test('no cursor means the first page', async (t) => {
  t.equal(decodeCursor(undefined), undefined);
});

t.test('a cursor that was not made by us is rejected as INVALID_CURSOR', async (t) => {
  const garbage = [
    'garbage',
    '',
    '!!!',
    Buffer.from('not json').toString('base64url'),
    Buffer.from('{"k":5}').toString('base64url'),
    Buffer.from('{"key":"65"}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    Buffer.from('"65"').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
  ];
  for (const cursor of garbage) {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (err) {
      thrown = err;
    }
    t.ok(thrown instanceof AppError, `rejects ${JSON.stringify(cursor)} with an AppError`);
    t.match(thrown, { code: 'INVALID_CURSOR', status: 400 });
  }
});

t.test('paginate serves limit rows and points at the next page when limit + 1 came back', async (t) => {
  const rows = [{ code: 'a' }, { code: 'b' }, { code: 'c' }];
  const page = paginate(rows, 2, (r) => r.code);
  t.same(page.data, [{ code: 'a' }, { code: 'b' }]);
  t.equal(page.page.limit, 2);
  t.type(page.page.next_cursor, 'string');
  t.equal(decodeCursor(page.page.next_cursor ?? undefined), 'b', 'the cursor names the last row served, not the extra one');
});

t.test('paginate gives no next cursor on the last page', async (t) => {
  const exact = paginate([{ code: 'a' }, { code: 'b' }], 2, (r) => r.code);
  t.same(exact.data.map((r) => r.code), ['a', 'b']);
  t.equal(exact.page.next_cursor, null, 'exactly limit rows is the last page');

  const short = paginate([{ code: 'a' }], 5, (r) => r.code);
  t.same(short.data.map((r) => r.code), ['a']);
  t.equal(short.page.next_cursor, null);
  t.equal(short.page.limit, 5);

  const empty = paginate([] as { code: string }[], 3, (r) => r.code);
  t.same(empty.data, []);
  t.equal(empty.page.next_cursor, null);
});

t.test('walking pages with paginate visits every row once', async (t) => {
  const all = Array.from({ length: 7 }, (_, i) => ({ id: String(i).padStart(2, '0') }));
  const fetch = (after: string | undefined, limit: number) => all.filter((r) => after === undefined || r.id > after).slice(0, limit + 1);
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = paginate(fetch(decodeCursor(cursor), 3), 3, (r) => r.id);
    seen.push(...page.data.map((r) => r.id));
    if (page.page.next_cursor === null) break;
    cursor = page.page.next_cursor;
  }
  t.same(seen, all.map((r) => r.id));
});
