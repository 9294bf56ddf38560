import t from 'tap';
import { FairQueue } from '../../src/util/fair-queue.js';

/** Tasks that run until the test finishes them, recording the order they started in. */
function harness(concurrency: number) {
  const queue = new FairQueue(concurrency);
  const started: string[] = [];
  const finishers = new Map<string, (ok: boolean) => void>();
  const results = new Map<string, Promise<string>>();
  const add = (name: string, keys: [string, ...string[]]) => {
    results.set(
      name,
      queue.run(keys, () => {
        started.push(name);
        return new Promise<string>((resolve, reject) => finishers.set(name, (ok) => (ok ? resolve(name) : reject(new Error(name)))));
      }),
    );
  };
  /** Lets every task that can start, start (they start on a later microtask). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const finish = async (name: string, ok = true) => {
    finishers.get(name)!(ok);
    await results.get(name)!.catch(() => undefined);
    await settle();
  };
  return { add, settle, finish, started, results };
}

t.test('a flood from one source holds one place: a newcomer starts at once while places are free', async (t) => {
  const h = harness(2);
  for (let i = 1; i <= 10; i++) h.add(`flood-${i}`, ['address|A', `client|x${i}`]);
  await h.settle();
  t.same(h.started, ['flood-1'], 'one at a time from the flooding address, however many it sent');
  h.add('legit', ['address|B', 'client|legit']);
  await h.settle();
  t.same(h.started, ['flood-1', 'legit'], 'the other address takes the free place at once');
});

t.test('with every place taken, the sources take turns: a newcomer waits for one turn of each source ahead, not for their backlogs', async (t) => {
  const h = harness(1);
  for (let i = 1; i <= 5; i++) h.add(`flood-${i}`, ['address|A', `client|x${i}`]);
  await h.settle();
  h.add('legit', ['address|B', 'client|legit']);
  await h.finish('flood-1');
  await h.finish('flood-2');
  await h.finish('legit');
  await h.finish('flood-3');
  t.same(h.started, ['flood-1', 'flood-2', 'legit', 'flood-3', 'flood-4']);
});

t.test('at most one task at a time per key, whichever source it comes from', async (t) => {
  const h = harness(4);
  h.add('from-a', ['address|A', 'client|victim']);
  h.add('from-b', ['address|B', 'client|victim']);
  h.add('from-c', ['address|C', 'client|other']);
  await h.settle();
  t.same(h.started, ['from-a', 'from-c'], 'the second task for the same client id waits, the other one runs');
  await h.finish('from-a');
  t.same(h.started, ['from-a', 'from-c', 'from-b'], 'and starts when the first is done');
});

t.test("a task's result or failure reaches its caller, and a failure frees its place", async (t) => {
  const h = harness(1);
  h.add('fails', ['address|A', 'client|a']);
  h.add('next', ['address|B', 'client|b']);
  await h.settle();
  const failure = h.results.get('fails')!;
  await h.finish('fails', false);
  await t.rejects(failure, /fails/);
  t.same(h.started, ['fails', 'next']);
  await h.finish('next');
  t.equal(await h.results.get('next'), 'next');
});

t.test('a task that throws before returning a promise is a rejection, not a lost place', async (t) => {
  const queue = new FairQueue(1);
  await t.rejects(queue.run(['address|A'], () => { throw new Error('at once'); }), /at once/);
  t.equal(await queue.run(['address|A'], async () => 'after'), 'after');
});

t.test('concurrency must be a positive integer', async (t) => {
  t.throws(() => new FairQueue(0), RangeError);
  t.throws(() => new FairQueue(1.5), RangeError);
});
