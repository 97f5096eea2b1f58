// The runtime's link demotion: follows the kernel's links (NetPort.watchLinks, event driven) and the
// interfaces that carry groups, and reports each change of the link demotion (decisions: link-demotion.ts).
import type { LinkWatch, NetPort } from '../net/index.js';
import type { Logger } from './log.js';
import { carriedInterfaces, describeLinkStep, nextLinkDemotion, NO_LINK_DEMOTION, type LinkDemotion, type LinkDemotionStep } from './link-demotion.js';

export interface LinkDemoterOptions {
  net: NetPort;
  log: Logger;
  /** The link demotion changed (already applied to `current`). */
  onDemotion(step: LinkDemotionStep): void;
  /** Some link changed (whether or not the demotion did): the runtime re-checks its interfaces now. */
  onLinks(): void;
  onError(key: string, message: string): void;
}

export class LinkDemoter {
  private watch: LinkWatch | null = null;
  private links: ReadonlyMap<string, boolean> = new Map();
  private carried: string[] = [];
  current: LinkDemotion = NO_LINK_DEMOTION;

  constructor(private readonly o: LinkDemoterOptions) {}

  /** Starts watching (the table is read at once); without a watch (no netlink) the link demotion stays 0. */
  start(groups: ReadonlyArray<{ interface: string }>): void {
    this.carried = carriedInterfaces(groups);
    if (!this.o.net.watchLinks) return;
    try {
      this.watch = this.o.net.watchLinks(
        (links) => {
          this.links = links;
          this.update();
          this.o.onLinks();
        },
        (e) => this.o.onError('link-watch', `link watch: ${e.message}`),
      );
      this.links = this.watch.links();
    } catch (e) {
      this.o.onError('link-watch', `cannot watch link changes (${(e as Error).message}): no link demotion on this host`);
      return;
    }
    this.update();
  }

  /** Is the kernel's link watch running (link changes arrive as events)? */
  get watching(): boolean {
    return this.watch !== null;
  }

  /** The config changed: the interfaces that carry groups may have too. */
  setGroups(groups: ReadonlyArray<{ interface: string }>): void {
    this.carried = carriedInterfaces(groups);
    this.update();
  }

  stop(): void {
    this.watch?.close();
    this.watch = null;
  }

  private update(): void {
    if (!this.watch) return;
    const step = nextLinkDemotion(this.current, this.carried, this.links);
    if (step.adj === 0 && step.raised.length === 0 && step.lowered.length === 0) return;
    this.current = step.next;
    this.o.log.info(describeLinkStep(step));
    this.o.onDemotion(step);
  }
}
