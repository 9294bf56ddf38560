/** A published source a catalogue entry's metadata was written from. */
export interface IndicatorReference {
  /** Title of the regulation, publication or metadata page. */
  judul: string;
  /** Article, section or annex, when one can be named. */
  bagian: string | null;
  tahun: number | null;
  url: string | null;
}

/** The MS-Ind metadata of an indicator (metadata standar indikator), as the catalogue stores it. */
export interface IndicatorMetadata {
  konsep: string | null;
  definisi: string | null;
  interpretasi: string | null;
  metode_perhitungan: string | null;
  /** Who produces the figures and from what (survey, administrative register, programme data). */
  sumber_data: string | null;
  klasifikasi_penyajian: string[];
  indikator_komposit: boolean;
  indikator_pembangun: string[];
  level_estimasi: string | null;
  dapat_diakses_umum: boolean;
  /** Where the konsep, definisi and rumus come from. */
  rujukan: IndicatorReference[];
}
