import t from 'tap';
import { accessRightsUri, coverage, frequencyUri, periodInterval } from '../../../src/modules/catalog/vocabularies.js';

const EU = 'http://publications.europa.eu/resource/authority';

t.test('jadwal pemutakhiran → EU frequency', async (t) => {
  t.same(
    ['tahunan', 'semesteran', 'triwulanan', 'bulanan', 'insidental'].map(frequencyUri),
    ['ANNUAL', 'ANNUAL_2', 'QUARTERLY', 'MONTHLY', 'IRREG'].map((c) => `${EU}/frequency/${c}`),
  );
  t.equal(frequencyUri('mingguan'), null, 'an unknown schedule is left out, not guessed');
  t.equal(frequencyUri(undefined), null);
});

t.test('klasifikasi akses → EU access right; anything unknown is the most closed', async (t) => {
  t.equal(accessRightsUri('terbuka'), `${EU}/access-right/PUBLIC`);
  t.equal(accessRightsUri('terbatas'), `${EU}/access-right/RESTRICTED`);
  t.equal(accessRightsUri('tertutup'), `${EU}/access-right/NON_PUBLIC`);
  t.equal(accessRightsUri('rahasia'), `${EU}/access-right/NON_PUBLIC`);
  t.equal(accessRightsUri(null), `${EU}/access-right/NON_PUBLIC`);
});

t.test('periods → the days they cover', async (t) => {
  t.same(periodInterval('2024'), { start: '2024-01-01', end: '2024-12-31' });
  t.same(periodInterval('2024-S1'), { start: '2024-01-01', end: '2024-06-30' });
  t.same(periodInterval('2024-S2'), { start: '2024-07-01', end: '2024-12-31' });
  t.same(periodInterval('2024-Q1'), { start: '2024-01-01', end: '2024-03-31' });
  t.same(periodInterval('2024-Q3'), { start: '2024-07-01', end: '2024-09-30' });
  t.same(periodInterval('2024-02'), { start: '2024-02-01', end: '2024-02-29' }, 'a leap year');
  t.same(periodInterval('2025-02'), { start: '2025-02-01', end: '2025-02-28' });
  for (const bad of ['24', '2024-13', '2024-Q5', '2024-S3', '2024Q1', '']) t.equal(periodInterval(bad), null, bad);
});

t.test('coverage: the smallest interval holding every period', async (t) => {
  t.same(coverage(['2025', '2023-Q2', '2024-07', 'nonsense']), { start: '2023-04-01', end: '2025-12-31' });
  t.equal(coverage([]), null);
  t.equal(coverage(['x']), null);
});
