// One link per host, whatever runs CARP there: a carp-agent (AgentLink) or, found when no agent
// answers, an OpenBSD/FreeBSD kernel read and driven with its own tools (KernelLink). The console
// holds HostLinks and never needs to know which.
import { AgentLink, type AgentLinkHandlers, type AgentLinkOptions, type CommandBody } from './agent-link/agent-link.js';
import { KernelLink } from './kernel-link/kernel-link.js';
import { detectSystem, isKernelSystem, PROBE_SCRIPT, type KernelSystem } from './kernel/detect.js';
import type { HostReport } from './fleet/types.js';
import type { HostTransport } from './transport.js';

/** What the console uses of a host's link. */
export interface HostLink {
  readonly host: string;
  report(): HostReport;
  agentId(): string | undefined;
  start(): void;
  stop(): void;
  waitLive(timeoutMs: number): Promise<void>;
  request(body: CommandBody, timeoutMs?: number): Promise<unknown>;
  /** Set once the host is known to run kernel CARP (no agent). */
  kernel(): KernelSystem | undefined;
}

/**
 * Starts as an AgentLink. When the host's agent is missing (`carp-agent attach` ended without a
 * snapshot), it asks the host what it is (detect.ts PROBE_SCRIPT, once per link): an OpenBSD or
 * FreeBSD kernel (pfSense, OPNsense) switches it to a KernelLink for good; anything else stays an
 * AgentLink waiting for a deploy.
 */
export class AutoLink implements HostLink {
  readonly host: string;
  private inner: AgentLink | KernelLink;
  private system: KernelSystem | undefined;
  private probed = false;
  private probing = false;
  private started = false;

  constructor(
    private readonly transport: HostTransport,
    private readonly handlers: AgentLinkHandlers = {},
    private readonly opts: AgentLinkOptions = {},
  ) {
    this.host = transport.host.name;
    this.inner = new AgentLink(transport, { ...handlers, onReport: (r) => this.agentReport(r) }, opts);
  }

  report(): HostReport {
    return this.inner.report();
  }
  agentId(): string | undefined {
    return this.inner.agentId();
  }
  kernel(): KernelSystem | undefined {
    return this.system;
  }
  start(): void {
    this.started = true;
    this.inner.start();
  }
  stop(): void {
    this.started = false;
    this.inner.stop();
  }
  waitLive(timeoutMs: number): Promise<void> {
    return this.inner.waitLive(timeoutMs);
  }
  request(body: CommandBody, timeoutMs?: number): Promise<unknown> {
    return this.inner.request(body, timeoutMs);
  }

  private agentReport(r: HostReport): void {
    if (r.status === 'no-agent' && !this.probed && !this.probing) void this.probe();
    this.handlers.onReport?.(r);
  }

  private async probe(): Promise<void> {
    this.probing = true;
    try {
      const r = await this.transport.exec(PROBE_SCRIPT, { timeoutMs: 10_000 });
      const d = detectSystem(r.stdout);
      this.probed = true;
      if (!isKernelSystem(d) || this.system) return;
      this.system = d;
      this.inner.stop();
      this.inner = new KernelLink(this.transport, d, this.handlers, {
        ...(this.opts.staleMs !== undefined ? { staleMs: this.opts.staleMs } : {}),
        ...(this.opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.opts.requestTimeoutMs } : {}),
        ...(this.opts.now ? { now: this.opts.now } : {}),
      });
      if (this.started) this.inner.start();
    } catch {
      // Unreachable again, or an answer that is not a probe's: asked again at the next "no agent".
    } finally {
      this.probing = false;
    }
  }
}
