// Finished actors leave memory a grace period after they finish (late fills and views still find them until
// then), in the order they finished, on one timer of the engine's clock.
import type { Clock, TimerHandle } from '../domain/clock.ts';

export class GracePeriod {
  private readonly leaving: Array<{ id: string; at: number }> = [];
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly leave: (id: string) => void,
  ) {}

  /** `id` finished now: it leaves once the grace period is over (the callback checks it is still finished). */
  start(id: string): void {
    this.leaving.push({ id, at: this.clock.now() + this.graceMs });
    this.arm();
  }

  get pending(): number {
    return this.leaving.length;
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined || this.leaving.length === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const now = this.clock.now();
      while (this.leaving.length > 0 && this.leaving[0]!.at <= now) this.leave(this.leaving.shift()!.id);
      this.arm();
    }, Math.max(0, this.leaving[0]!.at - this.clock.now()));
  }
}
