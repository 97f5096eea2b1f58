// A firewall's tiny service for the arpbalance lab test: answers each UDP probe to ADDRESS:PORT with
// "<seq> <host>", so the client knows which firewall served it. Run inside the host's namespace, bound
// to the shared address itself (net.ipv4.ip_nonlocal_bind=1 there: the address is on the host only
// while it masters a vhid of the set), so answers come from the address the client asked.
import { createSocket } from 'node:dgram';

const [address, portArg, host] = process.argv.slice(2);
const sock = createSocket('udp4');
sock.on('message', (msg, from) => sock.send(`${msg.toString('utf8').trim()} ${host}`, from.port, from.address));
sock.on('error', (e) => {
  console.error(`udp-responder ${host}: ${e.message}`);
  process.exit(1);
});
sock.bind(Number(portArg), address, () => console.log('ready'));
