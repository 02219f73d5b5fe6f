// The exchange's order-count limits (Binance: ORDERS in exchangeInfo rateLimits, e.g. 100 per 10 s and
// 200,000 per day on spot; the count so far in each X-MBX-ORDER-COUNT-<n><unit> response header). A new order
// that would pass a limit is refused here, before the exchange refuses it; a 429 on order count stops new
// orders until its Retry-After has passed. Windows are fixed, aligned on the clock, as the exchange counts them.
import type { Clock } from '../../src/domain/clock.ts';

export interface OrderCountLimit {
  readonly intervalMs: number;
  readonly limit: number;
  /** The response header (lower case) that states this window's count, e.g. x-mbx-order-count-10s. */
  readonly header: string;
  /** The interval in words, e.g. "10 s", for reasons. */
  readonly label: string;
}

interface Window {
  readonly rule: OrderCountLimit;
  start: number;
  count: number;
}

export class OrderCountBudget {
  private windows: Window[] = [];
  private blockedUntil = 0;
  private blockReason = '';

  constructor(private readonly clock: Clock) {}

  /** The exchange's limits (replacing any known before); counts of windows still open are kept. */
  setLimits(limits: readonly OrderCountLimit[]): void {
    const previous = new Map(this.windows.map((window) => [window.rule.header, window]));
    this.windows = limits.map((rule) => ({ rule, start: previous.get(rule.header)?.start ?? 0, count: previous.get(rule.header)?.count ?? 0 }));
  }

  get limits(): readonly OrderCountLimit[] {
    return this.windows.map((window) => window.rule);
  }

  /** Why `orders` new orders may not be sent now, or undefined (then they are counted at once). */
  admit(orders = 1): string | undefined {
    const now = this.clock.now();
    if (now < this.blockedUntil) return this.blockReason;
    for (const window of this.windows) this.roll(window, now);
    const full = this.windows.find((window) => window.count + orders > window.rule.limit);
    if (full !== undefined) return `order count limit reached: ${full.count} of ${full.rule.limit} orders per ${full.rule.label} used; not sent`;
    for (const window of this.windows) window.count += orders;
    return undefined;
  }

  /** The exchange's own counts (its headers) replace ours: orders sent by other clients of the key count too. */
  observe(header: (name: string) => string | undefined): void {
    const now = this.clock.now();
    for (const window of this.windows) {
      const stated = header(window.rule.header);
      if (stated === undefined || !/^\d+$/.test(stated)) continue;
      this.roll(window, now);
      window.count = Number(stated);
    }
  }

  /** A 429 on order count: no new order until Retry-After has passed (or the shortest full window ends). */
  observeRefusal(retryAfterSeconds: number | undefined, reason: string): void {
    const now = this.clock.now();
    const windowEnd = Math.min(...this.windows.filter((window) => window.count >= window.rule.limit).map((window) => window.start + window.rule.intervalMs), now + 10_000);
    const until = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? now + retryAfterSeconds * 1000 : windowEnd;
    if (until > this.blockedUntil) {
      this.blockedUntil = until;
      this.blockReason = `the exchange refused new orders (${reason}); none is sent until ${new Date(until).toISOString()}`;
    }
  }

  private roll(window: Window, now: number): void {
    const start = now - (now % window.rule.intervalMs);
    if (start !== window.start) {
      window.start = start;
      window.count = 0;
    }
  }
}

const UNIT_MS: Record<string, number> = { SECOND: 1_000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const UNIT_LETTER: Record<string, string> = { SECOND: 's', MINUTE: 'm', HOUR: 'h', DAY: 'd' };

/** Binance's ORDERS limiters from an exchangeInfo body, with the header each one's count comes in. */
export function binanceOrderCountLimits(body: string): OrderCountLimit[] | undefined {
  let info: { rateLimits?: Array<{ rateLimitType?: string; interval?: string; intervalNum?: number; limit?: number }> };
  try {
    info = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(info.rateLimits)) return undefined;
  return info.rateLimits
    .filter((rule) => rule.rateLimitType === 'ORDERS' && typeof rule.interval === 'string' && UNIT_MS[rule.interval] !== undefined && typeof rule.intervalNum === 'number' && rule.intervalNum > 0 && typeof rule.limit === 'number' && rule.limit > 0)
    .map((rule) => ({
      intervalMs: UNIT_MS[rule.interval!]! * rule.intervalNum!,
      limit: rule.limit!,
      header: `x-mbx-order-count-${rule.intervalNum}${UNIT_LETTER[rule.interval!]}`,
      label: `${rule.intervalNum} ${UNIT_LETTER[rule.interval!]}`,
    }));
}
