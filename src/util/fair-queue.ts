interface Waiter {
  keys: readonly string[];
  start: () => void;
}

/**
 * Runs async tasks at most `concurrency` at a time and at most one at a time per key, with
 * the waiting sources taking turns. A task names its keys, the first of which is its source
 * (the turn-taking unit). However many tasks one source queues, it holds at most one place,
 * and a newcomer waits only for the sources ahead of it to have had one turn each, not for
 * their backlogs: a flood from one address, or aimed at one client id, cannot occupy every
 * place nor delay everyone else.
 */
export class FairQueue {
  private running = 0;
  private readonly busy = new Set<string>();
  /** Waiting tasks by source; the map's order is the order of turns. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
  }

  run<T>(keys: readonly [string, ...string[]], task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        for (const key of keys) this.busy.add(key);
        Promise.resolve()
          .then(task)
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            for (const key of keys) this.busy.delete(key);
            this.dispatch();
          });
      };
      const source = keys[0];
      const queue = this.waiting.get(source);
      if (queue) queue.push({ keys, start });
      else this.waiting.set(source, [{ keys, start }]);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.concurrency) {
      const next = this.nextStartable();
      if (!next) return;
      next.start();
    }
  }

  /** The head of the first source in turn whose keys are all free; that source goes to the back. */
  private nextStartable(): Waiter | undefined {
    for (const [source, queue] of this.waiting) {
      const head = queue[0]!;
      if (head.keys.some((key) => this.busy.has(key))) continue;
      queue.shift();
      this.waiting.delete(source);
      if (queue.length > 0) this.waiting.set(source, queue);
      return head;
    }
    return undefined;
  }
}
