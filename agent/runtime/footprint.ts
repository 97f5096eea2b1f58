// Keeps the agent's resident memory small (issue 11; e2e/bench footprint): glibc gives big freed blocks
// (the password checks' scrypt buffers) back to the system at once instead of keeping them per thread.
import { libc } from '../net/libc.js';

/** mallopt(3) M_MMAP_THRESHOLD, and the fixed value the agent sets (glibc's initial default, 128 KiB). */
const M_MMAP_THRESHOLD = -3;
export const MMAP_THRESHOLD_BYTES = 128 * 1024;
interface FootprintLibc {
  mallopt(param: number, value: number): number;
}
let fns: FootprintLibc | null = null;
function footprintLibc(): FootprintLibc {
  if (!fns) {
    const lib = libc().koffi.load('libc.so.6');
    fns = {
      mallopt: lib.func('int mallopt(int, int)') as FootprintLibc['mallopt'],
    };
  }
  return fns;
}

/**
 * Fixes glibc's mmap threshold at 128 KiB. Otherwise glibc raises it to the size of the first big block
 * freed, and every later scrypt (the password check: 16 MiB, on libuv's threads) stays in a thread's malloc
 * arena after it is freed: 4 MiB more RSS per group, 122 MiB at 16 groups. Best effort: false where it
 * cannot (no glibc, no koffi), and the agent runs as before.
 */
export function limitMallocRetention(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return footprintLibc().mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) === 1;
  } catch {
    return false;
  }
}
