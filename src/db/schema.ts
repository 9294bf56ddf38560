import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { IndicatorMetadata } from '../domain/indicator-metadata.js';

export type { IndicatorMetadata };

/** Timestamps come back as Date on pg and PGlite alike; we write them as Date or ISO text. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `numeric` comes back as text on both drivers so no precision is lost in transit. */
type Numeric = ColumnType<string, string | number, string | number>;

export interface RegionsTable {
  code: string;
  name: string;
  level: number;
  kind: string;
  parent_code: string | null;
}

export interface PopulationsTable {
  region_code: string;
  year: number;
  male: number;
  female: number;
  total: number;
  source: string;
}

export interface CodelistsTable {
  name: string;
  title_id: string;
  title_en: string;
  description_id: string;
  description_en: string;
}

export interface CodelistCodesTable {
  codelist: string;
  code: string;
  label_id: string;
  label_en: string;
  sort_order: number;
  attributes: JSONColumnType<Record<string, unknown>>;
}

export interface IndicatorsTable {
  code: string;
  name: string;
  name_en: string;
  group: string;
  measure: string;
  unit: string;
  value_type: string;
  valid_min: Numeric | null;
  valid_max: Numeric | null;
  direction: string | null;
  dimension: string | null;
  source_agency_kinds: ColumnType<string[], string[], string[]>;
  periodicity: string;
  disaggregations: ColumnType<string[], string[], string[]>;
  metadata: JSONColumnType<IndicatorMetadata>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgenciesTable {
  id: Generated<string>;
  code: string;
  name: string;
  kind: string;
  jurisdiction_region_code: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClientsTable {
  id: string;
  name: string;
  role: string;
  agency_id: string | null;
  secret_hash: string;
  tokens_valid_after: Timestamp;
  disabled_at: Date | null;
  created_at: Timestamp;
  last_token_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor_id: string | null;
  actor_role: string | null;
  actor_agency: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: ColumnType<Record<string, unknown> | null, string | null, never>;
  after: ColumnType<Record<string, unknown> | null, string | null, never>;
  request_id: string | null;
}

export interface DatasetsTable {
  id: Generated<string>;
  agency_id: string;
  title: string;
  indicator_codes: ColumnType<string[], string[], string[]>;
  metadata: JSONColumnType<Record<string, unknown>>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DatasetVersionsTable {
  id: Generated<string>;
  dataset_id: string;
  version: number;
  status: string;
  format: string;
  content_sha256: string;
  row_count: number;
  accepted_count: number;
  error_count: number;
  warning_count: number;
  metadata_score: number;
  summary: JSONColumnType<Record<string, unknown>>;
  submitted_by: string;
  submitted_at: Timestamp;
  status_changed_at: Date | null;
  published_at: Date | null;
}

export interface ObservationsTable {
  version_id: string;
  indicator_code: string;
  region_code: string;
  period: string;
  disagg: JSONColumnType<Record<string, string>>;
  disagg_key: string;
  value: Numeric;
  obs_status: string;
  note: string | null;
  source_row: number | null;
}

export interface FindingsTable {
  id: Generated<string>;
  version_id: string;
  code: string;
  severity: string;
  principle: string;
  source_row: number | null;
  pointer: string | null;
  column_name: string | null;
  value: string | null;
  message_id: string;
  message_en: string;
  hint_id: string | null;
  hint_en: string | null;
  detector: string | null;
  details: ColumnType<Record<string, unknown> | null, string | null, never>;
  indicator_code: string | null;
  region_code: string | null;
  period: string | null;
  status: Generated<string>;
  answer: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

export interface ReviewsTable {
  id: Generated<string>;
  version_id: string;
  action: string;
  from_status: string;
  to_status: string;
  actor_id: string;
  actor_role: string;
  actor_agency: string | null;
  note: string | null;
  at: Timestamp;
}

export interface QualityRulesTable {
  indicator_code: string;
  config: JSONColumnType<Record<string, unknown>>;
  updated_by: string;
  updated_at: Timestamp;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  target: string;
  request_sha256: string | null;
  status: string;
  response_status: number | null;
  response_body: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Timestamp;
  /** Instance id of the process that claimed the key (db/instance.ts). */
  owner: string | null;
  /** Which claim of the key this is: a claim taken over from a dead owner gets a new one. */
  claim: string | null;
}

export interface ReconciliationPoliciesTable {
  indicator_code: string;
  /** Null for the national policy; otherwise the region (and everything inside it) it governs. */
  region_code: string | null;
  config: JSONColumnType<Record<string, unknown>>;
  updated_by: string;
  updated_at: Timestamp;
}

export interface ConflictsTable {
  id: Generated<string>;
  indicator_code: string;
  region_code: string;
  period: string;
  disagg_key: string;
  disagg: JSONColumnType<Record<string, string>>;
  status: string;
  candidates: JSONColumnType<unknown[]>;
  proposal: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  resolution: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  resolved_by: string | null;
  resolved_at: Date | null;
  opened_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReconciledFiguresTable {
  id: Generated<string>;
  indicator_code: string;
  region_code: string;
  period: string;
  disagg_key: string;
  disagg: JSONColumnType<Record<string, string>>;
  status: string;
  value: Numeric | null;
  method: string | null;
  source_version_id: string | null;
  candidates: JSONColumnType<unknown[]>;
  conflict_id: string | null;
  rationale: string | null;
  decided_by: string | null;
  valid_from: Timestamp;
  valid_to: Date | null;
}

export interface FigureChangesTable {
  seq: Generated<string>;
  figure_id: string;
  kind: string;
  at: Timestamp;
}

export interface IkesosMethodologiesTable {
  id: Generated<string>;
  version: string;
  name: string;
  description: string;
  provisional: boolean;
  status: string;
  config: JSONColumnType<Record<string, unknown>>;
  created_by: string;
  created_at: Timestamp;
  activated_by: string | null;
  activated_at: Date | null;
  retired_at: Date | null;
}

export interface IkesosOfficialScoresTable {
  region_code: string;
  period: string;
  score: Numeric;
  category: string | null;
  source: string;
  loaded_by: string;
  loaded_at: Timestamp;
}

export interface PushJobsTable {
  id: Generated<string>;
  dataset_id: string;
  client_id: string;
  status: string;
  format: string;
  dry_run: boolean;
  rows_expected: number | null;
  version: number | null;
  report: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  problem: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Timestamp;
  finished_at: Date | null;
  /** Instance id of the process running the job (db/instance.ts); null for jobs from before 0014. */
  owner: string | null;
}

export interface CyclesTable {
  id: Generated<string>;
  name: string;
  region_code: string;
  reference_periods: ColumnType<string[], string[], string[]>;
  time_zone: string;
  /** Dates come back as text (yyyy-mm-dd) on both drivers; see create-db. */
  opens_on: string;
  deadline: string;
  original_deadline: string;
  milestones: JSONColumnType<Record<string, string>>;
  status: string;
  /** Set when the status becomes closed, cleared when it is reopened. */
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ObligationsTable {
  id: Generated<string>;
  cycle_id: string;
  agency_id: string;
  indicator_code: string;
  region_code: string;
  scope_level: number | null;
  disaggregations: ColumnType<string[], string[], string[]>;
  disagg_keys: ColumnType<string[], string[], string[]>;
  created_by: string;
  created_at: Timestamp;
}

export interface DB {
  regions: RegionsTable;
  populations: PopulationsTable;
  codelists: CodelistsTable;
  codelist_codes: CodelistCodesTable;
  indicators: IndicatorsTable;
  agencies: AgenciesTable;
  clients: ClientsTable;
  audit_log: AuditLogTable;
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  observations: ObservationsTable;
  findings: FindingsTable;
  idempotency_keys: IdempotencyKeysTable;
  reviews: ReviewsTable;
  push_jobs: PushJobsTable;
  cycles: CyclesTable;
  obligations: ObligationsTable;
  quality_rules: QualityRulesTable;
  reconciliation_policies: ReconciliationPoliciesTable;
  conflicts: ConflictsTable;
  reconciled_figures: ReconciledFiguresTable;
  figure_changes: FigureChangesTable;
  ikesos_methodologies: IkesosMethodologiesTable;
  ikesos_official_scores: IkesosOfficialScoresTable;
}
