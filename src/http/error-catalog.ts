/**
 * The stable error vocabulary of the API. Codes never change meaning once published;
 * integrators branch on `code`, people read `title` and `detail`. Placeholders `{name}`
 * are filled from the error's params.
 */
export interface ErrorEntry {
  status: number;
  title: { id: string; en: string };
  detail: { id: string; en: string };
}

export const ERROR_CATALOG = {
  VALIDATION_FAILED: {
    status: 400,
    title: { id: 'Permintaan tidak valid', en: 'Invalid request' },
    detail: { id: 'Permintaan tidak sesuai skema: lihat daftar errors.', en: 'The request does not match the schema: see the errors list.' },
  },
  INVALID_CURSOR: {
    status: 400,
    title: { id: 'Kursor tidak valid', en: 'Invalid cursor' },
    detail: { id: 'Kursor halaman tidak dikenali; gunakan nilai next_cursor dari respons sebelumnya.', en: 'The page cursor is not recognised; use next_cursor from a previous response.' },
  },
  UNSUPPORTED_GRANT_TYPE: {
    status: 400,
    title: { id: 'Jenis grant tidak didukung', en: 'Unsupported grant type' },
    detail: { id: 'Hanya grant_type=client_credentials yang didukung.', en: 'Only grant_type=client_credentials is supported.' },
  },
  UNAUTHENTICATED: {
    status: 401,
    title: { id: 'Autentikasi diperlukan', en: 'Authentication required' },
    detail: { id: 'Sertakan header Authorization: Bearer <token> dari POST /v1/auth/token.', en: 'Send an Authorization: Bearer <token> header obtained from POST /v1/auth/token.' },
  },
  TOKEN_INVALID: {
    status: 401,
    title: { id: 'Token tidak valid', en: 'Invalid token' },
    detail: { id: 'Token akses tidak dapat diverifikasi. Minta token baru.', en: 'The access token could not be verified. Request a new token.' },
  },
  TOKEN_EXPIRED: {
    status: 401,
    title: { id: 'Token kedaluwarsa', en: 'Token expired' },
    detail: { id: 'Token akses sudah kedaluwarsa. Minta token baru.', en: 'The access token has expired. Request a new token.' },
  },
  TOKEN_REVOKED: {
    status: 401,
    title: { id: 'Token dicabut', en: 'Token revoked' },
    detail: { id: 'Klien token ini dinonaktifkan atau rahasianya telah diganti. Minta token baru.', en: "This token's client was disabled or its secret rotated. Request a new token." },
  },
  INVALID_CLIENT: {
    status: 401,
    title: { id: 'Kredensial klien salah', en: 'Invalid client credentials' },
    detail: { id: 'client_id atau client_secret salah, atau klien dinonaktifkan.', en: 'client_id or client_secret is wrong, or the client is disabled.' },
  },
  FORBIDDEN: {
    status: 403,
    title: { id: 'Akses ditolak', en: 'Forbidden' },
    detail: { id: 'Peran "{role}" tidak boleh melakukan ini; diperlukan salah satu dari: {allowed}.', en: 'Role "{role}" may not do this; one of these is required: {allowed}.' },
  },
  NATIONAL_AUTHORITY_REQUIRED: {
    status: 403,
    title: { id: 'Wewenang nasional diperlukan', en: 'National authority required' },
    detail: {
      id: 'Data rujukan nasional ({what}) hanya diubah oleh walidata nasional atau admin; walidata wilayah {jurisdiction} tidak dapat mengubahnya.',
      en: 'National reference data ({what}) is changed by national walidata or admins only; a walidata of region {jurisdiction} cannot change it.',
    },
  },
  OUTSIDE_JURISDICTION: {
    status: 403,
    title: { id: 'Di luar wilayah kewenangan', en: 'Outside your jurisdiction' },
    detail: {
      id: 'Wilayah {region} berada di luar wilayah kewenangan Anda ({jurisdiction}).',
      en: 'Region {region} lies outside your jurisdiction ({jurisdiction}).',
    },
  },
  OWN_JURISDICTION_LOCKED: {
    status: 403,
    title: { id: 'Wilayah kewenangan sendiri terkunci', en: 'Own jurisdiction locked' },
    detail: {
      id: 'Walidata tidak dapat mengubah wilayah kewenangan instansinya sendiri ({agency}); perubahan ini dilakukan oleh walidata wilayah di atasnya atau walidata nasional.',
      en: "A walidata cannot change its own agency's jurisdiction ({agency}); a walidata of the region above, or a national one, can.",
    },
  },
  AGENCY_SCOPE_FORBIDDEN: {
    status: 403,
    title: { id: 'Di luar wewenang instansi', en: 'Outside your agency' },
    detail: { id: 'Token instansi "{agency}" tidak boleh mengubah data milik instansi lain.', en: 'A token of agency "{agency}" may not change another agency\'s data.' },
  },
  NOT_FOUND: {
    status: 404,
    title: { id: 'Tidak ditemukan', en: 'Not found' },
    detail: { id: 'Tidak ada sumber daya di {method} {path}.', en: 'There is no resource at {method} {path}.' },
  },
  REGION_NOT_FOUND: {
    status: 404,
    title: { id: 'Wilayah tidak ditemukan', en: 'Region not found' },
    detail: { id: 'Kode wilayah "{code}" tidak ada dalam referensi Kemendagri.', en: 'Region code "{code}" is not in the Kemendagri reference.' },
  },
  RECONCILIATION_POLICY_NOT_FOUND: {
    status: 404,
    title: { id: 'Kebijakan rekonsiliasi tidak ditemukan', en: 'Reconciliation policy not found' },
    detail: { id: 'Indikator {code} tidak memiliki kebijakan rekonsiliasi untuk wilayah {region}.', en: 'Indicator {code} has no reconciliation policy for region {region}.' },
  },
  INDICATOR_NOT_FOUND: {
    status: 404,
    title: { id: 'Indikator tidak ditemukan', en: 'Indicator not found' },
    detail: { id: 'Indikator "{code}" tidak ada dalam katalog.', en: 'Indicator "{code}" is not in the catalogue.' },
  },
  AGENCY_NOT_FOUND: {
    status: 404,
    title: { id: 'Instansi tidak ditemukan', en: 'Agency not found' },
    detail: { id: 'Instansi "{code}" tidak terdaftar.', en: 'Agency "{code}" is not registered.' },
  },
  CATALOG_PAGE_NOT_FOUND: {
    status: 404,
    title: { id: 'Halaman katalog tidak ada', en: 'Catalogue page not found' },
    detail: { id: 'Katalog hanya memiliki {last} halaman; halaman {page} tidak ada.', en: 'The catalogue has {last} page(s); there is no page {page}.' },
  },
  DATASET_NOT_FOUND: {
    status: 404,
    title: { id: 'Dataset tidak ditemukan', en: 'Dataset not found' },
    detail: { id: 'Dataset "{id}" tidak ada atau tidak terlihat oleh token ini.', en: 'Dataset "{id}" does not exist or is not visible to this token.' },
  },
  VERSION_NOT_FOUND: {
    status: 404,
    title: { id: 'Versi tidak ditemukan', en: 'Version not found' },
    detail: { id: 'Dataset "{id}" tidak memiliki versi {version}.', en: 'Dataset "{id}" has no version {version}.' },
  },
  CODELIST_NOT_FOUND: {
    status: 404,
    title: { id: 'Daftar kode tidak ditemukan', en: 'Codelist not found' },
    detail: { id: 'Daftar kode "{name}" tidak ada.', en: 'Codelist "{name}" does not exist.' },
  },
  SDMX_NO_RESULTS: {
    status: 404,
    title: { id: 'Tidak ada hasil', en: 'No results found' },
    detail: {
      id: 'Kueri SDMX ini tidak menghasilkan apa pun (NoResultsFound, kode SDMX 100): {what}.',
      en: 'This SDMX query matches nothing (NoResultsFound, SDMX code 100): {what}.',
    },
  },
  SDMX_INVALID_KEY: {
    status: 400,
    title: { id: 'Kunci seri tidak valid', en: 'Invalid series key' },
    detail: {
      id: 'Kunci "{key}" harus punya satu bagian per dimensi, dipisah titik: {dimensions} (bagian kosong berarti semua kode; gabungkan kode dengan +).',
      en: 'Key "{key}" needs one part per dimension, separated by dots: {dimensions} (an empty part means any code; join codes with +).',
    },
  },
  SDMX_RESPONSE_TOO_LARGE: {
    status: 413,
    title: { id: 'Respons terlalu besar', en: 'Response too large' },
    detail: {
      id: 'Kueri ini mencakup lebih dari {limit} observasi (SDMX kode 510). Persempit kunci, startPeriod/endPeriod atau updatedAfter.',
      en: 'This query covers more than {limit} observations (SDMX code 510). Narrow the key, startPeriod/endPeriod or updatedAfter.',
    },
  },
  CLIENT_NOT_FOUND: {
    status: 404,
    title: { id: 'Klien tidak ditemukan', en: 'Client not found' },
    detail: { id: 'Klien "{id}" tidak terdaftar.', en: 'Client "{id}" is not registered.' },
  },
  AGENCY_CODE_TAKEN: {
    status: 409,
    title: { id: 'Kode instansi sudah dipakai', en: 'Agency code already in use' },
    detail: { id: 'Instansi dengan kode "{code}" sudah ada.', en: 'An agency with code "{code}" already exists.' },
  },
  INDICATOR_CODE_TAKEN: {
    status: 409,
    title: { id: 'Kode indikator sudah dipakai', en: 'Indicator code already in use' },
    detail: { id: 'Indikator dengan kode "{code}" sudah ada.', en: 'An indicator with code "{code}" already exists.' },
  },
  CLIENT_ID_TAKEN: {
    status: 409,
    title: { id: 'ID klien sudah dipakai', en: 'Client id already in use' },
    detail: { id: 'Klien dengan id "{id}" sudah ada.', en: 'A client with id "{id}" already exists.' },
  },
  CLIENT_ALREADY_DISABLED: {
    status: 409,
    title: { id: 'Klien sudah nonaktif', en: 'Client already disabled' },
    detail: { id: 'Klien "{id}" sudah dinonaktifkan.', en: 'Client "{id}" is already disabled.' },
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    title: { id: 'Permintaan yang sama sedang diproses', en: 'Same request in progress' },
    detail: { id: 'Permintaan dengan Idempotency-Key "{key}" masih diproses; ulangi setelah selesai.', en: 'A request with Idempotency-Key "{key}" is still being processed; retry when it has finished.' },
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: { id: 'Idempotency-Key dipakai untuk permintaan lain', en: 'Idempotency-Key reused' },
    detail: { id: 'Idempotency-Key "{key}" sudah dipakai untuk permintaan dengan isi atau tujuan berbeda.', en: 'Idempotency-Key "{key}" was already used for a request with a different body or target.' },
  },
  REVIEW_TRANSITION_INVALID: {
    status: 409,
    title: { id: 'Perubahan status tidak diizinkan', en: 'Transition not allowed' },
    detail: {
      id: 'Versi {version} berstatus "{status}"; tindakan "{action}" tidak berlaku. Tindakan yang mungkin: {allowed}.',
      en: 'Version {version} is "{status}"; action "{action}" does not apply. Possible actions: {allowed}.',
    },
  },
  VERSION_HAS_OPEN_ERRORS: {
    status: 409,
    title: { id: 'Masih ada temuan error', en: 'Error findings still open' },
    detail: {
      id: 'Versi {version} masih memiliki {count} temuan berkategori error yang belum dijelaskan, atau yang dipastikan salah; jelaskan temuannya atau kembalikan versi ini.',
      en: 'Version {version} still has {count} error finding(s) not explained, or confirmed as errors; explain them or return the version.',
    },
  },
  REVIEW_NOT_PERMITTED: {
    status: 403,
    title: { id: 'Bukan wewenang pemeriksa ini', en: 'Not this reviewer\'s to decide' },
    detail: { id: '{reason_id}', en: '{reason_en}' },
  },
  FINDING_NOT_FOUND: {
    status: 404,
    title: { id: 'Temuan tidak ditemukan', en: 'Finding not found' },
    detail: { id: 'Temuan "{id}" tidak ada atau tidak terlihat oleh token ini.', en: 'Finding "{id}" does not exist or is not visible to this token.' },
  },
  FINDING_CLOSED: {
    status: 409,
    title: { id: 'Temuan sudah ditutup', en: 'Finding already closed' },
    detail: {
      id: 'Temuan "{id}" berstatus "{status}"; jawaban hanya diterima untuk temuan berstatus open atau answered.',
      en: 'Finding "{id}" is "{status}"; answers are taken only while a finding is open or answered.',
    },
  },
  CONFLICT_NOT_FOUND: {
    status: 404,
    title: { id: 'Konflik tidak ditemukan', en: 'Conflict not found' },
    detail: { id: 'Konflik "{id}" tidak ada atau tidak terlihat oleh token ini.', en: 'Conflict "{id}" does not exist or is not visible to this token.' },
  },
  CONFLICT_ALREADY_RESOLVED: {
    status: 409,
    title: { id: 'Konflik sudah diselesaikan', en: 'Conflict already resolved' },
    detail: {
      id: 'Konflik "{id}" sudah diselesaikan; kirim "reopen": true untuk memutus ulang, atau buka kembali lewat /reopen.',
      en: 'Conflict "{id}" is already resolved; send "reopen": true to decide again, or reopen it with /reopen.',
    },
  },
  CONFLICT_ALREADY_OPEN: {
    status: 409,
    title: { id: 'Konflik masih terbuka', en: 'Conflict still open' },
    detail: { id: 'Konflik "{id}" masih terbuka; tidak ada yang perlu dibuka kembali.', en: 'Conflict "{id}" is still open; there is nothing to reopen.' },
  },
  METHODOLOGY_NOT_FOUND: {
    status: 404,
    title: { id: 'Metodologi tidak ditemukan', en: 'Methodology not found' },
    detail: { id: 'Metodologi IKESOS "{id}" tidak ada.', en: 'IKESOS methodology "{id}" does not exist.' },
  },
  METHODOLOGY_VERSION_TAKEN: {
    status: 409,
    title: { id: 'Versi metodologi sudah dipakai', en: 'Methodology version already in use' },
    detail: { id: 'Metodologi dengan versi "{version}" sudah ada.', en: 'A methodology with version "{version}" already exists.' },
  },
  METHODOLOGY_NOT_DRAFT: {
    status: 409,
    title: { id: 'Metodologi bukan draf', en: 'Methodology is not a draft' },
    detail: {
      id: 'Metodologi "{id}" berstatus "{status}"; hanya draf yang dapat diaktifkan (draf → aktif → pensiun).',
      en: 'Methodology "{id}" is "{status}"; only a draft can be activated (draft → active → retired).',
    },
  },
  METHODOLOGY_ACTIVATION_CONFLICT: {
    status: 409,
    title: { id: 'Aktivasi metodologi bersamaan', en: 'Concurrent methodology activation' },
    detail: {
      id: 'Metodologi lain diaktifkan pada saat yang sama, sehingga "{id}" tidak diaktifkan (hanya satu yang boleh aktif). Periksa metodologi yang kini aktif, lalu ulangi bila masih diperlukan.',
      en: 'Another methodology was activated at the same moment, so "{id}" was not activated (only one may be active). Check which one is active now, then retry if still wanted.',
    },
  },
  JOB_NOT_FOUND: {
    status: 404,
    title: { id: 'Pekerjaan tidak ditemukan', en: 'Job not found' },
    detail: { id: 'Pekerjaan "{id}" tidak ada atau bukan milik token ini.', en: 'Job "{id}" does not exist or does not belong to this token.' },
  },
  JOB_INTERRUPTED: {
    status: 500,
    title: { id: 'Pekerjaan terhenti', en: 'Job interrupted' },
    detail: {
      id: 'Proses layanan yang menjalankan pekerjaan ini berhenti berulang kali, sehingga pekerjaan ini tidak dicoba lagi; tidak ada yang tersimpan darinya. Kirim ulang.',
      en: 'The service processes running this job stopped each time it ran, so it is not tried again; nothing of it was stored. Send it again.',
    },
  },
  CYCLE_NOT_FOUND: {
    status: 404,
    title: { id: 'Siklus tidak ditemukan', en: 'Cycle not found' },
    detail: { id: 'Siklus pengumpulan "{id}" tidak ada.', en: 'Collection cycle "{id}" does not exist.' },
  },
  LETTERHEAD_NOT_FOUND: {
    status: 404,
    title: { id: 'Kop laporan tidak ditemukan', en: 'Report letterhead not found' },
    detail: { id: 'Wilayah "{code}" belum memiliki kop dan blok tanda tangan laporan.', en: 'Region "{code}" has no report heading and signature block yet.' },
  },
  LOGO_TOO_LARGE: {
    status: 413,
    title: { id: 'Logo terlalu besar', en: 'Logo too large' },
    detail: { id: 'Logo berukuran {bytes} byte; batasnya {limit} byte. Perkecil gambarnya (logo kop cukup beberapa puluh KB).', en: 'The logo is {bytes} bytes; the limit is {limit} bytes. Scale the picture down (a heading logo needs a few tens of KB).' },
  },
  LOGO_INVALID: {
    status: 422,
    title: { id: 'Logo tidak valid', en: 'Invalid logo' },
    detail: { id: 'Logo harus berupa data URL base64 bergambar PNG atau JPEG yang isinya sesuai jenisnya: lihat daftar errors.', en: 'The logo must be a base64 data URL of a PNG or JPEG picture whose content matches its type: see the errors list.' },
  },
  LAST_ACTIVE_ADMIN: {
    status: 409,
    title: { id: 'Admin aktif terakhir', en: 'Last active admin' },
    detail: { id: 'Klien "{id}" adalah admin aktif terakhir; buat admin lain sebelum menonaktifkannya.', en: 'Client "{id}" is the last active admin; create another admin before disabling it.' },
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: { id: 'Isi permintaan terlalu besar', en: 'Payload too large' },
    detail: { id: 'Isi permintaan melebihi batas {limit} byte.', en: 'The request body exceeds the limit of {limit} bytes.' },
  },
  TOO_MANY_COLUMNS: {
    status: 413,
    title: { id: 'Terlalu banyak kolom', en: 'Too many columns' },
    detail: {
      id: 'Baris {row} berisi lebih dari {limit} kolom (batas PUSH_MAX_COLUMNS). Templat hanya memakai 12 kolom: hapus kolom yang tidak diperlukan. Tidak ada yang disimpan.',
      en: 'Row {row} has more than {limit} columns (the PUSH_MAX_COLUMNS limit). The template uses 12 columns only: remove the columns you do not need. Nothing was stored.',
    },
  },
  LINE_TOO_LONG: {
    status: 413,
    title: { id: 'Baris terlalu panjang', en: 'Line too long' },
    detail: {
      id: 'Baris ke-{line} berkas melebihi {limit} byte (batas PUSH_MAX_LINE_BYTES). Satu baris CSV memuat satu observasi. Tidak ada yang disimpan.',
      en: 'Line {line} of the file exceeds {limit} bytes (the PUSH_MAX_LINE_BYTES limit). One CSV line holds one observation. Nothing was stored.',
    },
  },
  CELL_TOO_LARGE: {
    status: 413,
    title: { id: 'Sel terlalu besar', en: 'Cell too large' },
    detail: {
      id: 'Sel di baris {row}, kolom {column}, melebihi {limit} byte (batas PUSH_MAX_CELL_BYTES). Sel sebesar ini biasanya berasal dari tanda kutip ganda (") yang dibuka tetapi tidak ditutup: periksa tanda kutip di baris ini dan sesudahnya. Tidak ada yang disimpan.',
      en: 'The cell in row {row}, column {column}, exceeds {limit} bytes (the PUSH_MAX_CELL_BYTES limit). A cell this large usually comes from a double quote (") opened and never closed: check the quotes on this row and the ones after it. Nothing was stored.',
    },
  },
  XLSX_TOO_LARGE: {
    status: 413,
    title: { id: 'Buku kerja terlalu besar setelah diekstrak', en: 'Workbook too large once extracted' },
    detail: {
      id: 'Bagian “{part}” buku kerja melampaui batas setelah diekstrak ({limit} byte per bagian dan {total} byte seluruhnya, batas XLSX_MAX_INFLATED_BYTES), atau terkompresi lebih dari 100 kali. Hapus lembar, gambar, dan format yang tidak diperlukan, atau kirim data sebagai CSV UTF-8. Tidak ada yang disimpan.',
      en: 'Part “{part}” of the workbook goes past the limit once extracted ({limit} bytes per part and {total} bytes in all, the XLSX_MAX_INFLATED_BYTES limit), or is compressed more than 100 times. Remove sheets, pictures and formatting you do not need, or send the data as UTF-8 CSV. Nothing was stored.',
    },
  },
  JSON_TOO_DEEP: {
    status: 413,
    title: { id: 'JSON bersarang terlalu dalam', en: 'JSON nested too deeply' },
    detail: {
      id: 'Isi permintaan memuat array atau objek yang bersarang lebih dari {limit} tingkat (batas JSON_MAX_DEPTH).',
      en: 'The body nests arrays or objects more than {limit} levels deep (the JSON_MAX_DEPTH limit).',
    },
  },
  JSON_ARRAY_TOO_LONG: {
    status: 413,
    title: { id: 'Array JSON terlalu panjang', en: 'JSON array too long' },
    detail: {
      id: 'Isi permintaan memuat array dengan lebih dari {limit} butir (batas JSON_MAX_ARRAY_ITEMS). Kirim data besar sebagai CSV, atau bagi menjadi beberapa permintaan.',
      en: 'The body holds an array of more than {limit} items (the JSON_MAX_ARRAY_ITEMS limit). Send large data as CSV, or split it over several requests.',
    },
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: { id: 'Jenis media tidak dapat diberikan', en: 'Not acceptable' },
    detail: {
      id: 'Accept "{accept}" tidak mencakup jenis media yang dihasilkan operasi ini: {produces}.',
      en: 'Accept "{accept}" names none of the media types this operation produces: {produces}.',
    },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: { id: 'Jenis konten tidak didukung', en: 'Unsupported media type' },
    detail: { id: 'Content-Type "{type}" tidak didukung di sini.', en: 'Content-Type "{type}" is not supported here.' },
  },
  DHIS2_MAPPING_NOT_FOUND: {
    status: 404,
    title: { id: 'Pemetaan DHIS2 tidak ada', en: 'No DHIS2 mapping' },
    detail: { id: 'Dataset "{id}" belum memiliki pemetaan DHIS2; buat dengan PUT /v1/datasets/{id}/dhis2/mapping.', en: 'Dataset "{id}" has no DHIS2 mapping yet; create one with PUT /v1/datasets/{id}/dhis2/mapping.' },
  },
  DHIS2_MAPPING_MISSING: {
    status: 409,
    title: { id: 'Pemetaan DHIS2 belum dibuat', en: 'DHIS2 mapping missing' },
    detail: {
      id: 'Dataset "{id}" belum memiliki pemetaan DHIS2, sehingga kode data element, category option combo dan org unit tidak dapat dibaca. Buat dulu dengan PUT /v1/datasets/{id}/dhis2/mapping. Tidak ada yang disimpan.',
      en: 'Dataset "{id}" has no DHIS2 mapping, so its data element, category option combo and org unit codes cannot be read. Create one first with PUT /v1/datasets/{id}/dhis2/mapping. Nothing was stored.',
    },
  },
  DHIS2_ID_SCHEME_UNSUPPORTED: {
    status: 400,
    title: { id: 'Skema identitas DHIS2 tidak didukung', en: 'DHIS2 id scheme not supported' },
    detail: {
      id: '{parameter}={scheme} tidak didukung: layanan ini membaca kode DHIS2 (idScheme=CODE) melalui pemetaan dataset, bukan UID, nama atau atribut.',
      en: '{parameter}={scheme} is not supported: this service reads DHIS2 codes (idScheme=CODE) through the dataset\'s mapping, not UIDs, names or attributes.',
    },
  },
  DHIS2_EXPORT_TOO_LARGE: {
    status: 400,
    title: { id: 'Ekspor DHIS2 terlalu besar', en: 'DHIS2 export too large' },
    detail: { id: 'Ekspor ini melebihi {limit} nilai data; persempit dengan period atau orgUnit.', en: 'This export exceeds {limit} data values; narrow it with period or orgUnit.' },
  },
  REFERENCE_INVALID: {
    status: 422,
    title: { id: 'Rujukan tidak valid', en: 'Invalid reference' },
    detail: { id: 'Isi permintaan merujuk kode yang tidak ada atau tidak konsisten: lihat daftar errors.', en: 'The request refers to codes that do not exist or are inconsistent: see the errors list.' },
  },
  RATE_LIMITED: {
    status: 429,
    title: { id: 'Terlalu banyak permintaan', en: 'Too many requests' },
    detail: {
      id: 'Batas {limit} permintaan per {window} detik terlampaui; ulangi setelah {retry_after} detik (lihat header Retry-After).',
      en: 'The limit of {limit} requests per {window} seconds was exceeded; retry after {retry_after} seconds (see the Retry-After header).',
    },
  },
  WEBHOOK_NOT_FOUND: {
    status: 404,
    title: { id: 'Langganan webhook tidak ditemukan', en: 'Webhook subscription not found' },
    detail: { id: 'Langganan webhook "{id}" tidak ada atau bukan milik klien ini.', en: 'Webhook subscription "{id}" does not exist or is not this client\'s.' },
  },
  WEBHOOK_EXISTS: {
    status: 409,
    title: { id: 'Langganan webhook sudah ada', en: 'Webhook subscription already exists' },
    detail: { id: 'Klien ini sudah berlangganan ke {url}; ubah langganan itu.', en: 'This client already has a subscription to {url}; change that one.' },
  },
  WEBHOOK_REPLAY_AHEAD: {
    status: 409,
    title: { id: 'Event belum dikirim', en: 'Event not delivered yet' },
    detail: { id: 'Event "{event}" belum dikirim ke langganan ini; pengiriman ulang hanya dari event yang sudah dikirim.', en: 'Event "{event}" has not been delivered to this subscription yet; a replay starts only from a delivered event.' },
  },
  WEBHOOK_EVENT_UNKNOWN: {
    status: 422,
    title: { id: 'Event tidak dikenal', en: 'Unknown event' },
    detail: { id: 'Tidak ada event "{event}".', en: 'There is no event "{event}".' },
  },
  WEBHOOK_EVENTS_FORBIDDEN: {
    status: 403,
    title: { id: 'Jenis event tidak diizinkan', en: 'Event types not allowed' },
    detail: { id: 'Peran {role} tidak boleh berlangganan: {types}.', en: 'Role {role} may not subscribe to: {types}.' },
  },
  WEBHOOK_TARGET_FORBIDDEN: {
    status: 422,
    title: { id: 'Alamat webhook ditolak', en: 'Webhook target refused' },
    detail: { id: 'URL tidak dapat dipakai: {reason}. Alamat loopback, privat dan link-local ditolak kecuali diizinkan oleh pengaturan WEBHOOK_ALLOW_PRIVATE_TARGETS.', en: 'The URL cannot be used: {reason}. Loopback, private and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows them.' },
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: { id: 'Layanan sedang berhenti', en: 'Service shutting down' },
    detail: { id: 'Layanan sedang dimatikan; ulangi permintaan sebentar lagi.', en: 'The service is shutting down; retry shortly.' },
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    title: { id: 'Basis data tidak tersedia', en: 'Database unavailable' },
    detail: { id: 'Basis data sementara tidak dapat dihubungi; ulangi permintaan sebentar lagi.', en: 'The database cannot be reached right now; retry shortly.' },
  },
  INTERNAL_ERROR: {
    status: 500,
    title: { id: 'Kesalahan internal', en: 'Internal error' },
    detail: { id: 'Terjadi kesalahan tak terduga. Sebutkan request_id saat melapor.', en: 'An unexpected error occurred. Quote the request_id when reporting it.' },
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
