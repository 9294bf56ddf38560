import t from 'tap';
import { requireAgencyJurisdictionChange, requireCovers } from '../../../src/modules/authority/authority.js';
import { covers, isNational, jurisdictionOf } from '../../../src/domain/jurisdiction.js';
import { requireNational } from '../../../src/plugins/auth.js';
import type { Principal, Role } from '../../../src/domain/principal.js';

const who = (role: Role, jurisdiction?: string, id = 'a1'): Principal => ({
  clientId: `c-${role}`,
  role,
  agency: jurisdiction === undefined ? null : { id, code: `AG-${jurisdiction}`, jurisdictionRegionCode: jurisdiction },
});
const code = (fn: () => void) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'thrown';
  }
};

t.test('who is national', async (t) => {
  t.ok(isNational(who('walidata')), 'a walidata without an agency');
  t.ok(isNational(who('admin')), 'an admin');
  t.ok(isNational(who('admin', '65')), 'an admin even if bound to an agency');
  t.notOk(isNational(who('walidata', '65')), 'a walidata of a province is regional');
  t.equal(jurisdictionOf(who('walidata', '65.71')), '65.71');
});

t.test('a jurisdiction covers its region and everything inside it, nothing else', async (t) => {
  const tarakan = who('walidata', '65.71');
  t.ok(covers(tarakan, '65.71'));
  t.ok(covers(tarakan, '65.71.01'));
  t.ok(covers(tarakan, '65.71.01.1001'));
  t.notOk(covers(tarakan, '65'), 'not the province above');
  t.notOk(covers(tarakan, '65.7'), 'not a prefix that is another code');
  t.notOk(covers(tarakan, '65.710'), 'not a code that merely starts with the same digits');
  t.notOk(covers(tarakan, '65.72'));
  t.ok(covers(who('walidata'), '31'), 'national covers every region');
  t.equal(code(() => requireCovers(tarakan, '33.73')), 'OUTSIDE_JURISDICTION');
  t.equal(code(() => requireCovers(tarakan, '65.71.02')), null);
  t.equal(code(() => requireNational(tarakan, 'katalog')), 'NATIONAL_AUTHORITY_REQUIRED');
  t.equal(code(() => requireNational(who('admin'), 'katalog')), null);
});

t.test('agency jurisdiction changes stay inside and never move the walidata’s own agency', async (t) => {
  const tarakan = who('walidata', '65.71', 'own');
  const other = { id: 'other', code: 'DINKES-6571', current: '65.71' };
  const own = { id: 'own', code: 'DISKOMINFO-6571', current: '65.71' };
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, other, '65.71.01')), null, 'narrowing another agency inside');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, other, '65')), 'OUTSIDE_JURISDICTION', 'widening another one beyond');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, { ...other, current: '33.73' }, '65.71')), 'OUTSIDE_JURISDICTION', 'pulling one in from outside');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, own, '65')), 'OUTSIDE_JURISDICTION', 'widening its own beyond its jurisdiction');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, own, '65.71.01')), 'OWN_JURISDICTION_LOCKED', 'not even narrowing it');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, own, '65.71')), null, 'leaving it as it is (a rename)');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, { id: '', code: 'NEW', current: null }, '65.71.03')), null, 'a new agency inside');
  t.equal(code(() => requireAgencyJurisdictionChange(tarakan, { id: '', code: 'NEW', current: null }, '64')), 'OUTSIDE_JURISDICTION', 'a new agency outside');
  t.equal(code(() => requireAgencyJurisdictionChange(who('walidata'), own, '31')), null, 'a national walidata moves any agency');
});
