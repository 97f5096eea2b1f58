// IPv4 address and Internet checksum helpers shared by the CARP codec and the ARP frame builder.

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses "a.b.c.d" (an optional "/prefix" is ignored) into its unsigned 32-bit value. */
export function ipToNumber(ip: string): number {
  const bare = ip.split('/')[0] ?? '';
  const m = DOTTED.exec(bare);
  if (!m) throw new Error(`"${ip}" is not a dotted IPv4 address such as 198.18.0.1`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) throw new Error(`"${ip}" has an octet above 255`);
    n = n * 256 + octet;
  }
  return n;
}

/** "a.b.c.d" (optional "/prefix" ignored) as 4 bytes in network order. */
export function ipToBuffer(ip: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipToNumber(ip), 0);
  return b;
}

/** 4 bytes at `offset` in network order as "a.b.c.d". */
export function bufferToIp(buf: Buffer, offset = 0): string {
  if (buf.length < offset + 4) throw new Error(`need 4 bytes at offset ${offset} for an IPv4 address, buffer has ${buf.length}`);
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/**
 * RFC 1071 Internet checksum: the one's-complement of the one's-complement sum of 16-bit words
 * (an odd trailing byte is padded with zero). Over data whose checksum field is filled in, it is 0.
 */
export function inetChecksum(buf: Buffer): number {
  let sum = 0;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (buf.length & 1) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
