import { describe, expect, test } from '@jest/globals';
import { createGate } from '../../src/core/gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createGate', () => {
  test('runs at most `limit` tasks at once, the rest in order, and passes results and errors through', async () => {
    const gate = createGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((r) => releases.push(r));
        running -= 1;
        if (i === 3) throw new Error('task 3 failed');
        return i * 10;
      }),
    );
    const settled = Promise.allSettled(tasks);
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(4);
    while (releases.length > 0) {
      releases.shift()?.();
      await tick();
    }
    const results = await settled;
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      10,
      20,
      'task 3 failed',
      40,
      50,
    ]);
    expect(gate.waiting).toBe(0);
  });
});
