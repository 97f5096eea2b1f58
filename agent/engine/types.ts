// The contract of the pure CARP state machine (one per vhid): events in, actions out.
// No I/O, no clock reads: `now` comes with every event (ms, monotonic). The runtime
// (agent/runtime) turns actions into packets, addresses, timers and control events.

/** The states of a vhid: INIT (not running or link down), BACKUP, MASTER. */
export const CARP_STATES = ['INIT', 'BACKUP', 'MASTER'] as const;
export type CarpState = (typeof CARP_STATES)[number];

/** The parameters a group runs with; changing any of them is an event. */
export interface EngineParams {
  vhid: number;
  advbase: number; // 0..255 s (0: sub-second, advskew/256 s; the config requires advskew >= 1 then)
  advskew: number; // 0..254, configured
  demote: number; // 0..255, this host's demotion counter (OpenBSD byte 4)
  preempt: boolean;
  /** Maintenance: advertise demote 255-capped+, advskew 240 (FreeBSD style) and bow out (255/255) when master. */
  maintenance: boolean;
}

/** A valid advert from another node (the runtime already checked TTL, checksum, HMAC, replay). */
export interface PeerAdvert {
  src: string; // dotted IPv4 of the sender
  advbase: number;
  advskew: number;
  demote: number;
}

export type EngineEvent =
  /** Interface up with address: INIT -> BACKUP (or straight to MASTER? no: BACKUP, then timeout). */
  | { type: 'start'; now: number }
  | { type: 'advert'; now: number; advert: PeerAdvert }
  | { type: 'timer'; now: number; timer: TimerName }
  | { type: 'params'; now: number; params: EngineParams }
  | { type: 'link'; now: number; up: boolean }
  /** Clean stop: a MASTER sends the bow-out advert and releases its addresses. */
  | { type: 'stop'; now: number };

export type TimerName = 'advert' | 'masterdown';

export type EngineAction =
  /** Put one advert on the wire with these header values. */
  | { type: 'send'; advbase: number; advskew: number; demote: number }
  | { type: 'addAddresses' } // add the VIPs to the interface
  | { type: 'removeAddresses' }
  | { type: 'garp' } // gratuitous ARP for every VIP
  | { type: 'arm'; timer: TimerName; ms: number } // (re)start a timer; replaces a running one
  | { type: 'cancel'; timer: TimerName }
  | { type: 'state'; from: CarpState; to: CarpState; reason: string }
  /** Run the ucarp-style hook for entering that state (runtime decides if one is configured). */
  | { type: 'hook'; which: 'up' | 'down' };
