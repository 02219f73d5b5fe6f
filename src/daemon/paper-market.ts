// The in-process paper venue of a daemon without a live venue: a PaperVenue fed, on wall time, by one seeded
// synthetic market per instrument, so prices move and resting orders fill the way a real book would. Its
// state is saved in the data directory after every change, so it is the same venue after a restart.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { replayInRealTime } from '../../adapters/market-data/replay.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import type { PaperVenueState } from '../../adapters/paper/paper-state.ts';
import { createInstrument } from '../domain/instrument.ts';
import type { Clock } from '../domain/clock.ts';
import type { DaemonConfig } from './config.ts';

type PaperVenueConfig = Extract<DaemonConfig['venue'], { type: 'paper' }>;

export interface PaperMarket {
  readonly venue: PaperVenue;
  /** Whether the venue continued from a saved state (false: it started afresh). */
  readonly restored: boolean;
  /** Starts the synthetic feeds; call after the engine subscribed to the venue. */
  start(): void;
  stop(): void;
}

/** Reads a saved venue state, or undefined when there is none; a file that is not one is refused, untouched. */
function readState(statePath: string): PaperVenueState | undefined {
  if (!existsSync(statePath)) return undefined;
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as PaperVenueState;
    if (typeof state !== 'object' || state === null || !Array.isArray(state.orders) || !Array.isArray(state.balances)) throw new Error('it has no orders and balances');
    return state;
  } catch (error) {
    throw new Error(`${statePath} is not a saved paper venue state (${(error as Error).message}); move it away to start the paper venue afresh`);
  }
}

/** Replaces the file in one step (write aside, fsync, rename): a crash leaves the old state or the new one. */
function writeState(statePath: string, state: PaperVenueState): void {
  const aside = `${statePath}.tmp`;
  const descriptor = openSync(aside, 'w', 0o600);
  try {
    writeSync(descriptor, JSON.stringify(state));
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(aside, statePath);
}

export function createPaperMarket(config: PaperVenueConfig, clock: Clock, statePath?: string): PaperMarket {
  const instruments = config.instruments.map((spec) => createInstrument(spec));
  const saved = statePath === undefined ? undefined : readState(statePath);
  let saveScheduled = false;
  const save = () => {
    saveScheduled = false;
    if (statePath !== undefined) writeState(statePath, venue.exportState());
  };
  const venue: PaperVenue = new PaperVenue({
    id: config.id,
    clock,
    instruments,
    balances: config.balances,
    orderLatencyMs: config.orderLatencyMs,
    reportLatencyMs: config.reportLatencyMs,
    nativeStops: config.nativeStops,
    state: saved,
    // Saved once per turn, before any report of the turn's changes is delivered (reports come on later timers).
    onStateChange: () => {
      if (statePath === undefined || saveScheduled) return;
      saveScheduled = true;
      setImmediate(save);
    },
  });
  let stops: Array<() => void> = [];
  return {
    venue,
    restored: saved !== undefined,
    start() {
      if (stops.length > 0) return;
      stops = instruments.map((instrument, index) =>
        replayInRealTime(
          createSyntheticMarket({
            instrument,
            // One seed per instrument, so two instruments do not move in lockstep.
            seed: config.market.seed + index,
            startPrice: config.market.startPrice,
            startTime: clock.now(),
            intervalMs: config.market.intervalMs,
            tradeShare: config.market.tradeShare,
          }),
          venue,
          clock,
          { restamp: true },
        ),
      );
    },
    stop() {
      for (const stop of stops) stop();
      stops = [];
      save();
    },
  };
}
