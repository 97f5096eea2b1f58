// carp-console lab: emulated BSD command surface: entry of the emulation daemon bundle (/opt/bsd-emu/daemon.js openbsd|freebsd).
import { main } from './emu-daemon.js';
import { FREEBSD } from './freebsd-flavour.js';
import { OPENBSD } from './openbsd-flavour.js';

const flavour = process.argv[2] ?? 'openbsd';
if (flavour === 'openbsd') main(OPENBSD);
else if (flavour === 'freebsd') main(FREEBSD);
else {
  process.stderr.write(`bsd-emu: unknown flavour "${flavour}" (openbsd or freebsd)\n`);
  process.exit(2);
}
