// The one contract between the UI and the console core: every ConsoleApi method with the schema of
// its arguments and whether it changes anything. The Electron IPC binding, the WebSocket binding and
// the renderer's client are all derived from this map (dispatch.ts, client.ts); adding a method means
// one entry here and its implementation in console.ts. Imports nothing from Node: the renderer uses it.
import { z } from 'zod';
import type { ConsoleApi } from './api.js';
import { GroupFileSchema } from './commands/balanced-spec.js';

const HostName = z.string().min(1, 'must name a host').max(253, 'is longer than 253 characters');
const OpId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1..64 letters, digits or _.:-');
const Vhid = z.number().int().min(1, 'must be 1..255').max(255, 'must be 1..255');
const Op = z.object({ op: OpId.optional() }).strict();
/** SHA256:base64 as ssh-keygen -l prints it. */
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:… fingerprint as ssh-keygen -l prints it');

/** A host added by hand (ConsoleApi.addHost): the inventory's own fields, defaults applied by the core. */
export const HostInputSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be 1..63 letters, digits or _.- (starting with a letter or digit)'),
    address: z.string().regex(/^[A-Za-z0-9:._%-]{1,253}$/, 'must be a host name or an IPv4/IPv6 address'),
    port: z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535').optional(),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a user name such as root').optional(),
    identityFiles: z.array(z.string().min(1).max(4096)).max(16).optional(),
    jump: z.string().min(1).max(512).optional(),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  })
  .strict();

/** 1 MiB is far more than any ssh_config or Ansible inventory; more is refused, not read. */
export const MAX_IMPORT_TEXT = 1 << 20;
export const ImportSourceSchema = z.union([
  z.object({ path: z.string().min(1, 'must name a file').max(4096) }).strict(),
  z.object({ text: z.string().min(1, 'is empty').max(MAX_IMPORT_TEXT, `is larger than ${MAX_IMPORT_TEXT} bytes`), name: z.string().max(256).optional() }).strict(),
]);

const none = z.tuple([]);

/** `mutates`: refused in read-only mode. A function decides from the (validated) arguments. */
export interface MethodSpec {
  args: z.ZodTuple;
  mutates: boolean | ((args: never) => boolean);
}

export const CONTRACT = {
  info: { args: none, mutates: false },
  hosts: { args: none, mutates: false },
  fleet: { args: none, mutates: false },
  inventory: { args: none, mutates: false },
  addHost: { args: z.tuple([HostInputSchema]), mutates: true },
  importHosts: { args: z.tuple([ImportSourceSchema]), mutates: true },
  removeHost: { args: z.tuple([HostName]), mutates: true },
  deploy: { args: z.tuple([z.array(HostName).max(10_000).optional(), Op.extend({ parallel: z.boolean().optional() }).strict().optional()]), mutates: true },
  applyGroup: {
    args: z.tuple([GroupFileSchema, Op.extend({ dryRun: z.boolean().optional() }).strict().optional()]),
    mutates: (a: [unknown, { dryRun?: boolean }?]) => !a[1]?.dryRun,
  },
  deleteGroup: {
    args: z.tuple([Vhid, Op.extend({ dryRun: z.boolean().optional(), segment: z.string().max(64).optional() }).strict().optional()]),
    mutates: (a: [unknown, { dryRun?: boolean }?]) => !a[1]?.dryRun,
  },
  set: {
    args: z.tuple([HostName, Vhid, z.enum(['advskew', 'advbase', 'preempt']), z.union([z.number().int().min(0).max(255), z.boolean()])]),
    mutates: true,
  },
  demote: { args: z.tuple([HostName, z.enum(['set', 'add']), z.number().int().min(-255).max(255)]), mutates: true },
  maintenanceEnter: {
    args: z.tuple([
      HostName,
      Op.extend({ reboot: z.boolean().optional(), wait: z.boolean().optional(), force: z.boolean().optional(), autoExit: z.boolean().optional() }).strict().optional(),
    ]),
    mutates: true,
  },
  maintenanceExit: { args: z.tuple([HostName]), mutates: true },
  /** net.inet.carp.allow on one host: off hands over where it is master, then stops CARP there; persist keeps it off across restarts. */
  allow: { args: z.tuple([HostName, z.boolean(), z.object({ persist: z.boolean().optional() }).strict().optional()]), mutates: true },
  /** net.inet.carp.log on one host: the syslog level of its CARP messages (0..7) until its agent restarts. */
  setLog: { args: z.tuple([HostName, z.number().int().min(0, 'must be a syslog level 0..7').max(7, 'must be a syslog level 0..7')]), mutates: true },
  /** Asking which key a host presents changes nothing; confirming a fingerprint records it. */
  trustHostKey: { args: z.tuple([HostName, Fingerprint.optional()]), mutates: (a: [string, string?]) => a[1] !== undefined },
  history: {
    args: z.tuple([
      z.object({ from: z.number().finite(), to: z.number().finite().optional(), hosts: z.array(HostName).max(10_000).optional(), groups: z.array(z.string().max(128)).max(10_000).optional(), limit: z.number().int().min(1).max(50_000).optional(), prelude: z.boolean().optional() }).strict(),
    ]),
    mutates: false,
  },
} satisfies Record<Method, MethodSpec>;

/** Every ConsoleApi method the bindings carry (the event stream, `subscribe`, is carried separately). */
export type Method = Exclude<keyof ConsoleApi, 'subscribe'>;
export const METHODS = Object.keys(CONTRACT) as Method[];

/** The arguments as they arrive after validation must fit the method: checked here by the compiler. */
type Parsed<K extends Method> = z.output<(typeof CONTRACT)[K]['args']>;
const _argsFit: { [K in Method]: (...args: Parsed<K>) => unknown } = null as unknown as ConsoleApi;
void _argsFit;

/** The reply to one call over a transport (errors as {code, message}, never a stack trace). */
export type CallReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** What a renderer holds: ConsoleApi, every method a remote call; subscribe always starts with the fleet. */
export type ConsoleClient = Pick<ConsoleApi, Method> & { subscribe(listener: Parameters<ConsoleApi['subscribe']>[0]): () => void };

/** The largest message either transport accepts (a group spec or an import is far smaller). */
export const MAX_MESSAGE_BYTES = 2 << 20;

/** Electron IPC channel names (main and preload both import them). */
export const IPC = { call: 'carp:call', subscribe: 'carp:subscribe', event: 'carp:event' } as const;

/** WebSocket frames, client → server: a call with its id, or the start of the event stream. */
export const WsClientMessageSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), method: z.string().max(64), args: z.array(z.unknown()).max(8) }).strict(),
  z.object({ subscribe: z.literal(true) }).strict(),
]);
export type WsClientMessage = z.infer<typeof WsClientMessageSchema>;
/**
 * What a binding carries to a page: the core's events, except that a fleet travels as a FleetUpdate
 * (the whole fleet first, then deltas: fleet/delta.ts); createClient turns them back into 'fleet' events.
 */
export type WireEvent =
  | Exclude<import('./events.js').ConsoleEvent, { type: 'fleet' }>
  | { type: 'fleet-update'; at: number; update: import('./fleet/delta.js').FleetUpdate };

/** WebSocket frames, server → client: the reply to call `id`, or one event. */
export type WsServerMessage = { id: number; reply: CallReply } | { event: WireEvent };
