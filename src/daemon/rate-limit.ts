// Per-client request rate limiting: one token bucket per remote address, refilled continuously. The kill
// switch (halt, reduce-only, resume, close-all) is never limited behind other requests: see KILL_SWITCH_ROUTE.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An authenticated request to this route is never rate-limited: the kill switch cannot be locked out. */
    readonly killSwitch?: boolean;
  }
}

/** Route options that mark a route as part of the kill switch (src/daemon/server.ts skips the limiter for it). */
export const KILL_SWITCH_ROUTE = { config: { killSwitch: true } } as const;

export interface TokenBucketOptions {
  /** Requests a client may make in a burst. */
  readonly burst: number;
  /** Requests per second the bucket refills at. */
  readonly perSecond: number;
  /** Buckets kept at most; the least recently used is forgotten first (a full bucket forgets nothing). */
  readonly maxClients?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxClients: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new Error('rate limit needs burst >= 1 and perSecond > 0');
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Takes one token for `client`; returns 0 when allowed, else the seconds until the next token. */
  take(client: string): number {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      bucket = { tokens: this.options.burst, updatedAt: now };
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(client);
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.perSecond);
      bucket.updatedAt = now;
    }
    // Re-inserted so the Map's order is least recently used first.
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.options.perSecond;
  }
}
