import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { InputLimits } from '../../config.js';
import { AppError } from '../../http/app-error.js';
import { readCsv } from '../tabular/csv-reader.js';
import type { PushSource } from './ingest.js';
import { readJson } from '../tabular/json-reader.js';
import { spool } from './spool.js';
import { readXlsx } from '../tabular/xlsx-reader.js';

const BATCH_SIZE = 5_000;
export const CSV_TYPES = ['text/csv', 'application/csv'];

/** Body parsers for pushes: CSV stays a stream for the ingest; one file per multipart upload. */
export async function registerPushParsers(app: FastifyInstance, uploadLimitBytes: number): Promise<void> {
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: uploadLimitBytes, files: 1, fields: 10, parts: 11 } });
}

/** Counts bytes as they stream in, so a body without Content-Length still meets the limit. */
export async function* limited(input: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of input) {
    seen += chunk.length;
    if (seen > limit) throw new AppError('PAYLOAD_TOO_LARGE', { limit });
    yield chunk;
  }
}

/** A push read far enough to know its size: what to validate, and how many rows it has. */
export interface PreparedPush {
  source: PushSource;
  /** Rows, or an upper bound of them (CSV); null when unknown before parsing (XLSX). */
  rows: number | null;
  /** What a job stores to run the push in any process: the body's bytes, and how to read them (see PushOpener). */
  stored: { bytes(): Iterable<Buffer> | AsyncIterable<Buffer>; options: Record<string, unknown> };
  dispose(): Promise<void>;
}

/** Reads a job's push again from its body, copied to a local file: the same source the request had. */
export type PushOpener = (body: { path: string; sha256: string }, options: Record<string, unknown>, limits: InputLimits) => Promise<PushSource>;

const noDispose = async () => {};
const fileBytes = (path: string) => () => createReadStream(path, { highWaterMark: 1024 * 1024 });

async function* csvBatches(path: string, limits: InputLimits) {
  // The reader leaves what it did not read for its caller: here, the file is closed.
  const file = createReadStream(path);
  try {
    yield* readCsv(file, { batchSize: BATCH_SIZE, maxCellBytes: limits.maxCellBytes, maxColumns: limits.maxColumns, maxLineBytes: limits.maxLineBytes });
  } finally {
    file.destroy();
  }
}

function jsonSource(body: { observations: Record<string, unknown>[] }, sha256: string): PushSource {
  return { format: 'json', batches: () => readJson(body.observations, BATCH_SIZE), sha256: () => sha256 };
}

function xlsxSource(bytes: Buffer, sha256: string, sheet: string | undefined, limits: InputLimits): PushSource {
  const options = { batchSize: BATCH_SIZE, sheet, maxEntryBytes: limits.xlsxMaxInflatedBytes, maxCellBytes: limits.maxCellBytes, maxColumns: limits.maxColumns };
  return { format: 'xlsx', batches: () => readXlsx(bytes, options), sha256: () => sha256 };
}

/** How a job reads each format of push (DHIS2 adds its own, see app.ts). */
export const PUSH_OPENERS: Record<'csv' | 'json' | 'xlsx', PushOpener> = {
  csv: async (body, _options, limits) => ({ format: 'csv', batches: () => csvBatches(body.path, limits), sha256: () => body.sha256 }),
  json: async (body) => jsonSource(JSON.parse(await readFile(body.path, 'utf8')), body.sha256),
  xlsx: async (body, options, limits) => xlsxSource(await readFile(body.path), body.sha256, options.sheet as string | undefined, limits),
};

/** CSV written to a temporary file first, so its row count is known and it can outlive the request. */
async function spoolCsv(input: AsyncIterable<Buffer>, limits: InputLimits): Promise<PreparedPush> {
  const spooled = await spool(input);
  return {
    source: { format: 'csv', batches: () => csvBatches(spooled.path, limits), sha256: () => spooled.sha256 },
    rows: Math.max(0, spooled.lines - 1),
    stored: { bytes: fileBytes(spooled.path), options: {} },
    dispose: spooled.dispose,
  };
}

/**
 * The observations of a push (or a trial validation), whichever way they came — JSON, CSV
 * body, or one uploaded file — read to the end: CSV is spooled and counted first, so the size
 * is known before deciding to run it as a job, and no transaction waits on the upload.
 */
export async function preparePush(request: FastifyRequest, options: { uploadLimitBytes: number; sheet: string | undefined }): Promise<PreparedPush> {
  const limits = request.server.inputLimits;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return fileSource(request, options.sheet, limits);
  if (CSV_TYPES.includes(type)) {
    if (Number(request.headers['content-length']) > options.uploadLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', { limit: options.uploadLimitBytes });
    return spoolCsv(limited(request.body as AsyncIterable<Buffer>, options.uploadLimitBytes), limits);
  }
  const body = request.body as { observations: Record<string, unknown>[] };
  // The body as the digest reads it is also what a job stores: parsed again, it is the same.
  const text = Buffer.from(JSON.stringify(body));
  return { source: jsonSource(body, createHash('sha256').update(text).digest('hex')), rows: body.observations.length, stored: { bytes: () => [text], options: {} }, dispose: noDispose };
}

/** One uploaded .csv or .xlsx file (a spreadsheet operator's route into the API). */
async function fileSource(request: FastifyRequest, sheet: string | undefined, limits: InputLimits): Promise<PreparedPush> {
  const file = await request.file();
  if (!file) {
    throw new AppError('VALIDATION_FAILED', {}, [
      { location: 'body', pointer: '/file', code: 'required', detail: { id: 'unggah satu berkas .csv atau .xlsx di bagian "file"', en: 'upload one .csv or .xlsx file in the "file" part' } },
    ]);
  }
  const name = file.filename.toLowerCase();
  if (name.endsWith('.csv')) return spoolCsv(file.file as AsyncIterable<Buffer>, limits);
  if (name.endsWith('.xlsx')) {
    // Held in memory (bounded by the upload limit): the reader needs random access to the zip
    // to bound every part before anything parses it.
    const bytes = await file.toBuffer();
    return { source: xlsxSource(bytes, createHash('sha256').update(bytes).digest('hex'), sheet, limits), rows: null, stored: { bytes: () => [bytes], options: { sheet } }, dispose: noDispose };
  }
  file.file.resume();
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', { type: file.filename });
}
