// `npm run lab -- <command>`: the lab from the command line (same code as the API in index.ts).
import { Lab, LabError, labIdFrom, type LabInfo } from './index.js';
import { defaultStateDir } from './names.js';
import { preflight } from './preflight.js';

const USAGE = `usage: npm run lab -- <command> [--id N] [--state-dir DIR] [--json]
  up [--hosts N] [--segments 2] [--reboot-delay-ms MS]
                                          create fw1..fwN, the LAN, management net and client;
                                          --segments 2 adds a WAN bridge with every host's eth1 on it
  status                                  hosts, their state, sshd and LAN link
  down [--purge]                          remove everything the lab made (idempotent)
  exec HOST CMD...                        run a command inside a host
  reboot HOST | power-off HOST | power-on HOST
  cut HOST | heal HOST                    LAN link down / up
  cut-wan HOST | heal-wan HOST            WAN link (eth1) down / up, with --segments 2
  cut-mgmt HOST | heal-mgmt HOST          management link down / up (the console loses the host, CARP does not)
  loss HOST PERCENT                       drop PERCENT % of inbound LAN frames (0 removes)
  freeze HOST NAME | thaw HOST [NAME]     SIGSTOP / SIGCONT processes named NAME
  partition fw1,fw2 fw3 ...               hosts on different sides stop hearing each other
  heal-all                                remove every fault
  probe VIP [--rate 100] [--seconds 5]    ICMP probes from the client namespace
The lab id also comes from CARP_LAB_ID (default 0).`;

interface Args {
  cmd: string;
  pos: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['id', 'hosts', 'segments', 'state-dir', 'rate', 'seconds', 'reboot-delay-ms']);

export function parseArgs(argv: string[]): Args {
  const pos: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) flags.set(k, v);
      else if (VALUE_FLAGS.has(k)) {
        const next = argv[++i];
        if (next === undefined) throw new LabError(`--${k} needs a value`);
        flags.set(k, next);
      } else flags.set(k, true);
    } else pos.push(a);
  }
  const [cmd = 'help', ...rest] = pos;
  return { cmd, pos: rest, flags };
}

function num(a: Args, flag: string, dflt?: number): number | undefined {
  const v = a.flags.get(flag);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new LabError(`--${flag} needs a number, got ${String(v)}`);
  return n;
}

function need(a: Args, i: number, what: string): string {
  const v = a.pos[i];
  if (v === undefined) throw new LabError(`${a.cmd} needs ${what}\n${USAGE}`);
  return v;
}

function printInfo(info: LabInfo, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(info));
    return;
  }
  console.log(`lab ${info.id} up: ${info.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}`);
  console.log(`LAN ${info.lan.cidr} on bridge ${info.lan.bridge}; client ${info.client.namespace} ${info.client.address}`);
  if (info.wan) console.log(`WAN ${info.wan.cidr} on bridge ${info.wan.bridge} (eth1 on every host)`);
  console.log(`log in: ssh -F ${info.sshConfigFile} fw1`);
}

export async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const json = a.flags.has('json');
  if (a.cmd === 'help' || a.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const id = labIdFrom(num(a, 'id'));
  const stateDir = (a.flags.get('state-dir') as string | undefined) ?? defaultStateDir(id);
  switch (a.cmd) {
    case 'up': {
      const lab = await Lab.up({ id, hosts: num(a, 'hosts', 3), segments: num(a, 'segments', 1), stateDir, rebootDelayMs: num(a, 'reboot-delay-ms') });
      printInfo(lab.info, json);
      return 0;
    }
    case 'down': {
      const r = await Lab.down(id, { stateDir, purge: a.flags.has('purge') });
      if (json) console.log(JSON.stringify(r));
      else console.log(`lab ${id} down: removed ${r.netns.length} namespaces, ${r.links.length} links, ${r.killed} processes`);
      return 0;
    }
    case 'status': {
      preflight();
      const up = await Lab.isUp(id, stateDir);
      if (!up) {
        if (json) console.log(JSON.stringify({ id, up: false }));
        else console.log(`lab ${id} is down`);
        return 0;
      }
      const lab = Lab.attach(id, { stateDir });
      const hosts = await lab.hostStatus();
      if (json) console.log(JSON.stringify({ ...lab.info, up: true, status: hosts }));
      else {
        printInfo(lab.info, false);
        for (const h of hosts) console.log(`  ${h.name}: ${h.state} (boots ${h.boots}) sshd ${h.sshd ? 'answers' : 'silent'}, LAN ${h.lanLink}${h.wanLink ? `, WAN ${h.wanLink}` : ''}`);
      }
      return 0;
    }
  }
  preflight();
  const lab = Lab.attach(id, { stateDir });
  switch (a.cmd) {
    case 'exec': {
      const host = need(a, 0, 'a host');
      const r = await lab.exec(host, a.pos.slice(1).join(' '));
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code ?? 1;
    }
    case 'reboot':
      await lab.reboot(need(a, 0, 'a host'));
      break;
    case 'power-off':
      await lab.powerOff(need(a, 0, 'a host'));
      break;
    case 'power-on':
      await lab.powerOn(need(a, 0, 'a host'));
      break;
    case 'cut':
      await lab.cut(need(a, 0, 'a host'));
      break;
    case 'heal':
      await lab.heal(need(a, 0, 'a host'));
      break;
    case 'cut-wan':
      await lab.cutWan(need(a, 0, 'a host'));
      break;
    case 'heal-wan':
      await lab.healWan(need(a, 0, 'a host'));
      break;
    case 'cut-mgmt':
      await lab.cutMgmt(need(a, 0, 'a host'));
      break;
    case 'heal-mgmt':
      await lab.healMgmt(need(a, 0, 'a host'));
      break;
    case 'loss': {
      const pct = Number(need(a, 1, 'a percentage'));
      await lab.loss(need(a, 0, 'a host'), pct);
      break;
    }
    case 'freeze': {
      const pids = await lab.freeze(need(a, 0, 'a host'), need(a, 1, 'a process name'));
      console.log(`stopped ${pids.join(' ')}`);
      break;
    }
    case 'thaw': {
      const pids = await lab.thaw(need(a, 0, 'a host'), a.pos[1]);
      console.log(`continued ${pids.join(' ') || 'nothing'}`);
      break;
    }
    case 'partition': {
      if (a.pos.length < 2) throw new LabError('partition needs at least two sides, e.g. `partition fw1,fw2 fw3`');
      await lab.partition(a.pos.map((s) => s.split(',').filter(Boolean)));
      break;
    }
    case 'heal-all':
      await lab.healAll();
      break;
    case 'probe': {
      const vip = need(a, 0, 'a VIP');
      const r = await lab.probe(vip, { rate: num(a, 'rate', 100), seconds: num(a, 'seconds', 5) });
      if (json) console.log(JSON.stringify(r));
      else {
        console.log(`${r.target}: ${r.sent} sent, ${r.received} received, ${r.lost} lost, longest gap ${r.longestGapMs} ms` +
          (r.firstLossAtMs !== undefined ? ` (losses from ${r.firstLossAtMs} to ${r.lastLossAtMs} ms)` : ''));
      }
      break;
    }
    default:
      throw new LabError(`unknown command ${a.cmd}\n${USAGE}`);
  }
  return 0;
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0');
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof LabError) {
        console.error(`lab: ${err.message}`);
        process.exit(2);
      }
      console.error(`lab: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
