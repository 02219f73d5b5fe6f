// Replay drivers: feed market data into a venue on simulated time (as fast as possible) or on a live clock (in real time).
import type { MarketData } from '../../src/domain/market-data.ts';
import type { Clock, SimulatedClock, TimerHandle } from '../../src/domain/clock.ts';
import { availableAt } from './bars.ts';

/** Whatever consumes ticks: a PaperVenue, or anything with the same method. */
export interface MarketDataSink {
  onMarketData(tick: MarketData): void;
}

/**
 * Delivers every tick at its time: the clock first advances to it, firing every timer due by then (order
 * arrivals, reports, expiries), then the sink gets the tick. Bars are delivered when complete, see
 * `availableAt`. Timers due after the last tick are left for the caller (e.g. `clock.advanceBy(...)` or
 * `clock.runAll()`). Returns the number of ticks delivered. A tick older than the clock is an error: start
 * the clock at or before the first tick.
 */
export function replay(ticks: Iterable<MarketData>, sink: MarketDataSink, clock: SimulatedClock): number {
  let delivered = 0;
  for (const tick of ticks) {
    const time = availableAt(tick);
    if (time < clock.now()) {
      throw new Error(
        `tick ${delivered} (${tick.type} ${tick.symbol} at ${new Date(time).toISOString()}) is before the clock's time ` +
          `${new Date(clock.now()).toISOString()}: ticks must be in time order and the clock must start at or before the first`,
      );
    }
    clock.advanceTo(time);
    sink.onMarketData(tick);
    delivered++;
  }
  return delivered;
}

export interface RealTimeReplayOptions {
  /** 1 = as recorded, 10 = ten times faster; default 1. */
  readonly speed?: number;
  /**
   * Rewrite each tick's timestamp to the clock's time at delivery, so recorded or synthetic data looks live
   * (a bar is stamped so that it completes now); default false.
   */
  readonly restamp?: boolean;
  /** Called once after the last tick of a finite stream. */
  readonly onEnd?: () => void;
}

/**
 * Plays ticks on a live clock (e.g. SystemClock) with their recorded spacing, one timer at a time, so an
 * endless stream (a synthetic market) works. Returns a function that stops the replay.
 */
export function replayInRealTime(ticks: Iterable<MarketData>, sink: MarketDataSink, clock: Clock, options: RealTimeReplayOptions = {}): () => void {
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number, got ${speed}`);
  const iterator = ticks[Symbol.iterator]();
  const startedAt = clock.now();
  let origin: number | undefined;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const scheduleNext = (): void => {
    const step = iterator.next();
    if (step.done === true) {
      timer = undefined;
      options.onEnd?.();
      return;
    }
    const tick = step.value;
    const time = availableAt(tick);
    origin ??= time;
    const dueAt = startedAt + (time - origin) / speed;
    timer = clock.setTimeout(() => {
      if (stopped) return;
      sink.onMarketData(options.restamp === true ? restamped(tick, clock.now()) : tick);
      scheduleNext();
    }, Math.max(0, dueAt - clock.now()));
  };

  scheduleNext();
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    iterator.return?.();
  };
}

function restamped(tick: MarketData, now: number): MarketData {
  return tick.type === 'bar' ? { ...tick, timestamp: now - tick.intervalMs } : { ...tick, timestamp: now };
}
