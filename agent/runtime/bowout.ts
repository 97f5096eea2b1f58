// The goodbye a dead master did not get to say: the supervisor sends the bow-out advert (advbase 255,
// advskew 255, demote < 255: "I am leaving") that a clean stop sends, for each group whose VIPs the dead
// agent still held (it was MASTER). Backups act on it at once, instead of waiting 3 advert intervals.
import type { GroupConfig } from '../config/schema.js';
import { BOWOUT_ADVBASE, BOWOUT_ADVSKEW, MAINTENANCE_DEMOTE } from '../engine/engine.js';
import { carpKey, encodeAdvert, nextCounter, randomCounter } from '../protocol/index.js';
import type { NetPort } from '../net/index.js';

/** The bow-out adverts for `g` (36-byte CARP headers): `count` of them with consecutive counters. Pure but for the random start. */
export function bowOutAdverts(g: GroupConfig, demote: number, count = 2, start: Buffer = randomCounter()): Buffer[] {
  const key = carpKey(g.password);
  const out: Buffer[] = [];
  let counter = start;
  for (let i = 0; i < count; i++) {
    if (i > 0) counter = nextCounter(counter);
    out.push(
      encodeAdvert({
        vhid: g.vhid,
        advbase: BOWOUT_ADVBASE,
        advskew: BOWOUT_ADVSKEW,
        // Never the maintenance 255: backups in maintenance read that as "another node in maintenance".
        demote: Math.max(0, Math.min(demote, MAINTENANCE_DEMOTE - 1)),
        counter,
        key,
        addresses: g.addresses,
      }),
    );
  }
  return out;
}

/**
 * Sends the bow-out for `g` on its interface, from the interface's own address (its srcip when set);
 * twice, in case one is lost. Throws when the interface has no address or the socket cannot be opened.
 */
export function sendBowOut(net: Pick<NetPort, 'interfaceInfo' | 'openCarp'>, g: GroupConfig, demote: number): void {
  const info = net.interfaceInfo(g.interface, g.srcip, g.addresses);
  if (!info) throw new Error(`${g.interface} has no IPv4 address${g.srcip ? ` ${g.srcip}` : ''} to send from`);
  const ch = net.openCarp({ interface: g.interface, srcip: info.address, onPacket: () => {}, onError: () => {} });
  try {
    for (const advert of bowOutAdverts(g, demote)) ch.send(advert);
  } finally {
    ch.close();
  }
}
