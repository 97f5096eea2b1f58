// Lab test of the SSH auth and routing paths against real OpenSSH sshd in lab hosts: keys from a real
// ssh-agent, an encrypted identity file (passphrase prompt, wrong passphrase, no prompt), a jump host.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../lab/index.js';
import { importLabJson, importSshConfig, type Inventory } from '../../electron/core/inventory/index.js';
import { AuthError, HostUnreachableError, PassphraseRequiredError, SshPool, SshTransport, type SshOptions } from '../../electron/core/ssh/index.js';
import type { HostSpec } from '../../electron/core/transport.js';
import { sleep } from '../wait.js';

const LAB_ID = 33;
let lab: Lab;
let inv: Inventory;
let dir: string;
let labKey: string;
const agents: ChildProcess[] = [];
const transports: { close(): void }[] = [];
const pools: SshPool[] = [];

/** Starts a real ssh-agent in the foreground (-D) on its own socket; killed by pid in afterAll. */
async function startAgent(name: string): Promise<string> {
  const sock = join(dir, `${name}.sock`);
  const child = spawn('ssh-agent', ['-D', '-a', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  agents.push(child);
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(20);
  if (!existsSync(sock)) throw new Error(`ssh-agent did not create ${sock}`);
  return sock;
}

const transport = (h: HostSpec, opts: SshOptions) => {
  const t = new SshTransport(h, { knownHostsFiles: inv.knownHostsFiles, defaultIdentityFiles: [], ...opts });
  transports.push(t);
  return t;
};

beforeAll(async () => {
  await Lab.down(LAB_ID).catch(() => undefined);
  lab = await Lab.up({ id: LAB_ID, hosts: 3 });
  inv = importLabJson(lab.info);
  labKey = inv.hosts[0].identityFiles[0];
  dir = mkdtempSync(join(tmpdir(), 'cs33-'));
});

afterAll(async () => {
  for (const t of transports) t.close();
  for (const p of pools) p.closeAll();
  for (const a of agents) if (a.exitCode === null && a.signalCode === null) a.kill('SIGTERM');
  await lab?.down({ purge: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ssh-agent (lab)', () => {
  it('authenticates with a key held only by a real ssh-agent (no identity files)', async () => {
    const sock = await startAgent('full');
    execFileSync('ssh-add', [labKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
    const listed = execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
    expect(listed).toContain('carp-lab33-operator');
    const h = { ...inv.hosts[0], identityFiles: [] };
    const r = await transport(h, { agentSocket: sock }).exec('hostname; echo "$SSH_CLIENT"');
    const [name, client] = r.stdout.trim().split('\n');
    expect(name).toBe('fw1');
    expect(client.split(' ')[0]).toBe(`198.19.${LAB_ID}.254`);
    // the same host without the agent and without key files cannot get in: the agent really did the work
    const err = await transport(h, { agentSocket: null }).exec('true').catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
  });

  it('an empty agent and no key files: AuthError naming the host, the agent and the missing key files', async () => {
    const sock = await startAgent('empty2');
    const empty = (() => {
      try {
        execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
        return false;
      } catch (e) {
        return (e as { status?: number }).status === 1; // "The agent has no identities."
      }
    })();
    expect(empty).toBe(true);
    const h = { ...inv.hosts[1], identityFiles: [] };
    const t0 = Date.now();
    const err = await transport(h, { agentSocket: sock }).exec('true').catch((e) => e);
    console.log(`empty agent: refused after ${Date.now() - t0} ms: ${err.message}`);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.host).toBe('fw2');
    expect(err.message).toContain(`fw2 (root@198.19.${LAB_ID}.2:22)`);
    expect(err.message).toContain(`tried the keys in the ssh-agent at ${sock}`);
    expect(err.message).toMatch(/no identity files/);
    // No time bound: a refusal is an AuthError; had it hung, the handshake timeout would have ended it
    // with a HostUnreachableError instead.
  });
});

describe('encrypted identity file (lab)', () => {
  let enc: string;
  const PASS = 'pass phrase';
  beforeAll(async () => {
    enc = join(dir, 'enc');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASS, '-C', 'cs33-enc', '-f', enc]);
    const pub = readFileSync(enc + '.pub', 'utf8').trim();
    const r = await lab.exec('fw3', `mkdir -p /root/.ssh && echo '${pub}' >> /root/.ssh/authorized_keys && grep -c cs33-enc /root/.ssh/authorized_keys`);
    expect(r.stdout.trim()).toBe('1');
  });

  const fw3 = () => ({ ...inv.hosts[2], identityFiles: [enc] });

  it('the right passphrase from askPassphrase gets in; the callback was asked for that file', async () => {
    const asked: string[] = [];
    const t = transport(fw3(), { agentSocket: null, askPassphrase: async (f) => (asked.push(f), PASS) });
    const r = await t.exec('hostname');
    expect(r.stdout).toBe('fw3\n');
    expect(asked).toEqual([enc]);
    // sshd really accepted the encrypted key (its fingerprint is in the host's auth log)
    const fp = execFileSync('ssh-keygen', ['-lf', enc + '.pub'], { encoding: 'utf8' }).split(' ')[1];
    const log = await lab.exec('fw3', 'cat /var/log/sshd.log');
    expect(log.stdout).toContain(`Accepted publickey for root from 198.19.${LAB_ID}.254`);
    expect(log.stdout).toContain(fp);
  });

  it('a wrong passphrase is a clear AuthError naming the file', async () => {
    const asked: string[] = [];
    const t = transport(fw3(), { agentSocket: null, askPassphrase: async (f) => (asked.push(f), 'wrong') });
    const err = await t.exec('true').catch((e) => e);
    console.log(`wrong passphrase: ${err.message}`);
    expect(asked).toEqual([enc]);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain(enc);
    expect(err.message).toContain(`${enc}: the passphrase given does not decrypt it`);
  });

  it('no prompt: PassphraseRequiredError saying how to provide it', async () => {
    const t = transport(fw3(), { agentSocket: null });
    const err = await t.exec('true').catch((e) => e);
    expect(err).toBeInstanceOf(PassphraseRequiredError);
    expect(err.file).toBe(enc);
    expect(err.message).toContain(`ssh-add ${enc}`);
    // a prompt that declines (null) is not a wrong passphrase: it says the key was skipped
    const declined = await transport(fw3(), { agentSocket: null, askPassphrase: async () => null }).exec('true').catch((e) => e);
    expect(declined).toBeInstanceOf(AuthError);
    expect(declined.message).toContain(`${enc}: passphrase not given`);
  });

  it('the encrypted key loaded into ssh-agent works without any prompt', async () => {
    const sock = await startAgent('enc');
    // ssh-add reads the passphrase from SSH_ASKPASS when there is no terminal
    const askpass = join(dir, 'askpass.sh');
    writeFileSync(askpass, `#!/bin/sh\necho '${PASS}'\n`, { mode: 0o700 });
    execFileSync('ssh-add', [enc], {
      env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
      stdio: 'pipe',
    });
    const r = await transport({ ...fw3(), identityFiles: [] }, { agentSocket: sock }).exec('hostname');
    expect(r.stdout).toBe('fw3\n');
  });
});

describe('jump host (lab)', () => {
  const fw1Addr = `198.19.${LAB_ID}.1`;
  beforeAll(async () => {
    // fw2's sshd now accepts tcp/22 only from fw1: the root namespace (198.19.N.254) is refused.
    await lab.exec('fw2', `nft -f - <<'EOF'
table inet cs33jump {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 ip saddr ${fw1Addr} accept
    tcp dport 22 reject with tcp reset
  }
}
EOF`);
  });
  afterAll(async () => {
    await lab?.exec('fw2', 'nft delete table inet cs33jump').catch(() => undefined);
  });

  it('fw2 is unreachable directly once the rule is in place', async () => {
    const err = await transport(inv.hosts[1], { agentSocket: null }).exec('true').catch((e) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('reaches fw2 through fw1 named as jump in the inventory', async () => {
    const hosts = inv.hosts.map((h) => (h.name === 'fw2' ? { ...h, jump: 'fw1' } : h));
    const p = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] }, hosts);
    pools.push(p);
    const r = await p.get(hosts[1]).exec('hostname; echo "$SSH_CLIENT"; ss -Htn state established "( sport = :22 )"');
    const [name, client, ...conns] = r.stdout.trim().split('\n');
    expect(name).toBe('fw2');
    expect(client.split(' ')[0]).toBe(fw1Addr); // sshd on fw2 sees fw1 as the peer
    expect(conns.some((l) => l.includes(`${fw1Addr}:`))).toBe(true);
    expect(conns.some((l) => l.includes(`198.19.${LAB_ID}.254:`))).toBe(false);
    // exit codes and short outputs survive the jump: through fw1 the output, exit-status and close often
    // arrive in one read with the channel confirmation (this lost the exit status before the fix)
    const codes = await Promise.all(Array.from({ length: 12 }, (_, i) => p.get(hosts[1]).exec(`echo ${i}; exit ${i + 1}`)));
    expect(codes.map((c) => [c.stdout, c.code])).toEqual(Array.from({ length: 12 }, (_, i) => [`${i}\n`, i + 1]));
    const ch = await p.get(hosts[1]).openLines('echo one; exit 4');
    const lines: string[] = [];
    ch.onLine((l) => lines.push(l));
    const closeErr = await new Promise<Error | undefined>((res) => ch.onClose(res));
    expect(lines).toEqual(['one']);
    expect(closeErr?.message).toMatch(/exited with code 4/);
    // the pool reuses fw1's one connection for the jump
    expect(p.get(hosts[0]).state).toBe('ready');
    expect((await p.get(hosts[0]).exec('hostname')).stdout).toBe('fw1\n');
  });

  it('an ssh_config with ProxyJump, imported by importSshConfig, does the same', async () => {
    const cfg = join(dir, 'ssh_config');
    writeFileSync(
      cfg,
      [
        'Host fw1',
        `  HostName ${fw1Addr}`,
        '  User root',
        `  IdentityFile ${labKey}`,
        'Host fw2',
        `  HostName 198.19.${LAB_ID}.2`,
        '  ProxyJump fw1',
        'Host *',
        '  User root',
        `  IdentityFile ${labKey}`,
        '',
      ].join('\n'),
    );
    const hosts = importSshConfig(cfg, { home: dir });
    expect(hosts.map((h) => [h.name, h.address, h.jump])).toEqual([
      ['fw1', fw1Addr, undefined],
      ['fw2', `198.19.${LAB_ID}.2`, 'fw1'],
    ]);
    const p = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] }, hosts);
    pools.push(p);
    const r = await p.get(hosts[1]).exec('hostname; echo "$SSH_CLIENT"');
    const [name, client] = r.stdout.trim().split('\n');
    expect(name).toBe('fw2');
    expect(client.split(' ')[0]).toBe(fw1Addr);
  });

  it('a bare SshTransport keeps one jump connection across failed dials and closes it with itself', async () => {
    // fw2's key is not on file, so every dial reaches fw2 through fw1 and then fails on the host key:
    // before the fix each dial left one more SSH connection to fw1 open.
    const fw2Addr = inv.hosts[1].address;
    const kh = join(dir, 'no_fw2_known_hosts');
    const lines = readFileSync(inv.knownHostsFiles![0], 'utf8').split('\n').filter((l) => l && !l.split(/\s+/)[0].split(',').includes(fw2Addr));
    writeFileSync(kh, lines.join('\n') + '\n');
    const fromRoot = async () =>
      (await lab.exec('fw1', 'ss -Htn state established "( sport = :22 )"')).stdout.split('\n').filter((l) => l.includes(`198.19.${LAB_ID}.254:`)).length;
    const before = await fromRoot();
    const t = new SshTransport({ ...inv.hosts[1], jump: `root@${fw1Addr}` }, { knownHostsFiles: [kh], agentSocket: null, defaultIdentityFiles: [labKey] });
    transports.push(t);
    for (let i = 0; i < 3; i++) await expect(t.exec('true')).rejects.toThrow(/unknown ssh-ed25519 host key/);
    expect(await fromRoot()).toBe(before + 1);
    t.close();
    let after = -1;
    for (let i = 0; i < 50 && after !== before; i++) {
      await sleep(50);
      after = await fromRoot();
    }
    expect(after).toBe(before);
  });

  it('a jump given as user@address (not an inventory name) works with the default key files', async () => {
    const h = { ...inv.hosts[1], jump: `root@${fw1Addr}` };
    const p = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [labKey] });
    pools.push(p);
    const r = await p.get(h).exec('echo "$SSH_CLIENT"');
    expect(r.stdout.split(' ')[0]).toBe(fw1Addr);
  });
});
