import type { ColumnType, JSONColumnType, SelectType } from 'kysely';
import type * as Generated from './schema.generated.js';
import type { Stored } from './stored-types.js';
import type { IndicatorMetadata } from '../domain/indicator-metadata.js';

/*
 * The Kysely table types. Every table, column, nullability and default comes from
 * schema.generated.ts, which kysely-codegen writes from a database the migrations built
 * (`npm run db:types`; CI fails when it differs: `npm run db:types:check`). The one thing a
 * database cannot say is what a json column holds: that is declared here, per column, and
 * checked against the generated table (each json column has a shape, each shape is a json
 * column, and a nullable column stays nullable).
 *
 * How values come back (create-db.ts sets no parsers): timestamptz and date as Date on both
 * drivers (the date columns of cycles are read as ::text), numeric as text on both, json
 * parsed, int8 as text from pg but a number from PGlite (Stored.Int8; the code casts ids to
 * text and reads counts with Number()).
 */

type IsNullable<T> = null extends SelectType<T> ? true : false;
type JsonColumns<Table> = { [C in keyof Table]: Stored.Json extends NonNullable<SelectType<Table[C]>> ? C : never }[keyof Table];
/** A shape for each json column of the table, and only for those, null where the column is nullable. */
type ShapeCheck<Table, Shapes> = {
  [C in keyof Shapes]: C extends JsonColumns<Table>
    ? IsNullable<Table[C]> extends IsNullable<Shapes[C]>
      ? Shapes[C]
      : 'nullability differs from the database'
    : 'not a json column of this table';
};
type WithJson<Table, Shapes extends ShapeCheck<Table, Shapes> & Record<JsonColumns<Table>, unknown>> = {
  [C in keyof Table]: C extends keyof Shapes ? Shapes[C] : Table[C];
};

/** Written as JSON text, read parsed; never rewritten (audit and findings are append-only). */
type Appended<T> = ColumnType<T | null, string | null, never>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;
type Row = Record<string, unknown>;

export type { IndicatorMetadata };

/** The tables with json columns, with what those hold. */
interface Shaped {
  audit_log: WithJson<Generated.AuditLog, { before: Appended<Row>; after: Appended<Row> }>;
  codelist_codes: WithJson<Generated.CodelistCodes, { attributes: JSONColumnType<Row> }>;
  conflicts: WithJson<
    Generated.Conflicts,
    { disagg: JSONColumnType<Record<string, string>>; candidates: JSONColumnType<unknown[]>; proposal: NullableJson<Row>; resolution: NullableJson<Row> }
  >;
  cycles: WithJson<Generated.Cycles, { milestones: JSONColumnType<Record<string, string>> }>;
  datasets: WithJson<Generated.Datasets, { metadata: JSONColumnType<Row> }>;
  dataset_versions: WithJson<Generated.DatasetVersions, { summary: JSONColumnType<Row> }>;
  dhis2_mappings: WithJson<Generated.Dhis2Mappings, { mapping: JSONColumnType<Row> }>;
  figure_changes: WithJson<Generated.FigureChanges, { disagg: JSONColumnType<Record<string, string>> }>;
  findings: WithJson<Generated.Findings, { details: Appended<Row> }>;
  idempotency_keys: WithJson<Generated.IdempotencyKeys, { response_body: NullableJson<Row> }>;
  ikesos_methodologies: WithJson<Generated.IkesosMethodologies, { config: JSONColumnType<Row> }>;
  indicators: WithJson<Generated.Indicators, { metadata: JSONColumnType<IndicatorMetadata> }>;
  observations: WithJson<Generated.Observations, { disagg: JSONColumnType<Record<string, string>> }>;
  push_jobs: WithJson<Generated.PushJobs, { report: NullableJson<Row>; problem: NullableJson<Row>; payload: NullableJson<Row>; progress: NullableJson<Row> }>;
  quality_rules: WithJson<Generated.QualityRules, { config: JSONColumnType<Row> }>;
  reconciled_figures: WithJson<Generated.ReconciledFigures, { disagg: JSONColumnType<Record<string, string>>; candidates: JSONColumnType<unknown[]> }>;
  reconciliation_policies: WithJson<Generated.ReconciliationPolicies, { config: JSONColumnType<Row> }>;
  webhook_events: WithJson<Generated.WebhookEvents, { payload: NullableJson<Row>; consumer_payload: NullableJson<Row> }>;
}

export type DB = { [T in keyof Generated.DB]: T extends keyof Shaped ? Shaped[T] : Generated.DB[T] };

// A table that gains a json column fails here until its shape is declared in Shaped.
type NoUnshapedJson<T extends never> = T;
export type EveryJsonColumnHasAShape = NoUnshapedJson<{ [T in keyof DB]: JsonColumns<DB[T]> }[keyof DB]>;

export type RegionsTable = DB['regions'];
export type PopulationsTable = DB['populations'];
export type CodelistsTable = DB['codelists'];
export type CodelistCodesTable = DB['codelist_codes'];
export type IndicatorsTable = DB['indicators'];
export type AgenciesTable = DB['agencies'];
/** `owner`: the instance id (db/instance.ts) of the process that claimed the key; `claim`: which claim it is (a takeover from a dead owner gets a new one). */
export type IdempotencyKeysTable = DB['idempotency_keys'];
export type ClientsTable = DB['clients'];
export type AuditLogTable = DB['audit_log'];
export type DatasetsTable = DB['datasets'];
export type DatasetVersionsTable = DB['dataset_versions'];
export type ObservationsTable = DB['observations'];
export type FindingsTable = DB['findings'];
export type ReviewsTable = DB['reviews'];
export type QualityRulesTable = DB['quality_rules'];
export type ReconciliationPoliciesTable = DB['reconciliation_policies'];
export type ConflictsTable = DB['conflicts'];
export type ReconciledFiguresTable = DB['reconciled_figures'];
export type FigureChangesTable = DB['figure_changes'];
export type PublishedCandidatesTable = DB['published_candidates'];
export type IkesosMethodologiesTable = DB['ikesos_methodologies'];
export type IkesosOfficialScoresTable = DB['ikesos_official_scores'];
export type PushJobsTable = DB['push_jobs'];
export type CyclesTable = DB['cycles'];
export type ObligationsTable = DB['obligations'];
export type WebhookSubscriptionsTable = DB['webhook_subscriptions'];
