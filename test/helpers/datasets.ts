/** Complete Satu Data dataset metadata for a Dinas Sosial of Kota Tarakan (65.71). */
export const datasetBody = {
  title: 'Jumlah PPKS Kota Tarakan',
  description: 'Pendataan PPKS tahunan per kecamatan.',
  indicators: ['PPKS-01', 'PPKS-06'],
  reference_periods: ['2025'],
  update_schedule: 'tahunan',
  primary_source: 'Pendataan PPKS oleh TKSK',
  responsible_institution: 'Dinas Sosial Kota Tarakan',
  steward_name: 'Siti Rahmawati',
  steward_contact: 'data.dinsos@tarakankota.go.id',
  access_classification: 'terbatas',
  estimation_levels: ['kabkota', 'kecamatan'],
  notes: 'Angka tahunan.',
};
