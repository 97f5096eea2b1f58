// Test helper (not used by the agent): several engines wired through a fake network and a fake
// clock, to check whole elections and handovers, e.g. that some node holds the VIP at every instant.
import { initialState, step, type EngineState } from './engine.js';
import type { EngineAction, EngineEvent, EngineParams, TimerName } from './types.js';

export interface SimNode {
  name: string;
  src: string;
  s: EngineState;
  /** Timer deadlines (ms of the fake clock). */
  timers: Map<TimerName, number>;
  holds: boolean;
  /** false: crashed (no delivery, no timers). */
  alive: boolean;
  actions: { t: number; action: EngineAction }[];
}

interface Delivery {
  t: number;
  seq: number;
  to: SimNode;
  from: SimNode;
  advert: { advbase: number; advskew: number; demote: number };
}

export interface SimOptions {
  /** One-way network delay, ms (default 1). */
  delayMs?: number;
}

export class CarpSim {
  now = 0;
  readonly nodes: SimNode[] = [];
  readonly sent: { t: number; from: string; advbase: number; advskew: number; demote: number }[] = [];
  readonly transitions: { t: number; node: string; from: string; to: string; reason: string }[] = [];
  /** Once set, every instant with no node holding the addresses is counted (and its duration summed). */
  watchHolders = false;
  holderlessInstants = 0;
  holderlessMs = 0;
  private queue: Delivery[] = [];
  private seq = 0;
  private readonly delayMs: number;

  constructor(o: SimOptions = {}) {
    this.delayMs = o.delayMs ?? 1;
  }

  add(name: string, src: string, params: Partial<EngineParams> = {}): SimNode {
    const p: EngineParams = { vhid: 1, advbase: 1, advskew: 0, demote: 0, preempt: false, maintenance: false, ...params };
    const node: SimNode = { name, src, s: initialState(p), timers: new Map(), holds: false, alive: true, actions: [] };
    this.nodes.push(node);
    return node;
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Feeds an event (its `now` is the sim clock) to a node and carries out the actions. */
  fire(node: SimNode, ev: Omit<EngineEvent, 'now'> & { type: EngineEvent['type'] }): void {
    const r = step(node.s, { ...ev, now: this.now } as EngineEvent);
    node.s = r.state;
    for (const a of r.actions) {
      node.actions.push({ t: this.now, action: a });
      switch (a.type) {
        case 'send':
          this.sent.push({ t: this.now, from: node.name, advbase: a.advbase, advskew: a.advskew, demote: a.demote });
          for (const to of this.nodes) {
            if (to !== node) this.queue.push({ t: this.now + this.delayMs, seq: this.seq++, to, from: node, advert: a });
          }
          break;
        case 'arm':
          node.timers.set(a.timer, this.now + a.ms);
          break;
        case 'cancel':
          node.timers.delete(a.timer);
          break;
        case 'addAddresses':
          node.holds = true;
          break;
        case 'removeAddresses':
          node.holds = false;
          break;
        case 'state':
          this.transitions.push({ t: this.now, node: node.name, from: a.from, to: a.to, reason: a.reason });
          break;
        default:
          break;
      }
    }
    this.checkHolders();
  }

  params(node: SimNode, change: Partial<EngineParams>): void {
    this.fire(node, { type: 'params', params: { ...node.s.params, ...change } } as EngineEvent);
  }

  /** The node dies without a word: its addresses vanish, it hears and sends nothing. */
  crash(node: SimNode): void {
    node.alive = false;
    node.holds = false;
    node.timers.clear();
    this.checkHolders();
  }

  holders(): string[] {
    return this.nodes.filter((n) => n.holds).map((n) => n.name);
  }

  masters(): string[] {
    return this.nodes.filter((n) => n.alive && n.s.state === 'MASTER').map((n) => n.name);
  }

  /** Runs every delivery and timer due up to and including `t`, in time order. */
  runUntil(t: number): void {
    for (;;) {
      let best: { t: number; kind: 'timer' | 'delivery'; node?: SimNode; timer?: TimerName; d?: Delivery } | null = null;
      for (const d of this.queue) if (!best || d.t < best.t) best = { t: d.t, kind: 'delivery', d };
      for (const n of this.nodes) {
        if (!n.alive) continue;
        for (const [timer, at] of n.timers) if (!best || at < best.t) best = { t: at, kind: 'timer', node: n, timer };
      }
      if (!best || best.t > t) break;
      this.advance(best.t);
      if (best.kind === 'delivery') {
        const d = best.d!;
        this.queue.splice(this.queue.indexOf(d), 1);
        if (d.to.alive) this.fire(d.to, { type: 'advert', advert: { src: d.from.src, ...d.advert } } as EngineEvent);
      } else {
        best.node!.timers.delete(best.timer!);
        this.fire(best.node!, { type: 'timer', timer: best.timer! } as EngineEvent);
      }
    }
    this.advance(t);
  }

  private advance(t: number): void {
    if (this.watchHolders && this.holders().length === 0) this.holderlessMs += t - this.now;
    this.now = t;
  }

  private checkHolders(): void {
    if (this.watchHolders && this.holders().length === 0) this.holderlessInstants += 1;
  }
}
