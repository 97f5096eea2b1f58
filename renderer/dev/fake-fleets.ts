// Dev harness only: realistic fleets for looking at the screens, built with the core's own buildFleet
// from agent snapshots (fw1..fw3, group 198.18.0.0/24#1 "lan-gateway"). Not a test of the core.
import type { ForeignAdvert, GroupStatus, InterfaceReport, Snapshot } from '../../agent/control/messages.js';
import { buildFleet } from '../../electron/core/fleet/build-fleet.js';
import type { Fleet, HostReport, HostStatus } from '../../electron/core/fleet/types.js';
import { preflight, type Preflight } from '../../electron/core/maintenance/decide.js';
import { groupStatus, snapshot } from '../../electron/core/testing/snapshots.js';
import { passwordCheckSync } from '../../agent/config/password-check.js';
import type { HostSpec } from '../../electron/core/transport.js';

export const BUILT_AT = Date.now();
const OS = 'Debian GNU/Linux 12 (bookworm), Linux 6.1.0-28-amd64';
const LAN = '198.18.0.0/24';

interface HostState {
  status?: HostStatus;
  error?: string;
  lastSeenAgo?: number;
  maintenance?: boolean;
  demote?: number;
  startedAt?: number;
  noSnapshot?: boolean;
  hostKey?: 'unknown' | 'changed';
  /** Another group password than the others' (the fleet shows only "password differs"). */
  password?: string;
  /** Protocol-112 senders its agent heard (VRRP routers, ucarp peers). */
  foreign?: ForeignAdvert[];
  /** OpenBSD's link demotion: interfaces carrying groups without link. */
  linkDemotion?: Snapshot['linkDemotion'];
  /** net.inet.carp.allow. */
  allow?: Snapshot['allow'];
}

/** What each lab host reports: eth0 on the LAN, eth1 on the WAN (fw2's link down), eth2 without IPv4. */
function interfaces(n: number): InterfaceReport[] {
  const mac = (i: number) => `52:54:00:0${i}:00:0${n}`;
  return [
    { name: 'eth0', addresses: [`198.18.0.${n}/24`], segments: [LAN], up: true, mac: mac(0) },
    { name: 'eth1', addresses: [`198.18.1.${n}/24`], segments: ['198.18.1.0/24'], up: n !== 2, mac: mac(1) },
    { name: 'eth2', addresses: [], segments: [], up: false, mac: mac(2) },
  ];
}

type Role = { state: GroupStatus['state']; advskew: number };

function lan(n: number, role: Role, h: HostState, extra: Partial<GroupStatus> = {}): GroupStatus {
  const inMaint = !!h.maintenance;
  return groupStatus({
    vhid: 1,
    name: 'lan-gateway',
    segment: LAN,
    srcip: `198.18.0.${n}`,
    addresses: ['198.18.0.100/24'],
    state: role.state,
    advskew: role.advskew,
    wireAdvskew: inMaint ? 240 : role.advskew,
    wireAdvbase: 1,
    demote: h.demote ?? 0,
    since: BUILT_AT - 3_600_000,
    sent: role.state === 'MASTER' ? 3581 : 12,
    received: role.state === 'MASTER' ? 9 : 3570,
    drops: n === 2 ? { hmac: 2, ttl: 1 } : {},
    ...(h.password ? { passwordCheck: passwordCheckSync(1, h.password, ['198.18.0.100/24']) } : {}),
    ...extra,
  });
}

function report(host: string, n: number, groups: GroupStatus[], h: HostState = {}): HostReport {
  const status = h.status ?? 'live';
  return {
    host,
    status,
    lastSeen: h.lastSeenAgo === undefined ? BUILT_AT : h.lastSeenAgo < 0 ? 0 : BUILT_AT - h.lastSeenAgo,
    ...(h.error ? { error: h.error } : {}),
    ...(h.hostKey ? { hostKey: h.hostKey } : {}),
    ...(h.noSnapshot
      ? {}
      : {
          snapshot: snapshot(host, groups, {
            demote: h.demote ?? 0,
            maintenance: !!h.maintenance,
            interfaces: interfaces(n),
            ...(h.foreign ? { foreign: h.foreign } : {}),
            ...(h.linkDemotion ? { linkDemotion: h.linkDemotion } : {}),
            ...(h.allow ? { allow: h.allow } : {}),
            agent: {
              version: '0.1.0',
              hostname: host,
              pid: 400 + n,
              startedAt: h.startedAt ?? BUILT_AT - 86_400_000,
              uptimeMs: 86_400_000,
              configPath: '/etc/carp-agent/config.json',
              configRevision: 4,
              os: OS,
            },
          }),
        }),
  };
}

const M = (advskew: number): Role => ({ state: 'MASTER', advskew });
const B = (advskew: number): Role => ({ state: 'BACKUP', advskew });

/** The lab: fw1 MASTER advskew 0, fw3 BACKUP 50, fw2 BACKUP 100 → successor fw3. */
function lab(o: { fw1?: [Role, HostState?]; fw2?: [Role, HostState?]; fw3?: [Role, HostState?]; extra?: Record<string, GroupStatus[]> } = {}): Fleet {
  const [r1, h1 = {}] = o.fw1 ?? [M(0)];
  const [r2, h2 = {}] = o.fw2 ?? [B(100)];
  const [r3, h3 = {}] = o.fw3 ?? [B(50)];
  return buildFleet(
    [
      report('fw1', 1, [lan(1, r1, h1), ...(o.extra?.fw1 ?? [])], h1),
      report('fw2', 2, [lan(2, r2, h2), ...(o.extra?.fw2 ?? [])], h2),
      report('fw3', 3, [lan(3, r3, h3), ...(o.extra?.fw3 ?? [])], h3),
    ],
    BUILT_AT,
  );
}

const FP = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
export const FINGERPRINT = FP;

function wan(n: number, state: GroupStatus['state'], advskew: number): GroupStatus {
  return groupStatus({ vhid: 2, name: 'wan-uplink', segment: '198.18.1.0/24', interface: 'eth1', srcip: `198.18.1.${n}`, addresses: ['198.18.1.100/24'], state, advskew, since: BUILT_AT - 60_000 });
}
function dmz(n: number, state: GroupStatus['state'], advskew: number): GroupStatus {
  return groupStatus({ vhid: 3, name: 'dmz', segment: '198.18.2.0/24', interface: 'eth2', srcip: `198.18.2.${n}`, addresses: ['198.18.2.100/24'], state, advskew, since: BUILT_AT - 60_000 });
}

/** Wall mode's look: more groups on their own segments (vhid 4 voip, 5 mgmt, 6 storage). */
function other(vhid: number, name: string, net: number, n: number, state: GroupStatus['state'], advskew: number): GroupStatus {
  const seg = `198.18.${net}`;
  return groupStatus({ vhid, name, segment: `${seg}.0/24`, interface: `eth${net}`, srcip: `${seg}.${n}`, addresses: [`${seg}.100/24`], state, advskew, since: BUILT_AT - 60_000 });
}

function wallFleet(fw2Silent: boolean): Fleet {
  return lab({
    ...(fw2Silent ? { fw2: [B(100), { status: 'stale', lastSeenAgo: 12_000 }] as [Role, HostState] } : {}),
    extra: {
      fw1: [wan(1, 'MASTER', 0), other(4, 'voip', 3, 1, 'MASTER', 0), other(5, 'mgmt', 4, 1, 'BACKUP', 100), other(6, 'storage', 5, 1, 'MASTER', 0)],
      fw2: [wan(2, 'BACKUP', 100), dmz(2, 'BACKUP', 100)],
      fw3: [dmz(3, fw2Silent ? 'BACKUP' : 'MASTER', 50), other(4, 'voip', 3, 3, 'BACKUP', 50), other(5, 'mgmt', 4, 3, 'MASTER', 0), other(6, 'storage', 5, 3, 'BACKUP', 50)],
    },
  });
}

/** A keepalived VRRPv2 router (router id 2) on the LAN, heard by every lab host. */
const VRRP_2: ForeignAdvert[] = [
  { interface: 'eth0', segment: LAN, kind: 'vrrp', version: 2, id: 2, from: '198.18.0.9', count: 3600, firstAt: BUILT_AT - 3_600_000, lastAt: BUILT_AT - 400, priority: 100, intervalMs: 1000, addresses: ['198.18.0.200'] },
];

export const FLEETS: Record<string, Fleet> = {
  normal: lab(),
  /** The lab with a VRRP router on its LAN (router id 2): the editor keeps vhid 2 out of its suggestion and warns on it. */
  vrrp: lab({ fw1: [M(0), { foreign: VRRP_2 }], fw2: [B(100), { foreign: VRRP_2 }], fw3: [B(50), { foreign: VRRP_2 }] }),
  /** The CARP knobs on the Fleet screen: fw2's WAN link down (link demotion 1), CARP turned off on fw3 (allow off). */
  knobs: lab({ fw2: [B(100), { linkDemotion: { demote: 1, down: ['eth1'] } }], fw3: [{ state: 'INIT', advskew: 50 }, { allow: { allowed: false, leaving: false, persistedOff: true } }] }),
  'fw2-stale': lab({ fw2: [B(100), { status: 'stale', lastSeenAgo: 12_000, error: 'no line from the agent for 3.1 s' }] }),
  'fw2-unknown-key': lab({
    fw2: [
      B(100),
      {
        status: 'unreachable',
        lastSeenAgo: -1,
        noSnapshot: true,
        hostKey: 'unknown',
        error: `fw2 (198.18.0.2:22) presented an unknown ssh-ed25519 host key ${FP}; confirm the fingerprint with the host's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host) before trusting it (carpctl trust fw2 --fingerprint ${FP})`,
      },
    ],
    fw3: [B(50), { status: 'no-agent', error: 'carp-agent is not installed (no /run/carp-agent.sock): deploy it', lastSeenAgo: -1, noSnapshot: true }],
  }),
  /** More groups and what goes wrong with them: a group without master, a stuck demotion (with its fix). */
  degraded: lab({
    fw2: [B(100), { demote: 3 }],
    extra: { fw1: [wan(1, 'MASTER', 0)], fw2: [wan(2, 'BACKUP', 100), dmz(2, 'BACKUP', 100)], fw3: [dmz(3, 'BACKUP', 50)] },
  }),
  /** After "Enter maintenance" on fw1: fw3 took over, reported by fw3's own agent. */
  'fw1-maint': lab({ fw1: [B(0), { maintenance: true, demote: 255 }], fw3: [M(50)] }),
  /** fw1 rebooting: unreachable. */
  'fw1-down': lab({ fw1: [B(0), { status: 'unreachable', maintenance: true, demote: 255, lastSeenAgo: 2000, error: 'connect ECONNREFUSED 198.18.0.1:22' }], fw3: [M(50)] }),
  /** fw1 answers SSH after the reboot, but its agent does not. */
  'fw1-no-agent': lab({ fw1: [B(0), { status: 'no-agent', maintenance: true, demote: 255, lastSeenAgo: 4000, error: 'carp-agent does not answer on /run/carp-agent.sock' }], fw3: [M(50)] }),
  /** fw1 back after the reboot: a new agent process, still in maintenance. */
  'fw1-back': lab({ fw1: [B(0), { maintenance: true, demote: 255, startedAt: BUILT_AT + 5000 }], fw3: [M(50)] }),
  /** fw1 left maintenance, not yet MASTER again. */
  'fw1-exiting': lab({ fw1: [B(0), { startedAt: BUILT_AT + 5000 }], fw3: [M(50)] }),
  /** Back in service: fw1 preempted, MASTER again. */
  'fw1-returned': lab({ fw1: [M(0), { startedAt: BUILT_AT + 5000 }] }),
  /** fw2 and fw3 tied (both advskew 100): either may win; fw3 runs another password. */
  'tie-password': lab({ fw3: [B(100), { password: 'another one' }] }),
  /** Wall mode: six groups; fw2 silent for 12 s (its groups' tiles stale), dmz without a master, wan not redundant. */
  wall: wallFleet(true),
  /** The same six groups, all live and redundant (dmz mastered by fw3). */
  'wall-calm': wallFleet(false),
  /** Nobody can take over from fw1: fw3 unreachable, fw2 stale. */
  'no-successor': lab({
    fw2: [B(100), { status: 'stale', lastSeenAgo: 45_000 }],
    fw3: [B(50), { status: 'unreachable', lastSeenAgo: 300_000, error: 'connect ETIMEDOUT 198.18.0.3:22' }],
  }),
};

export const PREFLIGHT: Record<string, Preflight> = { fw1: preflight(FLEETS.normal, 'fw1'), 'fw1-no-successor': preflight(FLEETS['no-successor'], 'fw1') };

export const INVENTORY: HostSpec[] = [1, 2, 3].map((n) => ({ name: `fw${n}`, address: `198.18.0.${n}`, port: 22, user: 'root', identityFiles: ['~/.ssh/id_ed25519'], tags: [] }));
