// Files a lab keeps in its state dir: the lab's settings (lab.json), the supervisor's status
// (status.json, written only by the supervisor) and the control requests the supervisor executes.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const LabConfigSchema = z.object({
  id: z.number().int().min(0).max(99),
  hosts: z.number().int().min(1),
  stateDir: z.string(),
  rebootDelayMs: z.number().int().min(0),
  /** 1: the LAN; 2: the LAN and a WAN (eth1). Absent in labs made before segments existed. */
  segments: z.number().int().min(1).max(2).default(1),
});
export type LabConfig = z.output<typeof LabConfigSchema>;

export const HostStateSchema = z.enum(['up', 'off', 'rebooting', 'stopping']);
export type HostState = z.infer<typeof HostStateSchema>;

export const HostStatusSchema = z.object({
  state: HostStateSchema,
  initPid: z.number().int().optional(),
  unsharePid: z.number().int().optional(),
  boots: z.number().int(),
  changedAt: z.string(),
});
export type HostStatus = z.infer<typeof HostStatusSchema>;

export const StatusSchema = z.object({
  supervisorPid: z.number().int(),
  ready: z.boolean(),
  hosts: z.record(z.string(), HostStatusSchema),
  /** Control requests done, by request id (the API waits on these). */
  done: z.array(z.string()),
});
export type Status = z.infer<typeof StatusSchema>;

export const ControlActionSchema = z.enum(['reboot', 'poweroff', 'poweron', 'reset']);
export type ControlAction = z.infer<typeof ControlActionSchema>;
export const ControlRequestSchema = z.object({ id: z.string(), host: z.string(), action: ControlActionSchema });
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export const paths = (stateDir: string) => ({
  config: path.join(stateDir, 'lab.json'),
  status: path.join(stateDir, 'status.json'),
  info: path.join(stateDir, 'info.json'),
  ctl: path.join(stateDir, 'ctl'),
  supervisorPid: path.join(stateDir, 'supervisor.pid'),
  supervisorLog: path.join(stateDir, 'supervisor.log'),
});

export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}
