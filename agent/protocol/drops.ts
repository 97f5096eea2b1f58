// Why a received packet is dropped: the codec's verdicts (decodePacket) plus the runtime's checks
// after it (vhid, HMAC, replay, own). Defined here, next to the checks; the control contract
// (agent/control/messages.ts) re-exports it, and the agent counts drops per group by these names.
import { z } from 'zod';

export const DropReasonSchema = z.enum([
  'short', // shorter than IP header + 36 bytes
  'ttl', // TTL != 255
  'version', // CARP version != 2
  'checksum', // CARP checksum wrong
  'vhid', // no group with that vhid on that interface
  'hmac', // wrong password / address set
  'replay', // counter already accepted within the last hour
  'own', // our own advert: from our own address, or carrying a counter we sent (looped back or replayed)
]);
export type DropReason = z.infer<typeof DropReasonSchema>;
