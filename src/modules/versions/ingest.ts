import type { Kysely } from 'kysely';
import type { CopyIn, Database } from '../../db/create-db.js';
import type { DB } from '../../db/schema.js';
import { detectAnomalies } from '../anomalies/detect.js';
import { KeptPoints } from '../anomalies/kept-points.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Principal } from '../../domain/principal.js';
import { loadCodeSets } from '../codelists/repository.js';
import { indicatorMetadata, indicatorValidationFacts } from '../indicators/repository.js';
import { regionLevels } from '../regions/repository.js';
import { levelNumber, type RegionLevel } from '../../domain/region-code.js';
import type { IndicatorFacts, RegionFacts } from '../validation/context.js';
import type { Finding, Observation } from '../../domain/finding.js';
import { checkDatasetMetadata, type DatasetMetadataInput, type MetadataCompleteness } from '../validation/metadata-rules.js';
import { duplicateKeyFinding } from '../validation/duplicate-key.js';
import type { Location } from '../../domain/finding-builder.js';
import { checkObservations, collectCodes } from '../validation/validate-observations.js';
import type { ReaderBatch } from '../tabular/json-reader.js';
import type { DatasetRow } from '../datasets/repository.js';
import { lockDataset } from '../datasets/repository.js';
import {
  copyObservations,
  createTrialObservations,
  finishVersion,
  insertFindings,
  insertObservations,
  insertVersion,
  isRepeatedObservationKey,
  nextVersionNumber,
  type RepeatedKey,
} from './repository.js';

/** How a push arrived: the service's own formats, or a DHIS2 data value set (modules/dhis2). */
export type PushFormat = 'json' | 'csv' | 'xlsx' | 'dhis2-json' | 'dhis2-csv';

/** How many findings a push response carries inline; the rest are paged from the report. */
export const INLINE_FINDINGS = 200;

export interface PushSource {
  format: PushFormat;
  /** Reads the push from its start, batch by batch; each call starts again (see pushVersion). */
  batches(): AsyncIterable<ReaderBatch & { info?: { decimalComma: boolean } }>;
  /** Resolves to the SHA-256 of the payload once it has been read completely. */
  sha256: () => string;
}

export interface PushReport {
  dataset_id: string | null;
  version: number | null;
  status: 'submitted' | 'rejected';
  dry_run: boolean;
  format: PushFormat;
  content_sha256: string;
  summary: {
    rows_read: number;
    accepted: number;
    rejected: number;
    errors: number;
    warnings: number;
    metadata_completeness: MetadataCompleteness | null;
    by_code: { code: string; severity: string; principle: string; count: number }[];
    verdict: string;
  };
  findings: Finding[];
  findings_truncated: boolean;
}

/** The version a trial validation's scratch rows stand for: there is none. */
const TRIAL_VERSION = '00000000-0000-0000-0000-000000000000';

/** Thrown to roll back a dry run after it has done everything a real push does. */
class DryRunComplete {
  constructor(readonly report: PushReport) {}
}

async function indicatorFacts(db: Kysely<DB>, codes: string[], cache: Map<string, IndicatorFacts>) {
  const missing = codes.filter((c) => !cache.has(c));
  if (missing.length === 0) return;
  for (const r of await indicatorValidationFacts(db, missing)) {
    cache.set(r.code, {
      ...r,
      value_type: r.value_type === 'integer' ? 'integer' : 'decimal',
      valid_min: r.valid_min === null ? null : Number(r.valid_min),
      valid_max: r.valid_max === null ? null : Number(r.valid_max),
    });
  }
}

/**
 * The facts of a batch's regions, read once per push: a file ordered by indicator names each
 * region again in every indicator's block. Only regions that exist are held, so the cache is
 * bounded by the reference data, not by the push.
 */
async function regionFacts(db: Kysely<DB>, codes: string[], cache: Map<string, RegionFacts>): Promise<Map<string, RegionFacts>> {
  const missing = codes.filter((c) => !cache.has(c));
  // One array parameter: a batch names thousands of regions.
  for (const r of await regionLevels(db, missing)) cache.set(r.code, r);
  return cache;
}

/** For JSON there is no file row; the position in the array orders the stored rows instead. */
function sourceRow(o: Observation): number | undefined {
  if (o.row !== undefined) return o.row;
  const index = /\/(\d+)$/.exec(o.pointer ?? '')?.[1];
  return index === undefined ? undefined : Number(index) + 1;
}

/** Where the stored row that holds a repeated key came from, told the way the push tells places. */
function placeOfStored(repeated: Observation, storedRow: number): Location {
  // The pointer names the array the push came in (`/observations/…`, or a DHIS2 `/dataValues/…`).
  return repeated.pointer === undefined ? { row: storedRow } : { pointer: repeated.pointer.replace(/\d+$/, String(storedRow - 1)) };
}

/** What a stream of observations is checked against. */
export interface ValidationTarget {
  /** Dataset metadata to check and score; null when there is no dataset (a trial validation). */
  metadata: DatasetMetadataInput | null;
  /** Indicators the dataset declares; null lets any catalogue indicator through. */
  indicatorCodes: string[] | null;
  jurisdiction: string | null;
  estimationLevels: RegionLevel[];
}

/** Where a validation run sends what it finds and what it accepts. */
export interface ValidationSink {
  findings(findings: Finding[]): Promise<void>;
  /**
   * Readies a batch for storing and answers with the step that stores it, which answers with
   * the observations whose key the push had already given. Readying (encoding a COPY) is done
   * while the last batch is still being written, so the connection does not wait for it.
   */
  observations(accepted: Observation[]): () => Promise<RepeatedKey[]>;
  /** Plausibility checks over everything accepted, once it is all written (needs stored history); findings go to `found` as they come. */
  anomalies?(found: (findings: Finding[]) => Promise<void>): Promise<void>;
  /** Told after every batch, for pushes that run as jobs. */
  progress?(p: PushProgress): void;
}

export interface PushProgress {
  rows_read: number;
  accepted: number;
  errors: number;
  warnings: number;
}

export interface ValidationOutcome {
  status: 'submitted' | 'rejected';
  summary: PushReport['summary'];
  inline: Finding[];
  truncated: boolean;
}

/**
 * Reads the source batch by batch, so memory stays flat; each batch costs one context query
 * per kind and whatever the sink does with it (one write per table when storing).
 */
export async function runValidation(
  db: Kysely<DB>,
  target: ValidationTarget,
  source: PushSource,
  sink: ValidationSink,
  // Where the batches' indicator and region facts are read: another connection lets a batch
  // be checked while the last one is still being written.
  lookups: Kysely<DB> = db,
): Promise<ValidationOutcome> {
  const metadata = target.metadata ? checkDatasetMetadata(target.metadata, await compositeCatalogue(db, target.indicatorCodes ?? [])) : null;
  const codelists = await loadCodeSets(db, ['obs-status', 'sex', 'age-group', 'disability', 'desil']);
  const indicators = new Map<string, IndicatorFacts>();
  await indicatorFacts(db, target.indicatorCodes ?? [], indicators);
  const regions = new Map<string, RegionFacts>();

  const counts = new Map<string, { code: string; severity: string; principle: string; count: number }>();
  const inline: Finding[] = [];
  // A row's findings come with its batch (or with the write of it, for a repeated key), so the
  // rows of one batch at a time are enough to count each rejected row once.
  const rejectedRows = new Set<string>();
  let rejected = 0;
  const nextBatch = () => {
    rejected += rejectedRows.size;
    rejectedRows.clear();
  };
  let rowsRead = 0;
  let accepted = 0;
  const seen = { error: 0, warning: 0 };
  const record = async (findings: Finding[]) => {
    for (const f of findings) {
      seen[f.severity]++;
      const c = counts.get(f.code) ?? { code: f.code, severity: f.severity, principle: f.principle, count: 0 };
      c.count++;
      counts.set(f.code, c);
      if (inline.length < INLINE_FINDINGS) inline.push(f);
      const rowKey = f.row !== undefined ? `r${f.row}` : /^\/[A-Za-z]+\/\d+/.exec(f.pointer ?? '')?.[0];
      // An anomaly error holds publication back but the row itself was accepted.
      if (f.severity === 'error' && f.principle !== 'kewajaran' && rowKey) rejectedRows.add(rowKey);
    }
    await sink.findings(findings);
  };
  if (metadata) await record(metadata.findings);

  let decimalComma: boolean | undefined;
  // A batch is written while the next one is read, so parsing and the database work at the same time.
  let writing: Promise<Finding[]> = Promise.resolve([]);
  const written = async () => {
    const duplicates = await writing;
    accepted -= duplicates.length;
    await record(duplicates);
  };
  for await (const batch of source.batches()) {
    decimalComma ??= batch.info?.decimalComma ?? false;
    rowsRead += batch.observations.length;
    const codes = collectCodes(batch.observations);
    // In the transaction, the lookups would fail with it if the last write failed: wait for that write first.
    if (lookups === db) await written();
    await indicatorFacts(lookups, codes.indicators, indicators);
    const result = checkObservations(batch.observations, {
      datasetIndicators: new Set(target.indicatorCodes ?? indicators.keys()),
      indicators,
      regions: await regionFacts(lookups, codes.regions, regions),
      codelists,
      jurisdiction: target.jurisdiction,
      estimationLevels: new Set(target.estimationLevels.map(levelNumber)),
    }, { decimalComma });
    // This batch was read, checked and readied while the last one was written (on another
    // connection when there is one). Waiting for that write before anything else goes into the
    // transaction reports a failed write as itself rather than as an aborted transaction.
    const batchAccepted = result.accepted;
    const store = sink.observations(batchAccepted.map((o) => (o.row !== undefined ? o : { ...o, row: sourceRow(o) })));
    if (lookups !== db) await written();
    nextBatch();
    await record([...batch.findings, ...result.findings]);
    writing = store()
      .then((repeated) => repeated.map(({ index, firstRow }) => duplicateKeyFinding(batchAccepted[index]!, placeOfStored(batchAccepted[index]!, firstRow))));
    writing.catch(() => {});
    accepted += result.accepted.length;
    sink.progress?.({ rows_read: rowsRead, accepted, errors: seen.error, warnings: seen.warning });
  }
  await written();
  nextBatch();
  if (sink.anomalies) await sink.anomalies(record);

  const byCode = [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const total = (severity: string) => byCode.filter((c) => c.severity === severity).reduce((n, c) => n + c.count, 0);
  const errors = total('error');
  // Implausible is not invalid: an anomaly error holds back publication until it is
  // answered, but the version itself conforms and goes to review.
  const plausibilityErrors = byCode.filter((c) => c.severity === 'error' && c.principle === 'kewajaran').reduce((n, c) => n + c.count, 0);
  const status = errors > plausibilityErrors || rowsRead === 0 ? 'rejected' : 'submitted';
  return {
    status,
    inline,
    truncated: errors + total('warning') > inline.length,
    summary: {
      rows_read: rowsRead,
      accepted,
      rejected,
      errors,
      warnings: total('warning'),
      metadata_completeness: metadata?.completeness ?? null,
      by_code: byCode,
      verdict:
        status === 'submitted'
          ? plausibilityErrors > 0
            ? `Diterima untuk diperiksa walidata; ${plausibilityErrors} temuan kewajaran berkategori error harus dijawab sebelum terbit / accepted for review; ${plausibilityErrors} plausibility error(s) must be answered before publication`
            : 'Diterima untuk diperiksa walidata / accepted for review'
          : rowsRead === 0 && errors === 0
            ? 'Ditolak: tidak ada observasi / rejected: no observations'
            : 'Ditolak: perbaiki temuan berkategori error lalu kirim ulang / rejected: fix the error findings and push again',
    },
  };
}

type PushOptions = {
  dryRun: boolean;
  /** How many stored observations the plausibility checks may hold in memory (PUSH_MEMORY_POINTS). */
  memoryPoints: number;
  /** How many points the plausibility checks judge at a time (PUSH_SLICE_POINTS). */
  slicePoints: number;
  /** A push run as a job: its transaction is the job's (jobs/worker-service.ts RunningJob). */
  job?: {
    progress(p: PushProgress): void;
    enter(trx: Kysely<DB>): Promise<void>;
    commit(trx: Kysely<DB>, outcome: { version: number | null; report: PushReport }): Promise<void>;
  };
};

/**
 * Validates and stores one push as a new immutable version, in one transaction: the
 * version is there entirely or not at all. On a server the observations go in by COPY; a
 * push that repeats a key fails that way, and is then run again with the batch insert, which
 * names both rows of each repeat (a push with repeated keys is rejected either way).
 */
export async function pushVersion(
  database: Pick<Database, 'db' | 'withConnection'>,
  actor: Principal,
  requestId: string,
  dataset: DatasetRow,
  source: PushSource,
  options: PushOptions,
): Promise<PushReport> {
  const push = { actor, requestId, dataset, source, options };
  try {
    try {
      return await database.withConnection((connection) => storeVersion(connection, push));
    } catch (err) {
      if (!isRepeatedObservationKey(err)) throw err;
      return await storeVersion({ db: database.db }, push);
    }
  } catch (err) {
    if (err instanceof DryRunComplete) return err.report;
    throw err;
  }
}

async function storeVersion(
  { db, copy, pool }: { db: Kysely<DB>; copy?: CopyIn; pool?: Kysely<DB> },
  { actor, requestId, dataset, source, options }: { actor: Principal; requestId: string; dataset: DatasetRow; source: PushSource; options: PushOptions },
): Promise<PushReport> {
  return db.transaction().execute(async (trx) => {
    if (options.job) await options.job.enter(trx);
    await lockDataset(trx, dataset.id);
    const version = await nextVersionNumber(trx, dataset.id);
    const versionId = await insertVersion(trx, { dataset_id: dataset.id, version, format: source.format, submitted_by: actor.clientId });
    const kept = new KeptPoints(options.memoryPoints);
    const outcome = await runValidation(
      trx,
      {
        metadata: { ...dataset.metadata, title: dataset.title, indicators: dataset.indicator_codes },
        indicatorCodes: dataset.indicator_codes,
        jurisdiction: dataset.jurisdiction_region_code,
        estimationLevels: (dataset.metadata.estimation_levels as RegionLevel[] | undefined) ?? [],
      },
      source,
      {
        findings: (f) => insertFindings(trx, versionId, f),
        observations: (o) => {
          const write = copy ? copyObservations(copy, versionId, o) : () => insertObservations(trx, versionId, o);
          return async () => {
            const repeated = await write();
            kept.keep(o, repeated.map((r) => r.index));
            return repeated;
          };
        },
        anomalies: (found) => detectAnomalies(trx, { id: versionId, agencyId: dataset.agency_id }, { kept, slicePoints: options.slicePoints, found }),
        ...(options.job ? { progress: options.job.progress } : {}),
      },
      pool ?? trx,
    );
    const { summary, status } = outcome;
    const sha256 = source.sha256();
    await finishVersion(trx, versionId, {
      status,
      content_sha256: sha256,
      row_count: summary.rows_read,
      accepted_count: summary.accepted,
      error_count: summary.errors,
      warning_count: summary.warnings,
      metadata_score: summary.metadata_completeness?.score ?? 0,
      summary,
    });
    const report: PushReport = {
      dataset_id: dataset.id,
      version: options.dryRun ? null : version,
      status,
      dry_run: options.dryRun,
      format: source.format,
      content_sha256: sha256,
      summary,
      findings: outcome.inline,
      findings_truncated: outcome.truncated,
    };
    if (options.dryRun) throw new DryRunComplete(report);
    await recordAudit(trx, {
      actor,
      requestId,
      action: 'dataset.version-pushed',
      entityType: 'dataset',
      entityId: dataset.id,
      after: { version, status, format: source.format, content_sha256: sha256, rows: summary.rows_read, accepted: summary.accepted, errors: summary.errors, warnings: summary.warnings },
    });
    // A job's outcome commits with its version: a claim that lost the job rolls the version back.
    if (options.job) await options.job.commit(trx, { version, report });
    return report;
  });
}

/** Validation without a dataset, for integrators building their export: nothing is written. */
export async function validateOnly(db: Kysely<DB>, target: ValidationTarget, source: PushSource): Promise<PushReport> {
  // Observations go to a scratch table that the transaction's end removes, for the key check.
  const outcome = await db.transaction().execute(async (trx) => {
    await createTrialObservations(trx);
    return runValidation(trx, target, source, {
      findings: async () => {},
      observations: (o) => () => insertObservations(trx, TRIAL_VERSION, o, 'trial_observations'),
    });
  });
  return {
    dataset_id: null,
    version: null,
    status: outcome.status,
    dry_run: true,
    format: source.format,
    content_sha256: source.sha256(),
    summary: outcome.summary,
    findings: outcome.inline,
    findings_truncated: outcome.truncated,
  };
}

async function compositeCatalogue(db: Kysely<DB>, codes: string[]) {
  const byCode = new Map((await indicatorMetadata(db, codes)).map((r) => [r.code, r.metadata]));
  return {
    isComposite: (code: string) => byCode.get(code)?.indikator_komposit === true,
    buildingBlocks: (code: string) => byCode.get(code)?.indikator_pembangun ?? [],
  };
}
