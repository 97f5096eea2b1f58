// AgentLink against fake agents that speak the real control protocol (no SSH here: lab tests do that).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentLink, AgentCommandError } from './agent-link.js';
import { fakeFleet, type FakeNet } from '../testing/fake-agent.js';
import type { HostReport } from '../fleet/types.js';
import { PROTOCOL_VERSION } from '../../../agent/control/messages.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

let nets: FakeNet[] = [];
let links: AgentLink[] = [];
afterEach(() => {
  vi.useRealTimers();
  links.forEach((l) => l.stop());
  nets.forEach((n) => n.stop());
  links = [];
  nets = [];
});

function setup(opts = {}) {
  const { net, agents, transports } = fakeFleet(1, 100);
  nets.push(net);
  agents[0].groups = [{ config: { vhid: 42, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', advbase: 1, advskew: 0, preempt: true, neutral: false }, state: 'MASTER', since: 1 }];
  const reports: HostReport[] = [];
  const errors: string[] = [];
  const events: unknown[] = [];
  const link = new AgentLink(transports[0], { onReport: (r) => reports.push(r), onError: (c, m) => errors.push(`${c}: ${m}`), onEvent: (e) => events.push(e) }, { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100, ...opts });
  links.push(link);
  return { net, agent: agents[0], transport: transports[0], link, reports, errors, events };
}

describe('AgentLink', () => {
  it('goes live on the snapshot and keeps the snapshot current with events', async () => {
    const { link, agent, events } = setup();
    expect(link.report().status).toBe('unreachable');
    link.start();
    await link.waitLive(1000);
    expect(link.report().snapshot?.groups[0].state).toBe('MASTER');
    agent.groups[0].state = 'BACKUP';
    agent.emit({ kind: 'state', at: 5, vhid: 42, interface: 'eth0', from: 'MASTER', to: 'BACKUP', reason: 'test' });
    await until(() => events.length === 1);
    expect(link.report().snapshot?.groups[0]).toMatchObject({ state: 'BACKUP', since: 5 });
  });

  it('sends commands with ids and returns results or the agent refusal', async () => {
    const { link, agent } = setup();
    link.start();
    await link.waitLive(1000);
    await expect(link.request({ cmd: 'maintenance', on: true })).resolves.toEqual({ maintenance: true });
    expect(agent.maintenance).toBe(true);
    const err = await link.request({ cmd: 'set', vhid: 9, key: 'advskew', value: 3 }).catch((e: unknown) => e as AgentCommandError);
    expect(err).toBeInstanceOf(AgentCommandError);
    expect((err as AgentCommandError).code).toBe('unknown-vhid');
    // ids count up; the demotion event made the link resync with a `status` of its own.
    expect(agent.received.map((c) => [c.id, c.cmd])).toEqual([[1, 'maintenance'], [2, 'status'], [3, 'set']]);
  });

  it('reports a bad line as an error and keeps going', async () => {
    const { link, agent, errors } = setup();
    link.start();
    await link.waitLive(1000);
    [...agent.channels][0].sendRaw('{"type":"nonsense"}');
    [...agent.channels][0].sendRaw('not json');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^bad-line: fw1: agent sent a line that is not a valid message/);
    await expect(link.request({ cmd: 'status' })).resolves.toMatchObject({ type: 'snapshot' });
  });

  it('marks a silent agent stale within staleMs, and resyncs from a new snapshot when it answers again', async () => {
    // Fake timers (and Date): the bound below is exact, not a race against the machine's load.
    vi.useFakeTimers({ now: 0 });
    const { link, agent, reports } = setup();
    link.start();
    await vi.advanceTimersByTimeAsync(1000); // the heartbeat (every 100 ms) at t=1000 is the last line
    expect(link.report().status).toBe('live');
    agent.frozen = true;
    await vi.advanceTimersByTimeAsync(290);
    expect(reports.map((r) => r.status)).not.toContain('stale'); // 290 ms of silence < staleMs 300
    await vi.advanceTimersByTimeAsync(50 + 11); // staleMs plus one check period (max(50, staleMs/10) ms)
    const stale = reports.find((r) => r.status === 'stale');
    expect(stale?.error).toMatch(/no line from the agent for 3\d\d ms/);
    expect(stale?.snapshot?.groups).toHaveLength(1); // last known state is kept while stale
    agent.groups[0].state = 'BACKUP'; // changed while we were not looking
    agent.frozen = false;
    await vi.advanceTimersByTimeAsync(200); // reconnect after the 20 ms backoff, new snapshot
    expect(link.report().status).toBe('live');
    expect(link.report().snapshot?.groups[0].state).toBe('BACKUP');
    expect(reports.map((r) => r.status)).toContain('stale');
  });

  it('refuses an agent that speaks another control protocol, naming both versions', async () => {
    const { link, agent, errors } = setup();
    const real = agent.snapshot.bind(agent);
    agent.snapshot = () => ({ ...real(), protocol: PROTOCOL_VERSION + 1 });
    link.start();
    await until(() => link.report().status === 'no-agent');
    const want = `agent speaks control protocol ${PROTOCOL_VERSION + 1}, this console speaks ${PROTOCOL_VERSION}: redeploy with carpctl deploy`;
    expect(link.report()).toMatchObject({ status: 'no-agent', error: want });
    expect(link.report().snapshot).toBeUndefined();
    expect(errors).toContain(`protocol: fw1: ${want}`);
    await expect(link.request({ cmd: 'status' })).rejects.toMatchObject({ code: 'disconnected' });
    agent.snapshot = real; // redeployed: the next reconnect goes live
    await link.waitLive(2000);
    expect(link.report().status).toBe('live');
  });

  it('reports unreachable when the transport fails and reconnects when it comes back', async () => {
    const { link, transport } = setup();
    transport.reachable = false;
    link.start();
    await until(() => link.report().error !== undefined);
    expect(link.report()).toMatchObject({ status: 'unreachable', error: expect.stringContaining('ECONNREFUSED') });
    await expect(link.request({ cmd: 'status' })).rejects.toMatchObject({ code: 'disconnected' });
    transport.reachable = true;
    await link.waitLive(2000);
    expect(link.report().status).toBe('live');
  });

  it('names the agent process behind its snapshot, which changes when the agent restarts', async () => {
    const { link, agent } = setup();
    expect(link.agentId()).toBeUndefined();
    link.start();
    await link.waitLive(1000);
    const first = link.agentId();
    expect(first).toBe(`${agent.pid}@${agent.startedAt}`);
    agent.crash();
    agent.boot(); // a new process: pid and start time change
    await until(() => link.agentId() !== first, 3000);
    expect(link.agentId()).toBe(`${agent.pid}@${agent.startedAt}`);
  });

  it('fails pending requests when the channel dies and times out unanswered ones', async () => {
    const { link, agent } = setup({ requestTimeoutMs: 100 });
    link.start();
    await link.waitLive(1000);
    agent.frozen = true;
    await expect(link.request({ cmd: 'status' })).rejects.toMatchObject({ code: 'timeout' });
    agent.frozen = false;
    const p = link.request({ cmd: 'status' }, 5000);
    agent.crash();
    await expect(p).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('says when the connection is refused over the host key, and forgets it once the host answers', async () => {
    const { transport, link, reports } = setup();
    const realOpen = transport.openLines.bind(transport);
    let refuse = true;
    transport.openLines = async () => {
      if (refuse) throw Object.assign(new Error('fw1 presented an unknown ssh-ed25519 host key SHA256:x'), { hostKey: 'unknown' });
      return realOpen();
    };
    link.start();
    await until(() => reports.some((r) => r.hostKey === 'unknown'));
    expect(link.report()).toMatchObject({ status: 'unreachable', hostKey: 'unknown' });
    refuse = false;
    await until(() => link.report().status === 'live');
    expect(link.report().hostKey).toBeUndefined();
  });
});

