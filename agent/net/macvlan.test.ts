// The rtnetlink messages for a balanced vhid's virtual MAC link, read back attribute by attribute.
import { describe, expect, it } from 'vitest';
import { deleteLinkMessage, macvlanMessage, virtualMacLinkName } from './macvlan.js';
import { virtualMac } from '../protocol/index.js';

/** The rtattrs of a message after nlmsghdr + ifinfomsg (32 bytes), nested ones as Buffers. */
function attrs(b: Buffer, from = 32): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (let at = from; at + 4 <= b.length; ) {
    const len = b.readUInt16LE(at);
    m.set(b.readUInt16LE(at + 2), b.subarray(at + 4, at + len));
    at += (len + 3) & ~3;
  }
  return m;
}

describe('virtual MAC links over rtnetlink', () => {
  it('RTM_NEWLINK: a VEPA macvlan on the parent, with the virtual MAC, created up and NOARP', () => {
    const b = macvlanMessage('eth0-vm2', 4, virtualMac(2), 9);
    expect(b.readUInt32LE(0)).toBe(b.length);
    expect(b.readUInt16LE(4)).toBe(16); // RTM_NEWLINK
    expect(b.readUInt16LE(6)).toBe(0x1 | 0x4 | 0x200 | 0x400); // request, ack, excl, create
    expect(b.readUInt32LE(8)).toBe(9);
    expect(b.readUInt32LE(24)).toBe(0x1 | 0x80); // IFF_UP | IFF_NOARP
    const a = attrs(b);
    expect(a.get(3)!.toString()).toBe('eth0-vm2\0'); // IFLA_IFNAME
    expect(a.get(5)!.readUInt32LE(0)).toBe(4); // IFLA_LINK
    expect(a.get(1)!.toString('hex')).toBe('00005e000102'); // IFLA_ADDRESS
    const info = attrs(a.get(18)!, 0); // IFLA_LINKINFO
    expect(info.get(1)!.toString()).toBe('macvlan\0');
    expect(attrs(info.get(2)!, 0).get(1)!.readUInt32LE(0)).toBe(2); // IFLA_MACVLAN_MODE = VEPA
  });

  it('RTM_DELLINK by name', () => {
    const b = deleteLinkMessage('eth0-vm2', 3);
    expect(b.readUInt16LE(4)).toBe(17);
    expect(attrs(b).get(3)!.toString()).toBe('eth0-vm2\0');
  });

  it('names the link after its parent and vhid, within the 15-character limit', () => {
    expect(virtualMacLinkName('eth0', 2, 1)).toBe('eth0-vm1');
    expect(virtualMacLinkName('enp0s31f6', 3, 255)).toBe('enp0s31f6-vm255');
    expect(virtualMacLinkName('enp0s31f6.100', 12, 7)).toBe('if12-vm7');
  });
});
