// Fuzz of the WebSocket boundary (parseWsFrame: size before parsing, JSON, the contract's frame schema;
// then the dispatcher for calls): hostile frames get an "invalid" answer naming the problem, valid ones pass.
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../agent/testing/fuzz.js';
import { MAX_MESSAGE_BYTES, type CallReply } from '../core/contract.js';
import { createDispatcher } from '../core/dispatch.js';
import { VALID_CALLS, stubApi } from '../core/testing/fuzz-calls.js';
import { parseWsFrame } from './ws-session.js';

const dispatch = createDispatcher(stubApi());

describe('WebSocket frame parser (fuzz)', () => {
  it('refuses every hostile frame with a reason and dispatches the valid ones', async () => {
    const stats = await fuzz<CallReply | 'subscribed'>({
      seed: 0x3e6,
      valid: [...VALID_CALLS.map((c, i) => JSON.stringify({ id: i, ...c })), '{"subscribe":true}'],
      count: 3000,
      maxBytes: MAX_MESSAGE_BYTES,
      parse: async (text) => {
        const f = parseWsFrame(Buffer.from(text, 'utf8'), false);
        if (!f.ok) return { ok: false, error: { code: 'invalid', message: f.message } };
        return 'subscribe' in f.msg ? 'subscribed' : dispatch(f.msg.method, f.msg.args);
      },
      refusal: (o) => 'value' in o && o.value !== 'subscribed' && !o.value.ok && o.value.error.code === 'invalid' && o.value.error.message.length > 10,
    });
    expect(stats.refused).toBeGreaterThan(1500);
    expect(stats.accepted).toBeGreaterThan(VALID_CALLS.length);
  });

  it('checks the size before parsing, keeping a leading id so the call gets its answer', () => {
    const big = Buffer.from(JSON.stringify({ id: 9, method: 'importHosts', args: [{ text: 'x'.repeat(MAX_MESSAGE_BYTES) }] }));
    expect(parseWsFrame(big, false)).toEqual({ ok: false, id: 9, message: `frame is ${big.length} bytes; the limit is ${MAX_MESSAGE_BYTES}` });
    expect(parseWsFrame(Buffer.from('[' + ' '.repeat(MAX_MESSAGE_BYTES)), false)).toMatchObject({ ok: false, id: -1, message: expect.stringMatching(/^frame is \d+ bytes/) });
    expect(parseWsFrame(Buffer.from('{"id":3,"method":"fleet","args":{}}'), false)).toMatchObject({ ok: false, id: 3, message: expect.stringMatching(/args: /) });
    expect(parseWsFrame(Buffer.from('{"__proto__":{"polluted":1},"subscribe":true}'), false)).toMatchObject({ ok: false, message: expect.stringMatching(/__proto__/) });
  });
});
