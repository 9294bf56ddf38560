/** The MS-Ind metadata of an indicator (metadata standar indikator), as the catalogue stores it. */
export interface IndicatorMetadata {
  konsep: string | null;
  definisi: string | null;
  interpretasi: string | null;
  metode_perhitungan: string | null;
  klasifikasi_penyajian: string[];
  indikator_komposit: boolean;
  indikator_pembangun: string[];
  level_estimasi: string | null;
  dapat_diakses_umum: boolean;
}
