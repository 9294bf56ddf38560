import type { RawObservation } from './finding.js';

/**
 * The columns of a tabular push (CSV or XLSX), in template order. Headers match
 * case-insensitively after trimming; the Indonesian alias is accepted as well, since
 * operators fill templates by hand.
 */
export const OBSERVATION_COLUMNS = [
  { name: 'indicator', alias: 'kode_indikator', required: true, description: 'Indicator code from the catalogue, e.g. PPKS-06.' },
  { name: 'region', alias: 'kode_wilayah', required: true, description: 'Kemendagri region code as text, e.g. 65.71.' },
  { name: 'period', alias: 'periode', required: true, description: 'Period in canonical form: 2025, 2025-S1, 2025-Q3, 2025-07.' },
  { name: 'value', alias: 'nilai', required: true, description: 'The figure; decimal point, or decimal comma in semicolon-separated files.' },
  { name: 'unit', alias: 'satuan', required: false, description: "Optional; when given must equal the indicator's unit." },
  { name: 'obs_status', alias: 'status', required: false, description: 'SDMX OBS_STATUS code (A, E, P, M, …); A when empty.' },
  { name: 'note', alias: 'catatan', required: false, description: 'Free-text note on the figure.' },
  { name: 'sex', alias: 'jenis_kelamin', required: false, description: 'Codelist sex (L, P); empty means total.' },
  { name: 'age_group', alias: 'kelompok_umur', required: false, description: 'Codelist age-group (0-4 … 75+); empty means total.' },
  { name: 'disability', alias: 'disabilitas', required: false, description: 'Codelist disability; empty means total.' },
  { name: 'desil', alias: 'desil', required: false, description: 'DTSEN decile 1–10; empty means total.' },
  { name: 'desil_ranking_date', alias: 'tanggal_peringkat_desil', required: false, description: 'ISO date of the decile ranking; required with desil.' },
] as const satisfies readonly { name: keyof RawObservation; alias: string; required: boolean; description: string }[];

export type ColumnName = (typeof OBSERVATION_COLUMNS)[number]['name'];

/** The canonical column a header cell names, or undefined for an unknown header. */
export function columnFor(header: string): ColumnName | undefined {
  const key = header.trim().toLowerCase();
  return OBSERVATION_COLUMNS.find((c) => c.name === key || c.alias === key)?.name;
}
