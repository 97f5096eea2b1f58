// FreeBSD/pfSense/OPNsense `ifconfig` parsing on fixtures in the formats of sbin/ifconfig/carp.c and
// af_inet.c (fixtures/freebsd.ts): carp lines per parent, VIPs by " vhid N", peer lines of ≥ 14.
import { describe, expect, it } from 'vitest';
import { KernelParseError } from './errors.js';
import * as F from './fixtures/freebsd.js';
import { parseFreebsdIfconfig } from './freebsd-ifconfig.js';

describe('parseFreebsdIfconfig', () => {
  it('reads two vhids on one parent with their VIPs and peer lines (FreeBSD 14)', () => {
    const r = parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG);
    expect(r.map((i) => [i.name, i.carp.length])).toEqual([['em0', 2], ['em1', 0], ['lo0', 0]]);
    const em0 = r[0];
    expect(em0).toMatchObject({ up: true, running: true, status: 'active', ether: '52:54:00:ab:cd:01' });
    expect(em0.flags).toContain('PROMISC');
    expect(em0.addresses.map((a) => a.cidr)).toEqual(['203.0.113.2/24']);
    expect(em0.carp.map((c) => ({ ...c, addresses: c.addresses.map((a) => a.cidr) }))).toEqual([
      { vhid: 1, state: 'MASTER', advbase: 1, advskew: 0, peer: '224.0.0.18', peer6: 'ff02::12', addresses: ['203.0.113.1/24'], addresses6: [] },
      { vhid: 2, state: 'BACKUP', advbase: 1, advskew: 100, peer: '224.0.0.18', peer6: 'ff02::12', addresses: ['203.0.113.11/32'], addresses6: ['2001:db8::11/64'] },
    ]);
  });

  it('reads pfSense: a unicast peer, an INIT vhid, no carrier, and never keeps a printed key', () => {
    const [igb1] = parseFreebsdIfconfig(F.PFSENSE_IFCONFIG);
    expect(igb1.status).toBe('no carrier');
    expect(igb1.carp.map((c) => [c.vhid, c.state, c.advskew, c.peer, c.addresses.map((a) => a.cidr)])).toEqual([
      [10, 'BACKUP', 100, '192.0.2.253', ['192.0.2.254/24']],
      [11, 'INIT', 100, '224.0.0.18', ['192.0.2.250/24']],
    ]);
    expect(JSON.stringify(igb1)).not.toContain('s3cret');
    // A malformed carp line carrying a key is quoted in the error without the key.
    expect(() => parseFreebsdIfconfig(F.PFSENSE_IFCONFIG.replace('vhid 10 advbase 1', 'vhid 10 advbase x'))).toThrow(/key \\"<redacted>\\"/);
    expect(() => parseFreebsdIfconfig(F.PFSENSE_IFCONFIG.replace('vhid 10 advbase 1', 'vhid 10 advbase x'))).not.toThrow(/s3cret/);
  });

  it('reads OPNsense on FreeBSD 13: no peer line, a dotted vlan parent name', () => {
    const [v] = parseFreebsdIfconfig(F.OPNSENSE13_IFCONFIG);
    expect(v.name).toBe('vtnet0.100');
    expect(v.carp).toEqual([{ vhid: 3, state: 'MASTER', advbase: 1, advskew: 0, addresses: [expect.objectContaining({ cidr: '198.18.5.1/24', vhid: 3 })], addresses6: [] }]);
    expect(v.carp[0].peer).toBeUndefined();
  });

  it('reads past another interface\'s own "peer …" line, but not a malformed one under a carp line', () => {
    const other = F.FREEBSD14_IFCONFIG.replace('\tether 52:54:00:ab:cd:02', '\tether 52:54:00:ab:cd:02\n\tpeer of something else');
    expect(parseFreebsdIfconfig(other)[1].carp).toEqual([]);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.replace('peer 224.0.0.18 peer6 ff02::12', 'peer 224.0.0.18'))).toThrow(/line 9 .*expected "peer A peer6 B" under the carp line/);
  });

  it('refuses cut-off and malformed output, naming the line', () => {
    // Cut after the address lines, before the carp lines: the VIPs would have no vhid to belong to.
    const cut = F.FREEBSD14_IFCONFIG.slice(0, F.FREEBSD14_IFCONFIG.indexOf('\tinet6 2001'));
    expect(() => parseFreebsdIfconfig(cut)).toThrow(KernelParseError);
    expect(() => parseFreebsdIfconfig(cut)).toThrow(/line 5 .*an address with vhid 1 but no "carp: … vhid 1 …" line on em0: output cut off\?/);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.slice(0, -5))).toThrow(/output ends in the middle of a line/);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.replace('carp: MASTER vhid 1', 'carp: MASTER vhid one'))).toThrow(/line 8 .*expected "carp: INIT\|BACKUP\|MASTER vhid N advbase N advskew N"/);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.replace('carp: BACKUP vhid 2', 'carp: BACKUP vhid 1'))).toThrow(/line 10 .*vhid 1 listed twice on em0/);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.replace('\tmedia: Ethernet', '\t      peer 224.0.0.18 peer6 ff02::12\n\tmedia: Ethernet'))).toThrow(/line 12 .*a carp peer line that does not follow a carp line/);
    expect(() => parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG.replace('broadcast 203.0.113.255 vhid 1', 'broadcast 203.0.113.255 vhid 1 extra'))).toThrow(/line 5 .*unexpected "extra"/);
  });
});
