// `npm start`: the embedded default. Brings up a lab of three firewalls (lab id 0), deploys the agent
// to them with carpctl, applies a demo CARP group, shows it, then follows the fleet's events live.
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const carpctlBin = fileURLToPath(new URL('../../bin/carpctl.js', import.meta.url));
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
  await new Promise((r) => setTimeout(r, 4000)); // one master-down interval: let the election settle
  step('carpctl status');
  carpctl('status');

  const cc = `npx carpctl --inventory ${inventory}`;
  process.stdout.write(`
Try, in another terminal (as root):
  ${cc} status
  ${cc} maintenance enter fw1 --reboot --wait     # demote before reboot, proven
  ${cc} set fw1 1 advskew 200                     # fw1 less preferred: fw3 (advskew 50, preempt) takes over
  ssh -F ${lab.info.sshConfigFile} fw1 carp-agent status
  npm run lab -- probe 198.18.0.100 --seconds 10  # the VIP as a client sees it
  npm run lab -- cut fw1 ; npm run lab -- heal fw1
When done: npm run lab -- down

== carpctl events --follow (Ctrl-C stops following; the lab stays up)
`);
  const follow = spawn(process.execPath, [carpctlBin, '--inventory', inventory, 'events', '--follow'], { cwd: root, stdio: 'inherit' });
  process.on('SIGINT', () => follow.kill('SIGINT'));
  follow.on('exit', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`carp-console demo: ${(e as Error).message}\n`);
  process.exit(2);
});
