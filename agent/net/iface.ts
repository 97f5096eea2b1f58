// What the agent needs to know about an interface: its IPv4 address and segment, MAC and carrier.
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';

export interface InterfaceInfo {
  name: string;
  address: string;
  /** Network in CIDR form, e.g. "198.18.0.0/24". */
  segment: string;
  mac: Buffer;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}
function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Network of `ip/prefix`, e.g. segmentOf('198.18.0.7', 24) = '198.18.0.0/24'. */
export function segmentOf(ip: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${intToIp(ipToInt(ip) & mask)}/${prefix}`;
}

/** The interface's address (`srcip` if given and present, else its first IPv4 address); null when it has none. */
export function interfaceInfo(name: string, srcip?: string, exclude: string[] = []): InterfaceInfo | null {
  const list = (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4');
  const skip = new Set(exclude.map((c) => c.split('/')[0]));
  const chosen = srcip ? list.find((a) => a.address === srcip) : list.find((a) => !skip.has(a.address));
  if (!chosen) return null;
  const prefix = Number(chosen.cidr?.split('/')[1] ?? 32);
  return { name, address: chosen.address, segment: segmentOf(chosen.address, prefix), mac: macOf(name) };
}

export function macOf(name: string): Buffer {
  try {
    const s = readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim();
    return Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
  } catch {
    return Buffer.alloc(6);
  }
}

/** true when the interface exists, is up and has carrier. */
export function carrierUp(name: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
  } catch {
    return false; // interface down (EINVAL) or missing
  }
}
