// Pure parts of deploy: host facts from `uname` output, Node check messages, manifest file choice,
// the idempotent /etc/rc.local edit, and the service files that run the agent under its supervisor.
import { describe, it, expect } from 'vitest';
import { checkNode, nodeInstallCommand, parseFacts } from './platform.js';
import { filesFor, ManifestSchema } from './manifest.js';
import { editRcLocal, RC_LOCAL_LINE, serviceScript, shq, systemdUnit } from './scripts.js';
import { AGENT_NODE, AGENT_NODE_SH } from '../../../agent/node-flags.js';
import { deployHost } from './deploy.js';
import type { HostTransport } from '../transport.js';

describe('host facts', () => {
  it('maps uname to node platform names', () => {
    const f = parseFacts('os=Linux\nmachine=x86_64\ndistro=debian\nsystemd=0\nnode=v18.19.0\ncurrent=versions/0.1.0\nsha=sha256sum\n');
    expect(f).toEqual({ os: 'linux', arch: 'x64', platform: 'linux-x64', distro: 'debian', systemd: false, nodeVersion: 'v18.19.0', installed: '0.1.0', sha256Tool: 'sha256sum' });
    const b = parseFacts('os=FreeBSD\nmachine=arm64\ndistro=\nsystemd=0\nnode=\ncurrent=\nsha=sha256\n');
    expect(b).toMatchObject({ platform: 'freebsd-arm64', distro: 'freebsd', nodeVersion: undefined, installed: undefined });
  });
  it('names the install command when Node is missing or old', () => {
    const deb = parseFacts('os=Linux\nmachine=aarch64\ndistro=ubuntu\nnode=\n');
    expect(() => checkNode('fw1', deb)).toThrow(/fw1 has no Node\.js.*`apt-get install -y nodejs`/);
    expect(() => checkNode('fw1', { ...deb, nodeVersion: 'v16.1.0' })).toThrow(/v16\.1\.0, the agent needs >= 18/);
    expect(() => checkNode('fw1', { ...deb, nodeVersion: 'v18.0.0' })).not.toThrow();
    expect(nodeInstallCommand({ distro: 'alpine' })).toBe('apk add nodejs');
  });
});

describe('manifest', () => {
  const m = ManifestSchema.parse({
    version: '0.1.0',
    files: [
      { path: 'carp-agent.js', sha256: 'a'.repeat(64), size: 1 },
      { path: 'node_modules/k/linux.node', sha256: 'b'.repeat(64), size: 1, platform: 'linux-x64' },
      { path: 'node_modules/k/arm.node', sha256: 'c'.repeat(64), size: 1, platform: 'linux-arm64' },
    ],
  });
  it('takes common files plus the host platform', () => {
    expect(filesFor(m, 'linux-x64').map((f) => f.path)).toEqual(['carp-agent.js', 'node_modules/k/linux.node']);
    expect(() => filesFor(m, 'freebsd-x64')).toThrow(/no native files for freebsd-x64 \(it has linux-x64, linux-arm64\)/);
  });
  it('refuses paths that leave the bundle', () => {
    expect(ManifestSchema.safeParse({ version: '1', files: [{ path: '../etc/passwd', sha256: 'a'.repeat(64), size: 1 }] }).success).toBe(false);
    expect(ManifestSchema.safeParse({ version: '1; rm -rf /', files: [{ path: 'a', sha256: 'a'.repeat(64), size: 1 }] }).success).toBe(false);
  });
});

describe('rc.local', () => {
  it('adds one marked line before exit 0, idempotently', () => {
    const deb = '#!/bin/sh -e\n# comment\nfoo\nexit 0\n';
    const once = editRcLocal(deb);
    expect(once).toBe(`#!/bin/sh -e\n# comment\nfoo\n${RC_LOCAL_LINE}\nexit 0\n`);
    expect(editRcLocal(once)).toBe(once);
    expect(editRcLocal(null)).toBe(`#!/bin/sh\n${RC_LOCAL_LINE}\n`);
    expect(editRcLocal('#!/bin/sh\nold-start # carp-agent\n')).toBe(`#!/bin/sh\n${RC_LOCAL_LINE}\n`);
  });
  it('quotes for sh', () => {
    expect(shq("it's")).toBe(`'it'\\''s'`);
  });
});

describe('service files: the agent runs under its supervisor on every init system', () => {
  const unit = systemdUnit();
  const sh = serviceScript();
  const line = (text: string, key: string) => text.split('\n').filter((l) => l.startsWith(`${key}=`));
  it('systemd restarts the supervisor always; the supervisor runs the agent; a forced stop is cleaned up', () => {
    expect(line(unit, 'ExecStart')).toEqual(['ExecStart=/bin/sh /opt/carp-agent/service.sh supervise']);
    expect(line(unit, 'Restart')).toEqual(['Restart=always']);
    expect(line(unit, 'ExecStopPost')).toEqual(['ExecStopPost=/bin/sh /opt/carp-agent/service.sh cleanup']);
    expect(line(unit, 'KillMode')).toEqual(['KillMode=control-group']);
    expect(line(unit, 'OOMPolicy')).toEqual(['OOMPolicy=continue']);
    expect(line(unit, 'ExecReload')).toEqual(['ExecReload=/bin/kill -HUP $MAINPID']);
    expect(unit).not.toMatch(/on-failure/);
  });
  it('rc.local starts the supervisor in the background, systemd in the foreground', () => {
    expect(RC_LOCAL_LINE).toBe('/bin/sh /opt/carp-agent/service.sh start # carp-agent');
    expect(sh).toMatch(/^ {2}start\)\n {4}running && exit 0\n {4}nohup \$NODE "\$APP" supervise --config "\$CONF" >>"\$LOG" 2>&1 <\/dev\/null &\n {4}echo \$! >"\$PIDFILE"$/m);
    expect(sh).toMatch(/^ {2}supervise\) exec \$NODE "\$APP" supervise --config "\$CONF" ;;$/m);
    expect(sh).toMatch(/^ {2}cleanup\) exec \$NODE "\$APP" cleanup --config "\$CONF" ;;$/m);
    expect(sh).toMatch(/^ {2}run\) exec \$NODE "\$APP" run --config "\$CONF" ;;$/m);
    // every Node the script starts has the agent's flags (agent/node-flags.ts)
    expect(sh.split('\n').filter((l) => l.startsWith('NODE='))).toEqual([`NODE="${AGENT_NODE}"`]);
    expect(sh).toContain(AGENT_NODE_SH);
    expect(sh).not.toMatch(/\bnode "\$APP"/);
    // stop: the supervisor (it stops the agent cleanly), then a stray agent, then whatever a KILL left
    const stop = sh.slice(sh.indexOf('stop() {'), sh.indexOf('case "$1"'));
    expect(stop.indexOf('kill -TERM "$pid"')).toBeLessThan(stop.indexOf('pkill -TERM -f "carp-agent.js run"'));
    expect(stop.indexOf('pkill -TERM -f "carp-agent.js run"')).toBeLessThan(stop.indexOf('$NODE "$APP" cleanup --config "$CONF"'));
    expect(sh).toMatch(/^PIDFILE=\/run\/carp-agent\.pid$/m);
    // the log and the pid file are created private (umask before the redirections), an older log made so
    expect(sh.indexOf('umask 077\n')).toBeGreaterThan(0);
    expect(sh.indexOf('umask 077\n')).toBeLessThan(sh.indexOf('>>"$LOG"'));
    expect(sh).toMatch(/^\[ -f "\$LOG" \] && chmod 600 "\$LOG"$/m);
  });
  it('the service script is valid sh', async () => {
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync('sh', ['-n'], { input: sh }).status).toBe(0);
  });
});

describe('deploy targets Linux only', () => {
  it('explains on a BSD host that no agent is needed (kernel CARP), right after detecting it, before checking Node or writing anything', async () => {
    const commands: string[] = [];
    const uploads: string[] = [];
    const bsd: HostTransport = {
      host: { name: 'fw9', address: '198.19.0.9', port: 22, user: 'root', identityFiles: [], tags: [] },
      exec: (cmd) => {
        commands.push(cmd);
        return Promise.resolve({ code: 0, stdout: 'os=FreeBSD\nmachine=amd64\ndistro=\nsystemd=0\nnode=\ncurrent=\nsha=sha256\n', stderr: '' });
      },
      openLines: () => Promise.reject(new Error('not used')),
      upload: (_l, remote) => {
        uploads.push(remote);
        return Promise.resolve();
      },
      close: () => {},
    };
    const manifest = ManifestSchema.parse({ version: '0.2.0', files: [{ path: 'carp-agent.js', sha256: 'a'.repeat(64), size: 1 }] });
    const steps: string[] = [];
    const r = await deployHost(bsd, { manifest, onProgress: (p) => steps.push(p.step) });
    expect(r).toMatchObject({ host: 'fw9', ok: true, platform: 'freebsd-x64' });
    expect(r.kernel).toBe(
      "fw9 runs FreeBSD (or pfSense/OPNsense): CARP runs in its kernel (carp(4)), so no agent is needed and nothing was installed; the console reads and drives it over SSH with the base system's ifconfig, sysctl, netstat and route",
    );
    expect(commands).toHaveLength(1); // the detect command, nothing else
    expect(uploads).toEqual([]);
    expect(steps).not.toContain('check-node');
  });
});
