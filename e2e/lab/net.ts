// The lab's networks: LAN and management bridges, one netns per host and the client, veth links.
// Also discovery by name (for `down` after a crash) and per-link state for `status`.
import { writeFileSync } from 'node:fs';
import { ipBatch, mustRun, run } from './run.js';
import { isOurLink, isOurNetns, labMac, type LabNames } from './names.js';
import { sleep } from '../wait.js';

export async function listNetns(): Promise<string[]> {
  const out = await mustRun('ip', ['-o', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => !!n);
}

export async function listLinks(netns?: string): Promise<string[]> {
  const args = netns ? ['-n', netns, '-o', 'link', 'show'] : ['-o', 'link', 'show'];
  const out = await mustRun('ip', args);
  const names: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)[@:]/.exec(line);
    if (m) names.push(m[1]);
  }
  return names;
}

export async function ourNetns(prefix: string): Promise<string[]> {
  return (await listNetns()).filter((n) => isOurNetns(prefix, n));
}

export async function ourLinks(prefix: string): Promise<string[]> {
  return (await listLinks()).filter((l) => isOurLink(prefix, l));
}

function disableIpv6(link: string): void {
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, '1');
  } catch {
    /* IPv6 may be absent: nothing to quiet */
  }
}

/** Builds every bridge, namespace and link of the lab. Throws on the first failure (caller runs down). */
export async function createNetworks(n: LabNames): Promise<void> {
  const root: string[] = [
    `link add ${n.lanBridge} type bridge mcast_snooping 0 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0`,
    `link add ${n.mgmtBridge} type bridge nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0`,
    `addr add ${n.rootMgmtAddress}/24 dev ${n.mgmtBridge}`,
  ];
  // The second segment (--segments 2): a WAN bridge like the LAN's, every host's eth1 on it.
  if (n.wan) root.push(`link add ${n.wan.bridge} type bridge mcast_snooping 0 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0`);
  const nsList = [...n.hosts.map((h) => h.netns), n.clientNetns];
  for (const ns of nsList) await mustRun('ip', ['netns', 'add', ns]);
  for (const h of n.hosts) {
    root.push(
      `link add ${h.lanVeth} type veth peer name ${h.lanVeth}p netns ${h.netns}`,
      `link add ${h.mgmtVeth} type veth peer name ${h.mgmtVeth}p netns ${h.netns}`,
      `link set ${h.lanVeth} master ${n.lanBridge}`,
      `link set ${h.mgmtVeth} master ${n.mgmtBridge}`,
    );
    if (h.wan && n.wan) root.push(`link add ${h.wan.veth} type veth peer name ${h.wan.veth}p netns ${h.netns}`, `link set ${h.wan.veth} master ${n.wan.bridge}`);
  }
  root.push(
    `link add ${n.clientVeth} type veth peer name ${n.clientVeth}p netns ${n.clientNetns}`,
    `link set ${n.clientVeth} master ${n.lanBridge}`,
  );
  await ipBatch(root);
  const wanLinks = n.wan ? [n.wan.bridge, ...n.hosts.flatMap((h) => (h.wan ? [h.wan.veth] : []))] : [];
  for (const l of [n.lanBridge, n.mgmtBridge, ...n.hosts.flatMap((h) => [h.lanVeth, h.mgmtVeth]), n.clientVeth, ...wanLinks]) {
    disableIpv6(l);
  }
  await ipBatch([
    `link set ${n.lanBridge} up`,
    `link set ${n.mgmtBridge} up`,
    ...n.hosts.flatMap((h) => [`link set ${h.lanVeth} up`, `link set ${h.mgmtVeth} up`]),
    `link set ${n.clientVeth} up`,
    ...wanLinks.map((l) => `link set ${l} up`),
  ]);
  for (const h of n.hosts) {
    await quietNetns(h.netns);
    await ipBatch(
      [
        `link set ${h.lanVeth}p name eth0`,
        `link set ${h.mgmtVeth}p name mgmt0`,
        `link set eth0 address ${h.lanMac}`,
        `addr add ${h.lanAddress}/24 dev eth0`,
        `addr add ${h.mgmtAddress}/24 dev mgmt0`,
        `link set lo up`,
        `link set eth0 up`,
        `link set mgmt0 up`,
        ...(h.wan
          ? [`link set ${h.wan.veth}p name eth1`, `link set eth1 address ${h.wan.mac}`, `addr add ${h.wan.address}/24 dev eth1`, `link set eth1 up`]
          : []),
      ],
      h.netns,
    );
  }
  await quietNetns(n.clientNetns);
  // The prober uses an unprivileged ICMP ping socket: allow it for root in the client namespace.
  await mustRun('ip', ['netns', 'exec', n.clientNetns, 'sysctl', '-qw', 'net.ipv4.ping_group_range=0 0']);
  await ipBatch(
    [
      `link set ${n.clientVeth}p name eth0`,
      `link set eth0 address ${labMac(n.id, 0xfa)}`,
      `addr add ${n.clientAddress}/24 dev eth0`,
      `link set lo up`,
      `link set eth0 up`,
    ],
    n.clientNetns,
  );
}

/** No IPv6 chatter inside lab namespaces: CARP here is IPv4 and captures stay readable. */
async function quietNetns(ns: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
}

/** Kills every process in our namespaces, deletes the namespaces and our root links. Idempotent. */
export async function destroyNetworks(prefix: string): Promise<{ netns: string[]; links: string[]; killed: number }> {
  const nss = await ourNetns(prefix);
  let killed = 0;
  for (let round = 0; round < 5; round++) {
    let found = 0;
    for (const ns of nss) {
      const r = await run('ip', ['netns', 'pids', ns]);
      for (const p of r.stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(p), 'SIGKILL');
          found++;
        } catch {
          /* already gone */
        }
      }
    }
    killed += found;
    if (found === 0) break;
    await sleep(50);
  }
  for (const ns of nss) await run('ip', ['netns', 'del', ns]);
  const links = await ourLinks(prefix);
  for (const l of links) await run('ip', ['link', 'del', l]);
  return { netns: nss, links, killed };
}

export async function linkIsUp(link: string): Promise<boolean> {
  const r = await run('ip', ['-o', 'link', 'show', link]);
  return r.code === 0 && /[<,]UP[,>]/.test(r.stdout);
}
