// Fuzz of the attach stream's parser (parseAgentMessage: every line the console reads from
// `carp-agent attach`): hostile lines throw only ControlMessageError naming the problem; valid ones pass.
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../../agent/testing/fuzz.js';
import { ControlMessageError, MAX_LINE_BYTES, parseAgentMessage, type AgentMessage } from '../../../agent/control/messages.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';

const g = groupStatus({ vhid: 7, srcip: '198.18.0.1', state: 'MASTER', lastAdvert: { from: '198.18.0.2', advbase: 1, advskew: 100, demote: 0, at: 5 } });
const VALID: AgentMessage[] = [
  snapshot('fw1', [g, groupStatus({ vhid: 8, srcip: '198.18.0.1' })]),
  { type: 'event', event: { kind: 'state', at: 1, vhid: 7, interface: 'eth0', from: 'BACKUP', to: 'MASTER', reason: 'master down timer expired' } },
  { type: 'event', event: { kind: 'group', at: 2, group: g } },
  { type: 'event', event: { kind: 'config', at: 3, revision: 2, added: [7], removed: [], changed: [] } },
  { type: 'heartbeat', at: 4 },
  { type: 'reply', id: 1, ok: true, result: { revision: 2 } },
  { type: 'reply', id: 2, ok: false, error: { code: 'range', message: 'demote would become 300' } },
];

describe('attach stream parser (fuzz)', () => {
  it('throws only ControlMessageError for hostile lines and accepts the valid ones', async () => {
    const stats = await fuzz<AgentMessage>({
      seed: 0xa77,
      valid: VALID.map((m) => JSON.stringify(m)),
      count: 3000,
      maxBytes: MAX_LINE_BYTES,
      parse: parseAgentMessage,
      refusal: (o) => 'threw' in o && o.threw instanceof ControlMessageError && o.threw.problems.length > 0,
    });
    expect(stats.refused).toBeGreaterThan(1500);
    expect(stats.accepted).toBeGreaterThan(VALID.length);
  });

  it('names the field of a bad message of a known type, and the type when it is unknown', () => {
    const bad = (line: string) => {
      try {
        parseAgentMessage(line);
      } catch (e) {
        return (e as ControlMessageError).problems;
      }
      return [];
    };
    expect(bad('{"type":"heartbeat","at":"now"}')).toEqual(['at: Invalid input: expected number, received string']);
    expect(bad('{"type":"reply","id":1,"ok":false,"error":{"code":3,"message":"m"}}')).toEqual(['error.code: Invalid input: expected string, received number']);
    expect(bad('{"type":"gossip"}')[0]).toMatch(/^type: /);
    expect(bad('{"type":"snapshot"')[0]).toMatch(/^the message is not JSON/);
  });
});
