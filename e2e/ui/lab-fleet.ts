// Browser-test helpers that set a lab's fleet up over the web shell's WebSocket, as the renderer would
// call it: import the lab's hosts, trust each key (the fingerprint ssh-keygen computes), deploy the agent.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { expect } from '@playwright/test';
import { Lab } from '../lab/index.js';
import { importLabJson } from '../../electron/core/inventory/index.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import { createConsole } from '../../electron/core/console.js';
import { demoGroup } from '../faults/helpers.js';
import { waitFor } from '../wait.js';
import { ROOT, ensureBuilt, labFingerprint, stopServe, type UiWorld } from './console-lab.js';

export interface WsReply {
  status?: number;
  reply?: { ok: boolean; result?: unknown; error?: { code: string; message: string } };
}

/** One call over the web shell's WebSocket: the reply, or the HTTP refusal. */
export function wsCall(url: string, method: string, args: unknown[], timeoutMs = 10_000): Promise<WsReply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${u.host}/ws${u.search}`);
    const t = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no reply to ${method} within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(t);
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, args })));
    ws.on('message', (d) => {
      const m = JSON.parse((d as Buffer).toString('utf8')) as { id?: number; reply?: WsReply['reply'] };
      if (m.id !== 1) return;
      clearTimeout(t);
      resolve({ reply: m.reply });
      ws.close();
    });
  });
}

async function ok(url: string, method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
  const r = await wsCall(url, method, args, timeoutMs);
  if (!r.reply?.ok) throw new Error(`${method} failed: ${r.status ?? ''} ${JSON.stringify(r.reply?.error)}`);
  return r.reply.result;
}

/** Imports the lab's hosts, trusts their keys, deploys the agent everywhere; resolves once each host is live. */
export async function deployedFleet(w: UiWorld, hosts: readonly string[]): Promise<void> {
  await ok(w.url, 'importHosts', [{ path: w.lab.info.sshConfigFile }]);
  for (const h of hosts) await ok(w.url, 'trustHostKey', [h, labFingerprint(w.lab, h)]);
  const res = (await ok(w.url, 'deploy', [[...hosts]], 180_000)) as Array<{ host: string; ok: boolean; error?: string }>;
  const bad = res.filter((r) => !r.ok);
  if (bad.length) throw new Error(`deploy failed: ${bad.map((r) => `${r.host}: ${r.error}`).join('; ')}`);
  const end = Date.now() + 60_000;
  for (;;) {
    const views = (await ok(w.url, 'hosts', [])) as Array<{ host: string; status: string }>;
    if (hosts.every((h) => views.find((v) => v.host === h)?.status === 'live')) return;
    if (Date.now() > end) throw new Error(`hosts not live after deploy: ${JSON.stringify(views)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A fresh lab of 3 hosts with the agent deployed and the demo group applied by the core (as carpctl
 * would), fw1 its one master: the starting point of the specs that only watch through the web shell.
 */
export async function labWithDemoGroup(id: number): Promise<Lab> {
  ensureBuilt();
  await Lab.down(id, { purge: true }).catch(() => undefined);
  const lab = await Lab.up({ id, hosts: 3 });
  const inv = importLabJson(lab.info);
  const pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] });
  try {
    const res = await deployAll(
      inv.hosts.map((h) => pool.get(h)),
      { bundleDir: join(ROOT, 'agent/dist') },
    );
    expect(res.filter((r) => !r.ok)).toEqual([]);
    const c = createConsole({ hosts: inv.hosts, transport: (h) => pool.get(h) });
    try {
      await waitFor(() => c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
      const r = await c.applyGroup(demoGroup(id));
      expect(r.ok, r.summary).toBe(true);
      await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1' && c.fleetNow().groups[0].members.length === 3, 15_000, 'fw1 the one master');
    } finally {
      c.close();
    }
  } finally {
    pool.closeAll();
  }
  return lab;
}

/** Undoes what such a spec set up, each step even when one before it failed: thaw, web shell, lab, home. */
export async function tearDownServedLab(o: { frozenPid?: number; server?: ChildProcess; lab?: Lab; home?: string }): Promise<void> {
  if (o.frozenPid !== undefined) {
    try {
      process.kill(o.frozenPid, 'SIGCONT');
    } catch {
      /* gone already */
    }
  }
  try {
    if (o.server) await stopServe(o.server);
  } finally {
    try {
      if (o.lab) await o.lab.down({ purge: true });
    } finally {
      if (o.home) rmSync(o.home, { recursive: true, force: true });
    }
  }
}
