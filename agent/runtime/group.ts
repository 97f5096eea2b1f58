// One running CARP group: feeds the pure engine with events and carries out its actions
// (adverts, VIPs, gratuitous ARP, timers, hooks), and keeps the group's counters for status.
import { performance } from 'node:perf_hooks';
import { initialState, step, wireValues } from '../engine/engine.js';
import type { EngineState } from '../engine/engine.js';
import type { EngineAction, EngineEvent, EngineParams, TimerName } from '../engine/types.js';
import type { CarpHeader } from '../protocol/index.js';
import { carpKey, encodeAdvert, verifyHmac, nextCounter, ReplayWindow, SentCounters, encodeGratuitousArp } from '../protocol/index.js';
import type { GroupConfig } from '../config/schema.js';
import { passwordCheck, passwordCheckSalt } from '../config/password-check.js';
import type { AdvertSeen, CarpState, DropReason, GroupStatus } from '../control/messages.js';
import type { NetPort, InterfaceInfo, CarpChannel } from '../net/index.js';
import type { Logger } from './log.js';
import { HookQueue, type HookRunner } from './hooks.js';
import { bowOutAdverts } from './bowout.js';
import type { BalancedEdge } from './balance.js';

export const monotonicNow = (): number => performance.now();

/** What a group needs from the runtime around it. */
export interface GroupEnv {
  net: NetPort;
  log: Logger;
  runHook: HookRunner;
  /** Host-wide demotion and maintenance, read when building engine params. */
  host(): { demote: number; maintenance: boolean };
  onStateChange(g: GroupRunner, from: CarpState, to: CarpState, reason: string): void;
  onError(g: GroupRunner, key: string, message: string): void;
  onChanged(g: GroupRunner): void;
  /** The host-wide `preempt` (config top level) for groups that do not set their own; absent: false. */
  preemptDefault?(): boolean;
  /** arpbalance (balance.ts): what this group does as a member of a balanced set; null or absent: not balanced. */
  balanced?(g: GroupConfig): BalancedEdge | null;
}

export class GroupRunner {
  engine: EngineState;
  readonly key: Buffer;
  private counter: Buffer | null = null;
  private readonly replay = new ReplayWindow();
  private readonly ownCounters = new SentCounters();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  /** While the advert timer's event is dispatched: the deadline it was armed for (keeps the period on schedule). */
  private advertDue: number | null = null;
  private readonly hooks: HookQueue;
  private stopped = false;
  since = Date.now();
  sent = 0;
  received = 0;
  drops: Record<string, number> = {};
  lastAdvert: AdvertSeen | null = null;
  channel: CarpChannel | null = null;
  iface: InterfaceInfo | null = null;
  /** The password's check value for status, once derived (off the event loop); undefined until then. */
  private passwordCheck: string | undefined;
  /** Which config (salt and password) passwordCheck is, or is being, derived for. */
  private passwordCheckOf = '';

  constructor(
    public config: GroupConfig,
    private readonly env: GroupEnv,
  ) {
    this.key = carpKey(config.password);
    this.engine = initialState(this.params());
    this.hooks = new HookQueue(env.runHook, (m) => env.onError(this, `hook ${config.vhid}`, m));
    this.derivePasswordCheck();
  }

  /**
   * Starts deriving the password's check value for the current config (scrypt on the thread pool, cached
   * per group config); when it is ready, status carries it and a 'group' event tells the console.
   */
  private derivePasswordCheck(): void {
    const c = this.config;
    const of = `${passwordCheckSalt(c.vhid, c.addresses)}\0${c.password}`;
    if (of === this.passwordCheckOf) return;
    this.passwordCheckOf = of;
    this.passwordCheck = undefined;
    passwordCheck(c.vhid, c.password, c.addresses).then(
      (v) => {
        if (this.stopped || this.passwordCheckOf !== of) return;
        this.passwordCheck = v;
        this.env.onChanged(this);
      },
      (e: Error) => this.env.onError(this, `password-check ${c.vhid}`, `vhid ${c.vhid}: cannot derive the password check value (${e.message}); the console shows this member's password as unknown`),
    );
  }

  /** The group's own preempt, else the host-wide default (config top-level `preempt`). */
  get preempt(): boolean {
    return this.config.preempt ?? this.env.preemptDefault?.() ?? false;
  }
  get vhid(): number {
    return this.config.vhid;
  }
  get state(): CarpState {
    return this.engine.state;
  }

  params(): EngineParams {
    const h = this.env.host();
    return {
      vhid: this.config.vhid,
      advbase: this.config.advbase,
      advskew: this.config.advskew,
      demote: h.demote,
      preempt: this.preempt,
      maintenance: h.maintenance,
    };
  }

  /** Interface is up with an address and the socket is open: INIT -> BACKUP. */
  start(iface: InterfaceInfo, channel: CarpChannel): void {
    this.iface = iface;
    this.channel = channel;
    this.dispatch({ type: 'start', now: monotonicNow() });
  }

  /** The interface's socket was reopened (link back, address or index changed): use the new ones. */
  rebind(iface: InterfaceInfo, channel: CarpChannel): void {
    this.iface = iface;
    this.channel = channel;
  }

  /**
   * The interface's address changed under a running group: the kernel drops secondary addresses with the
   * primary one, so a MASTER puts its VIPs back and announces them again.
   */
  reassert(): void {
    if (this.stopped || this.engine.state !== 'MASTER') return;
    this.act({ type: 'addAddresses' }, 'MASTER');
    this.garp();
  }

  /** The socket was closed (link down, interface gone): nothing may be sent until rebind. */
  unbind(): void {
    this.channel = null;
  }

  /** Parameters changed (config soft change, demotion, maintenance): the engine decides what to send. */
  refreshParams(config?: GroupConfig): void {
    if (config) {
      this.config = config;
      this.derivePasswordCheck();
    }
    this.dispatch({ type: 'params', now: monotonicNow(), params: this.params() });
    this.env.onChanged(this);
  }

  link(up: boolean): void {
    this.dispatch({ type: 'link', now: monotonicNow(), up });
  }

  countDrop(reason: DropReason): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  /** A packet for this vhid that passed TTL, version and checksum: check HMAC and replay, then feed the engine. */
  receive(src: string, header: CarpHeader): void {
    if (this.stopped) return;
    if (!verifyHmac(header, this.key, this.config.addresses)) {
      this.countDrop('hmac');
      this.env.onError(this, `hmac ${this.vhid}`, `vhid ${this.vhid} ${this.config.interface}: advert from ${src} dropped: wrong password or address set (HMAC mismatch)`);
      return;
    }
    const counter = header.counter.toString('hex');
    if (this.ownCounters.has(counter, Date.now())) {
      this.countDrop('own');
      this.env.onError(this, `own ${this.vhid}`, `vhid ${this.vhid} ${this.config.interface}: advert from ${src} dropped: it carries counter ${counter}, which this host sent (its own advert replayed or looped back)`);
      return;
    }
    if (this.replay.seen(counter, Date.now(), src)) {
      this.countDrop('replay');
      this.env.onError(this, `replay ${this.vhid}`, `vhid ${this.vhid} ${this.config.interface}: advert from ${src} dropped: counter ${counter} already seen (replay)`);
      return;
    }
    this.received++;
    const prevFrom = this.lastAdvert?.from;
    const prevKey = this.lastAdvert ? `${this.lastAdvert.advbase}/${this.lastAdvert.advskew}/${this.lastAdvert.demote}` : '';
    this.lastAdvert = { from: src, advbase: header.advbase, advskew: header.advskew, demote: header.demote, at: Date.now() };
    this.dispatch({
      type: 'advert',
      now: monotonicNow(),
      advert: { src, advbase: header.advbase, advskew: header.advskew, demote: header.demote },
    });
    if (prevFrom !== src || prevKey !== `${header.advbase}/${header.advskew}/${header.demote}`) this.env.onChanged(this);
  }

  /**
   * Last resort (crash handler): the bow-out a clean stop sends, synchronously, if this group is MASTER
   * and its socket is open, so a backup takes over at once. Throws on a send error.
   */
  bowOutSync(demote: number): boolean {
    if (this.stopped || this.engine.state !== 'MASTER' || !this.channel) return false;
    this.counter = this.nextOwnCounter();
    for (const advert of bowOutAdverts(this.config, demote, 1, this.counter)) this.sendCarp(advert);
    return true;
  }

  /** One advert out: on the interface's CARP socket, or from the vhid's virtual MAC when it is balanced. */
  private sendCarp(carp: Buffer): void {
    const b = this.env.balanced?.(this.config);
    if (b && this.iface) b.sendAdvert(this.config, this.iface.address, carp);
    else this.channel?.send(carp);
  }

  /** Clean stop: bow-out if MASTER, addresses removed, timers cancelled; waits for running hooks (max 5 s). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.dispatch({ type: 'stop', now: monotonicNow() });
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.hooks.idle(5000);
  }

  /** The counter for the next advert, remembered so that a copy of it coming back is dropped as our own. */
  private nextOwnCounter(): Buffer {
    const c = nextCounter(this.counter);
    this.ownCounters.add(c.toString('hex'), Date.now());
    return c;
  }

  private dispatch(ev: EngineEvent): void {
    if (this.stopped) return;
    const { state, actions } = step(this.engine, ev);
    const before = this.engine.state;
    this.engine = state;
    for (const a of actions) this.act(a, before);
  }

  private act(a: EngineAction, stateBefore: CarpState): void {
    const g = this.config;
    switch (a.type) {
      case 'send': {
        if (!this.channel) return;
        this.counter = this.nextOwnCounter();
        const carp = encodeAdvert({
          vhid: g.vhid,
          advbase: a.advbase,
          advskew: a.advskew,
          demote: a.demote,
          counter: this.counter,
          key: this.key,
          addresses: g.addresses,
        });
        try {
          this.sendCarp(carp);
          this.sent++;
        } catch (e) {
          this.env.onError(this, `send ${g.interface}`, `vhid ${g.vhid} ${g.interface}: cannot send advert: ${(e as Error).message}`);
        }
        return;
      }
      case 'addAddresses':
      case 'removeAddresses': {
        const b = this.env.balanced?.(g);
        if (b) {
          // A balanced vhid's master holds the shared addresses on its virtual MAC link, never on the interface.
          try {
            if (a.type === 'removeAddresses') b.release(g, this.iface);
            else if (this.iface) b.hold(g, this.iface);
          } catch (e) {
            this.env.onError(this, `addr ${g.interface}`, `vhid ${g.vhid}: ${(e as Error).message}`);
          }
          return;
        }
        for (const addr of g.addresses) {
          try {
            if (a.type === 'addAddresses') this.env.net.addAddress(g.interface, addr);
            else this.env.net.removeAddress(g.interface, addr);
          } catch (e) {
            this.env.onError(this, `addr ${g.interface}`, `vhid ${g.vhid}: ${(e as Error).message}`);
          }
        }
        return;
      }
      case 'garp':
        // The engine asks for the second announcement itself, two adverts later (as OpenBSD and ucarp do).
        this.garp();
        return;
      case 'arm': {
        const old = this.timers.get(a.timer);
        if (old) clearTimeout(old);
        // The next advert is due one period after the last one was due, not after the timer fired
        // (timers fire ~1 ms late: at advbase 0, 10/256 s periods would stretch by 2-3 %); after a
        // stall longer than a period it starts again from now.
        const now = monotonicNow();
        const due = this.advertDue;
        const from = a.timer === 'advert' && due !== null && due <= now && now - due < a.ms ? due : now;
        const at = from + Math.max(0, a.ms);
        this.timers.set(
          a.timer,
          setTimeout(() => {
            this.timers.delete(a.timer);
            if (a.timer === 'advert') this.advertDue = at;
            try {
              this.dispatch({ type: 'timer', now: monotonicNow(), timer: a.timer });
            } finally {
              this.advertDue = null;
            }
          }, Math.max(0, at - now)),
        );
        return;
      }
      case 'cancel': {
        const old = this.timers.get(a.timer);
        if (old) clearTimeout(old);
        this.timers.delete(a.timer);
        return;
      }
      case 'state':
        this.since = Date.now();
        this.env.onStateChange(this, a.from, a.to, a.reason);
        return;
      case 'hook': {
        const script = a.which === 'up' ? g.upscript : g.downscript;
        if (!script) return;
        // ucarp --neutral: no downscript when entering BACKUP at start.
        if (a.which === 'down' && g.neutral && stateBefore === 'INIT') return;
        for (const addr of g.addresses) {
          this.hooks.push(script, [g.interface, addr.split('/')[0], ...(g.xparam ? [g.xparam] : [])]);
        }
        return;
      }
    }
  }

  private garp(): void {
    // A shared address is announced to nobody (that would pull every client to this host): the adverts
    // from the vhid's virtual MAC teach the switches where it lives, and clients ask by ARP.
    if (!this.iface || this.env.balanced?.(this.config)) return;
    const mac = this.iface.mac;
    if (!mac) {
      // An all-zero or made-up sender MAC would poison the neighbours' ARP caches: announce nothing.
      this.env.onError(this, `arp ${this.config.interface}`, `vhid ${this.vhid}: gratuitous ARP not sent: the MAC address of ${this.config.interface} is unknown (neighbours learn the VIP when they next ask)`);
      return;
    }
    for (const addr of this.config.addresses) {
      try {
        this.env.net.sendFrame(this.config.interface, encodeGratuitousArp({ senderMac: mac, ip: addr.split('/')[0] }));
      } catch (e) {
        this.env.onError(this, `arp ${this.config.interface}`, `vhid ${this.vhid}: gratuitous ARP failed: ${(e as Error).message}`);
      }
    }
  }

  status(): GroupStatus {
    const w = wireValues(this.engine);
    const balanced = this.env.balanced?.(this.config);
    return {
      vhid: this.config.vhid,
      ...(this.config.name !== undefined ? { name: this.config.name } : {}),
      interface: this.config.interface,
      segment: this.iface?.segment ?? '',
      srcip: this.iface?.address ?? this.config.srcip ?? '',
      addresses: [...this.config.addresses],
      state: this.engine.state,
      since: this.since,
      advbase: this.config.advbase,
      advskew: this.config.advskew,
      wireAdvskew: w.advskew,
      wireAdvbase: w.advbase,
      demote: w.demote,
      preempt: this.preempt,
      ...(this.passwordCheck !== undefined ? { passwordCheck: this.passwordCheck } : {}),
      ...(balanced ? { balanced: [...balanced.vhids] } : {}),
      lastAdvert: this.lastAdvert,
      sent: this.sent,
      received: this.received,
      drops: { ...this.drops },
    };
  }
}
