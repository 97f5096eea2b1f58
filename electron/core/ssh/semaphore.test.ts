// The channel limiter: never more than N at once, FIFO order, idempotent release.
import { describe, it, expect } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('limits and queues in order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const p3 = s.acquire().then((r) => (order.push(3), r));
    const p4 = s.acquire().then((r) => (order.push(4), r));
    await Promise.resolve();
    expect({ active: s.active, queued: s.queued, order }).toEqual({ active: 2, queued: 2, order: [] });
    r1();
    r1(); // idempotent: must not free a second slot
    const r3 = await p3;
    expect({ active: s.active, queued: s.queued, order }).toEqual({ active: 2, queued: 1, order: [3] });
    r2();
    (await p4)();
    r3();
    expect({ active: s.active, queued: s.queued, order }).toEqual({ active: 0, queued: 0, order: [3, 4] });
    expect(() => new Semaphore(0)).toThrow(/at least 1/);
  });
});
