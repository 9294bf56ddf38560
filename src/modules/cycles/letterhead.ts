import { createHash } from 'node:crypto';

/**
 * The logo of a report's heading: a data: URL, so the printed page needs no external asset
 * and the strict Content-Security-Policy (img-src data:) still holds. PNG and JPEG only: an
 * SVG may carry scripts and links to elsewhere, and neither belongs in an official document.
 * The declared type must match the bytes, so a page cannot be smuggled in under image/png.
 */
export const LOGO_MAX_BYTES = 100 * 1024;
const SIGNATURES = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
} as const;
export const LOGO_TYPES = Object.keys(SIGNATURES) as (keyof typeof SIGNATURES)[];

export type LogoCheck =
  | { ok: true; type: keyof typeof SIGNATURES; bytes: number; sha256: string }
  | { ok: false; reason: 'not-a-data-url' | 'type' | 'content-mismatch' }
  | { ok: false; reason: 'too-large'; bytes: number };

export function checkLogo(url: string): LogoCheck {
  const m = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i.exec(url);
  if (!m) return { ok: false, reason: 'not-a-data-url' };
  const type = m[1]!.toLowerCase();
  if (!(type in SIGNATURES)) return { ok: false, reason: 'type' };
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length > LOGO_MAX_BYTES) return { ok: false, reason: 'too-large', bytes: bytes.length };
  const signature = SIGNATURES[type as keyof typeof SIGNATURES];
  if (!signature.every((b, i) => bytes[i] === b)) return { ok: false, reason: 'content-mismatch' };
  return { ok: true, type: type as keyof typeof SIGNATURES, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
