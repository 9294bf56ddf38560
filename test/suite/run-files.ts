import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import tap from 'tap';
import { projectRoot } from '../../migrations/reference-files.js';
import { CACHE_DIR, isAlive } from '../helpers/database.js';
import { setCurrentFile } from './root-proxy.js';

/**
 * `npm test` runs the compiled test files in a few long-lived processes (one per tap job,
 * see write-entries.ts) instead of one process per file: a file's process start, module
 * loading and coverage set-up cost more CPU than most files' tests. Each process takes the
 * next file nobody has taken yet, so the processes finish together whatever the files cost.
 * A file runs as a subtest named after it and gets its own database from the helpers, as
 * it would alone. Files under test/slow/ (real server processes that crash, run out of
 * memory, lose connections) are left to `npm run test:slow`.
 */
const root = projectRoot();
const SLOW = 'test/slow/';
// Each file has tap's per-file limit (TAP_TIMEOUT, set from .taprc) to itself: the runner's
// timer on this process starts anew before each file. A file that overruns it takes the
// process down (tap reports it, with the file's output so far); the other processes go on
// taking the files that are left.
const LIMIT = Number(process.env.TAP_TIMEOUT || 30) * 1000;

/**
 * The test files of the suite as their sources are named (a compiled file whose source is gone
 * is not one). Files directly under test/ come first: they are the suite-wide ones (fuzz, the
 * authorization matrix, real server processes), the longest, so they start early and the
 * processes end together on short ones instead of one waiting for the other's last long file.
 */
function suiteFiles(): string[] {
  const depth = (file: string) => file.split('/').length;
  return (readdirSync(join(root, '.test-build', 'test'), { recursive: true }) as string[])
    .map((file) => `test/${file.split('\\').join('/')}`.replace(/\.js$/, '.ts'))
    .filter((file) => file.endsWith('.test.ts') && !file.startsWith(SLOW) && existsSync(join(root, file)))
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Files are handed out through a directory per run of tap (the parent of these processes):
 * creating an entry named after the file is atomic, so exactly one process gets it.
 */
function claimer(): (file: string) => boolean {
  const cache = join(CACHE_DIR, 'suite');
  mkdirSync(cache, { recursive: true });
  for (const run of readdirSync(cache)) if (!isAlive(Number(run))) rmSync(join(cache, run), { recursive: true, force: true });
  const queue = join(cache, String(process.ppid));
  mkdirSync(queue, { recursive: true });
  return (file) => {
    try {
      mkdirSync(join(queue, file.replaceAll('/', '!')));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  };
}

export async function runFiles(): Promise<void> {
  register('./redirect-tap.js', { parentURL: import.meta.url, data: { proxy: new URL('./root-proxy.js', import.meta.url).href } });
  const claim = claimer();
  for (const file of suiteFiles()) {
    if (!claim(file)) continue;
    const env = { ...process.env };
    tap.setTimeout(LIMIT);
    await tap.test(file, async (t) => {
      setCurrentFile(t);
      await import(pathToFileURL(join(root, '.test-build', file.replace(/\.ts$/, '.js'))).href);
    });
    setCurrentFile(tap);
    // A file may set variables for itself (push-jobs.test.ts sets TMPDIR).
    for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
    Object.assign(process.env, env);
  }
}
