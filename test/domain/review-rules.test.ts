import t from 'tap';
import { allowedActions, nextStatus, reviewRefusal, tierOf } from '../../src/domain/review-rules.js';

t.test('transitions', async (t) => {
  t.same(allowedActions('submitted'), ['verify', 'return']);
  t.same(allowedActions('verified'), ['publish', 'return']);
  for (const final of ['rejected', 'returned', 'published'] as const) t.same(allowedActions(final), [], `${final} is final`);
  t.equal(nextStatus('submitted', 'publish'), undefined, 'no skipping verification');
  t.equal(nextStatus('verified', 'return'), 'returned');
});

t.test('tiers by region', async (t) => {
  t.equal(tierOf('65.71', '65.71'), 'same');
  t.equal(tierOf('65', '65.71'), 'above');
  t.equal(tierOf(null, '65.71'), 'above', 'a walidata without an agency is national');
  t.equal(tierOf('65.01', '65.71'), 'outside');
  t.equal(tierOf('65.71', '65'), 'outside', 'a city does not review its province');
  t.equal(tierOf('6', '65.71'), 'outside', 'prefixes are whole segments');
  const me = { clientId: 'w1', agencyId: 'diskominfo' };
  const v = (verifiedBy: string | null = null) => ({ agencyId: 'dinsos', submittedBy: 'p1', verifiedBy });
  t.equal(reviewRefusal('verify', 'same', me, v()), null);
  t.equal(reviewRefusal('verify', 'outside', me, v()), 'outside-region');
  t.equal(reviewRefusal('publish', 'same', me, v()), 'publish-needs-region-above');
  t.equal(reviewRefusal('publish', 'above', me, v('w1')), 'verifier-cannot-publish');
  t.equal(reviewRefusal('publish', 'above', me, v('w2')), null);
  t.equal(reviewRefusal('return', 'same', me, v()), null);
});

t.test('four eyes: no one reviews their own push, and an agency does not approve its own data', async (t) => {
  const ownAgency = { clientId: 'w1', agencyId: 'dinsos' };
  const version = { agencyId: 'dinsos', submittedBy: 'p1', verifiedBy: null };
  t.equal(reviewRefusal('verify', 'same', ownAgency, version), 'own-agency');
  t.equal(reviewRefusal('publish', 'above', ownAgency, version), 'own-agency');
  t.equal(reviewRefusal('return', 'same', ownAgency, version), null, 'it may still send its data back');
  const submitter = { clientId: 'p1', agencyId: null };
  for (const action of ['verify', 'publish', 'return'] as const) t.equal(reviewRefusal(action, 'above', submitter, version), 'own-push', action);
});
