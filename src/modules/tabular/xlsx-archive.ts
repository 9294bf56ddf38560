import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import yazl from 'yazl';

/**
 * The zip side of an XLSX push: read with yauzl's public API, the copy exceljs reads written
 * with yazl's. Sizes in a zip are whatever the sender wrote, so an archive is only trusted once
 * every entry has been inflated and counted against the limits; nothing else reads it before that.
 */

export interface ArchiveLimits {
  /** Largest inflated size of one entry. */
  entry: number;
  /** Largest inflated size of all entries together. */
  total: number;
}

// A deflated worksheet of real data shrinks 5–30 times; past 100 on a sizeable entry it is
// built to explode. Small entries are exempt: a tiny, very regular part is harmless.
const MAX_RATIO = 100;
const RATIO_MIN_BYTES = 4 * 1024 * 1024;

// exceljs parses these parts into memory rather than streaming them: shared strings take
// about twice their XML in heap (a 61 MB part, 138 MB), so they get a budget of their own
// that a 256 MiB heap can afford whatever the per-part limit is set to.
const HELD_PARTS: ReadonlySet<string> = new Set(['_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml']);
const MAX_HELD_BYTES = 64 * 1024 * 1024;

// More entries than a plain zip directory can count need ZIP64: no workbook worth pushing
// has that many, and each one is work.
const MAX_ENTRIES = 0xfffe;

export function partLimit(limits: ArchiveLimits, name: string): number {
  return HELD_PARTS.has(name) ? Math.min(limits.entry, MAX_HELD_BYTES) : limits.entry;
}

function exceeds(inflated: number, compressed: number, limit: number): boolean {
  return inflated > limit || (inflated >= RATIO_MIN_BYTES && inflated > MAX_RATIO * Math.max(1, compressed));
}

/** No entry named: too many entries for a plain zip directory. */
export type TooLarge = { kind: 'too-large'; entry?: string; bytes?: number };

export interface DeclaredEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** What the central directory claims, checked before anything is inflated. */
export function checkDeclared(entries: Iterable<DeclaredEntry>, limits: ArchiveLimits): TooLarge | undefined {
  let total = 0;
  for (const { name, compressedSize, uncompressedSize } of entries) {
    total += uncompressedSize;
    if (exceeds(uncompressedSize, compressedSize, partLimit(limits, name))) return { kind: 'too-large', entry: name, bytes: uncompressedSize };
    if (total > limits.total) return { kind: 'too-large', entry: name, bytes: total };
  }
  return undefined;
}

/** An archive whose every entry has been inflated within the limits. */
export class BoundedArchive {
  constructor(
    private readonly zip: ZipFile,
    private readonly entries: ReadonlyMap<string, Entry>,
  ) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The inflated bytes of an entry: the same bytes that were counted, as the buffer does not change. */
  async *read(name: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(name);
    if (!entry) return;
    for await (const chunk of await this.zip.openReadStreamPromise(entry)) yield chunk as Buffer;
  }
}

export type ArchiveVerdict = { kind: 'ok'; archive: BoundedArchive } | { kind: 'invalid'; reason: 'not-zip' | 'xls' | 'no-workbook' } | TooLarge;

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/**
 * Opens a pushed workbook and bounds it: the entry count and declared sizes first, then the
 * bytes each entry really inflates to, stopping at the first limit passed. yauzl's own size
 * check is off because a lie must be reported as the limit it dodges, not as a broken zip.
 */
export async function openArchive(bytes: Buffer, limits: ArchiveLimits): Promise<ArchiveVerdict> {
  const notZip: ArchiveVerdict = { kind: 'invalid', reason: bytes.subarray(0, 4).equals(OLE_SIGNATURE) ? 'xls' : 'not-zip' };
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: false });
  } catch {
    return notZip;
  }
  if (zip.entryCount > MAX_ENTRIES) return { kind: 'too-large' };
  const entries: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch {
    return notZip;
  }
  const declared = checkDeclared(
    entries.map((e) => ({ name: e.fileName, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize })),
    limits,
  );
  if (declared) return declared;
  if (!entries.some((e) => e.fileName === 'xl/workbook.xml')) return { kind: 'invalid', reason: 'no-workbook' };
  let total = 0;
  for (const entry of entries) {
    const limit = partLimit(limits, entry.fileName);
    let inflated = 0;
    try {
      // Leaving the loop early destroys the stream, so nothing more is inflated.
      for await (const chunk of await zip.openReadStreamPromise(entry)) {
        inflated += (chunk as Buffer).length;
        total += (chunk as Buffer).length;
        if (exceeds(inflated, entry.compressedSize, limit)) return { kind: 'too-large', entry: entry.fileName, bytes: inflated };
        if (total > limits.total) return { kind: 'too-large', entry: entry.fileName, bytes: total };
      }
    } catch {
      // Encrypted, an unknown method, data past the end of the file, a broken deflate stream.
      return notZip;
    }
  }
  return { kind: 'ok', archive: new BoundedArchive(zip, new Map(entries.map((e) => [e.fileName, e]))) };
}

export interface Part {
  name: string;
  /** A buffer is deflated whole and written with its sizes; a stream is deflated as it comes. */
  content: Buffer | AsyncIterable<Buffer>;
}

const DESCRIPTOR_SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

/**
 * Writes `parts` to a new zip at `path` with yazl, deflated at `level`. yazl writes a streamed
 * part's sizes after its data, in a data descriptor, and unzipper, which exceljs reads with,
 * finds the end of such a part by searching for the descriptor's signature. Deflated bytes can
 * hold it, by chance (about once in 4 GiB) or by design; the part would be cut there and what
 * follows read as entries of their own, outside the limits. So the signatures written are
 * counted: false when there are more than the descriptors, and then the file must not be read.
 */
export async function writeArchive(path: string, parts: Iterable<Part>, level: number): Promise<boolean> {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  let descriptors = 0;
  for (const { name, content } of parts) {
    if (Buffer.isBuffer(content)) {
      zip.addBuffer(content, name, { compressionLevel: level });
    } else {
      const source = Readable.from(content);
      // yazl pipes the stream without listening for its errors.
      source.once('error', (error) => output.destroy(error));
      zip.addReadStream(source, name, { compressionLevel: level });
      descriptors++;
    }
  }
  zip.end();
  let signatures = 0;
  let tail = Buffer.alloc(0);
  await pipeline(
    output,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        const seen = Buffer.concat([tail, chunk]);
        for (let at = seen.indexOf(DESCRIPTOR_SIGNATURE); at >= 0; at = seen.indexOf(DESCRIPTOR_SIGNATURE, at + DESCRIPTOR_SIGNATURE.length)) signatures++;
        tail = seen.subarray(1 - DESCRIPTOR_SIGNATURE.length);
        yield chunk;
      }
    },
    createWriteStream(path),
  );
  return signatures === descriptors;
}
