/**
 * What the rules need to know about the world, gathered by the service in a few set-based
 * queries per batch and handed to the pure rules (which never query anything themselves).
 */
export interface IndicatorFacts {
  code: string;
  measure: string; // jumlah | persentase | rasio | rata-rata | indeks
  unit: string;
  value_type: 'integer' | 'decimal';
  valid_min: number | null;
  valid_max: number | null;
  periodicity: string; // tahunan | semesteran | triwulanan | bulanan | insidental
  disaggregations: string[]; // allowed dimensions: sex, age_group, disability, desil
}

export interface RegionFacts {
  code: string;
  level: number; // 1 provinsi … 4 desa
}

export interface ValidationContext {
  /** Indicators the dataset declares it covers. */
  datasetIndicators: ReadonlySet<string>;
  /** The catalogue entries of every indicator code seen in the batch (and the dataset's). */
  indicators: ReadonlyMap<string, IndicatorFacts>;
  /** Every region code seen in the batch that exists; absent means "not a Kemendagri code". */
  regions: ReadonlyMap<string, RegionFacts>;
  /** Codes of the codelists observations use: obs-status, sex, age-group, disability, desil. */
  codelists: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The pushing agency's jurisdiction: a region code; observations must lie inside it.
   * Null when nobody's data is being written (a walidata trying out a file on /v1/validate).
   */
  jurisdiction: string | null;
  /** Levels (1–4) the dataset says it estimates at; an observation at another level is reported. */
  estimationLevels: ReadonlySet<number>;
}
