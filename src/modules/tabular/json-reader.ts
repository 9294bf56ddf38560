import { containsNik, makeFinding } from '../../domain/finding-builder.js';
import type { Finding, RawObservation } from '../../domain/finding.js';

export interface ReaderBatch {
  observations: RawObservation[];
  findings: Finding[];
}

const FIELDS = ['indicator', 'region', 'period', 'value', 'unit', 'obs_status', 'note', 'sex', 'age_group', 'disability', 'desil', 'desil_ranking_date'] as const;

/**
 * Splits a parsed JSON push into batches. The body schema already refused unknown fields;
 * what is left to report here is the one JSON-specific interoperability rule: a number
 * must travel as a JSON number, not as text that each system would parse its own way. Text
 * shaped like a NIK goes on to the interoperability rules instead, which refuse it as such.
 */
export async function* readJson(observations: Record<string, unknown>[], batchSize: number): AsyncGenerator<ReaderBatch> {
  for (let start = 0; start < observations.length; start += batchSize) {
    const batch: ReaderBatch = { observations: [], findings: [] };
    observations.slice(start, start + batchSize).forEach((item, offset) => {
      const pointer = `/observations/${start + offset}`;
      if (typeof item.value === 'string' && !containsNik(item.value)) {
        batch.findings.push(
          makeFinding({ pointer: `${pointer}/value` }, 'interoperabilitas', {
            code: 'IO_VALUE_AS_STRING',
            severity: 'error',
            column: 'value',
            value: item.value,
            message: { id: 'nilai dikirim sebagai teks, bukan angka JSON', en: 'the value was sent as text, not as a JSON number' },
            hint: { id: 'kirim nilai sebagai angka, mis. 1234 atau 12.5, tanpa tanda kutip', en: 'send the value as a number, e.g. 1234 or 12.5, without quotes' },
          }),
        );
        return;
      }
      const raw: RawObservation = { pointer, indicator: item.indicator, region: item.region, period: item.period, value: item.value };
      for (const field of FIELDS) if (item[field] !== undefined && item[field] !== null) raw[field] = item[field];
      batch.observations.push(raw);
    });
    yield batch;
  }
}
