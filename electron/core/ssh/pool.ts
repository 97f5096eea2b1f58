// The pool: one SshTransport per host name, jump hosts resolved through the same pool, and connect()
// for one host outside any pool.
import type { HostSpec } from '../transport.js';
import { SshTransport } from './connection.js';
import { parseJumpSpec, type SshOptions } from './dial.js';

/** One transport per host name, with jump hosts resolved through the same pool. */
export class SshPool {
  private readonly transports = new Map<string, SshTransport>();
  private readonly specs = new Map<string, HostSpec>();

  constructor(
    private readonly opts: SshOptions = {},
    hosts: HostSpec[] = [],
  ) {
    for (const h of hosts) this.specs.set(h.name, h);
  }

  /** The transport for this host (created on first use, replaced if the spec changed). */
  get(host: HostSpec): SshTransport {
    this.specs.set(host.name, host);
    const t = this.transports.get(host.name);
    if (t && JSON.stringify(t.host) === JSON.stringify(host) && t.state !== 'closed') return t;
    t?.close();
    const nt = new SshTransport(host, { ...this.opts, resolveJump: (j) => this.jump(j) });
    this.transports.set(host.name, nt);
    return nt;
  }

  /** The transport already made for this host name, if any (no connection is made). */
  peek(name: string): SshTransport | undefined {
    return this.transports.get(name);
  }

  /** Gets the host's transport and connects it. */
  async connect(host: HostSpec): Promise<SshTransport> {
    const t = this.get(host);
    await t.connect();
    return t;
  }

  private jump(j: string): SshTransport {
    const spec = this.specs.get(j) ?? parseJumpSpec(j);
    return this.get(spec);
  }

  closeAll(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

