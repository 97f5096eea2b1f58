// The CARP state machine for one vhid, pure: step(state, event) -> (state, actions). Reads top to
// bottom like OpenBSD's ip_carp.c; the runtime does the I/O (cf. etcd raft's Step).
//
// Choices (docs/protocol.md §4–§6):
// - Timers (timers.ts): advert every advbase + advskew/256 s (configured advskew); master down after
//   3·advbase + advskew/256 s as FreeBSD/ucarp, and at advbase 0 (sub-second, OpenBSD and ucarp
//   only) after OpenBSD's 3 × advskew/256 s. In maintenance the master-down timeout uses the
//   advertised advskew (>= 240), so a normal backup wins the race when a master dies.
// - "Would time out": a BACKUP takes over at once from a master whose advert period is longer than
//   its own master-down timeout (OpenBSD, FreeBSD and ucarp do; the bow-out 255/255 is the extreme
//   case). OpenBSD skips that check at advbase 0, where its test (3·advbase s) would be 0; with the
//   exact timeout it holds at advbase 0 too, so a bow-out is acted on at once there as well.
// - Elections with OpenBSD's demote rule (compareElection in election.ts): lower demote wins first,
//   then the smaller key = advbase*256 + advskew. Equal (demote, key): the MASTER yields, kernel style
//   (OpenBSD and FreeBSD do; ucarp breaks the tie by source IP instead). Give every node a distinct advskew.
// - Maintenance: every advert carries demote 255 and advskew max(configured, 240); while MASTER
//   the adverts are bow-outs (advbase 255, advskew 255, demote 255), which OpenBSD, FreeBSD and
//   ucarp backups act on at once, preempt or not. Make-before-break: the maintenance MASTER keeps
//   its addresses and keeps advertising until it hears any valid advert from a peer. A maintenance
//   BACKUP never takes over because of an advert (not preempt, not a maintenance bow-out), except a
//   bow-out from a node that is not itself in maintenance (demote < 255): that node is leaving.
//   The master-down timeout still fires: if nobody else is left, it takes the addresses.
// - Skew before taking over from a live master (VRRP's Skew_Time): when an advert tells a BACKUP to
//   take over while its sender still holds the addresses (preempt, a more demoted master, a
//   maintenance bow-out), the BACKUP waits advskew/256 s first. With several backups only the best
//   one takes over (the others hear it and go on waiting), so the predicted successor is the one
//   that wins, and make-before-break costs nothing. A bow-out from a node that is leaving (demote
//   below 255: a clean stop) is acted on at once: nobody holds the addresses any more.
import type { CarpState, EngineAction, EngineEvent, EngineParams, PeerAdvert, TimerName } from './types.js';
import { compareElection, electionKey, type ElectionValues } from './election.js';
import { advertPeriodMs, masterDownTicks, masterDownTimeoutMs } from './timers.js';

export const BOWOUT_ADVBASE = 255;
export const BOWOUT_ADVSKEW = 255;
export const MAINTENANCE_DEMOTE = 255;
const MAINTENANCE_ADVSKEW = 240;

export interface EngineState {
  state: CarpState;
  params: EngineParams;
  /** `start` seen and no `stop` since: a link coming up returns to BACKUP. */
  running: boolean;
  linkUp: boolean;
  /** Time of the last state change. */
  since: number;
  /** When the master-down timer was last (re)started (BACKUP), for the deadline and the reason text. */
  masterdownFrom: number | null;
  /** Adverts still to send before the second gratuitous ARP after becoming MASTER (0: none pending). */
  garpAfterAdverts: number;
  /** The last valid advert heard from a peer and when. */
  lastAdvert: (PeerAdvert & { at: number }) | null;
  /** A takeover decided on an advert, waiting out this node's skew (the masterdown timer carries it). */
  pendingTakeover: string | null;
}

export interface StepResult {
  state: EngineState;
  actions: EngineAction[];
}

// ---- parameters, timers and what goes on the wire ----------------------------------------------

function effectiveAdvskew(p: EngineParams): number {
  return p.maintenance ? Math.max(p.advskew, MAINTENANCE_ADVSKEW) : p.advskew;
}

/** Period of this node's adverts while MASTER: advbase + advskew/256 s (1/256 s if both are 0). */
export function advertIntervalMs(p: EngineParams): number {
  return advertPeriodMs(p.advbase, p.advskew);
}

/** Silence after which a BACKUP takes over: 3·advbase + advskew/256 s; 3·advskew/256 s at advbase 0 (timers.ts). */
export function masterDownMs(p: EngineParams): number {
  return masterDownTimeoutMs(p.advbase, effectiveAdvskew(p));
}

/** How long a BACKUP waits before taking over from a master that is still there: advskew/256 s. */
export function skewMs(p: EngineParams): number {
  return (effectiveAdvskew(p) * 1000) / 256;
}

/** What this node puts in its adverts now (and what it is compared with in elections). */
export function wireValues(s: EngineState): { advbase: number; advskew: number; demote: number } {
  const p = s.params;
  if (p.maintenance && s.state === 'MASTER') return { advbase: BOWOUT_ADVBASE, advskew: BOWOUT_ADVSKEW, demote: MAINTENANCE_DEMOTE };
  if (p.maintenance) return { advbase: p.advbase, advskew: effectiveAdvskew(p), demote: MAINTENANCE_DEMOTE };
  return { advbase: p.advbase, advskew: p.advskew, demote: p.demote };
}

/** The values this node is compared on (election.ts), i.e. wireValues() minus the bow-out a maintenance MASTER sends. */
export function electionValues(p: EngineParams): ElectionValues {
  return { demote: p.maintenance ? MAINTENANCE_DEMOTE : p.demote, advbase: p.advbase, advskew: effectiveAdvskew(p), maintenance: p.maintenance };
}

/** A peer's advert as compared in elections (a peer's maintenance is not on the wire). */
const peerValues = (a: PeerAdvert): ElectionValues => ({ demote: a.demote, advbase: a.advbase, advskew: a.advskew });
const isBowOut = (a: PeerAdvert) => a.advbase === BOWOUT_ADVBASE && a.advskew === BOWOUT_ADVSKEW;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const describe = (a: PeerAdvert) => `${a.src} advertised (advbase ${a.advbase}, advskew ${a.advskew}, demote ${a.demote})`;

export function initialState(params: EngineParams): EngineState {
  return {
    state: 'INIT',
    params: { ...params },
    running: false,
    linkUp: false,
    since: 0,
    masterdownFrom: null,
    garpAfterAdverts: 0,
    lastAdvert: null,
    pendingTakeover: null,
  };
}

// ---- transitions ---------------------------------------------------------------------------------

function sendNow(s: EngineState): EngineAction {
  return { type: 'send', ...wireValues(s) };
}

/** INIT or MASTER -> BACKUP: release what a master holds, start listening for silence. */
function becomeBackup(s: EngineState, now: number, reason: string, out: EngineAction[]): EngineState {
  const from = s.state;
  const next: EngineState = { ...s, state: 'BACKUP', since: now, masterdownFrom: now, garpAfterAdverts: 0, pendingTakeover: null };
  out.push({ type: 'state', from, to: 'BACKUP', reason });
  if (from === 'MASTER') {
    out.push({ type: 'cancel', timer: 'advert' });
    out.push({ type: 'removeAddresses' });
  }
  out.push({ type: 'hook', which: 'down' });
  out.push({ type: 'arm', timer: 'masterdown', ms: masterDownMs(s.params) });
  return next;
}

/** BACKUP -> MASTER: take the addresses, announce them, advertise at once. */
function becomeMaster(s: EngineState, now: number, reason: string, out: EngineAction[]): EngineState {
  const next: EngineState = { ...s, state: 'MASTER', since: now, masterdownFrom: null, garpAfterAdverts: 2, pendingTakeover: null };
  out.push({ type: 'state', from: s.state, to: 'MASTER', reason });
  out.push({ type: 'cancel', timer: 'masterdown' });
  // Addresses and ARP before the advert (as ucarp does): when a live master steps down on hearing this
  // advert, clients have already been told where the addresses went, so no packet falls in between.
  out.push({ type: 'addAddresses' });
  out.push({ type: 'garp' });
  out.push(sendNow(next));
  out.push({ type: 'hook', which: 'up' });
  out.push({ type: 'arm', timer: 'advert', ms: advertIntervalMs(s.params) });
  return next;
}

/** Any state -> INIT (link down, stop). A MASTER optionally says goodbye first. */
function becomeInit(s: EngineState, now: number, reason: string, bowOut: boolean, out: EngineAction[]): EngineState {
  const from = s.state;
  if (from === 'INIT') return s;
  out.push({ type: 'state', from, to: 'INIT', reason });
  if (from === 'MASTER') {
    // "I am leaving": the host's own demotion, never the maintenance 255, which maintenance backups
    // read as "another node in maintenance" and would not act on.
    if (bowOut) out.push({ type: 'send', advbase: BOWOUT_ADVBASE, advskew: BOWOUT_ADVSKEW, demote: Math.min(s.params.demote, MAINTENANCE_DEMOTE - 1) });
    out.push({ type: 'cancel', timer: 'advert' });
    out.push({ type: 'removeAddresses' });
    out.push({ type: 'hook', which: 'down' });
  } else {
    out.push({ type: 'cancel', timer: 'masterdown' });
  }
  return { ...s, state: 'INIT', since: now, masterdownFrom: null, garpAfterAdverts: 0, pendingTakeover: null };
}

// ---- elections -----------------------------------------------------------------------------------

/** MASTER hears a peer (docs/protocol.md §5.2): the reason to step down, or null to stay. */
function masterYieldsTo(s: EngineState, a: PeerAdvert): string | null {
  const me = electionValues(s.params);
  const c = compareElection(peerValues(a), me);
  if (c > 0) return null;
  if (s.params.maintenance) return `maintenance: successor ${a.src} heard`;
  if (a.demote < me.demote) return `less demoted master ${describe(a)}; own demote ${me.demote}`;
  if (c < 0) return `preferred master ${describe(a)}`;
  return `master with equal advbase/advskew ${describe(a)}: yielding (kernel tie rule)`;
}

/** BACKUP hears the master (docs/protocol.md §5.3): the reason to take over, or null to keep waiting. */
function backupTakesOver(s: EngineState, a: PeerAdvert): string | null {
  const p = s.params;
  const me = electionValues(p);
  // The sender's advert period (its key, in 1/256 s) is longer than our master-down timeout.
  const timesOut = electionKey(a) > masterDownTicks(p.advbase, effectiveAdvskew(p));
  if (p.maintenance) {
    if (timesOut && isBowOut(a) && a.demote < MAINTENANCE_DEMOTE) return `master ${a.src} bowed out (advbase 255, advskew 255)`;
    return null;
  }
  // Preempt evicts a strictly worse master of the same demotion; a tie never preempts.
  if (p.preempt && a.demote === me.demote && compareElection(me, peerValues(a)) < 0) return `preempting less preferred master ${describe(a)}`;
  if (a.demote > me.demote) return `more demoted master ${describe(a)}; own demote ${me.demote}`;
  if (timesOut) {
    return isBowOut(a) ? `master ${a.src} bowed out (advbase 255, advskew 255)` : `master ${describe(a)}: would time out before its next advert`;
  }
  return null;
}

// ---- step ----------------------------------------------------------------------------------------

export function step(s: EngineState, ev: EngineEvent): StepResult {
  const out: EngineAction[] = [];
  const now = ev.now;
  let n: EngineState = s;

  switch (ev.type) {
    case 'start':
      n = { ...s, running: true, linkUp: true };
      if (n.state === 'INIT') n = becomeBackup(n, now, 'started', out);
      break;

    case 'link':
      if (!ev.up) {
        n = becomeInit({ ...s, linkUp: false }, now, 'link down', false, out);
      } else {
        n = { ...s, linkUp: true };
        if (n.running && n.state === 'INIT') n = becomeBackup(n, now, 'link up', out);
      }
      break;

    case 'stop':
      n = becomeInit({ ...s, running: false }, now, 'stopped', true, out);
      break;

    case 'timer':
      n = onTimer(s, now, ev.timer, out);
      break;

    case 'advert':
      n = onAdvert(s, now, ev.advert, out);
      break;

    case 'params':
      n = onParams(s, now, ev.params, out);
      break;
  }
  return { state: n, actions: out };
}

function onTimer(s: EngineState, now: number, timer: TimerName, out: EngineAction[]): EngineState {
  if (timer === 'masterdown') {
    if (s.state !== 'BACKUP') return s; // stale timer
    if (s.pendingTakeover) return becomeMaster(s, now, `${s.pendingTakeover} (after own skew ${Math.round(skewMs(s.params))} ms)`, out);
    const silent = now - (s.masterdownFrom ?? s.since);
    return becomeMaster(s, now, `master down timer expired (${secs(silent)} without adverts)`, out);
  }
  // advert timer
  if (s.state !== 'MASTER') return s; // stale timer
  out.push(sendNow(s));
  let garpAfterAdverts = s.garpAfterAdverts;
  if (garpAfterAdverts > 0) {
    garpAfterAdverts -= 1;
    if (garpAfterAdverts === 0) out.push({ type: 'garp' });
  }
  out.push({ type: 'arm', timer: 'advert', ms: advertIntervalMs(s.params) });
  return garpAfterAdverts === s.garpAfterAdverts ? s : { ...s, garpAfterAdverts };
}

function onAdvert(s: EngineState, now: number, a: PeerAdvert, out: EngineAction[]): EngineState {
  if (s.state === 'INIT') return s;
  const heard: EngineState = { ...s, lastAdvert: { ...a, at: now } };

  if (s.state === 'MASTER') {
    const reason = masterYieldsTo(s, a);
    if (reason) return becomeBackup(heard, now, reason, out);
    out.push({ type: 'garp' }); // a worse master is about: re-announce our addresses (as ucarp does)
    return heard;
  }

  const reason = backupTakesOver(s, a);
  if (reason) {
    const leaving = isBowOut(a) && a.demote < MAINTENANCE_DEMOTE;
    if (leaving || skewMs(s.params) === 0) return becomeMaster(heard, now, reason, out);
    if (s.pendingTakeover) return heard; // already waiting out the skew: a repeated advert does not postpone it
    out.push({ type: 'arm', timer: 'masterdown', ms: skewMs(s.params) });
    return { ...heard, masterdownFrom: now, pendingTakeover: reason };
  }
  out.push({ type: 'arm', timer: 'masterdown', ms: masterDownMs(s.params) });
  return { ...heard, masterdownFrom: now, pendingTakeover: null };
}

function onParams(s: EngineState, now: number, params: EngineParams, out: EngineAction[]): EngineState {
  const n: EngineState = { ...s, params: { ...params } };
  if (s.state === 'BACKUP') {
    // Keep the deadline relative to the last advert heard, with the new timeout.
    const from = s.masterdownFrom ?? s.since;
    const remaining = Math.max(0, from + masterDownMs(params) - now);
    if (s.pendingTakeover) {
      // A takeover waiting out its skew is decided again under the new parameters (maintenance on,
      // preempt off, ...): if the last advert no longer calls for it, go back to waiting for silence.
      const still = s.lastAdvert ? backupTakesOver(n, s.lastAdvert) : null;
      if (still) return { ...n, pendingTakeover: still };
      out.push({ type: 'arm', timer: 'masterdown', ms: remaining });
      return { ...n, pendingTakeover: null };
    }
    if (masterDownMs(params) !== masterDownMs(s.params)) out.push({ type: 'arm', timer: 'masterdown', ms: remaining });
    return n;
  }
  if (s.state === 'MASTER') {
    const before = wireValues(s);
    const after = wireValues(n);
    const changed = before.advbase !== after.advbase || before.advskew !== after.advskew || before.demote !== after.demote;
    const intervalChanged = advertIntervalMs(params) !== advertIntervalMs(s.params);
    if (changed) out.push(sendNow(n));
    if (changed || intervalChanged) out.push({ type: 'arm', timer: 'advert', ms: advertIntervalMs(params) });
  }
  return n;
}
