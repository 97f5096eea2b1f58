// The "by hand" host form: its text fields to the contract's HostSpecInput, and the contract schema's
// issues to one message per field ("Port must be 1..65535").
import type { HostSpecInput } from '../../../electron/core/api.js';

export interface HostForm {
  name: string;
  address: string;
  port: string;
  user: string;
  identityFile: string;
  jump: string;
}

/** Empty optional fields are left out (the core applies ssh's defaults); a non-number port stays as text so the schema names it. */
export function hostInputFrom(f: HostForm): HostSpecInput {
  const port = f.port.trim();
  const n = Number(port);
  return {
    name: f.name.trim(),
    address: f.address.trim(),
    ...(port ? { port: /^\d+$/.test(port) ? n : (port as unknown as number) } : {}),
    ...(f.user.trim() ? { user: f.user.trim() } : {}),
    ...(f.identityFile.trim() ? { identityFiles: [f.identityFile.trim()] } : {}),
    ...(f.jump.trim() ? { jump: f.jump.trim() } : {}),
  };
}

/** zod issues → {field: message}; the first issue per field wins. */
export function fieldErrors(err: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of err.issues) {
    const k = String(i.path[0] ?? '');
    if (!(k in out)) out[k] = i.message;
  }
  return out;
}

/** Checks the form against the contract's own schema; errors are keyed by form field. */
export function validateHostForm(
  f: HostForm,
  schema: { safeParse(v: unknown): { success: true } | { success: false; error: Parameters<typeof fieldErrors>[0] } },
): { input: HostSpecInput; errors: Record<string, string> } {
  const input = hostInputFrom(f);
  const r = schema.safeParse(input);
  const errors = r.success ? {} : fieldErrors(r.error);
  if (errors.identityFiles) errors.identityFile = errors.identityFiles;
  if (f.port.trim() && !/^\d+$/.test(f.port.trim())) errors.port = 'must be a number, 1..65535';
  return { input, errors };
}
