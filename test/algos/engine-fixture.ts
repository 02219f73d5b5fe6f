// An engine on the paper venue with the synthetic market on simulated time, for algorithm and order-list
// tests: `runUntil` feeds the market tick by tick while the clock moves (latency timers, algo timers).
import { createSyntheticMarket, type SyntheticMarket } from '../../adapters/market-data/synthetic.ts';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal, ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import type { MarketData } from '../../src/domain/market-data.ts';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.ts';

export const BTC = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002',
});

export const START = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface SessionOptions {
  readonly seed?: number;
  readonly tickMs?: number;
  readonly engine?: Partial<EngineOptions>;
  readonly balances?: Record<string, string>;
  /** Share of ticks that are trades; default 0.4. */
  readonly tradeShare?: number;
  /** Largest book level in lots (0.001 BTC); default 200. */
  readonly maxLevelLots?: number;
}

export interface Session {
  readonly clock: SimulatedClock;
  readonly venue: PaperVenue;
  readonly engine: Engine;
  readonly events: DomainEvent[];
  readonly market: SyntheticMarket;
  /** Every tick delivered so far (trades give the traded volume). */
  readonly ticks: MarketData[];
  /** Feeds the market until the clock reaches `time` (or `until` holds), one tick at a time. */
  runUntil(time: number, until?: () => boolean): void;
  tradedVolume(since?: number): Decimal;
}

export async function algoSession(options: SessionOptions = {}): Promise<Session> {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC], balances: options.balances ?? { USDT: '1000000', BTC: '100' }, orderLatencyMs: 5, reportLatencyMs: 5 });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e', ...options.engine });
  await engine.start();
  const events: DomainEvent[] = [];
  engine.subscribe((event) => events.push(event));
  return driven(clock, venue, engine, events, options);
}

/** The market driver around an engine already started on `venue` (also after a restart). */
export function driven(clock: SimulatedClock, venue: PaperVenue, engine: Engine, events: DomainEvent[], options: SessionOptions = {}, market?: SyntheticMarket): Session {
  const tickMs = options.tickMs ?? 500;
  const source = market ?? createSyntheticMarket({ instrument: BTC, seed: options.seed ?? 7, startPrice: '50000', startTime: clock.now() + tickMs, intervalMs: tickMs, tradeShare: options.tradeShare ?? 0.4, maxLevelLots: options.maxLevelLots ?? 200 });
  const ticks: MarketData[] = [];
  let pending: MarketData | undefined;
  const session: Session = {
    clock, venue, engine, events, market: source, ticks,
    runUntil(time, until) {
      for (;;) {
        if (until?.()) return;
        const tick = pending ?? source.next();
        if (tick.timestamp > time) {
          pending = tick;
          clock.advanceTo(time);
          return;
        }
        pending = undefined;
        if (tick.timestamp > clock.now()) clock.advanceTo(tick.timestamp);
        venue.onMarketData(tick);
        ticks.push(tick);
      }
    },
    tradedVolume(since = 0) {
      let total = ZERO;
      for (const tick of ticks) if (tick.type === 'trade' && tick.timestamp >= since) total = total.plus(tick.quantity);
      return total;
    },
  };
  session.runUntil(clock.now() + 5 * tickMs);
  return session;
}

/** Sum of fill quantities of the children of `parentId`, from the domain events. */
export function childFills(events: readonly DomainEvent[], parentId: string): { quantity: Decimal; fills: { at: number; quantity: Decimal; price: Decimal }[] } {
  let quantity = ZERO;
  const fills: { at: number; quantity: Decimal; price: Decimal }[] = [];
  for (const event of events) {
    if (event.type !== 'OrderFilled' || event.parentId !== parentId) continue;
    quantity = quantity.plus(event.fillQuantity);
    fills.push({ at: event.timestamp, quantity: decimal(event.fillQuantity), price: decimal(event.fillPrice) });
  }
  return { quantity, fills };
}
