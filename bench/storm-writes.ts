/**
 * The outbox benches' storm: `perChannel` writes in each of `channels` channels (`<prefix>000`, …), one incident a
 * channel (its root post, then replies), in arrival order as in a storm: the notifications of all alarms
 * interleaved.
 */
import type { OutboxWrite } from '../src/ports.js';

export function stormWrites(
  prefix: string,
  channels: number,
  perChannel: number,
): { channels: string[]; writes: OutboxWrite[] } {
  const names = Array.from({ length: channels }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const writes: OutboxWrite[] = [];
  for (let n = 0; n < perChannel; n += 1) {
    for (const channel of names) {
      const incidentKey = `${channel}-alarm`;
      writes.push(
        n === 0
          ? { kind: 'post', channel, incidentKey, message: { text: `${incidentKey}: ALARM` } }
          : { kind: 'reply', channel, incidentKey, message: { text: `${incidentKey}: notification ${n}` } },
      );
    }
  }
  return { channels: names, writes };
}
