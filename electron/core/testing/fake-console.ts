// The console core over two fake agents (fw1, fw2) for unit tests: no SSH, the real agent link and
// control protocol; everything made is closed after each test. Call at the top of a test file.
import { afterEach } from 'vitest';
import { createConsole, type Console } from '../console.js';
import { fakeFleet, type FakeAgent, type FakeTransport } from './fake-agent.js';

export function useFakeConsoles(): () => { c: Console; agents: FakeAgent[] } {
  let cleanup: Array<() => void> = [];
  afterEach(() => {
    cleanup.forEach((f) => f());
    cleanup = [];
  });
  return () => {
    const f = fakeFleet(2, 100);
    const byName = new Map<string, FakeTransport>(f.transports.map((t) => [t.host.name, t]));
    const c = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)!, link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 } });
    cleanup.push(() => {
      c.close();
      f.net.stop();
    });
    return { c, agents: f.agents };
  };
}
