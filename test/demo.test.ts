// The `npm start` demo, run on a simulated clock: orders of every kind move through their states.
import { describe, expect, it } from 'vitest';
import { startDemo } from '../src/demo.ts';
import { SimulatedClock } from '../src/domain/clock.ts';

describe('demo', () => {
  it('places orders of each kind and prints their state changes', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    const lines: string[] = [];
    const demo = await startDemo({ clock, write: (line) => lines.push(line) });
    clock.advanceBy(30_000);
    await demo.stop();
    const text = lines.join('\n');
    for (const fragment of ['OrderAccepted        -> open', 'OrderFilled', 'OrderEmulated        -> emulated', 'trailingStop sell', 'market buy']) {
      expect(text).toContain(fragment);
    }
    expect(lines.filter((line) => line.startsWith('refused'))).toEqual([]);
    expect(demo.engine.listOrders().length).toBeGreaterThanOrEqual(15);
  });
});
