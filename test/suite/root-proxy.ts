import tap, { type Test } from 'tap';

/**
 * The `t` a test file gets when it runs in a process shared with other test files
 * (run-files.ts redirects their `import t from 'tap'` here): it stands for the subtest that
 * runs the file, so the file's teardowns run when the file is done, before the next file
 * starts, and its assertions, hooks and failures are reported under its own name.
 */
let current: Test = tap;

export function setCurrentFile(file: Test): void {
  current = file;
}

const t = new Proxy(tap, {
  get(_, key) {
    const value: unknown = Reflect.get(current, key, current);
    return typeof value === 'function' ? value.bind(current) : value;
  },
  set: (_, key, value) => Reflect.set(current, key, value, current),
});

export default t;
export * from 'tap';
