// The in-process paper venue of a daemon without a live venue: a PaperVenue fed, on wall time, by one seeded
// synthetic market per instrument, so prices move and resting orders fill the way a real book would. Its
// state is saved in the data directory after every change (incrementally), so it is the same venue after a restart.
import { createSyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { replayInRealTime, type MarketDataSink } from '../../adapters/market-data/replay.ts';
import { QuoteToBookUpdates } from '../../adapters/market-data/book-updates.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { PaperStateFile } from '../../adapters/paper/paper-state-file.ts';
import { createInstrument } from '../domain/instrument.ts';
import type { Clock } from '../domain/clock.ts';
import type { DaemonConfig } from './config.ts';
import { resolvedLatency } from '../../adapters/paper/settings-schema.ts';

type PaperVenueConfig = Extract<DaemonConfig['venue'], { type: 'paper' }>;

export interface PaperMarket {
  readonly venue: PaperVenue;
  /** Whether the venue continued from a saved state (false: it started afresh). */
  readonly restored: boolean;
  /** Set when the saved state's last change record was torn by a crash and dropped: what happened. */
  readonly stateRecovery?: string;
  /** Starts the synthetic feeds; call after the engine subscribed to the venue. */
  start(): void;
  stop(): void;
}

export function createPaperMarket(config: PaperVenueConfig, clock: Clock, statePath?: string): PaperMarket {
  const instruments = config.instruments.map((spec) => createInstrument(spec));
  const opened = statePath === undefined ? undefined : PaperStateFile.open(statePath);
  const saved = opened?.state;
  let saveScheduled = false;
  const save = () => {
    saveScheduled = false;
    opened?.file.save(venue);
  };
  const venue: PaperVenue = new PaperVenue({
    id: config.id,
    clock,
    instruments,
    balances: config.balances,
    orderLatencyMs: resolvedLatency(config.orderLatencyMs),
    reportLatencyMs: resolvedLatency(config.reportLatencyMs),
    marketDataLatencyMs: resolvedLatency(config.marketDataLatencyMs),
    fillModel: config.fillModel,
    nativeStops: config.nativeStops,
    perpetuals: config.perpetuals,
    state: saved,
    // Saved once per turn, before any report of the turn's changes is delivered (reports come on later timers).
    onStateChange: () => {
      if (statePath === undefined || saveScheduled) return;
      saveScheduled = true;
      setImmediate(save);
    },
  });
  // L2 book replay: each synthetic quote reaches the venue as the level updates an L2 feed would send.
  const l2 = new QuoteToBookUpdates();
  const sink: MarketDataSink = config.market.book === 'l2' ? { onMarketData: (tick) => (tick.type === 'quote' ? venue.onBookUpdate(l2.next(tick)) : venue.onMarketData(tick)) } : venue;
  let stops: Array<() => void> = [];
  return {
    venue,
    restored: saved !== undefined,
    ...(opened?.recovered !== undefined ? { stateRecovery: opened.recovered } : {}),
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
            levels: config.market.levels,
          }),
          sink,
          clock,
          { restamp: true },
        ),
      );
    },
    stop() {
      for (const stop of stops) stop();
      stops = [];
      save();
      opened?.file.close();
    },
  };
}

