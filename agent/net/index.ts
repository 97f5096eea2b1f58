// The network edge as one port the runtime talks to (real Linux implementation here; tests may pass a fake).
import { CarpSocket, type CarpSocketOptions } from './carp-socket.js';
import { addAddress, removeAddress } from './netlink.js';
import { sendFrame } from './arp.js';
import { interfaceInfo, interfaceAddresses, carrierUp, type InterfaceInfo } from './iface.js';

export type { InterfaceInfo, CarpSocketOptions };

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
}

export const linuxNet: NetPort = {
  interfaceInfo,
  interfaceAddresses,
  openCarp: (opts) => new CarpSocket(opts),
  addAddress,
  removeAddress,
  sendFrame,
  carrierUp,
};
