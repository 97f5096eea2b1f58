// agent/protocol: the CARP wire format as pure functions over Buffers (carp-protocol.md §1, §2, §4).
export { ipToBuffer, bufferToIp, ipToNumber, inetChecksum } from './ip.js';
export {
  carpKey,
  hmacMessage,
  carpHmac,
  verifyHmac,
  sortedAddresses,
  CARP_KEY_BYTES,
  CARP_PASSPHRASE_MAX,
  COUNTER_BYTES,
  HMAC_BYTES,
} from './hmac.js';
export {
  encodeAdvert,
  encodeIpPacket,
  decodePacket,
  parseHeader,
  CARP_HEADER_BYTES,
  CARP_VERSION,
  CARP_TYPE_ADVERTISEMENT,
  CARP_AUTHLEN,
  IPPROTO_CARP,
  CARP_GROUP,
  CARP_TTL,
  CARP_TOS,
} from './packet.js';
export type { CarpHeader, AdvertFields, IpPacketOptions, DecodeResult } from './packet.js';
export { nextCounter, randomCounter, adoptCounter, counterHex, ReplayWindow, SentCounters } from './counter.js';
export type { ReplayWindowOptions } from './counter.js';
export { virtualMac, macFromString, encodeGratuitousArp } from './arp.js';
