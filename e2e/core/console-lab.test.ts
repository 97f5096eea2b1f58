// Lab test of the shared console-lab set-up itself: a failure inside consoleLab takes its lab down
// (namespaces, links, supervisor) before the error reaches the caller.
import { describe, it, expect, afterAll } from 'vitest';
import { Lab } from '../lab/index.js';
import { consoleLab } from './console-lab.js';

const LAB_ID = 35;

afterAll(async () => {
  await Lab.down(LAB_ID).catch(() => undefined);
});

describe('consoleLab (lab)', () => {
  it('takes the lab down when a step inside it fails, then rethrows', async () => {
    let upWhenFailing = false;
    const failing = consoleLab(LAB_ID, {
      beforeConsole: () => {
        upWhenFailing = true;
        throw new Error('fixssh: injected failure before the console');
      },
    });
    await expect(failing).rejects.toThrow('fixssh: injected failure before the console');
    expect(upWhenFailing).toBe(true); // the lab was up when the failure happened
    expect(await Lab.isUp(LAB_ID)).toBe(false);
  });
});
