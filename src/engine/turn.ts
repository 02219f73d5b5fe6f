// The engine's run-to-completion queue: what a transition asks for (venue commands, orders of a position,
// reactions to its events, subscribers) runs after that transition has completed, in the order asked.
import type { Logger } from 'pino';

/**
 * One queue of deferred work. Machine actions and event handlers never call into the engine directly: they
 * `defer` the work. The outermost entry (a command, a venue report, a tick, a timer) runs inside `run`, which
 * drains the queue before returning, so a caller sees every consequence of its call settled.
 */
export class TurnQueue {
  private readonly queue: Array<() => void> = [];
  private draining = false;
  private drainScheduled = false;
  /** Nesting depth of `run` entries still executing their entry function. */
  private entered = 0;

  constructor(private readonly logger: Logger) {}

  /**
   * Runs after the current transition and everything queued before it. Work deferred outside any engine
   * entry (an integration sending to an actor it holds) runs at the next microtask, never later.
   */
  defer(work: () => void): void {
    this.queue.push(work);
    if (this.draining || this.entered > 0 || this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      if (!this.draining && this.entered === 0) this.drain();
    });
  }

  /** True while deferred work is running: a command called from a subscriber joins this turn. */
  get busy(): boolean {
    return this.draining;
  }

  /** Runs `entry` and then everything it deferred (unless an outer run is already draining). */
  run<T>(entry: () => T): T {
    this.entered++;
    try {
      return entry();
    } finally {
      this.entered--;
      // What the entry deferred runs even when it threw after deciding something.
      if (!this.draining && this.entered === 0) this.drain();
    }
  }

  private drain(): void {
    this.draining = true;
    try {
      for (let work = this.queue.shift(); work !== undefined; work = this.queue.shift()) {
        try {
          work();
        } catch (error) {
          // One failing reaction must not stop the others: it is logged with what it was doing.
          this.logger.error({ err: error }, `deferred engine work failed: ${(error as Error).message}`);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
