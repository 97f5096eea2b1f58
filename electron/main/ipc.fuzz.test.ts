// Fuzz of the Electron IPC boundary (bindIpc's call handler: size limit, then the contract's schemas in
// the dispatcher): random and mutated calls always resolve to {ok:false, code invalid} or a result,
// never reject or throw, and valid calls reach the core.
import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { fuzz } from '../../agent/testing/fuzz.js';
import { IPC, MAX_MESSAGE_BYTES, type CallReply } from '../core/contract.js';
import { VALID_CALLS, stubApi } from '../core/testing/fuzz-calls.js';
import { bindIpc, type IpcMainLike } from './ipc.js';

type Handler = (event: IpcMainInvokeEvent, method: unknown, args: unknown) => Promise<CallReply>;

function boundHandler(): Handler {
  let handler: Handler | undefined;
  const ipcMain = {
    handle: (channel: string, h: Handler) => channel === IPC.call && (handler = h),
    removeHandler: () => {},
    on: () => {},
    removeListener: () => {},
  } as unknown as IpcMainLike;
  bindIpc(ipcMain, stubApi(), { isTrustedSender: () => true, warn: () => {} });
  return handler!;
}

describe('IPC call handler (fuzz)', () => {
  it('answers every hostile call with a typed refusal and passes the valid ones to the core', async () => {
    const call = boundHandler();
    const event = { senderFrame: { url: 'file:///app' }, sender: {} } as unknown as IpcMainInvokeEvent;
    let reachedCore = 0;
    const stats = await fuzz<CallReply>({
      seed: 0x1bc,
      valid: VALID_CALLS.map((c) => JSON.stringify(c)),
      count: 2500,
      maxBytes: MAX_MESSAGE_BYTES,
      // Electron hands main a structured clone of what the page sent: JSON data is what can arrive.
      parse: async (text) => {
        let v: { method?: unknown; args?: unknown } | null;
        try {
          v = JSON.parse(text) as typeof v;
        } catch {
          v = { method: text.slice(0, 100), args: [text] };
        }
        const r = await call(event, v?.method, v?.args);
        if (r.ok) reachedCore++;
        return r;
      },
      refusal: (o) => 'value' in o && !o.value.ok && o.value.error.code === 'invalid' && /^\S.*\S$/s.test(o.value.error.message),
    });
    expect(stats.refused).toBeGreaterThan(1000);
    expect(reachedCore).toBeGreaterThanOrEqual(VALID_CALLS.length);
  });

  it('refuses an oversize call by its size before validating it', async () => {
    const call = boundHandler();
    const event = { senderFrame: { url: 'file:///app' }, sender: {} } as unknown as IpcMainInvokeEvent;
    const r = await call(event, 'importHosts', [{ text: 'x'.repeat(MAX_MESSAGE_BYTES) }]);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/more than the 2097152 accepted/) } });
  });
});
