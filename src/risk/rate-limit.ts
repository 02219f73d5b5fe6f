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
 * True when one more action now would break the limit: `limit.count` or more of `times` already lie in
 * (now - windowMs, now]. With count 5 and window 1000: the 6th action within 1000 ms is refused, and one
 * at exactly 1000 ms after the oldest of the five passes.
 */
export function rateExceeded(times: readonly number[], now: number, limit: RateLimit): boolean {
  requireRateLimit('rate limit', limit);
  return countInWindow(times, now, limit.windowMs) >= limit.count;
}

/** A new array without the times that can never count again (at or before now - windowMs), order kept. */
export function pruneTimes(times: readonly number[], now: number, windowMs: number): number[] {
  const start = now - windowMs;
  return times.filter((time) => time > start);
}
