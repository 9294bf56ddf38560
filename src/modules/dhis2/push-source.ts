import { CsvError, parse } from 'csv-parse';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { InputLimits } from '../../config.js';
import { AppError } from '../../http/app-error.js';
import { makeFinding } from '../../domain/finding-builder.js';
import type { Finding } from '../../domain/finding.js';
import type { ReaderBatch } from '../tabular/json-reader.js';
import type { PushSource } from '../versions/ingest.js';
import type { PreparedPush, PushOpener } from '../versions/push-source.js';
import { spool } from '../versions/spool.js';
import { indexMapping, type Dhis2Mapping, type MappingIndex } from './mapping-rules.js';
import { csvPlace, jsonPlace, translateValue, type Dhis2DataValue, type Dhis2Defaults, type ValuePlace } from './translate.js';

const BATCH_SIZE = 5_000;

/** A data value set as DHIS2's Web API sends it in JSON. */
export interface Dhis2DataValueSet extends Dhis2Defaults {
  dataSet?: string;
  dataValues: Dhis2DataValue[];
}

/** A DHIS2 push readied for the push service, with the number of data values it held once read. */
export interface Dhis2Push extends PreparedPush {
  /** Data values read by the last complete pass over the payload; undefined before one. */
  values(): number | undefined;
  /** Read the payload again to count its values (a replayed push is not read otherwise). */
  count(): Promise<number>;
  /** Releases the caller's hold: the spool file goes once the push (or its job) has let go too. */
  release(): Promise<void>;
}

/** The first batch says so when the payload names another DHIS2 data set than the mapping. */
function dataSetFinding(mapping: MappingIndex, dataSet: unknown, at: { pointer?: string; row?: number }): Finding[] {
  if (mapping.dataSet === null || dataSet === undefined || dataSet === null || dataSet === '' || dataSet === mapping.dataSet) return [];
  return [
    makeFinding(at, 'kode-referensi', {
      code: 'DHIS2_UNKNOWN_DATA_SET',
      severity: 'error',
      column: 'dataSet',
      value: dataSet,
      message: { id: `data set "${String(dataSet)}" bukan data set DHIS2 dataset ini (${mapping.dataSet})`, en: `data set "${String(dataSet)}" is not this dataset's DHIS2 data set (${mapping.dataSet})` },
    }),
  ];
}

/** Turns data values into batches of raw observations, counting what it read for the summary. */
class Translator {
  private batch: ReaderBatch = { observations: [], findings: [] };
  read = 0;

  constructor(private readonly mapping: MappingIndex, private readonly defaults: Dhis2Defaults) {}

  add(value: Dhis2DataValue, place: ValuePlace): ReaderBatch | undefined {
    this.read++;
    const { observation, findings } = translateValue(value, this.defaults, this.mapping, place);
    if (observation) this.batch.observations.push(observation);
    this.batch.findings.push(...findings);
    return this.batch.observations.length + this.batch.findings.length >= BATCH_SIZE ? this.take() : undefined;
  }

  addFindings(findings: Finding[]): void {
    this.batch.findings.push(...findings);
  }

  take(): ReaderBatch {
    const full = this.batch;
    this.batch = { observations: [], findings: [] };
    return full;
  }
}

/**
 * Wraps the passes over a payload so the summary knows how many values it held: each pass
 * counts afresh (the ingest may read the source twice), and only a finished pass is kept.
 */
function counted(run: (translator: Translator) => AsyncGenerator<ReaderBatch>, mapping: MappingIndex, defaults: Dhis2Defaults) {
  let last: number | undefined;
  return {
    batches: async function* () {
      const translator = new Translator(mapping, defaults);
      yield* run(translator);
      last = translator.read;
    },
    values: () => last,
  };
}

async function drain(batches: AsyncIterable<ReaderBatch>): Promise<void> {
  for await (const _ of batches);
}

/** A JSON data value set, already parsed and bounded by the body schema and the JSON limits. */
export function jsonPush(body: Dhis2DataValueSet, stored: Dhis2Mapping, text = Buffer.from(JSON.stringify(body))): Dhis2Push {
  const mapping = indexMapping(stored);
  const digest = createHash('sha256').update(text).digest('hex');
  const defaults: Dhis2Defaults = { period: body.period, orgUnit: body.orgUnit, attributeOptionCombo: body.attributeOptionCombo };
  const passes = counted(async function* (translator) {
    translator.addFindings(dataSetFinding(mapping, body.dataSet, { pointer: '/dataSet' }));
    for (const [i, value] of body.dataValues.entries()) {
      const full = translator.add(value, jsonPlace(i));
      if (full) yield full;
    }
    yield translator.take();
  }, mapping, defaults);
  const source: PushSource = { format: 'dhis2-json', batches: passes.batches, sha256: () => digest };
  const noop = async () => {};
  return {
    source,
    rows: body.dataValues.length,
    stored: { bytes: () => [text], options: { mapping: stored } },
    dispose: noop,
    release: noop,
    values: passes.values,
    count: async () => {
      await drain(passes.batches());
      return passes.values()!;
    },
  };
}

// DHIS2 reads its CSV by position, whatever the header says.
const CSV_FIELDS = ['dataElement', 'period', 'orgUnit', 'categoryOptionCombo', 'attributeOptionCombo', 'value', 'storedBy', 'lastUpdated', 'comment', 'followup', 'deleted'] as const;

function malformed(err: CsvError, row: number): Finding {
  return makeFinding({ row }, 'interoperabilitas', {
    code: 'IO_CSV_MALFORMED',
    severity: 'error',
    message: { id: `Baris ${row} tidak dapat dibaca sebagai CSV (${err.code}); pembacaan dihentikan.`, en: `Row ${row} cannot be read as CSV (${err.code}); reading stopped.` },
  });
}

async function* csvRecords(path: string, limits: InputLimits, translator: Translator, header: boolean): AsyncGenerator<ReaderBatch> {
  const file = createReadStream(path);
  const parser = file.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: limits.maxLineBytes }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (record.length > limits.maxColumns) throw new AppError('TOO_MANY_COLUMNS', { row, limit: limits.maxColumns });
      const wide = record.findIndex((cell) => Buffer.byteLength(cell) > limits.maxCellBytes);
      if (wide >= 0) throw new AppError('CELL_TOO_LARGE', { row, column: wide + 1, limit: limits.maxCellBytes });
      if (header && row === 1) continue;
      const value: Record<string, string> = {};
      CSV_FIELDS.forEach((field, i) => {
        if (record[i] !== undefined) value[field] = record[i]!;
      });
      const full = translator.add(value, csvPlace(row));
      if (full) yield full;
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    if (err.code === 'CSV_MAX_RECORD_SIZE') throw new AppError('LINE_TOO_LONG', { line: row + 1, limit: limits.maxLineBytes });
    translator.addFindings([malformed(err, row + 1)]);
  } finally {
    file.destroy();
  }
  yield translator.take();
}

/** A DHIS2 CSV body, spooled first like every CSV push so its size is known and it can outlive the request. */
export async function csvPush(input: AsyncIterable<Buffer>, mapping: Dhis2Mapping, options: { limits: InputLimits; header: boolean }): Promise<Dhis2Push> {
  const spooled = await spool(input);
  const passes = counted((translator) => csvRecords(spooled.path, options.limits, translator, options.header), indexMapping(mapping), {});
  // Held by the push and by the caller, which may read the file again to count it.
  let holds = 2;
  const letGo = async () => {
    if (--holds === 0) await spooled.dispose();
  };
  return {
    source: { format: 'dhis2-csv', batches: passes.batches, sha256: () => spooled.sha256 },
    rows: Math.max(0, spooled.lines - (options.header ? 1 : 0)),
    stored: { bytes: () => createReadStream(spooled.path, { highWaterMark: 1024 * 1024 }), options: { mapping, header: options.header } },
    dispose: letGo,
    release: letGo,
    values: passes.values,
    count: async () => {
      await drain(passes.batches());
      return passes.values()!;
    },
  };
}

/** How a job reads a DHIS2 push again, with the mapping it was accepted under. */
export const DHIS2_PUSH_OPENERS: Record<'dhis2-json' | 'dhis2-csv', PushOpener> = {
  'dhis2-json': async (body, options) => {
    const text = await readFile(body.path);
    return jsonPush(JSON.parse(text.toString('utf8')), options.mapping as Dhis2Mapping, text).source;
  },
  'dhis2-csv': async (body, options, limits) => {
    const passes = counted((translator) => csvRecords(body.path, limits, translator, options.header === true), indexMapping(options.mapping as Dhis2Mapping), {});
    return { format: 'dhis2-csv', batches: passes.batches, sha256: () => body.sha256 };
  },
};
