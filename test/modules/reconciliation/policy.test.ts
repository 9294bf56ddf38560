import t from 'tap';
import { agree, decide, DEFAULT_POLICY, effectivePolicy, policyFor, type Candidate } from '../../../src/modules/reconciliation/policy.js';
import { changeKind, sameFigures, settle } from '../../../src/modules/reconciliation/settle.js';

const c = (agency: string, kind: string, value: string, published_at = '2026-02-01T00:00:00Z', version = 1): Candidate => ({
  agency,
  agency_kind: kind,
  agency_id: `id-${agency}`,
  dataset_id: `ds-${agency}`,
  version,
  version_id: `v-${agency}-${version}`,
  value,
  obs_status: 'A',
  note: null,
  published_at,
});
const bps = c('BPS-6571', 'BPS', '12.5');
const dinsos = c('DINSOS-6571', 'DINSOS', '13.1', '2026-02-05T00:00:00Z');
const capil = c('CAPIL-6571', 'DISDUKCAPIL', '12.9', '2026-02-03T00:00:00Z');

t.test('decide', async (t) => {
  t.match(decide([bps], DEFAULT_POLICY), { kind: 'final', method: 'single-source', value: '12.5' });
  t.match(decide([bps, dinsos], DEFAULT_POLICY), { kind: 'conflict', proposal: null }, 'manual by default');
  t.match(decide([bps, dinsos], effectivePolicy({ tolerance: { absolute: 0.6, relative: 0 } })), { kind: 'final', method: 'agreement' });
  t.match(decide([bps, dinsos], effectivePolicy({ tolerance: { absolute: 0.5, relative: 0 } })), { kind: 'conflict' }, 'just outside');
  t.match(decide([bps, dinsos], effectivePolicy({ tolerance: { absolute: 0, relative: 0.05 } })), { kind: 'final', method: 'agreement', value: '12.8', source: null }, 'agreeing, no priority, two values: their median (the mean of the two), not the later one');
  t.match(decide([dinsos, capil, bps], effectivePolicy({ priority: ['BPS', 'DINSOS'] })), { kind: 'final', method: 'priority', source: { agency: 'BPS-6571' } }, 'by kind');
  t.match(decide([dinsos, capil], effectivePolicy({ priority: ['BPS', 'CAPIL-6571', 'DINSOS'] })), { kind: 'final', method: 'priority', value: '12.9' }, 'by code, first present wins');
  t.match(decide([bps, dinsos, capil], effectivePolicy({ method: 'median' })), { kind: 'final', method: 'median', value: '12.9', source: null });
  t.match(decide([bps, dinsos], effectivePolicy({ method: 'median' })), { value: '12.8' }, 'even count: the mean of the middle two, no float noise');
  t.match(decide([bps, dinsos, capil], effectivePolicy({ method: 'latest' })), { method: 'latest', source: { agency: 'DINSOS-6571' } });
  t.match(decide([bps, dinsos], effectivePolicy({ priority: ['BPS'], requires_confirmation: true })), { kind: 'conflict', proposal: { method: 'priority', value: '12.5' } });
  t.throws(() => decide([], DEFAULT_POLICY));
  t.ok(agree([0, 0], { absolute: 0, relative: 0 }));
  t.notOk(agree([0, 1], { absolute: 0, relative: 0.5 }));
});

t.test('agreeing values: the highest-priority agency, else the median, whoever published last', async (t) => {
  const within = { tolerance: { absolute: 1, relative: 0 } };
  const prioritised = decide([bps, dinsos, capil], effectivePolicy({ ...within, priority: ['DISDUKCAPIL', 'BPS'] }));
  t.match(prioritised, { kind: 'final', method: 'agreement', value: '12.9', source: { agency: 'CAPIL-6571' }, rationale: /CAPIL-6571.*prioritas tertinggi/ }, 'the first listed kind present');
  t.match(decide([bps, dinsos, capil], effectivePolicy({ ...within, priority: ['BPS-6571', 'DISDUKCAPIL'] })), { value: '12.5', source: { agency: 'BPS-6571' } }, 'by agency code, even when it reported neither first nor last');
  const odd = decide([bps, dinsos, capil], effectivePolicy({ ...within, priority: ['DINKES'] }));
  t.match(odd, { kind: 'final', method: 'agreement', value: '12.9', source: { agency: 'CAPIL-6571' }, rationale: /median/ }, 'no listed agency present: the median, a reported value with its agency');
  t.not((odd as { source: Candidate }).source.agency, dinsos.agency, 'not the latest published (DINSOS, 13.1)');
  const twice = decide([bps, c('CAPIL-6571', 'DISDUKCAPIL', '12.50', '2026-01-20T00:00:00Z'), dinsos], effectivePolicy(within));
  t.match(twice, { value: '12.50', source: { agency: 'CAPIL-6571' } }, 'the median reported by two agencies: the first to publish it');
  t.match(decide([bps, dinsos, capil, c('DINKES-6571', 'DINKES', '13.0')], effectivePolicy(within)), { value: '12.95', source: null }, 'even count: the mean of the middle two, with no single source');
  const settled = settle([bps, dinsos, capil], effectivePolicy(within), undefined, undefined);
  t.match(settled, { conflict: null, figure: { method: 'agreement', value: '12.9', rationale: /median/ } }, 'the rule is recorded with the figure, and agreement opens no conflict');
});

t.test('settle keeps a person\'s decision until a candidate changes', async (t) => {
  const manual = { status: 'resolved', candidates: [bps, dinsos], resolution: { method: 'manual', automatic: false } };
  const sameValuesNewVersions = [c('BPS-6571', 'BPS', '12.50', undefined, 2), c('DINSOS-6571', 'DINSOS', '13.1', undefined, 3)];
  t.same(settle(sameValuesNewVersions, DEFAULT_POLICY, manual, { status: 'final', value: '12.7', method: 'manual', source_version_id: null }), { conflict: null, figure: null });
  const changed = settle([bps, c('DINSOS-6571', 'DINSOS', '14')], DEFAULT_POLICY, manual, { status: 'final', value: '12.7', method: 'manual', source_version_id: null });
  t.match(changed, { conflict: { status: 'open' }, figure: { status: 'disputed', value: null } }, 'reopens');
  const automatic = settle([bps, dinsos], effectivePolicy({ priority: ['DINSOS'] }), { status: 'resolved', candidates: [bps], resolution: { method: 'priority', automatic: true } }, undefined);
  t.match(automatic, { conflict: { status: 'resolved', resolution: { method: 'priority', automatic: true } }, figure: { status: 'final', value: '13.1' } });
  const unchanged = settle([bps], DEFAULT_POLICY, undefined, { status: 'final', value: '12.50', method: 'single-source', source_version_id: bps.version_id });
  t.same(unchanged, { conflict: null, figure: null }, 'same figure: nothing to write');
  t.ok(sameFigures([bps, dinsos], [dinsos, bps]));
  t.equal(changeKind(undefined, { status: 'final', value: '1', method: 'single-source', source: null, rationale: null }), 'new');
  t.equal(changeKind({ status: 'final', value: '1', method: 'x', source_version_id: null }, { status: 'final', value: '2', method: 'priority', source: null, rationale: null }), 'revised');
  t.equal(changeKind({ status: 'disputed', value: null, method: null, source_version_id: null }, { status: 'final', value: '2', method: 'manual', source: null, rationale: null }), 'resolved');
  t.equal(changeKind(undefined, { status: 'disputed', value: null, method: null, source: null, rationale: null }), 'disputed');
});

t.test('policyFor: the nearest region containing the key, then the national policy, then none', async (t) => {
  const p = (priority: string[]) => ({ ...DEFAULT_POLICY, priority });
  const scoped = [
    { region: null, policy: p(['BPS']) },
    { region: '65', policy: p(['DP3AP2KB']) },
    { region: '65.71', policy: p(['DINSOS']) },
    { region: '65.7', policy: p(['NOT-A-PARENT']) },
  ];
  t.equal(policyFor(scoped, '65.71.01.1001')?.region, '65.71', 'a desa of the city: the city’s');
  t.equal(policyFor(scoped, '65.71')?.region, '65.71', 'the city itself');
  t.equal(policyFor(scoped, '65.72')?.region, '65', 'another kab/kota of the province: the province’s');
  t.equal(policyFor(scoped, '65')?.region, '65');
  t.equal(policyFor(scoped, '33.73')?.region, null, 'elsewhere: the national one');
  t.equal(policyFor([...scoped].reverse(), '65.71.01')?.region, '65.71', 'whatever order they are stored in');
  t.equal(policyFor(scoped.slice(1), '33.73'), null, 'no national policy stored: none (the default applies)');
  t.equal(policyFor([], '65'), null);
});
