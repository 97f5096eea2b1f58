// One WebSocket connection of the web shell: frames in (validated, dispatched), replies and the event
// stream out, with a bound on what a slow client may leave buffered. Never throws at the server.
import type { WebSocket, RawData } from 'ws';
import type { ConsoleApi } from '../core/api.js';
import { MAX_MESSAGE_BYTES, WsClientMessageSchema, type WsServerMessage } from '../core/contract.js';
import type { Dispatcher } from '../core/dispatch.js';
import type { ConsoleEvent } from '../core/events.js';
import { describeIssues } from '../../agent/config/schema.js';

export interface SessionOptions {
  api: ConsoleApi;
  dispatch: Dispatcher;
  /** Close the socket (1013) once this much output waits unsent. */
  maxBufferedBytes: number;
}

const invalid = (id: number, message: string): WsServerMessage => ({ id, reply: { ok: false, error: { code: 'invalid', message } } });

/** The id of a frame that failed validation, if it has a usable one (else -1). */
function readableId(v: unknown): number {
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
}

export function runSession(ws: WebSocket, opts: SessionOptions): void {
  let unsubscribe: (() => void) | null = null;
  let closing = false;
  const stopEvents = (): void => {
    const u = unsubscribe;
    unsubscribe = null;
    u?.();
  };

  const send = (m: WsServerMessage): void => {
    if (closing || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > opts.maxBufferedBytes) {
      closing = true;
      stopEvents();
      ws.close(1013, 'client too slow: too much output unread; reconnect');
      setTimeout(() => ws.terminate(), 2000).unref();
      return;
    }
    ws.send(JSON.stringify(m));
  };

  const onFrame = async (data: RawData, isBinary: boolean): Promise<void> => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) return send(invalid(-1, 'frames must be JSON text, not binary'));
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      if (buf.length <= MAX_MESSAGE_BYTES) return send(invalid(-1, `frame is not JSON: ${(e as Error).message}`));
    }
    if (buf.length > MAX_MESSAGE_BYTES) {
      return send(invalid(readableId(msg), `frame is ${buf.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`));
    }
    const parsed = WsClientMessageSchema.safeParse(msg);
    if (!parsed.success) {
      // Name what is wrong against the variant the frame was meant to be, not "Invalid input".
      const [call, sub] = WsClientMessageSchema.options;
      const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as object) : null;
      const meant = obj && 'subscribe' in obj && !('method' in obj) ? sub : call;
      const r = meant.safeParse(msg);
      const why = !obj ? 'it is not a JSON object' : r.success ? 'unexpected shape' : describeIssues(r.error).join('; ');
      return send(invalid(readableId(msg), `a frame must be {id, method, args} or {subscribe: true}: ${why}`));
    }
    const m = parsed.data;
    if ('subscribe' in m) {
      if (unsubscribe || closing) return;
      // The snapshot arrives inside subscribe(): the socket may already be closing when it returns.
      const stop = opts.api.subscribe((event: ConsoleEvent) => {
        try {
          send({ event });
        } catch {
          /* an event that cannot be sent is dropped for this client only */
        }
      }, { snapshot: true });
      if (closing) stop();
      else unsubscribe = stop;
      return;
    }
    send({ id: m.id, reply: await opts.dispatch(m.method, m.args) });
  };

  ws.on('message', (data, isBinary) => {
    onFrame(data, isBinary).catch((e) => send(invalid(-1, `frame could not be handled: ${(e as Error).message}`)));
  });
  ws.on('close', () => {
    closing = true;
    stopEvents();
  });
  ws.on('error', () => ws.terminate());
}
