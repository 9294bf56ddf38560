import t from 'tap';
import { MemoryCache } from '../../src/util/memory-cache.js';

const textCache = (maxSize: number, ttlMs: number, now?: () => number) => new MemoryCache<string>({ maxSize, ttlMs, sizeOf: (v) => v.length, ...(now ? { now } : {}) });

t.test('a value is served until it expires', async (t) => {
  let now = 0;
  const cache = textCache(100, 1000, () => now);
  cache.set('a', '{"a":1}');
  t.equal(cache.get('a'), '{"a":1}');
  now = 1000;
  t.ok(cache.get('a'), 'still fresh at the limit');
  now = 1001;
  t.equal(cache.get('a'), undefined, 'expired');
  t.equal(cache.size, 0, 'and gone');
});

t.test('the least recently used values make room, and a value larger than the cache is not kept', async (t) => {
  const cache = textCache(10, 60_000);
  cache.set('a', 'aaaa');
  cache.set('b', 'bbbb');
  t.ok(cache.get('a'), 'a used again: b is now the oldest');
  cache.set('c', 'cccc');
  t.equal(cache.get('b'), undefined, 'b made room');
  t.ok(cache.get('a'));
  t.ok(cache.get('c'));
  cache.set('huge', 'x'.repeat(11));
  t.equal(cache.get('huge'), undefined);
  t.equal(cache.size, 2, 'nothing was evicted for it');
});

t.test('storing a key again replaces its value and its size', async (t) => {
  const cache = textCache(8, 60_000);
  cache.set('a', 'aaaa');
  cache.set('a', 'AAAAAA');
  cache.set('b', 'bb');
  t.equal(cache.get('a'), 'AAAAAA', 'the new value; 6 + 2 fit in 8');
  t.ok(cache.get('b'));
});

t.test('concurrent misses of one key build it once; a failed build is not kept', async (t) => {
  const cache = textCache(100, 60_000);
  let builds = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const build = async () => {
    builds++;
    await gate;
    return `page ${builds}`;
  };
  const waiting = Promise.all([cache.getOrBuild('k', build), cache.getOrBuild('k', build), cache.getOrBuild('k', build)]);
  release();
  t.same(await waiting, ['page 1', 'page 1', 'page 1']);
  t.equal(builds, 1);
  t.equal(await cache.getOrBuild('k', build), 'page 1', 'then served from memory');

  await t.rejects(cache.getOrBuild('bad', async () => Promise.reject(new Error('database down'))), /database down/);
  t.equal(await cache.getOrBuild('bad', async () => 'recovered'), 'recovered', 'the next request builds again');
});

t.test('a value the caller says not to keep is returned but built again next time', async (t) => {
  const cache = textCache(100, 60_000);
  let builds = 0;
  const build = async () => `miss ${++builds}`;
  t.equal(await cache.getOrBuild('x', build, () => false), 'miss 1');
  t.equal(await cache.getOrBuild('x', build, () => false), 'miss 2');
  t.equal(cache.size, 0);
});
