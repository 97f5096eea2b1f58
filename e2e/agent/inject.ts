// Fault injection for lab tests: sends the given Ethernet frames (hex) out of an interface with AF_PACKET.
// Usage (inside a namespace): tsx e2e/agent/inject.ts eth0 HEX [HEX...]
import { sendFrame } from '../../agent/net/arp.js';
import { sleep } from '../wait.js';

const [ifname, ...frames] = process.argv.slice(2);
if (!ifname || frames.length === 0) {
  process.stderr.write('usage: inject.ts IFNAME HEXFRAME...\n');
  process.exit(2);
}
for (const hex of frames) {
  sendFrame(ifname, Buffer.from(hex, 'hex'));
  await sleep(30);
}
