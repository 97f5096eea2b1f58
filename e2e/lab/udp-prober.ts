// The multi-client prober for arpbalance, run inside the client namespace: one UDP socket per client,
// each bound to its own interface and source address (so each client has its own ARP cache, as separate
// machines would), sending `rate` probes a second to TARGET:PORT. The hosts' responders answer with
// their name. Prints `S client seq t` per probe and `R client seq host t` per reply (t: epoch ms).
import koffi from 'koffi';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;

const libc = koffi.load('libc.so.6');
const socket = libc.func('int socket(int, int, int)');
const setsockopt = libc.func('int setsockopt(int, int, int, const void *, uint32_t)');
const bind = libc.func('int bind(int, const void *, uint32_t)');
const sendto = libc.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)');
const recv = libc.func('long recv(int, void *, size_t, int)');

const now = () => performance.timeOrigin + performance.now();

function sockaddr(ip: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(ip.split('.').map(Number)).copy(b, 4);
  return b;
}

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

function main(): void {
  const [target, portArg, rateArg, ...clients] = process.argv.slice(2);
  const port = Number(portArg);
  const rate = Number(rateArg);
  if (!/^198\.1[89]\.\d+\.\d+$/.test(target ?? '') || !(port > 0) || !(rate > 0) || !clients.length) {
    fail('usage: udp-prober.ts <lab ipv4> <port> <rate> <dev,srcip>...');
  }
  const dst = sockaddr(target, port);
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.splice(0).join(''));
  };
  const rx = Buffer.alloc(512);
  const socks = clients.map((c, i) => {
    const [dev, src] = c.split(',');
    const fd = socket(AF_INET, SOCK_DGRAM, 0) as number;
    if (fd < 0) fail(`socket: errno ${koffi.errno()}`);
    const name = Buffer.from(`${dev}\0`);
    if ((setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) as number) < 0) fail(`SO_BINDTODEVICE ${dev}: errno ${koffi.errno()}`);
    const local = sockaddr(src, 0);
    if ((bind(fd, local, 16) as number) < 0) fail(`bind ${src}: errno ${koffi.errno()}`);
    const handle = koffi.node.poll(fd, { readable: true, writable: false, disconnect: false }, () => {
      for (;;) {
        const n = recv(fd, rx, rx.length, MSG_DONTWAIT) as number;
        if (n < 0) {
          if (koffi.errno() !== EAGAIN) out.push(`X ${i} ${koffi.errno()}\n`);
          break;
        }
        // The responder's answer: "<seq> <host>".
        const [seq, host] = rx.subarray(0, n).toString('utf8').split(' ');
        out.push(`R ${i} ${seq} ${host} ${now().toFixed(3)}\n`);
      }
      flush();
    });
    return { fd, handle };
  });
  const intervalMs = 1000 / rate;
  const start = now();
  let round = 0;
  let stopping = false;
  const tick = () => {
    if (stopping) return;
    // Every client sends one probe a round; rounds due (timers fire late) are sent at once.
    do {
      round++;
      const t = now();
      socks.forEach((s, i) => {
        const pkt = Buffer.from(String(round));
        const r = sendto(s.fd, pkt, pkt.length, 0, dst, 16) as number;
        out.push(r < 0 ? `S ${i} ${round} ${t.toFixed(3)} ${koffi.errno()}\n` : `S ${i} ${round} ${t.toFixed(3)}\n`);
      });
    } while (start + round * intervalMs <= now());
    flush();
    setTimeout(tick, Math.max(0, start + round * intervalMs - now()));
  };
  tick();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      for (const s of socks) s.handle.close();
      flush();
      process.exit(0);
    }, 300);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
