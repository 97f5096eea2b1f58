// `npm start`: the embedded default. Brings up a lab of three firewalls (lab id 0), deploys the agent
// to them with carpctl, applies a demo CARP group, shows it, then opens the console on the lab (the
// Electron window where its binary is installed, else the web console, whose URL it prints).
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/index.js';
import { sleep } from '../wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const carpctlBin = fileURLToPath(new URL('../../bin/carpctl.js', import.meta.url));
const launcher = fileURLToPath(new URL('../../electron/launch.ts', import.meta.url));
const groupFile = fileURLToPath(new URL('./group.yaml', import.meta.url));
const LAB_ID = 0;

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`carp-console demo: \`${[cmd, ...args].join(' ')}\` failed (exit ${r.status ?? r.signal}); see above\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  step('building the agent bundle');
  must('npm', ['run', '-s', 'build']);

  step(`lab ${LAB_ID}: three firewalls fw1..fw3`);
  const lab = (await Lab.isUp(LAB_ID)) ? Lab.attach(LAB_ID) : await Lab.up({ id: LAB_ID, hosts: 3 });
  const inventory = `${lab.stateDir}/info.json`; // the JSON `npm run lab -- up --json` prints
  for (const h of lab.info.hosts) process.stdout.write(`${h.name}  ssh root@${h.address}  (LAN ${h.lanAddress})\n`);
  const carpctl = (...args: string[]) => must(process.execPath, [carpctlBin, '--inventory', inventory, ...args]);

  step('carpctl deploy');
  carpctl('deploy');
  step(`carpctl group apply ${groupFile}`);
  carpctl('group', 'apply', groupFile);
  await sleep(4000); // one master-down interval: let the election settle
  step('carpctl status');
  carpctl('status');

  const cc = `npx carpctl --inventory ${inventory}`;
  process.stdout.write(`
In the console: Groups shows vhid 1 with its master and successor; open fw1 and run "Demote before
reboot" while a probe runs in another terminal (as root):
  npm run lab -- probe 198.18.0.100 --seconds 60   # the VIP as a client sees it, 100 probes/s
The same from the command line:
  ${cc} maintenance enter fw1 --reboot --wait     # demote before reboot, proven
  ${cc} set fw1 1 advskew 200                     # fw1 less preferred: fw3 (advskew 50, preempt) takes over
  npm run lab -- freeze fw2 node ; npm run lab -- thaw fw2   # fw2's agent goes silent: UNKNOWN in the console
When done: Ctrl-C here, then npm run lab -- down

== opening the console (Ctrl-C stops it; the lab stays up)
`);
  const app = spawn(process.execPath, ['--import', 'tsx', launcher, '--inventory', inventory], { cwd: root, stdio: 'inherit' });
  process.on('SIGINT', () => app.kill('SIGINT'));
  process.on('SIGTERM', () => app.kill('SIGTERM'));
  app.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((e) => {
  process.stderr.write(`carp-console demo: ${(e as Error).message}\n`);
  process.exit(2);
});
