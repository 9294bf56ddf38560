import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface Spooled {
  path: string;
  bytes: number;
  /** Line feeds seen: an upper bound of the CSV rows (a quoted cell may hold one). */
  lines: number;
  sha256: string;
  dispose(): Promise<void>;
}

/**
 * Writes a request body to a temporary file while counting its lines and hashing it, so a
 * push knows its size before deciding to run it now or as a job, and the job can read the
 * body after the request is answered. Memory stays flat; the file goes with dispose().
 */
export async function spool(input: AsyncIterable<Buffer>): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 'sde-push-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'body');
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  try {
    await pipeline(async function* () {
      for await (const chunk of input) {
        hash.update(chunk);
        bytes += chunk.length;
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
        yield chunk;
      }
    }, createWriteStream(path));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { path, bytes, lines, sha256: hash.digest('hex'), dispose };
}
