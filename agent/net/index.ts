// The network edge as one port the runtime talks to (real Linux implementation here; tests may pass a fake).
import { CarpSocket, type CarpSocketOptions } from './carp-socket.js';
import { addAddress, removeAddress } from './netlink.js';
import { sendFrame } from './arp.js';
import { interfaceInfo, interfaceAddresses, carrierUp, listInterfaces, type InterfaceInfo, type HostInterface } from './iface.js';
import { watchLinks, type LinkWatch } from './link-watch.js';
import { addMacvlan, deleteLink, virtualMacLinks } from './macvlan.js';
import { readIfSysctl, writeIfSysctl } from './sysctl.js';
import { listenArp, type ArpListener } from './arp-listener.js';

export type { InterfaceInfo, CarpSocketOptions, LinkWatch, HostInterface, ArpListener };

/** What arpbalance needs beyond the rest of the port (agent/runtime/balance.ts). */
export interface BalancePort {
  /** Creates the macvlan `name` on `parent` with `mac`, up and NOARP; an existing one is fine. */
  addMacvlan(parent: string, name: string, mac: Buffer): void;
  /** Deletes an interface; a missing one is fine. */
  deleteLink(name: string): void;
  /** Virtual MAC links left by a killed agent (removed at start). */
  virtualMacLinks(): string[];
  readIfSysctl(ifname: string, key: string): string | null;
  writeIfSysctl(ifname: string, key: string, value: string): void;
  /** The interface's ARP frames, as they arrive. */
  listenArp(ifname: string, onFrame: (frame: Buffer) => void, onError?: (e: Error) => void): ArpListener;
}

export interface CarpChannel {
  send(carp: Buffer): void;
  close(): void;
}

export interface NetPort {
  interfaceInfo(name: string, srcip?: string, exclude?: string[]): InterfaceInfo | null;
  /** Every IPv4 address on the interface now (bare); [] when none or no such interface. */
  interfaceAddresses(name: string): string[];
  openCarp(opts: CarpSocketOptions): CarpChannel;
  addAddress(ifname: string, cidr: string): void;
  removeAddress(ifname: string, cidr: string): void;
  sendFrame(ifname: string, frame: Buffer): void;
  carrierUp(ifname: string): boolean;
  /**
   * Link changes, event driven (rtnetlink RTMGRP_LINK): the table (name -> up and running) is complete on
   * return; `onChange` gets it again after each change. Optional: a port without it has no link demotion.
   */
  watchLinks?(onChange: (links: ReadonlyMap<string, boolean>) => void, onError?: (e: Error) => void): LinkWatch;
  /** Every interface of the host (not loopback), for the status report. Optional: a port without it reports none. */
  listInterfaces?(): HostInterface[];
  /** arpbalance. Optional: a port without it refuses a config with `arpbalance: true`. */
  balance?: BalancePort;
}

export const linuxNet: NetPort = {
  interfaceInfo,
  interfaceAddresses,
  openCarp: (opts) => new CarpSocket(opts),
  addAddress,
  removeAddress,
  sendFrame,
  carrierUp,
  watchLinks,
  listInterfaces,
  balance: { addMacvlan, deleteLink, virtualMacLinks, readIfSysctl, writeIfSysctl, listenArp },
};
