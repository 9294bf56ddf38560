import t from 'tap';
import { memoryCache } from '../../src/util/memory-cache.js';

// A clock the test moves; ttlResolution 0 makes lru-cache read it on every check. It starts
// above 0: lru-cache takes a start time of 0 as "no start time".
function clock() {
  const at = { ms: 1_000 };
  return { at, perf: { now: () => at.ms }, ttlResolution: 0 };
}

// Sized like the page cache: the size of a value is its length.
const textCache = (maxSize: number, ttl: number, time = clock()) =>
  memoryCache<string>({ maxSize, ttl, sizeCalculation: (v) => v.length, perf: time.perf, ttlResolution: time.ttlResolution });

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

t.test('a value is served until it expires', async (t) => {
  const time = clock();
  const cache = textCache(100, 1000, time);
  let builds = 0;
  const build = async () => `{"build":${++builds}}`;
  t.equal(await cache.fetch('a', { context: build }), '{"build":1}');
  time.at.ms += 1000;
  t.equal(await cache.fetch('a', { context: build }), '{"build":1}', 'still fresh at the limit');
  time.at.ms += 1;
  t.equal(cache.get('a'), undefined, 'expired');
  t.equal(await cache.fetch('a', { context: build }), '{"build":2}', 'and built again');
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
  t.equal(await cache.fetch('huge', { context: async () => 'x'.repeat(11) }), 'x'.repeat(11), 'a value too large is still returned');
  t.equal(cache.get('huge'), undefined, 'but not kept');
  t.equal(cache.size, 2, 'and nothing was evicted for it');
});

t.test('storing a key again replaces its value and its size', async (t) => {
  const cache = textCache(8, 60_000);
  cache.set('a', 'aaaa');
  cache.set('a', 'AAAAAA');
  cache.set('b', 'bb');
  t.equal(cache.get('a'), 'AAAAAA', 'the new value; 6 + 2 fit in 8');
  t.ok(cache.get('b'));
});

t.test('a count-bounded cache (the clients behind tokens) keeps at most its count', async (t) => {
  const cache = memoryCache<string>({ max: 2, ttl: 60_000 });
  for (const k of ['a', 'b', 'c']) await cache.fetch(k, { context: async () => k.toUpperCase() });
  t.same([...cache.keys()].sort(), ['b', 'c']);
});

t.test('concurrent misses of one key build it once; a failed build is not kept', async (t) => {
  const cache = textCache(100, 60_000);
  let builds = 0;
  const { open, opened } = gate();
  const build = async () => {
    builds++;
    await opened;
    return `page ${builds}`;
  };
  const waiting = Promise.all([cache.forceFetch('k', { context: build }), cache.forceFetch('k', { context: build }), cache.forceFetch('k', { context: build })]);
  open();
  t.same(await waiting, ['page 1', 'page 1', 'page 1']);
  t.equal(builds, 1);
  t.equal(await cache.forceFetch('k', { context: build }), 'page 1', 'then served from memory');

  await t.rejects(cache.fetch('bad', { context: async () => Promise.reject(new Error('database down')) }), /database down/);
  t.notOk(cache.has('bad'));
  t.equal(await cache.fetch('bad', { context: async () => 'recovered' }), 'recovered', 'the next request builds again');
});

t.test('a build that yields undefined (an unknown client) is returned but built again next time', async (t) => {
  const cache = textCache(100, 60_000);
  let builds = 0;
  const build = async () => {
    builds++;
    return undefined;
  };
  t.equal(await cache.fetch('x', { context: build }), undefined);
  t.equal(await cache.fetch('x', { context: build }), undefined);
  t.equal(builds, 2);
  t.equal(cache.size, 0);
});

t.test('a build whose entry is evicted while it runs still answers its callers', async (t) => {
  const cache = textCache(10, 60_000);
  const { open, opened } = gate();
  const slow = cache.forceFetch('slow', {
    context: async () => {
      await opened;
      return 'late';
    },
  });
  // Newer values fill the cache, evicting the oldest entry: the pending one.
  cache.set('a', 'aaaaa');
  cache.set('b', 'bbbbb');
  cache.set('c', 'ccccc');
  open();
  t.equal(await slow, 'late');
});
