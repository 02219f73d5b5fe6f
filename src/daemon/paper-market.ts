// The in-process paper venue of a daemon without a live venue: a PaperVenue fed, on wall time, by one seeded
// synthetic market per instrument, so prices move and resting orders fill the way a real book would.
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { replayInRealTime } from '../../adapters/market-data/replay.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { createInstrument } from '../domain/instrument.ts';
import type { Clock } from '../engine/clock.ts';
import type { DaemonConfig } from './config.ts';

type PaperVenueConfig = Extract<DaemonConfig['venue'], { type: 'paper' }>;

export interface PaperMarket {
  readonly venue: PaperVenue;
  /** Starts the synthetic feeds; call after the engine subscribed to the venue. */
  start(): void;
  stop(): void;
}

export function createPaperMarket(config: PaperVenueConfig, clock: Clock): PaperMarket {
  const instruments = config.instruments.map((spec) => createInstrument(spec));
  const venue = new PaperVenue({
    id: config.id,
    clock,
    instruments,
    balances: config.balances,
    orderLatencyMs: config.orderLatencyMs,
    reportLatencyMs: config.reportLatencyMs,
    nativeStops: config.nativeStops,
  });
  let stops: Array<() => void> = [];
  return {
    venue,
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
    },
  };
}
