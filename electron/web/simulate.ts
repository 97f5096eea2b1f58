// `npm run serve -- --simulate HxG`: the console core on a simulated fleet (fake agents, no SSH), with a
// slow churn of master changes so the board moves. For scale work and the console-ui bench only.
import { createConsole, type Console, type ConsoleOptions } from '../core/console.js';
import { simFleet, type SimFleet, type SimSize } from '../core/testing/sim-fleet.js';

export interface SimulatedConsole {
  console: Console;
  sim: SimFleet;
  close(): void;
}

/** The console on `size` simulated hosts and groups; `churnMs` > 0 flips one random group that often;
 * `history`: keep one (the console-ui-screens bench seeds a busy one); without it history() is unavailable. */
export function openSimulatedConsole(size: SimSize, o: { churnMs?: number; heartbeatMs?: number; history?: ConsoleOptions['history'] } = {}): SimulatedConsole {
  const sim = simFleet(size, o.heartbeatMs ?? 1000);
  const byName = new Map(sim.transports.map((t) => [t.host.name, t]));
  const c = createConsole({
    hosts: sim.transports.map((t) => t.host),
    transport: (h) => {
      const t = byName.get(h.name);
      if (!t) throw new Error(`${h.name} is not a simulated host`);
      return t;
    },
    info: { version: '0.0.0-simulated', knownHostsFile: '/dev/null' },
    ...(o.history ? { history: o.history } : {}),
  });
  const churn = o.churnMs ? setInterval(() => sim.flip(Math.floor(Math.random() * size.groups)), o.churnMs) : null;
  return {
    console: c,
    sim,
    close() {
      if (churn) clearInterval(churn);
      c.close();
      sim.stop();
    },
  };
}
