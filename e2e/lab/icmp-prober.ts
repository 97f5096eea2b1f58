// The probe process, run inside the client namespace: ICMP echo at an exact rate over a Linux
// ping socket (koffi), printing `S seq t` per send and `R seq t` per reply (t: epoch ms, µs precision).
// Unlike iputils ping, it never slows down while nothing answers, so outage edges stay sharp.
import koffi from 'koffi';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const IPPROTO_ICMP = 1;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;

const libc = koffi.load('libc.so.6');
const socket = libc.func('int socket(int domain, int type, int protocol)');
const sendto = libc.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
const recv = libc.func('long recv(int fd, void *buf, size_t len, int flags)');

const now = () => performance.timeOrigin + performance.now();

function main(): void {
  const [target, rateArg] = process.argv.slice(2);
  const rate = Number(rateArg);
  const parts = (target ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)) || !(rate > 0)) {
    console.error('usage: icmp-prober.ts <ipv4> <rate>');
    process.exit(2);
  }
  const fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) as number;
  if (fd < 0) {
    console.error(`cannot open an ICMP ping socket (errno ${koffi.errno()}): set net.ipv4.ping_group_range="0 0" in this namespace`);
    process.exit(1);
  }
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(AF_INET, 0);
  Buffer.from(parts).copy(addr, 4);
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.splice(0).join(''));
  };
  const rx = Buffer.alloc(2048);
  const handle = koffi.node.poll(fd, { readable: true, writable: false, disconnect: false }, () => {
    for (;;) {
      const n = recv(fd, rx, rx.length, MSG_DONTWAIT) as number;
      if (n < 0) {
        if (koffi.errno() !== EAGAIN) out.push(`X ${koffi.errno()}\n`);
        break;
      }
      if (n >= 8 && rx[0] === 0) out.push(`R ${rx.readUInt16BE(6)} ${now().toFixed(3)}\n`);
    }
    flush();
  });
  const intervalMs = 1000 / rate;
  const start = now();
  let seq = 0;
  let stopping = false;
  const pkt = Buffer.alloc(64);
  const sendOne = () => {
    seq++;
    pkt.fill(0);
    pkt[0] = 8; // echo request; the kernel sets id and checksum on ping sockets
    pkt.writeUInt16BE(seq & 0xffff, 6);
    const t = now();
    pkt.writeDoubleBE(t, 8);
    const r = sendto(fd, pkt, pkt.length, 0, addr, 16) as number;
    out.push(r < 0 ? `S ${seq} ${t.toFixed(3)} ${koffi.errno()}\n` : `S ${seq} ${t.toFixed(3)}\n`);
  };
  const tick = () => {
    if (stopping) return;
    // Send every probe that is due (timers fire late at high rates), then sleep until the next.
    do sendOne();
    while (start + seq * intervalMs <= now());
    flush();
    setTimeout(tick, Math.max(0, start + seq * intervalMs - now()));
  };
  tick();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Wait a little for replies still in flight, then report the end.
    setTimeout(() => {
      handle.close();
      out.push(`E ${seq} ${now().toFixed(3)}\n`);
      flush();
      process.exit(0);
    }, 200);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
