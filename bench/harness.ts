// Shared bench plumbing: timing, heap measurement, and the row format every benchmark returns.

export interface BenchRow {
  /** What was measured, e.g. "order lifecycles/s (engine)". */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The baseline measured in the same run, e.g. "bare XState actor". */
  readonly baselineName: string;
  readonly baselineValue: number;
  /** The goal in words, e.g. ">= 50% of bare XState". */
  readonly goal: string;
  /** Whether the goal was met in this run. */
  readonly met: boolean;
}

/** Runs `body(iterations)` once to warm up, then `rounds` times; returns the best operations per second. */
export function opsPerSecond(iterations: number, body: (iterations: number) => void, rounds = 3): number {
  body(Math.max(1, Math.floor(iterations / 10)));
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    body(iterations);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.max(best, iterations / seconds);
  }
  return best;
}

/** Elapsed seconds of one call. */
export function timeSeconds(body: () => void): number {
  const started = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Heap bytes in use after a full collection (needs node --expose-gc). */
/**
 * The heap once what earlier measurements left behind is gone: objects still referenced by callbacks queued
 * for the next turns of the event loop (an engine's group commit, a stopped venue's reports) are freed only
 * after those run, so turns are let pass and the heap read until it stops moving.
 */
export async function settledHeapUsed(): Promise<number> {
  let previous = heapUsedAfterGc();
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const current = heapUsedAfterGc();
    if (Math.abs(current - previous) < 1024 * 1024) return current;
    previous = current;
  }
  return previous;
}

export function heapUsedAfterGc(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
