// carp-console lab: emulated BSD command surface (OpenBSD, FreeBSD): the client the shims exec for writes and unusual
// reads (/opt/bsd-emu/call.js TOOL ARG…): hands argv to the emulation daemon, prints its answer, exits with its status.
import net from 'node:net';
import path from 'node:path';

const TAG = 'carp-console lab: emulated BSD command surface';
const argv = process.argv.slice(2);
const sock = path.join(process.env.BSD_EMU_RUN ?? '/run/bsd-emu', 'emu.sock');
let buf = '';
const c = net.connect(sock, () => c.write(`${JSON.stringify({ argv })}\n`));
c.setEncoding('utf8');
c.on('data', (d: string) => (buf += d));
c.on('error', (e) => {
  process.stderr.write(`${argv[0] ?? 'bsd-emu'}: ${TAG} is not running (${e.message}); see /var/log/bsd-emu.log\n`);
  process.exitCode = 1;
});
c.on('end', () => {
  try {
    const r = JSON.parse(buf) as { stdout: string; stderr: string; code: number };
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  } catch {
    process.stderr.write(`${argv[0] ?? 'bsd-emu'}: ${TAG}: no answer from the emulation daemon; see /var/log/bsd-emu.log\n`);
    process.exitCode = 1;
  }
});
