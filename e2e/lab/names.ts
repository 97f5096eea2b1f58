// Naming and addressing of one lab (id N): namespaces, links, addresses, MACs, state paths.
// Pure: every other lab module asks here, so two labs with different ids never collide.
import path from 'node:path';

export const MAX_LAB_ID = 99;
export const MAX_HOSTS = 20;

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

export function labNames(id: number, hostCount: number, stateDir = defaultStateDir(id)): LabNames {
  checkLabId(id);
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > MAX_HOSTS) {
    throw new LabError(`--hosts must be an integer 1..${MAX_HOSTS}, got ${String(hostCount)}`);
  }
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
    hosts,
  };
}

/** Locally administered, stable MAC for host K's eth0 in lab N (index 0xfa = the client). */
export function labMac(id: number, k: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:c1:00:${hex(id)}:00:${hex(k)}`;
}

/** True for a root-namespace link name this lab made (exact: cl1 never matches cl10's links). */
export function isOurLink(prefix: string, link: string): boolean {
  if (!link.startsWith(prefix)) return false;
  return /^(lan|mgmt|lc|lcp|[lm]\d+p?)$/.test(link.slice(prefix.length));
}

/** True for a namespace name this lab made. */
export function isOurNetns(prefix: string, ns: string): boolean {
  return ns.startsWith(`${prefix}-`) && /^(fw\d+|client)$/.test(ns.slice(prefix.length + 1));
}

/** The one kind of error the lab reports on purpose: one clear line, exit code 2 in the CLI. */
export class LabError extends Error {
  override name = 'LabError';
}
