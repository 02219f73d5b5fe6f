// The simulated clock fires timers in due order, ties in the order they were set, and never goes back.
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/domain/clock.ts';

describe('SimulatedClock', () => {
  it('fires due timers in order, with the clock at each one’s due time', () => {
    const clock = new SimulatedClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
    clock.setTimeout(() => fired.push(['c', clock.now()]), 20);
    const canceled = clock.setTimeout(() => fired.push(['x', clock.now()]), 15);
    clock.clearTimeout(canceled);
    clock.advanceBy(19);
    expect(fired).toEqual([['a', 1_010]]);
    clock.advanceTo(1_020);
    expect(fired).toEqual([['a', 1_010], ['b', 1_020], ['c', 1_020]]);
    expect(clock.pending).toBe(0);
    expect(() => clock.advanceTo(1_000)).toThrow('cannot go back');
  });

  it('runs timers set by timers, and runAll drains them', () => {
    const clock = new SimulatedClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.runAll();
    expect(fired).toEqual([5, 10]);
  });
});
