// agent/protocol: the CARP wire format as pure functions over Buffers (docs/protocol.md §1–§3, §7).
export { ipToBuffer, bufferToIp, ipToNumber, inetChecksum } from './ip.js';
export { carpKey, hmacMessage, carpHmac, verifyHmac, CARP_PASSPHRASE_MAX } from './hmac.js';
export { encodeAdvert, encodeIpPacket, decodePacket, parseHeader, IPPROTO_CARP, CARP_GROUP } from './packet.js';
export type { CarpHeader, DecodeResult } from './packet.js';
export { nextCounter, randomCounter, adoptCounter, ReplayWindow, SentCounters } from './counter.js';
export { virtualMac, macFromString, encodeGratuitousArp, decodeArpRequest, encodeArpReply, encodeEtherFrame } from './arp.js';
export type { ArpRequest } from './arp.js';
export { balanceIndex, balancedVhid, balanceShare } from './balance.js';
