// The exchange's request-weight budget and its rate-limit bans, kept from the exchange's own answers
// (used-weight headers, 429/418 with Retry-After), so the adapter slows down before the exchange bans it.
import type { Clock } from '../../src/domain/clock.ts';

export interface RequestBudgetOptions {
  /** Weight allowed per window (Binance: 6000 spot, 2400 futures per minute). */
  readonly limit: number;
  readonly windowMs?: number;
  /** Share of the limit reads may use; writes may use the rest (so an exit can still be sent). Default 0.8. */
  readonly readShare?: number;
}

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly retryAt: number; readonly reason: string };

export class RequestBudget {
  private windowStart = 0;
  private used = 0;
  private bannedUntil = 0;
  private banReason = '';
  private readonly windowMs: number;
  private readonly readShare: number;

  private limit: number;

  constructor(
    private readonly clock: Clock,
    options: RequestBudgetOptions,
  ) {
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.readShare = options.readShare ?? 0.8;
  }

  /** The exchange stated its limit (Binance: exchangeInfo's REQUEST_WEIGHT per minute). */
  setLimit(limit: number): void {
    if (Number.isFinite(limit) && limit > 0) this.limit = limit;
  }

  /** Whether a request of `weight` may go now; admitted requests are counted at once. */
  admit(weight: number, kind: 'read' | 'write'): Admission {
    const now = this.clock.now();
    if (now < this.bannedUntil) return { admitted: false, retryAt: this.bannedUntil, reason: this.banReason };
    this.roll(now);
    const ceiling = kind === 'write' ? this.limit * 0.95 : this.limit * this.readShare;
    if (this.used + weight > ceiling) {
      return { admitted: false, retryAt: this.windowStart + this.windowMs, reason: `request weight budget spent (${this.used} of ${this.limit} this minute)` };
    }
    this.used += weight;
    return { admitted: true };
  }

  /** The exchange's own count (X-MBX-USED-WEIGHT-1M) replaces ours: other clients on the key count too. */
  observeUsedWeight(used: number): void {
    this.roll(this.clock.now());
    if (Number.isFinite(used) && used >= 0) this.used = used;
  }

  /** A 429 or 418: nothing is sent until Retry-After has passed. */
  observeBan(status: number, retryAfterSeconds: number | undefined): void {
    const seconds = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds : status === 418 ? 120 : 60;
    const until = this.clock.now() + seconds * 1000;
    if (until > this.bannedUntil) {
      this.bannedUntil = until;
      this.banReason = status === 418 ? `the exchange banned this IP (418) for ${seconds} s` : `the exchange rate-limited us (429); retry after ${seconds} s`;
    }
  }

  /** Clock time until which nothing is sent, or 0. */
  get bannedUntilTime(): number {
    return this.clock.now() < this.bannedUntil ? this.bannedUntil : 0;
  }

  get usedWeight(): number {
    return this.used;
  }

  private roll(now: number): void {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.used = 0;
    }
  }
}
