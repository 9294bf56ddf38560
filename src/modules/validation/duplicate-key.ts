import { makeFinding, type Location } from '../../domain/finding-builder.js';
import type { Bilingual, Finding, Observation } from '../../domain/finding.js';

/**
 * The finding for an observation whose key (indicator, region, period, disaggregation) was
 * already given earlier in the same push. The push's rows are checked against each other
 * where they are stored, so the rule only words what the storage found.
 */

function describeKey(o: Observation): string {
  const parts = [o.indicator_code, o.region_code, o.period];
  for (const [name, code] of Object.entries(o.disagg)) if (code !== undefined) parts.push(`${name}=${code}`);
  return parts.join(' · ');
}

function placeText(at: Location): Bilingual {
  if (at.row !== undefined) return { id: `baris ${at.row}`, en: `row ${at.row}` };
  return { id: at.pointer ?? '', en: at.pointer ?? '' };
}

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

export function duplicateKeyFinding(repeated: Observation, first: Location): Finding {
  const earlier = placeText(first);
  const here = placeText(repeated);
  const key = describeKey(repeated);
  return makeFinding(repeated, 'interoperabilitas', {
    code: 'IO_DUPLICATE_KEY',
    severity: 'error',
    value: key,
    message: {
      id: `${capitalised(here.id)} mengulang kunci (indikator, wilayah, periode, pemilahan) yang sudah ada di ${earlier.id}: ${key}.`,
      en: `${capitalised(here.en)} repeats the key (indicator, region, period, disaggregation) already given at ${earlier.en}: ${key}.`,
    },
    hint: {
      id: `Satu angka per kunci: hapus salah satu baris (${earlier.id} atau ${here.id}), atau bedakan pemilahannya bila keduanya angka yang berbeda.`,
      en: `One figure per key: remove one of the rows (${earlier.en} or ${here.en}), or tell them apart by disaggregation if they are different figures.`,
    },
  });
}
