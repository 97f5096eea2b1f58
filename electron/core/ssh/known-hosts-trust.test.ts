// @cert-authority and @revoked as ssh applies them, on certificates made once by ssh-keygen (fixtures/),
// and the errors the console reports for each verdict (file and line named). No ssh-keygen run here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostKeyIn, fingerprint, listedTrust, parseKnownHosts } from './known-hosts.js';
import { verifyHostKey } from './host-keys.js';
import { HostCertificateError, HostKeyChangedError, UnknownHostKeyError } from './errors.js';
import type { HostSpec } from '../transport.js';

const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const pub = (name: string) => readFileSync(join(FIX, name), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
const blob = (name: string) => Buffer.from(pub(name).split(' ')[1], 'base64');
const CERT = 'ssh-ed25519-cert-v01@openssh.com';
const dir = mkdtempSync(join(tmpdir(), 'kh-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('@cert-authority', () => {
  const kh = (text: string) => parseKnownHosts(text, '/etc/ssh/ssh_known_hosts');
  it('a certificate signed by a CA whose line matches the host is known, and names that line', () => {
    const entries = kh(`# fleet CA\n@cert-authority *.example,198.18.0.* ${pub('ca_ed25519.pub')}\n`);
    expect(checkHostKeyIn(entries, '198.18.0.1', 22, CERT, blob('ed25519-by-ed25519-cert.pub'))).toEqual({
      status: 'known',
      file: '/etc/ssh/ssh_known_hosts',
      line: 2,
      marker: 'cert-authority',
    });
    // RSA and ECDSA CAs too.
    const rsa = kh(`@cert-authority 198.18.0.1 ${pub('ca_rsa.pub')}\n@cert-authority 198.18.0.1 ${pub('ca_ecdsa.pub')}\n`);
    expect(checkHostKeyIn(rsa, '198.18.0.1', 22, CERT, blob('ed25519-by-rsa-cert.pub')).status).toBe('known');
    expect(checkHostKeyIn(rsa, '198.18.0.1', 22, CERT, blob('ed25519-by-ecdsa-cert.pub')).status).toBe('known');
  });

  it('a CA line whose host pattern does not match vouches for nothing (the certified key is then judged plain)', () => {
    const entries = kh(`@cert-authority *.other.example ${pub('ca_ed25519.pub')}\n`);
    const r = checkHostKeyIn(entries, '198.18.0.1', 22, CERT, blob('ed25519-by-ed25519-cert.pub'));
    expect(r).toEqual({ status: 'unknown', fingerprint: fingerprint(blob('host_ed25519.pub')) });
  });

  it('a CA line matches the [host]:port form on another port, while principals name the host alone', () => {
    const entries = kh(`@cert-authority [198.18.0.1]:2222 ${pub('ca_ed25519.pub')}\n`);
    expect(checkHostKeyIn(entries, '198.18.0.1', 2222, CERT, blob('ed25519-by-ed25519-cert.pub')).status).toBe('known');
    expect(checkHostKeyIn(entries, '198.18.0.1', 22, CERT, blob('ed25519-by-ed25519-cert.pub')).status).toBe('unknown');
  });

  it('a certificate the matching CA signed but that does not fit (wrong principal, expired, user cert) is refused', () => {
    const entries = kh(`@cert-authority * ${pub('ca_ed25519.pub')}\n`);
    const r = checkHostKeyIn(entries, '198.18.0.9', 22, CERT, blob('ed25519-by-ed25519-cert.pub'));
    expect(r).toMatchObject({ status: 'cert-invalid', file: '/etc/ssh/ssh_known_hosts', line: 1 });
    expect(checkHostKeyIn(entries, '198.18.0.1', 22, CERT, blob('ed25519-expired-cert.pub'))).toMatchObject({ status: 'cert-invalid', reason: /expired/ });
    expect(checkHostKeyIn(entries, '198.18.0.1', 22, CERT, blob('ed25519-usercert-cert.pub'))).toMatchObject({ status: 'cert-invalid', reason: /not a host certificate/ });
  });

  it('a plain key is not vouched for by a CA line: unknown, with the CA line noted for the message', () => {
    const entries = kh(`@cert-authority * ${pub('ca_ed25519.pub')}\n`);
    const r = checkHostKeyIn(entries, '198.18.0.1', 22, 'ssh-ed25519', blob('host_ed25519.pub'));
    expect(r).toMatchObject({ status: 'unknown', ca: { file: '/etc/ssh/ssh_known_hosts', line: 1 } });
    expect(listedTrust(entries, '198.18.0.1', 22)).toEqual({ file: '/etc/ssh/ssh_known_hosts', line: 1, marker: 'cert-authority' });
  });
});

describe('@revoked', () => {
  it('a revoked plain key is refused naming the file and line, even when another line lists it', () => {
    const entries = parseKnownHosts(`198.18.0.1 ${pub('host_ed25519.pub')}\n\n@revoked * ${pub('host_ed25519.pub')}\n`, '/home/op/.ssh/known_hosts');
    expect(checkHostKeyIn(entries, '198.18.0.1', 22, 'ssh-ed25519', blob('host_ed25519.pub'))).toMatchObject({ status: 'revoked', file: '/home/op/.ssh/known_hosts', line: 3 });
  });
  it('a certificate is refused when its key or the CA that signed it is revoked', () => {
    const ca = `@cert-authority * ${pub('ca_ed25519.pub')}\n`;
    const byKey = parseKnownHosts(ca + `@revoked * ${pub('host_ed25519.pub')}\n`, 'k');
    expect(checkHostKeyIn(byKey, '198.18.0.1', 22, CERT, blob('ed25519-by-ed25519-cert.pub'))).toMatchObject({ status: 'revoked', line: 2 });
    const byCa = parseKnownHosts(ca + `@revoked * ${pub('ca_ed25519.pub')}\n`, 'k');
    expect(checkHostKeyIn(byCa, '198.18.0.1', 22, CERT, blob('ed25519-by-ed25519-cert.pub'))).toMatchObject({ status: 'revoked', line: 2 });
  });
});

describe('verifyHostKey (the errors a dial reports)', () => {
  const host: HostSpec = { name: 'fw1', address: '198.18.0.1', port: 22, user: 'root', identityFiles: [], tags: [] };
  const files = (text: string) => {
    const f = join(dir, `kh-${Math.random().toString(36).slice(2)}`);
    writeFileSync(f, text);
    return { user: [f], global: [], inventory: [], write: f, path: f };
  };
  it('revoked: HostKeyChangedError naming the file and line, and saying what to do', () => {
    const k = files(`@revoked 198.18.0.1 ${pub('host_ed25519.pub')}\n`);
    const v = verifyHostKey(host, k, blob('host_ed25519.pub'));
    expect(v.ok).toBe(false);
    expect(v.error).toBeInstanceOf(HostKeyChangedError);
    expect(v.error!.message).toContain(`marked @revoked`);
    expect(v.error!.message).toContain(`${k.path}:1`);
    expect(v.error!.message).toMatch(/needs a new key/);
  });
  it('an invalid certificate: HostCertificateError (a key problem, like a changed key) naming the CA line', () => {
    const k = files(`@cert-authority * ${pub('ca_ed25519.pub')}\n`);
    const v = verifyHostKey(host, k, blob('ed25519-expired-cert.pub'));
    expect(v.error).toBeInstanceOf(HostCertificateError);
    expect((v.error as HostCertificateError).hostKey).toBe('changed');
    expect(v.error!.message).toMatch(new RegExp(`@cert-authority at ${k.path}:1 does not vouch for: certificate "fw1-expired" expired at 2020`));
  });
  it('known through a certificate: ok, with the CA line as the trust', () => {
    const k = files(`@cert-authority 198.18.0.1 ${pub('ca_ed25519.pub')}\n`);
    expect(verifyHostKey(host, k, blob('ed25519-by-ed25519-cert.pub'))).toEqual({ ok: true, trust: { file: k.path, line: 1, marker: 'cert-authority' } });
  });
  it('a plain key under a CA line only: unknown, the message says why the CA could not vouch', () => {
    const k = files(`@cert-authority 198.18.0.1 ${pub('ca_ed25519.pub')}\n`);
    const v = verifyHostKey(host, k, blob('host_ed25519.pub'));
    expect(v.error).toBeInstanceOf(UnknownHostKeyError);
    expect(v.error!.message).toMatch(/@cert-authority at .*:1 covers this host.*cannot negotiate certificate host keys/);
  });
});

describe('the SSH library', () => {
  // Why a fleet with host certificates still shows plain keys: ssh2 refuses the certificate algorithms.
  // When this fails, ssh2 has learnt them: offer them in dial.ts (the verifier already handles certificates).
  it('ssh2 cannot negotiate certificate host key algorithms', () => {
    const c = new ssh2.Client();
    c.on('error', () => {});
    expect(() => c.connect({ host: '198.18.0.1', port: 1, algorithms: { serverHostKey: [CERT] } } as never)).toThrow(/Unsupported algorithm/);
    c.end();
  });
});
