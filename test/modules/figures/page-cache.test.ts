import t from 'tap';
import { PageCache, type CachedPage } from '../../../src/modules/figures/page-cache.js';

const page = (body: string): CachedPage => ({ body, type: 'application/json', etag: `"${body}"`, link: null });

t.test('a page is served until it expires', async (t) => {
  let now = 0;
  const cache = new PageCache({ maxChars: 100, ttlMs: 1000, now: () => now });
  cache.set('a', page('{"a":1}'));
  t.same(cache.get('a'), page('{"a":1}'));
  now = 1000;
  t.ok(cache.get('a'), 'still fresh at the limit');
  now = 1001;
  t.equal(cache.get('a'), undefined, 'expired');
  t.equal(cache.size, 0, 'and gone');
});

t.test('the least recently used pages make room, and a page larger than the cache is not kept', async (t) => {
  const cache = new PageCache({ maxChars: 10, ttlMs: 60_000 });
  cache.set('a', page('aaaa'));
  cache.set('b', page('bbbb'));
  t.ok(cache.get('a'), 'a used again: b is now the oldest');
  cache.set('c', page('cccc'));
  t.equal(cache.get('b'), undefined, 'b made room');
  t.ok(cache.get('a'));
  t.ok(cache.get('c'));
  cache.set('huge', page('x'.repeat(11)));
  t.equal(cache.get('huge'), undefined);
  t.equal(cache.size, 2, 'nothing was evicted for it');
});

t.test('storing a key again replaces its page and its size', async (t) => {
  const cache = new PageCache({ maxChars: 8, ttlMs: 60_000 });
  cache.set('a', page('aaaa'));
  cache.set('a', page('AAAAAA'));
  cache.set('b', page('bb'));
  t.same(cache.get('a')?.body, 'AAAAAA', 'the new page; 6 + 2 fit in 8');
  t.ok(cache.get('b'));
});
