// OpenSSH host certificates made once by ssh-keygen -s (fixtures/make-certs.sh): parsed field by field,
// CA signatures verified for ed25519, RSA and ECDSA CAs, and each reason ssh refuses a host cert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostCertProblem, parseHostCertificate, verifyCertSignature } from './host-cert.js';

const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const blobOf = (name: string) => Buffer.from(readFileSync(join(FIX, name), 'utf8').trim().split(/\s+/)[1], 'base64');

describe('parseHostCertificate', () => {
  it('reads every field ssh-keygen -L shows', () => {
    const c = parseHostCertificate(blobOf('ed25519-by-ed25519-cert.pub'));
    expect(c.certType).toBe('ssh-ed25519-cert-v01@openssh.com');
    expect(c.type).toBe(2);
    expect(c.serial).toBe(7n);
    expect(c.keyId).toBe('fw1-good');
    expect(c.principals).toEqual(['fw1.example', '198.18.0.1']);
    expect(c.validAfter).toBe(0n);
    expect(c.validBefore).toBe(0xffffffffffffffffn);
    expect(c.publicKey.equals(blobOf('host_ed25519.pub'))).toBe(true);
    expect(c.signatureKey.equals(blobOf('ca_ed25519.pub'))).toBe(true);
  });

  it('gives back the plain key of ECDSA and RSA host certificates too', () => {
    expect(parseHostCertificate(blobOf('ecdsa-by-ed25519-cert.pub')).publicKey.equals(blobOf('host_ecdsa.pub'))).toBe(true);
    expect(parseHostCertificate(blobOf('rsa-by-ed25519-cert.pub')).publicKey.equals(blobOf('host_rsa.pub'))).toBe(true);
  });

  it('refuses a truncated or trailing-garbage blob and a plain key', () => {
    const b = blobOf('ed25519-by-ed25519-cert.pub');
    expect(() => parseHostCertificate(b.subarray(0, b.length - 10))).toThrow(/truncated/);
    expect(() => parseHostCertificate(Buffer.concat([b, Buffer.from([0])]))).toThrow(/trailing/);
    expect(() => parseHostCertificate(blobOf('host_ed25519.pub'))).toThrow(/not an OpenSSH certificate/);
  });
});

describe('CA signature', () => {
  it('verifies with ed25519, RSA (rsa-sha2-512) and ECDSA P-256 CAs', () => {
    for (const f of ['ed25519-by-ed25519-cert.pub', 'ed25519-by-rsa-cert.pub', 'ed25519-by-ecdsa-cert.pub', 'rsa-by-ed25519-cert.pub']) {
      expect(verifyCertSignature(parseHostCertificate(blobOf(f))), f).toBe(true);
    }
  });

  it('fails when one byte of the signed body changes (the key id here)', () => {
    for (const f of ['ed25519-by-ed25519-cert.pub', 'ed25519-by-rsa-cert.pub', 'ed25519-by-ecdsa-cert.pub']) {
      const b = Buffer.from(blobOf(f));
      const at = b.indexOf('fw1-');
      b[at] = 'g'.charCodeAt(0);
      const c = parseHostCertificate(b);
      expect(verifyCertSignature(c), f).toBe(false);
      expect(hostCertProblem(c, '198.18.0.1')).toMatch(/signature that does not verify/);
    }
  });
});

describe('hostCertProblem', () => {
  const now = BigInt(Date.UTC(2030, 0, 1) / 1000);
  it('accepts a valid host certificate for a listed principal, as dialled (name or address)', () => {
    const c = parseHostCertificate(blobOf('ed25519-by-ed25519-cert.pub'));
    expect(hostCertProblem(c, '198.18.0.1', now)).toBeUndefined();
    expect(hostCertProblem(c, 'FW1.example', now)).toBeUndefined();
  });
  it('refuses another name, an expired or not yet valid one, a user certificate, one without principals', () => {
    const p = (f: string, host = '198.18.0.1') => hostCertProblem(parseHostCertificate(blobOf(f)), host, now);
    expect(p('ed25519-by-ed25519-cert.pub', '198.18.0.2')).toMatch(/valid for fw1\.example, 198\.18\.0\.1, not for 198\.18\.0\.2/);
    expect(p('ed25519-expired-cert.pub')).toMatch(/expired at 2020-01-0/);
    expect(p('ed25519-future-cert.pub')).toMatch(/not valid before 2099-01-0/);
    expect(p('ed25519-usercert-cert.pub')).toMatch(/user certificate, not a host certificate/);
    expect(p('ed25519-noprincipals-cert.pub')).toMatch(/valid for no principal/);
  });
});
