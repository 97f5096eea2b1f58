// An in-memory ipcMain/ipcRenderer pair for tests, because the Electron binary cannot run here: a
// page's invoke reaches the ipcMain.handle handler with an event whose sender and senderFrame the
// test controls, and webContents.send reaches that page's ipcRenderer.on listeners. Messages are
// structured-cloned and delivered asynchronously, as Electron does; a reload gives a fresh page.
import { EventEmitter } from 'node:events';
import type { IpcRenderer, WebContents } from 'electron';
import type { IpcMainLike } from '../ipc.js';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
let nextId = 1;
const tick = () => new Promise<void>((r) => setImmediate(r));

/** Electron's message for what structured clone refuses (functions, symbols...). */
function clone<T>(v: T): T {
  try {
    return structuredClone(v);
  } catch {
    throw new Error('An object could not be cloned.');
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  frameTreeNodeId: number;
  processId: number;
  routingId: number;
}

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly emitter = new EventEmitter();
  handle(channel: string, fn: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, fn: (...a: unknown[]) => void): this {
    this.emitter.on(channel, fn);
    return this;
  }
  removeListener(channel: string, fn: (...a: unknown[]) => void): this {
    this.emitter.removeListener(channel, fn);
    return this;
  }
  /** As bindIpc's parameter type (the fake returns itself where Electron returns IpcMain). */
  get asIpcMain(): IpcMainLike {
    return this as unknown as IpcMainLike;
  }
}

/** The ipcRenderer of one page (or one iframe of it). */
export class FakeRenderer {
  private readonly listeners = new EventEmitter();
  /** Every invoke that left this page, in order. */
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  constructor(
    private readonly main: FakeIpcMain,
    readonly contents: FakeWebContents,
    readonly frame: FakeFrame,
  ) {}
  private event(): Record<string, unknown> {
    const wc = this.contents;
    return { sender: wc, senderFrame: wc.isDestroyed() ? null : this.frame, frameId: this.frame.routingId, processId: this.frame.processId, type: 'frame' };
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const sent = clone(args);
    this.invoked.push({ channel, args: sent });
    await tick();
    const handler = this.main.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    try {
      return clone(await handler(this.event(), ...sent));
    } catch (e) {
      throw new Error(`Error invoking remote method '${channel}': ${String(e)}`);
    }
  }
  send(channel: string, ...args: unknown[]): void {
    const sent = clone(args);
    const event = this.event();
    setImmediate(() => this.main.emitter.emit(channel, event, ...sent));
  }
  on(channel: string, fn: (...a: any[]) => void): this {
    this.listeners.on(channel, fn);
    return this;
  }
  removeListener(channel: string, fn: (...a: any[]) => void): this {
    this.listeners.removeListener(channel, fn);
    return this;
  }
  listenerCount(channel: string): number {
    return this.listeners.listenerCount(channel);
  }
  /** Main → this page (webContents.send). */
  deliver(channel: string, args: unknown[]): void {
    this.listeners.emit(channel, { sender: this }, ...args);
  }
  get asIpcRenderer(): IpcRenderer {
    return this as unknown as IpcRenderer;
  }
}

/** One window's web contents: its main frame, the page now shown, navigation and destruction. */
export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: FakeFrame;
  page: FakeRenderer;
  private destroyed = false;
  /** Messages sent to the renderer (channel, args), whether or not a page listened. */
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  constructor(
    private readonly main: FakeIpcMain,
    url: string,
  ) {
    super();
    this.mainFrame = { url, parent: null, frameTreeNodeId: nextId++, processId: nextId++, routingId: nextId++ };
    this.page = new FakeRenderer(main, this, this.mainFrame);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const sent = clone(args);
    this.sent.push({ channel, args: sent });
    const page = this.page;
    setImmediate(() => {
      if (this.page === page && !this.destroyed) page.deliver(channel, sent);
    });
  }
  /** A main-frame navigation (or reload): the old page and its listeners are gone, a new one starts. */
  load(url: string): FakeRenderer {
    this.emit('did-start-navigation', { url, isMainFrame: true, isSameDocument: false, frame: this.mainFrame, preventDefault() {} });
    this.mainFrame.url = url;
    this.page = new FakeRenderer(this.main, this, this.mainFrame);
    return this.page;
  }
  reload(): FakeRenderer {
    return this.load(this.mainFrame.url);
  }
  /** An iframe in the page, with its own ipcRenderer. */
  iframe(url: string): FakeRenderer {
    return new FakeRenderer(this.main, this, { url, parent: this.mainFrame, frameTreeNodeId: nextId++, processId: this.mainFrame.processId, routingId: nextId++ });
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  get asWebContents(): WebContents {
    return this as unknown as WebContents;
  }
}

export function fakeIpc(): { main: FakeIpcMain; window(url: string): FakeWebContents } {
  const main = new FakeIpcMain();
  return { main, window: (url) => new FakeWebContents(main, url) };
}
