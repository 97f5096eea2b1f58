// OpenBSD's net.inet.carp.allow for the agent (`carp-agent allow on|off [--persist]`): off = this host
// takes no part in CARP. Hitless: it first hands over where it is MASTER the way maintenance does (bow-out
// adverts, addresses kept until the successor is heard), then stops every group (no adverts, received
// adverts ignored, no VIP). On starts them again. Not kept across a restart unless persisted (state.json).
import type { AllowStatus } from '../control/messages.js';
import type { CarpState } from '../control/messages.js';

/** What the switch needs from the runtime around it. */
export interface AllowHost {
  /** The running groups' states and advert periods (advbase, s). */
  groups(): { state: CarpState; advbase: number }[];
  /** Engine parameters changed (leaving = maintenance-style bow-out): every group takes them now. */
  refreshParams(): void;
  /** Stops every group (a MASTER still there bows out and drops its addresses) and keeps them stopped. */
  park(): Promise<void>;
  /** Starts the parked groups again (the runtime's link poll starts every group not running). */
  unpark(): void;
  /** Writes state.json with `allow` (false) or without it (undefined); throws when it cannot. */
  persist(allow: false | undefined): void;
  log(msg: string): void;
  changed(status: AllowStatus): void;
}

/** How long a MASTER waits for its successor before it stops anyway (nobody there to take over). */
export function handoverDeadlineMs(advbases: number[]): number {
  return Math.max(0, ...advbases.map((b) => 3 * b * 1000)) + 2000;
}

export class AllowSwitch {
  private allowedNow: boolean;
  private leavingNow = false;
  private persistedOff: boolean;
  /** Bumped by every `set`: a leave that is overtaken (allow on meanwhile) stops where it is. */
  private generation = 0;

  constructor(
    private readonly host: AllowHost,
    initial: { allowed: boolean; persistedOff: boolean },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly now: () => number = Date.now,
  ) {
    this.allowedNow = initial.allowed;
    this.persistedOff = initial.persistedOff;
  }

  /** Groups may run (false only once the hand-over is done). */
  get allowed(): boolean {
    return this.allowedNow;
  }
  /** Handing its masters over before it stops: engines run with maintenance parameters. */
  get leaving(): boolean {
    return this.leavingNow;
  }

  status(): AllowStatus {
    return { allowed: this.allowedNow && !this.leavingNow, leaving: this.leavingNow, persistedOff: this.persistedOff };
  }

  /**
   * on: groups start again (a persisted off is cleared: CARP comes back after a restart too). off: hand over,
   * then stop; with `persist` state.json keeps it off. Resolves with the status when done (off: once every
   * group is stopped). Throws (nothing changed) when state.json cannot be written.
   */
  async set(on: boolean, persist: boolean): Promise<AllowStatus> {
    const gen = ++this.generation;
    if (on) {
      if (this.persistedOff) {
        this.host.persist(undefined);
        this.persistedOff = false;
      }
      if (this.leavingNow) {
        this.leavingNow = false;
        this.host.refreshParams();
        this.host.log('allow on: the hand-over is abandoned, every group keeps running');
      } else if (!this.allowedNow) {
        this.allowedNow = true;
        this.host.unpark();
        this.host.log('allow on: CARP runs again (every group starts as BACKUP)');
      }
      this.host.changed(this.status());
      return this.status();
    }
    if (persist && !this.persistedOff) {
      this.host.persist(false);
      this.persistedOff = true;
    }
    if (!this.allowedNow || this.leavingNow) {
      this.host.changed(this.status());
      return this.status(); // already off (or on its way)
    }
    this.leavingNow = true;
    this.host.log(`allow off${this.persistedOff ? ' (persisted in state.json)' : ' (until the agent restarts)'}: handing over where this host is MASTER, then CARP stops`);
    this.host.refreshParams();
    this.host.changed(this.status());
    const masters = () => this.host.groups().filter((g) => g.state === 'MASTER');
    const deadline = this.now() + handoverDeadlineMs(masters().map((g) => g.advbase));
    while (masters().length > 0 && this.now() < deadline) {
      await this.sleep(20);
      if (gen !== this.generation && !this.leavingNow) return this.status(); // allow on came meanwhile
    }
    if (gen !== this.generation && !this.leavingNow) return this.status();
    const left = masters().length;
    if (left > 0) this.host.log(`allow off: no successor was heard for ${left} group(s) within the hand-over time: stopping anyway (bow-out sent, addresses removed)`);
    this.allowedNow = false;
    this.leavingNow = false;
    await this.host.park();
    this.host.log('allow off: CARP stopped (no adverts sent, adverts received are ignored, no virtual address held)');
    this.host.changed(this.status());
    return this.status();
  }
}
