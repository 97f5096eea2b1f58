// Naming and addressing of one lab (id N): namespaces, links, addresses, MACs, state paths.
// Pure: every other lab module asks here, so two labs with different ids never collide.
import path from 'node:path';

export const MAX_LAB_ID = 99;
export const MAX_HOSTS = 20;
/** Segments a lab can have: 1 = the LAN; 2 = the LAN and a WAN (eth1 on every host). */
export const MAX_SEGMENTS = 2;

export interface HostNames {
  name: string; // fwK
  index: number; // K
  netns: string; // cl{N}-fwK
  lanAddress: string; // 198.18.N.K
  mgmtAddress: string; // 198.19.N.K
  lanMac: string; // stable MAC of eth0
  lanVeth: string; // bridge-side end of the LAN link (root namespace)
  mgmtVeth: string; // bridge-side end of the management link (root namespace)
  dir: string; // per-host state folder
  /** The second segment's link (eth1), in a lab with `segments: 2`. */
  wan?: { address: string; mac: string; veth: string }; // 198.18.(100+N).K, bridge side clNwK
}

export interface LabNames {
  id: number;
  stateDir: string;
  prefix: string; // cl{N}
  lanBridge: string;
  mgmtBridge: string;
  lanCidr: string;
  mgmtCidr: string;
  rootMgmtAddress: string;
  clientNetns: string;
  clientAddress: string;
  clientVeth: string;
  /** The second segment (a WAN bridge every host's eth1 is on), in a lab with `segments: 2`. */
  wan?: { bridge: string; cidr: string };
  hosts: HostNames[];
}

export function defaultStateDir(id: number): string {
  return `/var/lib/carp-lab/lab${id}`;
}

export function checkLabId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LAB_ID) {
    throw new LabError(`lab id must be an integer 0..${MAX_LAB_ID}, got ${String(id)}`);
  }
  return id;
}

/**
 * The second segment's /24: 198.18.(100+N).0/24. The address plan gives the LAN 198.18.N.0/24 and the
 * management net 198.19.N.0/24 (N = 0..99), so 198.18.100.0 … 198.18.199.0 are free for it.
 */
export function wanOctet(id: number): number {
  return 100 + id;
}

export function checkSegments(segments: number): number {
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_SEGMENTS) {
    throw new LabError(`--segments must be 1 (LAN) or 2 (LAN and WAN), got ${String(segments)}`);
  }
  return segments;
}

export function labNames(id: number, hostCount: number, stateDir = defaultStateDir(id), segments = 1): LabNames {
  checkLabId(id);
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > MAX_HOSTS) {
    throw new LabError(`--hosts must be an integer 1..${MAX_HOSTS}, got ${String(hostCount)}`);
  }
  checkSegments(segments);
  const wan = segments >= 2;
  const prefix = `cl${id}`;
  const hosts: HostNames[] = [];
  for (let k = 1; k <= hostCount; k++) {
    hosts.push({
      name: `fw${k}`,
      index: k,
      netns: `${prefix}-fw${k}`,
      lanAddress: `198.18.${id}.${k}`,
      mgmtAddress: `198.19.${id}.${k}`,
      lanMac: labMac(id, k),
      lanVeth: `${prefix}l${k}`,
      mgmtVeth: `${prefix}m${k}`,
      dir: path.join(stateDir, 'hosts', `fw${k}`),
      ...(wan ? { wan: { address: `198.18.${wanOctet(id)}.${k}`, mac: labWanMac(id, k), veth: `${prefix}w${k}` } } : {}),
    });
  }
  return {
    id,
    stateDir,
    prefix,
    lanBridge: `${prefix}lan`,
    mgmtBridge: `${prefix}mgmt`,
    lanCidr: `198.18.${id}.0/24`,
    mgmtCidr: `198.19.${id}.0/24`,
    rootMgmtAddress: `198.19.${id}.254`,
    clientNetns: `${prefix}-client`,
    clientAddress: `198.18.${id}.250`,
    clientVeth: `${prefix}lc`,
    ...(wan ? { wan: { bridge: `${prefix}wan`, cidr: `198.18.${wanOctet(id)}.0/24` } } : {}),
    hosts,
  };
}

/** Locally administered, stable MAC for host K's eth0 in lab N (index 0xfa = the client). */
export function labMac(id: number, k: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:c1:00:${hex(id)}:00:${hex(k)}`;
}

/** Stable MAC for host K's eth1 (the second segment) in lab N. */
export function labWanMac(id: number, k: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:c1:01:${hex(id)}:00:${hex(k)}`;
}

/** True for a root-namespace link name this lab made (exact: cl1 never matches cl10's links). */
export function isOurLink(prefix: string, link: string): boolean {
  if (!link.startsWith(prefix)) return false;
  return /^(lan|mgmt|wan|lc|lcp|[lmw]\d+p?)$/.test(link.slice(prefix.length));
}

/** True for a namespace name this lab made. */
export function isOurNetns(prefix: string, ns: string): boolean {
  return ns.startsWith(`${prefix}-`) && /^(fw\d+|client)$/.test(ns.slice(prefix.length + 1));
}

/** The one kind of error the lab reports on purpose: one clear line, exit code 2 in the CLI. */
export class LabError extends Error {
  override name = 'LabError';
}
