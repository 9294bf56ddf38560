import { AppError } from '../../http/app-error.js';
import { problem } from '../../http/route-docs.js';
import { covers, isNational, jurisdictionOf } from '../../domain/jurisdiction.js';
import type { Principal } from '../../domain/principal.js';
import type { ReviewRefusal } from '../../domain/review-rules.js';

// The rule itself (who covers which region) is in domain/jurisdiction.ts, beside the
// principal, so the auth plugin can apply it too; here are its refusals as HTTP problems.

const NATIONAL = 'nasional';

/** The 403 of an operation bounded by jurisdiction, for its OpenAPI responses. */
export const outsideJurisdictionResponse = problem(
  "A role that may not (FORBIDDEN), or a region outside the walidata's jurisdiction (OUTSIDE_JURISDICTION, OWN_JURISDICTION_LOCKED); nothing is written.",
);

/** Refuses a region outside the caller's jurisdiction. */
export function requireCovers(actor: Principal, region: string): void {
  if (!covers(actor, region)) throw new AppError('OUTSIDE_JURISDICTION', { region, jurisdiction: jurisdictionOf(actor) ?? NATIONAL });
}

/**
 * May the caller give an agency (now at `current`, or new when null) the jurisdiction `next`?
 * Both must lie inside the caller's own, and a regional walidata never moves its own agency's:
 * that would let it widen its own authority, or hand it away without the region above knowing.
 */
export function requireAgencyJurisdictionChange(actor: Principal, agency: { id: string; code: string; current: string | null }, next: string): void {
  if (agency.current !== null) requireCovers(actor, agency.current);
  requireCovers(actor, next);
  if (agency.current !== null && agency.current !== next && !isNational(actor) && actor.agency?.id === agency.id) {
    throw new AppError('OWN_JURISDICTION_LOCKED', { agency: agency.code });
  }
}

const REFUSALS: Record<ReviewRefusal, (reviewer: string, agency: string) => { reason_id: string; reason_en: string }> = {
  'own-push': () => ({
    reason_id: 'Klien yang mengirim versi ini tidak boleh memeriksanya sendiri.',
    reason_en: 'The client that pushed this version may not review it.',
  }),
  'own-agency': () => ({
    reason_id: 'Walidata dari instansi produsen data tidak boleh memverifikasi atau menerbitkan data instansinya sendiri (prinsip empat mata); ia hanya dapat mengembalikannya.',
    reason_en: "A walidata of the producing agency may not verify or publish its own agency's data (four-eyes principle); it may only return it.",
  }),
  'outside-region': (reviewer, agency) => ({
    reason_id: `Walidata wilayah ${reviewer} tidak memeriksa data instansi di wilayah ${agency}: pemeriksa harus dari wilayah instansi itu atau wilayah di atasnya.`,
    reason_en: `A walidata of region ${reviewer} does not review data of an agency in region ${agency}: the reviewer must be of that region or a region above it.`,
  }),
  'publish-needs-region-above': (_reviewer, agency) => ({
    reason_id: `Data instansi wilayah ${agency} diterbitkan oleh walidata wilayah di atasnya (mis. provinsi untuk kab/kota); walidata wilayah yang sama memverifikasi.`,
    reason_en: `Data of an agency in region ${agency} is published by the walidata of the region above (e.g. the province for a kab/kota); the walidata of the same region verifies.`,
  }),
  'verifier-cannot-publish': () => ({
    reason_id: 'Walidata yang memverifikasi versi ini tidak boleh juga menerbitkannya (prinsip empat mata).',
    reason_en: 'The walidata who verified this version may not also publish it (four-eyes principle).',
  }),
};

/** The 403 for a walidata acting outside its tier, with the reason in both languages. */
export function refusalError(refusal: ReviewRefusal, reviewerRegion: string | null, agencyRegion: string): AppError {
  return new AppError('REVIEW_NOT_PERMITTED', REFUSALS[refusal](reviewerRegion ?? 'nasional', agencyRegion));
}
