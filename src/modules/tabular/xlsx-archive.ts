import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * The zip side of an XLSX push, on yauzl's public API. Sizes in a zip are whatever the sender
 * wrote, so an archive is only trusted once every entry has been inflated and counted against
 * the limits; nothing else reads it before that.
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

/**
 * Writes a zip to a file, deflating each part as it comes. Sizes go in the local header,
 * patched in once the part is written: unzipper, which exceljs reads with, finds the end of a
 * part without them by searching its data for a signature that deflated data can contain.
 */
export class ZipWriter {
  private offset = 0;
  private readonly directory: Buffer[] = [];
  private count = 0;

  constructor(private readonly file: FileHandle) {}

  async add(name: string, content: AsyncIterable<Buffer>): Promise<void> {
    const encoded = Buffer.from(name, 'utf8');
    const start = this.offset;
    let position = start + 30 + encoded.length;
    let crc = 0;
    let size = 0;
    const file = this.file;
    await pipeline(
      async function* () {
        for await (const chunk of content) {
          crc = crc32(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
      },
      createDeflateRaw({ level: 1 }),
      async (deflated: AsyncIterable<Buffer>) => {
        for await (const chunk of deflated) {
          await file.write(chunk, 0, chunk.length, position);
          position += chunk.length;
        }
      },
    );
    const packed = position - start - 30 - encoded.length;
    if (size > 0xfffffffe || position > 0xfffffffe) throw new RangeError(`ZipWriter: ${name} needs ZIP64, which this writer does not write`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(encoded.length, 26);
    await file.write(Buffer.concat([local, encoded]), 0, 30 + encoded.length, start);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(encoded.length, 28);
    central.writeUInt32LE(start, 42);
    this.directory.push(central, encoded);
    this.count++;
    this.offset = position;
  }

  async finish(): Promise<void> {
    const directory = Buffer.concat(this.directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.count, 8);
    end.writeUInt16LE(this.count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(this.offset, 16);
    const tail = Buffer.concat([directory, end]);
    await this.file.write(tail, 0, tail.length, this.offset);
  }
}
