// Sliding-window rate limits over clock times the caller keeps (submits, amends): pure, no timers.

/** At most `count` actions in any window of `windowMs` milliseconds. */
export interface RateLimit {
  readonly count: number;
  readonly windowMs: number;
}

/** Throws unless `count` is a non-negative safe integer (0 allows nothing) and `windowMs` a positive one. */
export function requireRateLimit(name: string, limit: RateLimit): RateLimit {
  if (!Number.isSafeInteger(limit.count) || limit.count < 0) throw new Error(`${name}.count must be a non-negative integer, got ${limit.count}`);
  if (!Number.isSafeInteger(limit.windowMs) || limit.windowMs <= 0) throw new Error(`${name}.windowMs must be a positive integer, got ${limit.windowMs}`);
  return limit;
}

/**
 * How many of `times` fall in the window that ends now: (now - windowMs, now]. A time exactly windowMs ago
 * has left the window; a time after `now` (not yet happened on this clock) is not counted.
 */
export function countInWindow(times: readonly number[], now: number, windowMs: number): number {
  const start = now - windowMs;
  let count = 0;
  for (const time of times) if (time > start && time <= now) count += 1;
  return count;
}

/**
 * The times of past actions, kept only while a window of `windowMs` can still count them: the list a rate
 * check reads stays as short as the limit allows, instead of growing with every action ever taken. With no
 * window (no limit configured) nothing is kept.
 */
export class RecentTimes {
  private times: number[] = [];

  constructor(private readonly windowMs: number | undefined) {}

  record(now: number): void {
    if (this.windowMs === undefined) return;
    this.prune(now);
    this.times.push(now);
  }

  /** The kept times, pruned to the window ending `now` (a clock that stepped back leaves a few to be filtered by the check). */
  inWindow(now: number): readonly number[] {
    this.prune(now);
    return this.times;
  }

  private prune(now: number): void {
    if (this.windowMs === undefined) return;
    const start = now - this.windowMs;
    let expired = 0;
    while (expired < this.times.length && this.times[expired]! <= start) expired++;
    if (expired > 0) this.times = this.times.slice(expired);
  }
}
