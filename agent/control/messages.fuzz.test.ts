// Fuzz of the control socket's command parser (parseCommandLine, what the server runs on every line):
// random and mutated lines never throw, are refused with code "invalid" and a reason, and valid ones pass.
import { describe, expect, it } from 'vitest';
import { fuzz } from '../testing/fuzz.js';
import { ControlMessageError, MAX_LINE_BYTES, parseCommand, parseCommandLine, utf8Length, type CommandLine } from './messages.js';

const GROUP = { vhid: 7, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'secret', advskew: 50, preempt: true };
const VALID = [
  { id: 1, cmd: 'status' },
  { id: 2, cmd: 'demote', op: 'add', value: -1 },
  { id: 3, cmd: 'maintenance', on: true },
  { id: 4, cmd: 'set', vhid: 7, key: 'advskew', value: 100 },
  { id: 5, cmd: 'apply', config: { groups: [GROUP] }, dryRun: true },
  { id: 6, cmd: 'putGroup', group: GROUP },
  { id: 7, cmd: 'deleteGroup', vhid: 7, interface: 'eth0' },
  { id: 8, cmd: 'rollback', revision: 3 },
].map((c) => JSON.stringify(c));

describe('control socket command parser (fuzz)', () => {
  it('answers every hostile line with a typed refusal, never a throw, and accepts the valid ones', async () => {
    const stats = await fuzz<CommandLine>({
      seed: 0xc0_11,
      valid: VALID,
      count: 3000,
      maxBytes: MAX_LINE_BYTES,
      parse: (line) => parseCommandLine(line),
      refusal: (o) => 'value' in o && !o.value.ok && o.value.error.code === 'invalid' && o.value.error.message.length > 0,
    });
    expect(stats.refused).toBeGreaterThan(1500);
    expect(stats.accepted).toBeGreaterThan(VALID.length);
  });

  it('names the field and keeps the id of a command that fails its schema', () => {
    expect(parseCommandLine('{"id": 9, "cmd": "set", "vhid": 1, "key": "colour", "value": 1}')).toMatchObject({ ok: false, id: 9, error: { message: expect.stringMatching(/^key: /) } });
    expect(parseCommandLine('{"id": 9, "cmd": "reboot"}')).toMatchObject({ ok: false, id: 9, error: { message: expect.stringMatching(/^cmd: /) } });
    expect(parseCommandLine('{"id": 1e400, "cmd": "status"}')).toMatchObject({ ok: false, id: 0 });
    expect(parseCommandLine(`{"id": 1, "cmd": "status", "pad": "${'x'.repeat(MAX_LINE_BYTES)}"}`)).toMatchObject({ ok: false, id: 0, error: { message: expect.stringMatching(/longer than the 1048576 bytes a line may have/) } });
    expect(() => parseCommand('[')).toThrow(ControlMessageError);
  });

  it('counts UTF-8 bytes, not characters, against the limit', () => {
    expect(utf8Length('aé€\u{1F525}', 100)).toBe(1 + 2 + 3 + 4);
    const line = `{"id":1,"cmd":"status","x":"${'é'.repeat(MAX_LINE_BYTES / 2)}"}`; // fewer characters than the limit, more bytes
    expect(line.length).toBeLessThan(MAX_LINE_BYTES);
    expect(parseCommandLine(line)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/longer than/) } });
  });
});
