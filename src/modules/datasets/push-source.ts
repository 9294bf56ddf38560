import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AppError } from '../../http/app-error.js';
import { readCsv } from './csv-reader.js';
import { hashing, type PushSource } from './ingest.js';
import { readJson } from './json-reader.js';
import { readXlsx } from './xlsx-reader.js';

const BATCH_SIZE = 5_000;
const MAX_CELL_BYTES = 64 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv'];
// A worksheet inflates 5–30 times; this bounds what one zip entry may become.
const MAX_XLSX_ENTRY_BYTES = 512 * 1024 * 1024;

/** Body parsers for pushes: CSV stays a stream for the ingest; one file per multipart upload. */
export async function registerPushParsers(app: FastifyInstance, uploadLimitBytes: number): Promise<void> {
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: uploadLimitBytes, files: 1, fields: 10, parts: 11 } });
}

/** Counts bytes as they stream in, so a body without Content-Length still meets the limit. */
async function* limited(input: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of input) {
    seen += chunk.length;
    if (seen > limit) throw new AppError('PAYLOAD_TOO_LARGE', { limit });
    yield chunk;
  }
}

/** The observations of a push, whichever way they came: JSON, CSV body, or one uploaded file. */
export async function pushSource(request: FastifyRequest, options: { uploadLimitBytes: number; sheet: string | undefined }): Promise<PushSource> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return fileSource(request, options.sheet);
  if (CSV_TYPES.includes(type)) {
    if (Number(request.headers['content-length']) > options.uploadLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', { limit: options.uploadLimitBytes });
    const { stream, sha256 } = hashing(limited(request.body as AsyncIterable<Buffer>, options.uploadLimitBytes));
    return { format: 'csv', batches: readCsv(stream, { batchSize: BATCH_SIZE, maxCellBytes: MAX_CELL_BYTES }), sha256 };
  }
  const body = request.body as { observations: Record<string, unknown>[] };
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { format: 'json', batches: readJson(body.observations, BATCH_SIZE), sha256: () => digest };
}

/** One uploaded .csv or .xlsx file (a spreadsheet operator's route into the API). */
async function fileSource(request: FastifyRequest, sheet: string | undefined): Promise<PushSource> {
  const file = await request.file();
  if (!file) {
    throw new AppError('VALIDATION_FAILED', {}, [
      { location: 'body', pointer: '/file', code: 'required', detail: { id: 'unggah satu berkas .csv atau .xlsx di bagian "file"', en: 'upload one .csv or .xlsx file in the "file" part' } },
    ]);
  }
  const name = file.filename.toLowerCase();
  if (name.endsWith('.csv')) {
    const { stream, sha256 } = hashing(file.file as AsyncIterable<Buffer>);
    return { format: 'csv', batches: readCsv(stream, { batchSize: BATCH_SIZE, maxCellBytes: MAX_CELL_BYTES }), sha256 };
  }
  if (name.endsWith('.xlsx')) {
    // Held in memory (bounded by the upload limit) so the zip directory can be checked for
    // bombs before anything is inflated.
    const bytes = await file.toBuffer();
    const digest = createHash('sha256').update(bytes).digest('hex');
    return { format: 'xlsx', batches: readXlsx(bytes, { batchSize: BATCH_SIZE, sheet, maxEntryBytes: MAX_XLSX_ENTRY_BYTES }), sha256: () => digest };
  }
  file.file.resume();
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', { type: file.filename });
}
