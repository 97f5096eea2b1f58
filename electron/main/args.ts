// The Electron shell's own command line: --inventory FILE (or --inventory=FILE) and --read-only.
// Anything else (Chromium switches, the app path) is left alone.
export interface ShellArgs {
  inventory?: string;
  readOnly: boolean;
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const out: ShellArgs = { readOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--read-only') out.readOnly = true;
    else if (a === '--inventory' && argv[i + 1] !== undefined) out.inventory = argv[++i];
    else if (a.startsWith('--inventory=')) out.inventory = a.slice('--inventory='.length);
  }
  return out;
}
