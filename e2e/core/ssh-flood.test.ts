// Lab test against real sshd: a host that floods (stdout without end, a line without a newline) fails
// the command with a clear OutputLimitError while the connection stays usable; and the lab's known_hosts,
// imported with the lab, vouches for the lab's hosts alone (carpctl hosts names it as the trust source).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab/index.js';
import { importLabJson, type Inventory } from '../../electron/core/inventory/index.js';
import { scopeKnownHosts } from '../../electron/core/inventory/merge.js';
import {
  MAX_EXEC_OUTPUT_BYTES,
  OutputLimitError,
  SshPool,
  UnknownHostKeyError,
  describeHostTrust,
  filesForHost,
} from '../../electron/core/ssh/index.js';
import type { LineChannel } from '../../electron/core/transport.js';

const LAB_ID = 71;
let lab: Lab;
let inv: Inventory;
const pools: SshPool[] = [];
const pool = (knownHostsFiles?: string[]) => {
  const p = new SshPool({ ...(knownHostsFiles ? { knownHostsFiles } : {}), agentSocket: null });
  pools.push(p);
  return p;
};

beforeAll(async () => {
  await Lab.down(LAB_ID).catch(() => undefined);
  lab = await Lab.up({ id: LAB_ID, hosts: 1 });
  inv = importLabJson(lab.info);
});

afterAll(async () => {
  for (const p of pools) p.closeAll();
  await lab?.down({ purge: true });
});

describe('a host that floods (lab)', () => {
  it('endless stdout: the exec fails naming the host and the limit, and the next exec on the host works', async () => {
    const t = pool(inv.knownHostsFiles).get(inv.hosts[0]);
    await t.exec('true');
    const rssBefore = process.memoryUsage().rss;
    const t0 = Date.now();
    const err = await t.exec('yes').catch((e: unknown) => e);
    const ms = Date.now() - t0;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.log(`endless yes refused after ${ms} ms; rss grew ${(rssGrowth / 1048576).toFixed(1)} MiB`);
    expect(err).toBeInstanceOf(OutputLimitError);
    expect((err as Error).message).toBe(
      `${inv.hosts[0].name}: "yes" sent more than 4 MiB of output (stdout and stderr together); the console stopped it and kept none of it; redirect its output to a file on the host if it must print that much`,
    );
    expect(MAX_EXEC_OUTPUT_BYTES).toBe(4 * 1024 * 1024);
    // The console is still usable: same transport, same connection.
    const r = await t.exec('echo still-here; pgrep -x yes | wc -l');
    expect(r.stdout.split('\n')[0]).toBe('still-here');
    // And the flood was stopped on the host, not left running.
    expect(r.stdout.split('\n')[1].trim()).toBe('0');
  });

  it('50 MiB on stdout+stderr fails the same way; a large but bounded output still arrives whole', async () => {
    const t = pool(inv.knownHostsFiles).get(inv.hosts[0]);
    const err = await t.exec('head -c 50M /dev/zero | tr "\\0" x >&2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLimitError);
    const ok = await t.exec('head -c 3M /dev/zero | tr "\\0" y');
    expect(ok.stdout.length).toBe(3 * 1024 * 1024);
  });

  it('a line stream with a line longer than 1 MiB is closed with the error; exec on the host still works', async () => {
    const t = pool(inv.knownHostsFiles).get(inv.hosts[0]);
    const lc: LineChannel = await t.openLines('echo first; head -c 3M /dev/zero | tr "\\0" z; sleep 600');
    const lines: string[] = [];
    lc.onLine((l) => lines.push(l));
    const err = await new Promise<Error | undefined>((r) => lc.onClose(r));
    expect(lines).toEqual(['first']);
    expect(err).toBeInstanceOf(OutputLimitError);
    expect(err!.message).toMatch(new RegExp(`^${inv.hosts[0].name}: "echo first; .*" sent a line longer than 1 MiB; the console closed the channel`));
    expect((await t.exec('echo after')).stdout).toBe('after\n');
  });
});

describe("the lab's known_hosts vouches for the lab's hosts only (lab)", () => {
  it('a host from the lab import connects through it; the same address under another spec is unknown', async () => {
    const [h] = scopeKnownHosts(inv).hosts;
    expect(h.knownHostsFiles).toEqual([lab.info.knownHostsFile]);
    // No explicit file list: the user's and system's files (from ssh_config) plus the host's own.
    const t = pool().get(h);
    await t.exec('true');
    const files = filesForHost(h, undefined);
    expect(describeHostTrust(h, files, t.trust)).toMatch(new RegExp(`^inventory known_hosts ${lab.info.knownHostsFile}:\\d+$`));
    // The same firewall named by hand (not from the lab import): the lab's file does not vouch for it.
    const stranger = { ...h, name: 'by-hand', knownHostsFiles: undefined };
    const err = await pool().get(stranger).exec('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownHostKeyError);
  });
});
