// `carp-agent attach`: bridges stdin -> control socket and socket -> stdout (for SSH exec channels);
// ends when either side closes.
import { createConnection } from 'node:net';
import { connectError } from './client.js';

export function attach(path: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let connected = false;
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (!connected) {
        reject(connectError(path, e));
      } else resolve(0);
    });
    s.once('connect', () => {
      connected = true;
      input.pipe(s);
      s.pipe(output, { end: false });
      input.once('end', () => s.end());
      input.once('close', () => s.end());
    });
    s.once('close', () => {
      input.unpipe(s);
      if (connected) resolve(0);
    });
  });
}
