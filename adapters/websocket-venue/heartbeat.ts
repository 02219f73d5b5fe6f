// Heartbeats on a venue link: a ping every interval, and a stream with no pong for longer than the timeout is
// declared dead even if its socket looks open.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';

export interface HeartbeatOptions {
  readonly venueId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly ping: () => void;
  /** No pong within the timeout: the stream is dead. */
  readonly missed: (at: number) => void;
}

export class Heartbeat {
  private timer: TimerHandle | undefined;
  private lastPongAt = 0;
  /** Bumped on every start and stop, so a check armed for an earlier link does nothing. */
  private generation = 0;

  constructor(private readonly options: HeartbeatOptions) {}

  /** A link opened: the pong clock starts now. */
  start(): void {
    this.stop();
    this.lastPongAt = this.options.clock.now();
    this.arm(this.generation);
  }

  stop(): void {
    this.generation++;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  pong(): void {
    this.lastPongAt = this.options.clock.now();
  }

  private arm(generation: number): void {
    const { clock, intervalMs, timeoutMs } = this.options;
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      if (generation !== this.generation) return;
      if (clock.now() - this.lastPongAt <= timeoutMs) return this.ping(generation);
      // After our own event loop was blocked, timers run before pending socket reads: read those first, so
      // a pong already waiting in the socket is not mistaken for a dead stream.
      setImmediate(() => {
        if (generation !== this.generation) return;
        const now = clock.now();
        if (now - this.lastPongAt <= timeoutMs) return this.ping(generation);
        this.options.logger.warn(`venue ${this.options.venueId}: no pong for ${now - this.lastPongAt} ms, the stream is dead; reconnecting`);
        this.options.missed(now);
      });
    }, intervalMs);
  }

  private ping(generation: number): void {
    this.options.ping();
    this.arm(generation);
  }
}
