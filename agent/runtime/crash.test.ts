// Crash handler: logs the error, releases the VIPs, removes the socket file and exits 1, once.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { crashHandler } from './crash.js';

describe('crash handler', () => {
  it('releases addresses, removes the socket file and exits 1, even when release throws; only once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ar-crash-'));
    try {
      const sock = join(dir, 'agent.sock');
      writeFileSync(sock, '');
      const lines: string[] = [];
      const exits: number[] = [];
      let released = 0;
      const words: string[] = [];
      const h = crashHandler({
        lastWords: (l) => void words.push(l),
        release: () => {
          released++;
          throw new Error('netlink gone');
        },
        socketPath: sock,
        write: (l) => void lines.push(l),
        exit: (c) => void exits.push(c),
      });
      h('uncaught exception', new Error('boom'));
      h('uncaught exception', new Error('again'));
      expect(released).toBe(1);
      expect(existsSync(sock)).toBe(false);
      expect(exits).toEqual([1]);
      expect(lines.join('')).toMatch(/crash \(uncaught exception\): Error: boom/);
      expect(words).toEqual(['crash (uncaught exception): Error: boom']); // for the supervisor's restart reason
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
