// carp-console lab: emulated BSD command surface (not a kernel): the emulation daemon inside a lab host, for
// one flavour (OpenBSD, FreeBSD). At boot it runs the flavour's netstart from /etc, starts carp-agent (which does the CARP
// on the wire), follows the agent's event stream, keeps the emulated kernel state in /run/bsd-emu (lost at
// reboot, as kernel state is), renders what the read shims print, appends route monitor messages, and
// carries out the write invocations the shims hand it (one at a time) by updating the agent first.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseAgentMessage, type AgentMessage, type Command, type Snapshot } from '../../../agent/control/messages.js';
import { viewOf, type AgentView, type Flavour, type Outcome, type Reply } from './emu-flavour.js';

const RUN = process.env.BSD_EMU_RUN ?? '/run/bsd-emu';
const OUT = path.join(RUN, 'out');
const AGENT_SOCK = '/run/carp-agent.sock';
const MONITOR = path.join(RUN, 'route-monitor.log');
/** Written by the installer: how to start carp-agent (Node words and the bundle). */
const AGENT_CMD = path.join(path.dirname(process.argv[1] ?? '/opt/bsd-emu/daemon.js'), 'agent-cmd.json');

/** This host's boot: its PID 1's start (/proc/1/stat field 22, in 1/100 s after the machine's btime in /proc/stat). */
function hostBootTime(): number {
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  const fields = readFileSync('/proc/1/stat', 'utf8').split(') ')[1].split(' ');
  return btime + Math.floor(Number(fields[19]) / 100);
}

const log = (m: string) => process.stdout.write(`${new Date().toISOString()} bsd-emu: ${m}\n`);

function writeAtomic(file: string, content: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

class Daemon<S> {
  private state: S;
  private snap: Snapshot | null = null;
  private transitions = 0;
  private written = new Map<string, string>();
  private links = new Map<string, string>();
  private rendered = false;
  private readonly bootTime = hostBootTime();
  private agent: net.Socket | null = null;
  private nextId = 1;
  private pending = new Map<number, (m: AgentMessage) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private renderScheduled = false;

  constructor(private readonly f: Flavour<S>) {
    const boot = f.netstart(this.etc(f.etcFiles(readdirSync('/etc'))));
    for (const m of boot.messages) log(`netstart: ${m}`);
    this.state = boot.state;
    log(`netstart: ${f.summary(this.state)}`);
    this.save();
    writeAtomic(path.join(RUN, 'agent.json'), JSON.stringify(f.agent(this.state).config, null, 2), 0o600);
    if (!existsSync(MONITOR)) writeFileSync(MONITOR, '');
    this.render();
  }

  private etc(names: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of names) if (existsSync(path.join('/etc', n))) out[n] = readFileSync(path.join('/etc', n), 'utf8');
    return out;
  }

  private save(): void {
    writeAtomic(path.join(RUN, 'state.json'), JSON.stringify(this.state, null, 2), 0o600);
  }

  private view(): AgentView {
    return viewOf(this.snap, this.transitions);
  }

  /** Writes the rendered files that changed (and removes gone ones), then route monitor messages for links that changed. */
  private render(): void {
    const view = this.view();
    const files = this.f.files(this.state, view);
    for (const [name, content] of Object.entries(files)) {
      if (this.written.get(name) === content) continue;
      writeAtomic(path.join(OUT, name), content);
      this.written.set(name, content);
    }
    for (const name of [...this.written.keys()]) {
      if (files[name] !== undefined) continue;
      rmSync(path.join(OUT, name), { force: true });
      this.written.delete(name);
    }
    const now = new Date();
    let msgs = '';
    const current = new Map(Object.entries(this.f.links(this.state, view)));
    for (const [name, v] of current) {
      const before = this.links.get(name);
      // a carp interface's creation counts (OpenBSD announces it); a host interface first seen does not
      if (before === v || !this.rendered || (before === undefined && !name.startsWith('carp'))) continue;
      msgs += this.f.message(name, v, now);
    }
    this.links = current;
    this.rendered = true;
    if (msgs) appendFileSync(MONITOR, msgs);
  }

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    setImmediate(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  startAgent(): void {
    const cmd = JSON.parse(readFileSync(AGENT_CMD, 'utf8')) as { words: string[]; script: string };
    const out = openSync('/var/log/carp-agent.log', 'a');
    const [bin, ...args] = cmd.words;
    const child = spawn(bin, [...args, cmd.script, 'supervise', '--config', path.join(RUN, 'agent.json'), '--state', path.join(RUN, 'agent-state.json')], {
      detached: true,
      stdio: ['ignore', out, out],
    });
    writeFileSync(path.join(RUN, 'agent.pid'), `${child.pid}\n`);
    child.unref();
    log(`started carp-agent supervise (pid ${child.pid}): it restarts the agent if it dies`);
  }

  connect(): void {
    const s = net.connect(AGENT_SOCK);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => {
      this.agent = s;
      log('connected to carp-agent');
      void this.afterConnect();
    });
    s.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          this.onMessage(parseAgentMessage(line)); // the agent's control protocol, validated with its one schema
        } catch (e) {
          log(`ignored a line from carp-agent: ${(e as Error).message}`);
        }
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.agent === s) log('carp-agent connection closed; reconnecting');
      this.agent = null;
      setTimeout(() => this.connect(), 100);
    });
  }

  private async afterConnect(): Promise<void> {
    // The agent started from agent.json; what netstart set that the config does not carry goes now.
    const plan = this.f.agent(this.state);
    if (!plan.allow) await this.send({ id: 0, cmd: 'allow', on: false });
    if (plan.demote) await this.send({ id: 0, cmd: 'demote', op: 'set', value: plan.demote });
    await this.refresh(); // the agent's snapshot (its interfaces, states) rendered before saying ready
    writeFileSync(path.join(RUN, 'ready'), `${new Date().toISOString()}\n`);
  }

  private onMessage(m: AgentMessage): void {
    if (m.type === 'reply') {
      const r = this.pending.get(m.id);
      this.pending.delete(m.id);
      r?.(m);
      return;
    }
    if (m.type === 'snapshot') {
      this.snap = m;
    } else if (m.type === 'event' && this.snap) {
      const e = m.event;
      const snap = this.snap;
      if (e.kind === 'state') {
        if (e.to === 'MASTER') this.transitions++;
        const g = snap.groups.find((x) => x.vhid === e.vhid && x.interface === e.interface);
        if (g) g.state = e.to;
        this.render(); // at once: route monitor is the console's "read again" trigger
        return;
      }
      if (e.kind === 'group') {
        const i = snap.groups.findIndex((x) => x.vhid === e.group.vhid && x.interface === e.group.interface);
        if (i >= 0) snap.groups[i] = e.group;
        else snap.groups.push(e.group);
      } else if (e.kind === 'demotion') {
        snap.demote = e.demote;
        snap.linkDemotion = e.linkDemotion;
      } else if (e.kind === 'interfaces') snap.interfaces = e.interfaces;
      else if (e.kind === 'config') void this.refresh();
      else return;
    } else return;
    this.scheduleRender();
  }

  private send(cmd: Command): Promise<AgentMessage> {
    const a = this.agent;
    if (!a) return Promise.reject(new Error('carp-agent is not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`carp-agent did not answer ${cmd.cmd} within 5 s`));
      }, 5000);
      this.pending.set(id, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      a.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  /** A fresh snapshot (counters are not in events). */
  async refresh(): Promise<void> {
    if (!this.agent) return;
    try {
      const r = await this.send({ id: 0, cmd: 'status' });
      if (r.type === 'reply' && r.ok) this.snap = r.result as Snapshot;
    } catch {
      return;
    }
    this.render();
  }

  private async waitAgent(): Promise<boolean> {
    for (let i = 0; i < 100 && !this.agent; i++) await new Promise((r) => setTimeout(r, 50));
    return !!this.agent;
  }

  /** Makes the agent run `next` (config, demote, allow, log); the refusal's message, or null. */
  private async sync(next: S): Promise<string | null> {
    const [a, b] = [this.f.agent(this.state), this.f.agent(next)];
    const changes: Command[] = [];
    if (JSON.stringify(b.config) !== JSON.stringify(a.config)) changes.push({ id: 0, cmd: 'apply', config: b.config });
    else if (b.log !== undefined && b.log !== a.log) changes.push({ id: 0, cmd: 'log', level: b.log });
    if (b.demote !== a.demote) changes.push({ id: 0, cmd: 'demote', op: 'set', value: b.demote });
    if (b.allow !== a.allow) changes.push({ id: 0, cmd: 'allow', on: b.allow });
    if (!changes.length) return null;
    if (!(await this.waitAgent())) return 'carp-agent is not running (see /var/log/carp-agent.log)';
    for (const c of changes) {
      const r = await this.send(c);
      if (r.type === 'reply' && !r.ok) return `carp-agent refused ${c.cmd}: ${r.error.message}`;
    }
    return null;
  }

  private async commit(tool: string, o: Outcome<S>, refused: string): Promise<Reply> {
    if (!o.ok) return { stdout: '', stderr: o.stderr, code: o.code };
    let problem: string | null;
    try {
      problem = await this.sync(o.state);
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem) return { stdout: '', stderr: `${refused}\n${tool}: ${this.f.tag}: ${problem}\n`, code: 1 };
    for (const [name, content] of Object.entries(o.etc ?? {})) writeAtomic(path.join('/etc', name), content);
    this.state = o.state;
    this.save();
    this.render();
    await this.refresh();
    return { stdout: o.stdout, stderr: '', code: 0 };
  }

  /** One invocation the shims did not answer themselves. */
  async handle(argv: string[]): Promise<Reply> {
    const view = this.view();
    const ctx = { ifnames: view.interfaces.map((i) => i.name), linkDemote: view.linkDemote, etc: this.etc(['rc.conf']), bootTime: this.bootTime };
    const h = this.f.handle(this.state, argv, ctx, (name) => this.written.get(name));
    return 'reply' in h ? h.reply : this.commit(argv[0], h.outcome, h.refused);
  }

  serve(): void {
    const sock = path.join(RUN, 'emu.sock');
    rmSync(sock, { force: true });
    net
      .createServer((c) => {
        let buf = '';
        let taken = false; // one request per connection
        c.setEncoding('utf8');
        c.on('data', (d: string) => {
          buf += d;
          const nl = buf.indexOf('\n');
          if (nl < 0 || taken) return;
          taken = true;
          let argv: string[];
          try {
            const req = JSON.parse(buf.slice(0, nl)) as { argv?: unknown };
            if (!Array.isArray(req.argv) || !req.argv.length || !req.argv.every((a) => typeof a === 'string')) throw new Error('expected {"argv": ["TOOL", …]}');
            argv = req.argv;
          } catch (e) {
            c.end(`${JSON.stringify({ stdout: '', stderr: `${this.f.tag}: bad request to the emulation daemon: ${(e as Error).message}\n`, code: 2 })}\n`);
            return;
          }
          const job = this.queue.then(() => this.handle(argv));
          this.queue = job.catch(() => undefined);
          job
            .catch((e: Error): Reply => ({ stdout: '', stderr: `${argv[0]}: ${this.f.tag}: ${e.message}\n`, code: 1 }))
            .then((r) => c.end(`${JSON.stringify(r)}\n`))
            .catch(() => undefined);
        });
        c.on('error', () => undefined);
      })
      .listen(sock);
  }

  run(): void {
    this.serve();
    this.startAgent();
    this.connect();
    setInterval(() => void this.refresh(), 2000);
  }
}

export function main<S>(flavour: Flavour<S>): void {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(RUN, 'daemon.pid'), `${process.pid}\n`);
  new Daemon(flavour).run();
}
