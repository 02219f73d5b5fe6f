// The wake timers of algorithms and order lists: one per parent, at the absolute clock time its context asks
// for (nextWakeAt), set only once start-up is done. A timer enters the engine as a turn of its own.
import type { Clock, TimerHandle } from '../../domain/clock.ts';

/** What a timer is kept on: the parent's entry carries its one timer. */
export interface TimedEntry {
  timer?: { readonly at: number; readonly handle: TimerHandle };
}

export class ParentTimers<Entry extends TimedEntry> {
  private armed = false;

  constructor(
    private readonly clock: Clock,
    /** Runs when an entry's timer is due (the engine delivers `timer.due` in a turn of its own). */
    private readonly due: (entry: Entry) => void,
  ) {}

  /** From here on timers are set (after start-up, when every parent is restored). */
  arm(): void {
    this.armed = true;
  }

  disarm(entries: Iterable<Entry>): void {
    this.armed = false;
    for (const entry of entries) this.clear(entry);
  }

  /** The entry's one timer follows `at` (undefined: none); a time already passed fires at once. */
  follow(entry: Entry, at: number | undefined): void {
    if (!this.armed || entry.timer?.at === at) return;
    this.clear(entry);
    if (at === undefined) return;
    const handle = this.clock.setTimeout(() => {
      if (entry.timer?.handle !== handle) return;
      entry.timer = undefined;
      this.due(entry);
    }, Math.max(0, at - this.clock.now()));
    entry.timer = { at, handle };
  }

  clear(entry: Entry): void {
    if (entry.timer === undefined) return;
    this.clock.clearTimeout(entry.timer.handle);
    entry.timer = undefined;
  }
}
