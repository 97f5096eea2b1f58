// One WebSocket connection of the web shell: frames in (validated, dispatched), replies and the event
// stream out, with a bound on what a slow client may leave buffered. Never throws at the server.
import type { WebSocket, RawData } from 'ws';
import type { ConsoleApi } from '../core/api.js';
import { MAX_MESSAGE_BYTES, WsClientMessageSchema, type WsClientMessage, type WsServerMessage } from '../core/contract.js';
import type { Dispatcher } from '../core/dispatch.js';
import type { ConsoleEvent } from '../core/events.js';
import { describeIssues } from '../../agent/config/schema.js';
import { eventStream } from '../core/event-stream.js';

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
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
}

export type FrameParse = { ok: true; msg: WsClientMessage } | { ok: false; id: number; message: string };

/**
 * The one parser of a client frame: size first (MAX_MESSAGE_BYTES, before any parsing), then JSON, then
 * the contract's schema for the kind of frame it is ({subscribe} or a call), whose problems name the field.
 */
export function parseWsFrame(buf: Buffer, isBinary: boolean): FrameParse {
  if (isBinary) return { ok: false, id: -1, message: 'frames must be JSON text, not binary' };
  if (buf.length > MAX_MESSAGE_BYTES) {
    // Not parsed: only a leading "id" (as the renderer's client writes it) is read, so that call gets its answer.
    const id = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(buf.subarray(0, 64).toString('latin1'));
    return { ok: false, id: id ? Number(id[1]) : -1, message: `frame is ${buf.length} bytes; the limit is ${MAX_MESSAGE_BYTES}` };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    return { ok: false, id: -1, message: `frame is not JSON: ${(e as Error).message.slice(0, 160)}` };
  }
  const shape = 'a frame must be {id, method, args} or {subscribe: true}';
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { ok: false, id: -1, message: `${shape}: it is not a JSON object` };
  // Name what is wrong against the kind the frame is meant to be, not "Invalid input" of the union.
  const [call, sub] = WsClientMessageSchema.options;
  const schema = 'subscribe' in msg && !('method' in msg) ? sub : call;
  const r = schema.safeParse(msg);
  if (!r.success) return { ok: false, id: readableId(msg), message: `${shape}: ${describeIssues(r.error).join('; ')}` };
  return { ok: true, msg: r.data };
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
    const parsed = parseWsFrame(buf, isBinary);
    if (!parsed.ok) return send(invalid(parsed.id, parsed.message));
    const m = parsed.msg;
    if ('subscribe' in m) {
      if (unsubscribe || closing) return;
      // The snapshot arrives inside subscribe(): the socket may already be closing when it returns.
      // fleets paced and sent as deltas, the rest at once (event-stream.ts)
      const events = eventStream((event) => {
        try {
          send({ event });
        } catch {
          /* an event that cannot be sent is dropped for this client only */
        }
      });
      const unsubscribeEvents = opts.api.subscribe((event: ConsoleEvent) => events.push(event), { snapshot: true });
      const stop = (): void => {
        events.stop();
        unsubscribeEvents();
      };
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
