// OpenSSH host certificates (PROTOCOL.certkeys): parsing a *-cert-v01@openssh.com blob and checking it
// as ssh does for a host: type host, principal, validity, no critical options, CA signature (node:crypto).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const CERT_SUFFIX = '-cert-v01@openssh.com';
export const CERT_TYPE_HOST = 2;

export interface HostCertificate {
  certType: string;
  /** The certified key as a plain public key blob (what known_hosts and @revoked list). */
  publicKey: Buffer;
  serial: bigint;
  /** 1 = user, 2 = host. */
  type: number;
  keyId: string;
  principals: string[];
  validAfter: bigint;
  validBefore: bigint;
  criticalOptions: Buffer;
  /** The CA's public key blob. */
  signatureKey: Buffer;
  /** SSH signature blob: string sig-type, string sig-data. */
  signature: Buffer;
  /** The signed bytes: everything before the signature field. */
  signed: Buffer;
}

/** Reads SSH wire types from a buffer; every read is bounds-checked. */
class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw new Error('certificate is truncated');
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.b.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  str(): string {
    return this.bytes().toString('utf8');
  }
  get done(): boolean {
    return this.pos === this.b.length;
  }
}

const sshString = (b: Buffer | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};

/** Fields of each certified key type, after the nonce, and the plain type they stand for. */
const KEY_PARTS: Record<string, { plain: string; parts: number }> = {
  'ssh-ed25519': { plain: 'ssh-ed25519', parts: 1 },
  'ssh-rsa': { plain: 'ssh-rsa', parts: 2 },
  'ecdsa-sha2-nistp256': { plain: 'ecdsa-sha2-nistp256', parts: 2 },
  'ecdsa-sha2-nistp384': { plain: 'ecdsa-sha2-nistp384', parts: 2 },
  'ecdsa-sha2-nistp521': { plain: 'ecdsa-sha2-nistp521', parts: 2 },
};

export function isCertType(keyType: string): boolean {
  return keyType.endsWith(CERT_SUFFIX);
}

/** Parses an OpenSSH certificate blob; throws an Error saying what is malformed. */
export function parseHostCertificate(blob: Buffer): HostCertificate {
  const r = new Reader(blob);
  const certType = r.str();
  if (!isCertType(certType)) throw new Error(`${certType} is not an OpenSSH certificate type`);
  const base = KEY_PARTS[certType.slice(0, -CERT_SUFFIX.length)];
  if (!base) throw new Error(`unsupported certificate type ${certType}`);
  r.bytes(); // nonce
  const parts: Buffer[] = [];
  for (let i = 0; i < base.parts; i++) parts.push(r.bytes());
  const publicKey = Buffer.concat([sshString(base.plain), ...parts.map(sshString)]);
  const serial = r.u64();
  const type = r.u32();
  const keyId = r.str();
  const pr = new Reader(r.bytes());
  const principals: string[] = [];
  while (!pr.done) principals.push(pr.str());
  const validAfter = r.u64();
  const validBefore = r.u64();
  const criticalOptions = r.bytes();
  r.bytes(); // extensions
  r.bytes(); // reserved
  const signatureKey = r.bytes();
  const signedEnd = r.pos;
  const signature = r.bytes();
  if (!r.done) throw new Error('certificate has trailing bytes');
  return { certType, publicKey, serial, type, keyId, principals, validAfter, validBefore, criticalOptions, signatureKey, signature, signed: blob.subarray(0, signedEnd) };
}

const b64url = (b: Buffer) => b.toString('base64url');
/** An SSH mpint as unsigned big-endian bytes (drop the sign byte). */
const unsigned = (b: Buffer) => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b);

const CURVES: Record<string, { crv: string; hash: string; size: number }> = {
  nistp256: { crv: 'P-256', hash: 'sha256', size: 32 },
  nistp384: { crv: 'P-384', hash: 'sha384', size: 48 },
  nistp521: { crv: 'P-521', hash: 'sha512', size: 66 },
};

/** The CA's key as a node KeyObject, and how a signature of each sig-type is checked with it. */
function caKey(blob: Buffer): { type: string; key: KeyObject; curve?: { hash: string; size: number } } {
  const r = new Reader(blob);
  const type = r.str();
  if (type === 'ssh-ed25519') return { type, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(r.bytes()) }, format: 'jwk' }) };
  if (type === 'ssh-rsa') {
    const e = unsigned(r.bytes());
    const n = unsigned(r.bytes());
    return { type, key: createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' }) };
  }
  const m = /^ecdsa-sha2-(nistp\d+)$/.exec(type);
  if (m && CURVES[m[1]]) {
    const c = CURVES[m[1]];
    r.bytes(); // curve name
    const q = r.bytes();
    if (q[0] !== 4 || q.length !== 1 + 2 * c.size) throw new Error(`the CA's ${type} point is not an uncompressed point`);
    const x = q.subarray(1, 1 + c.size);
    const y = q.subarray(1 + c.size);
    return { type, key: createPublicKey({ key: { kty: 'EC', crv: c.crv, x: b64url(x), y: b64url(y) }, format: 'jwk' }), curve: c };
  }
  throw new Error(`unsupported CA key type ${type}`);
}

/** Verifies the CA's signature over the certificate body (ed25519, RSA sha2/sha1, ECDSA). */
export function verifyCertSignature(cert: HostCertificate): boolean {
  const ca = caKey(cert.signatureKey);
  const s = new Reader(cert.signature);
  const sigType = s.str();
  const sig = s.bytes();
  if (ca.type === 'ssh-ed25519') return sigType === 'ssh-ed25519' && verify(null, cert.signed, ca.key, sig);
  if (ca.type === 'ssh-rsa') {
    const hash = { 'rsa-sha2-512': 'sha512', 'rsa-sha2-256': 'sha256', 'ssh-rsa': 'sha1' }[sigType];
    return !!hash && verify(hash, cert.signed, ca.key, sig);
  }
  if (sigType !== ca.type || !ca.curve) return false;
  const rs = new Reader(sig);
  const pad = (b: Buffer) => {
    const u = unsigned(b);
    if (u.length > ca.curve!.size) throw new Error('ECDSA signature component too long');
    return Buffer.concat([Buffer.alloc(ca.curve!.size - u.length), u]);
  };
  const p1363 = Buffer.concat([pad(rs.bytes()), pad(rs.bytes())]);
  return verify(ca.curve.hash, cert.signed, { key: ca.key, dsaEncoding: 'ieee-p1363' }, p1363);
}

/**
 * Why this certificate may not vouch for `hostName` at `nowSec` (undefined: it may). Checks what ssh
 * checks for a host certificate, and requires the dialled name among the principals.
 */
export function hostCertProblem(cert: HostCertificate, hostName: string, nowSec = BigInt(Math.floor(Date.now() / 1000))): string | undefined {
  if (cert.type !== CERT_TYPE_HOST) return `certificate "${cert.keyId}" is a ${cert.type === 1 ? 'user' : `type ${cert.type}`} certificate, not a host certificate`;
  if (!cert.principals.some((p) => p.toLowerCase() === hostName.toLowerCase()))
    return `certificate "${cert.keyId}" is valid for ${cert.principals.join(', ') || 'no principal'}, not for ${hostName}`;
  if (nowSec < cert.validAfter) return `certificate "${cert.keyId}" is not valid before ${new Date(Number(cert.validAfter) * 1000).toISOString()}`;
  if (nowSec >= cert.validBefore) return `certificate "${cert.keyId}" expired at ${new Date(Number(cert.validBefore) * 1000).toISOString()}`;
  if (cert.criticalOptions.length) return `certificate "${cert.keyId}" carries critical options, which host certificates may not`;
  let ok: boolean;
  try {
    ok = verifyCertSignature(cert);
  } catch (e) {
    return `certificate "${cert.keyId}": cannot check its signature: ${(e as Error).message}`;
  }
  return ok ? undefined : `certificate "${cert.keyId}" has a signature that does not verify with its CA key`;
}
