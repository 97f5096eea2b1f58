// Entry point of the detached lab supervisor process: `node --import tsx supervisor-main.ts <stateDir>`.
import { superviseLab } from './supervisor.js';

const stateDir = process.argv[2];
if (!stateDir) {
  console.error('usage: supervisor-main.ts <stateDir>');
  process.exit(2);
}
superviseLab(stateDir).catch((err: unknown) => {
  console.error(`carp-lab supervisor: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
