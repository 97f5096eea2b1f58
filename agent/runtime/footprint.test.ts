// The agent's malloc setting: on Linux with glibc the mmap threshold is fixed, so that the password
// checks' 16 MiB scrypt buffers go back to the system when freed (the footprint bench shows the RSS).
import { describe, expect, it } from 'vitest';
import { limitMallocRetention } from './footprint.js';

describe('limitMallocRetention', () => {
  it('fixes glibc’s mmap threshold here (Linux, glibc), and can be called again', () => {
    expect(process.platform).toBe('linux');
    expect(limitMallocRetention()).toBe(true);
    expect(limitMallocRetention()).toBe(true);
  });
});
