// The network edge as one port the runtime talks to (real Linux implementation here; tests may pass a fake).
import { CarpSocket, type CarpSocketOptions } from './carp-socket.js';
import { addAddress, removeAddress } from './netlink.js';
import { sendFrame } from './arp.js';
import { interfaceInfo, interfaceAddresses, carrierUp, listInterfaces, type InterfaceInfo, type HostInterface } from './iface.js';
import { watchLinks, type LinkWatch } from './link-watch.js';

export type { InterfaceInfo, CarpSocketOptions, LinkWatch, HostInterface };

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
};
