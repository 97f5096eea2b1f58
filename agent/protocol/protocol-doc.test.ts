// The test vectors in docs/protocol.md §9 are read out of the document and checked with the codec,
// so the notes and the code cannot drift apart: every `vector` block must decode, verify and
// re-encode byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carpHmac, carpKey, decodePacket, encodeAdvert, hmacMessage, inetChecksum, parseHeader, verifyHmac } from './index.js';

const DOC = new URL('../../docs/protocol.md', import.meta.url);

type Vector = Record<string, string>;

/** Every ```vector block of the markdown as key -> value (the rest of the line). */
function vectorsOf(markdown: string): Vector[] {
  const out: Vector[] = [];
  for (const m of markdown.matchAll(/^```vector\n([\s\S]*?)^```$/gm)) {
    const v: Vector = {};
    for (const line of m[1].split('\n')) {
      const r = /^(\S+)\s+(.+?)\s*$/.exec(line);
      if (r) v[r[1]] = r[2]!;
    }
    out.push(v);
  }
  return out;
}

const hex = (s: string) => Buffer.from(s, 'hex');
const vectors = vectorsOf(readFileSync(DOC, 'utf8'));

describe('docs/protocol.md test vectors', () => {
  it('holds the ucarp-verified vectors and the derived one', () => {
    expect(vectors.map((v) => v.name)).toEqual(['TV1', 'TV2', 'TV3', 'TV3-demote', 'two-addresses']);
  });

  describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const key = carpKey(v.pass);
    const addresses = v.addresses.split(/\s+/);
    const vhid = Number(v.vhid);
    const carp = v.carp ? hex(v.carp) : null;
    const counter = v.counter ? hex(v.counter) : carp!.subarray(8, 16);

    it('M and the HMAC as documented', () => {
      const m = hmacMessage(vhid, addresses, counter);
      if (v.m) expect(m.toString('hex')).toBe(v.m);
      const mac = carpHmac(key, vhid, addresses, counter).toString('hex');
      if (v.hmac) expect(mac).toBe(v.hmac);
      if (carp) expect(mac).toBe(carp.subarray(16, 36).toString('hex'));
      expect(v.m ?? v.hmac ?? v.carp).toBeDefined();
    });

    if (carp) it('the CARP header decodes, verifies and re-encodes byte for byte', () => {
      expect(carp.length).toBe(36);
      expect(inetChecksum(carp)).toBe(0);
      const h = parseHeader(carp);
      expect(h).toMatchObject({ version: 2, type: 1, vhid, advbase: Number(v.advbase), advskew: Number(v.advskew), demote: Number(v.demote) });
      expect(h.counter.equals(counter)).toBe(true);
      if (v.checksum) expect(h.checksum).toBe(parseInt(v.checksum, 16));
      expect(verifyHmac(h, key, addresses)).toBe(true);
      expect(verifyHmac(h, carpKey(`${v.pass}x`.slice(1)), addresses)).toBe(false);
      const again = encodeAdvert({ vhid, advbase: h.advbase, advskew: h.advskew, demote: h.demote, counter, key, addresses });
      expect(again.toString('hex')).toBe(v.carp);
    });

    if (v.ip) it('the IPv4 packet passes every receive check', () => {
      const r = decodePacket(Buffer.concat([hex(v.ip), carp!]));
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r).toMatchObject({ src: v.src, dst: '224.0.0.18', ttl: 255 });
        expect(r.carp.toString('hex')).toBe(v.carp);
      }
      expect(inetChecksum(hex(v.ip))).toBe(0);
    });
  });
});
