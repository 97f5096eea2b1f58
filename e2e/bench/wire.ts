// Adverts on the lab's LAN as the wire saw them: tshark on the LAN bridge (root namespace) records
// every IP protocol 112 packet (CARP or VRRP) with its capture time and source, on this machine's clock.
import { spawn } from 'node:child_process';
import type { Lab } from '../lab/index.js';
import { onCleanup } from './session.js';

export interface Advert {
  /** Capture time, epoch ms. */
  t: number;
  src: string;
}

export interface Capture {
  adverts: Advert[];
  /** Resolves with the first advert from `src` captured after epoch ms `after` (as soon as tshark prints it). */
  next(src: string, after: number, timeoutMs?: number): Promise<Advert>;
  /** Last advert from `src` captured at or before `before`. */
  lastFrom(src: string, before?: number): Advert | undefined;
  /** First advert from `src` captured after `after`. */
  firstFrom(src: string, after: number): Advert | undefined;
  stop(): Promise<void>;
}

/** Starts tshark on the lab's LAN bridge; resolves once it is capturing. */
export function captureAdverts(lab: Lab): Promise<Capture> {
  const bridge = lab.names.lanBridge;
  const child = spawn('tshark', ['-l', '-n', '-i', bridge, '-f', 'ip proto 112', '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'ip.src'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const adverts: Advert[] = [];
  const waiters = new Set<{ src: string; after: number; resolve: (a: Advert) => void }>();
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const [ts, src] = buf.slice(0, i).trim().split('\t');
      buf = buf.slice(i + 1);
      if (!ts || !src) continue;
      const a = { t: Number(ts) * 1000, src };
      adverts.push(a);
      for (const w of [...waiters]) {
        if (w.src === a.src && a.t > w.after) {
          waiters.delete(w);
          w.resolve(a);
        }
      }
    }
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const unregister = onCleanup(`tshark on ${bridge}`, async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  const cap: Capture = {
    adverts,
    next(src, after, timeoutMs = 5000) {
      const seen = adverts.find((a) => a.src === src && a.t > after);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = {
          src,
          after,
          resolve: (a: Advert) => {
            clearTimeout(timer);
            resolve(a);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no advert from ${src} on ${bridge} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    lastFrom(src, before = Infinity) {
      for (let i = adverts.length - 1; i >= 0; i--) if (adverts[i].src === src && adverts[i].t <= before) return adverts[i];
      return undefined;
    },
    firstFrom(src, after) {
      return adverts.find((a) => a.src === src && a.t > after);
    },
    stop: unregister,
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void unregister();
      reject(new Error(`tshark did not start capturing on ${bridge} within 15 s: ${stderr.trim()}`));
    }, 15_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      void unregister();
      reject(new Error(`cannot run tshark (apt-get install tshark): ${e.message}`));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/Capturing on/.test(stderr)) {
        clearTimeout(timer);
        resolve(cap);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`tshark on ${bridge} ended: ${stderr.trim()}`));
    });
  });
}
