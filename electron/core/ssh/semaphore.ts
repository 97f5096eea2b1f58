// A counting semaphore with a FIFO queue: limits the channels open at once on one SSH connection.
export class Semaphore {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`channel limit must be at least 1, got ${limit}`);
  }

  get active(): number {
    return this.inUse;
  }
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; release is idempotent. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.inUse++;
        let done = false;
        resolve(() => {
          if (done) return;
          done = true;
          this.inUse--;
          this.waiting.shift()?.();
        });
      };
      if (this.inUse < this.limit) grant();
      else this.waiting.push(grant);
    });
  }
}
