// The injected clock: wall time for live trading, a simulated clock for tests and replays.

export type TimerHandle = number;

/** Compatible with XState's `clock` option, plus `now()`. Times are epoch milliseconds. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export class SystemClock implements Clock {
  private readonly timers = new Map<TimerHandle, NodeJS.Timeout>();
  private nextHandle = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle = this.nextHandle++;
    const timer = setTimeout(() => {
      this.timers.delete(handle);
      callback();
    }, Math.max(0, delayMs));
    this.timers.set(handle, timer);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(handle);
  }
}

interface ScheduledTimer {
  readonly handle: TimerHandle;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * Time that moves only when told to. Timers fire in due-time order, ties in the order they were set, so the
 * same inputs always give the same sequence. A binary heap keeps 100,000 pending timers cheap.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private readonly heap: ScheduledTimer[] = [];
  private readonly live = new Set<TimerHandle>();
  private nextHandle = 1;

  constructor(startTime = Date.UTC(2026, 0, 1)) {
    this.current = startTime;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle = this.nextHandle++;
    this.live.add(handle);
    this.push({ handle, dueAt: this.current + Math.max(0, delayMs), callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle);
  }

  /** Number of timers still waiting to fire. */
  get pending(): number {
    return this.live.size;
  }

  /** Moves time forward to `time`, firing every timer due by then, including ones those timers set. */
  advanceTo(time: number): void {
    if (time < this.current) throw new Error(`the simulated clock cannot go back from ${this.current} to ${time}`);
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.dueAt > time) break;
      this.pop();
      if (!this.live.delete(next.handle)) continue;
      this.current = next.dueAt;
      next.callback();
    }
    this.current = time;
  }

  advanceBy(milliseconds: number): void {
    this.advanceTo(this.current + milliseconds);
  }

  /** Fires timers until none are left, moving time to each; stops after `limit` to catch runaway loops. */
  runAll(limit = 1_000_000): void {
    for (let fired = 0; fired < limit; fired++) {
      const next = this.heap[0];
      if (next === undefined) return;
      // A canceled timer is dropped without moving time to it.
      if (!this.live.has(next.handle)) {
        this.pop();
        continue;
      }
      this.advanceTo(next.dueAt);
    }
    throw new Error(`the simulated clock still had timers after ${limit} steps`);
  }

  private push(timer: ScheduledTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier(a: ScheduledTimer, b: ScheduledTimer): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.handle < b.handle);
}
