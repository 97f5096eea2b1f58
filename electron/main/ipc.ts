// The Electron IPC binding of ConsoleApi, main-process side: calls on one invoke channel, the event
// stream on another. Sender checks and the size limit are here; validation is the core's dispatcher.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents, WebContentsDidStartNavigationEventParams, WebFrameMain } from 'electron';
import type { ConsoleApi } from '../core/api.js';
import { IPC, MAX_MESSAGE_BYTES, type CallReply } from '../core/contract.js';
import { createDispatcher } from '../core/dispatch.js';
import { eventStream } from '../core/event-stream.js';

export interface IpcBindingOptions {
  readOnly?: boolean;
  /** true only for the main frame of our window showing the app page (app-page.ts appSenderCheck). */
  isTrustedSender(frame: WebFrameMain | null | undefined, sender: WebContents): boolean;
  /** Where refused senders are reported; console.warn by default. */
  warn?: (message: string) => void;
}

export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

const fail = (code: string, message: string): CallReply => ({ ok: false, error: { code, message } });

/** UTF-8 size of the call as JSON; null when it is not JSON (cycles, BigInt). */
function jsonBytes(value: unknown): number | null {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return null;
  }
}

/** Binds ConsoleApi to `ipcMain`; returns unbind (which also ends every event stream). */
export function bindIpc(ipcMain: IpcMainLike, api: ConsoleApi, opts: IpcBindingOptions): () => void {
  const dispatch = createDispatcher(api, { readOnly: opts.readOnly });
  const warn = opts.warn ?? ((m: string) => console.warn(`carp-console: ${m}`));
  /** One event stream per web contents: a reload or a second subscribe replaces it. */
  const streams = new Map<WebContents, () => void>();

  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent, what: string): boolean => {
    let url = '(a frame that is gone)';
    try {
      const frame = event.senderFrame;
      if (frame) url = frame.url;
      if (opts.isTrustedSender(frame, event.sender)) return true;
    } catch {
      /* a disposed frame is not trusted */
    }
    warn(`refused ${what} from ${url}: only the console's own page may use it`);
    return false;
  };

  const onCall = async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<CallReply> => {
    const name = typeof method === 'string' ? method.slice(0, 64) : typeof method;
    try {
      if (!trusted(event, `call ${name}`)) return fail('forbidden', `${name}: refused, this page is not the console's own`);
      const size = jsonBytes({ method, args });
      if (size === null) return fail('invalid', `${name}: the arguments are not plain JSON data`);
      if (size > MAX_MESSAGE_BYTES) return fail('invalid', `${name}: the call is ${size} bytes, more than the ${MAX_MESSAGE_BYTES} accepted`);
      return await dispatch(method, args);
    } catch (e) {
      // Never reject: Electron would hand the renderer a bare Error without our code.
      return fail('failed', e instanceof Error ? e.message : String(e));
    }
  };

  const onSubscribe = (event: IpcMainEvent) => {
    if (!trusted(event, 'subscribe')) return;
    const sender = event.sender;
    streams.get(sender)?.();
    let stopped = false;
    let off: (() => void) | undefined;
    const onNavigate = (details: WebContentsDidStartNavigationEventParams) => {
      if (details.isMainFrame && !details.isSameDocument) stop();
    };
    const stop = () => {
      if (stopped) return;
      stopped = true;
      off?.();
      sender.removeListener('destroyed', stop);
      sender.removeListener('render-process-gone', stop);
      sender.removeListener('did-start-navigation', onNavigate);
      if (streams.get(sender) === stop) streams.delete(sender);
    };
    streams.set(sender, stop);
    sender.once('destroyed', stop);
    sender.once('render-process-gone', stop);
    sender.on('did-start-navigation', onNavigate);
    // Fleets paced and sent as deltas, the rest at once (event-stream.ts). The first event (the fleet)
    // is delivered inside subscribe, before `off` is known: hence `stopped`.
    const events = eventStream((e) => {
      if (stopped) return;
      if (sender.isDestroyed()) return stop();
      try {
        sender.send(IPC.event, e);
      } catch {
        stop();
      }
    });
    const unsubscribe = api.subscribe((e) => events.push(e), { snapshot: true });
    off = () => {
      events.stop();
      unsubscribe();
    };
    if (stopped) off();
  };

  ipcMain.handle(IPC.call, onCall);
  ipcMain.on(IPC.subscribe, onSubscribe);
  return () => {
    ipcMain.removeHandler(IPC.call);
    ipcMain.removeListener(IPC.subscribe, onSubscribe);
    for (const stop of [...streams.values()]) stop();
  };
}
