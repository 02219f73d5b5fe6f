// Bench: market ticks/s replayed through the PaperVenue with 1,000 resting orders, beside a bare quote-and-compare loop.
import { decimal, toDecimalString, type Decimal } from '../src/domain/decimal.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import type { MarketData, QuoteTick } from '../src/domain/market-data.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { PaperVenue } from '../adapters/paper/index.ts';
import { createSyntheticMarket } from '../adapters/market-data/synthetic.ts';
import { isAtLeast, isAtMost } from '../adapters/paper/compare.ts';
import { opsPerSecond, type BenchRow } from './harness.ts';

const TICKS = 200_000;
const RESTING_ORDERS = 1_000;
const GOAL = 1_000_000;

const instrument = createInstrument({
  symbol: 'BTC-USD',
  base: 'BTC',
  quote: 'USD',
  tickSize: '0.01',
  lotSize: '0.001',
  minQuantity: '0.001',
  minNotional: '0',
  makerFee: '0.001',
  takerFee: '0.002',
});

/** Lowest bid and highest ask the pre-generated ticks ever show, so resting orders can sit beyond them. */
function priceRange(ticks: readonly MarketData[]): { lowest: Decimal; highest: Decimal } {
  let lowest: Decimal | undefined;
  let highest: Decimal | undefined;
  for (const tick of ticks) {
    const prices = tick.type === 'quote' ? [tick.bids.at(-1)!.price, tick.asks.at(-1)!.price] : tick.type === 'trade' ? [tick.price] : [];
    for (const price of prices) {
      if (lowest === undefined || price.lt(lowest)) lowest = price;
      if (highest === undefined || price.gt(highest)) highest = price;
    }
  }
  return { lowest: lowest!, highest: highest! };
}

/** A venue holding 500 resting buys below and 500 resting sells above everything the ticks will touch. */
function venueWithRestingOrders(ticks: readonly MarketData[]): PaperVenue {
  const clock = new SimulatedClock(0);
  const venue = new PaperVenue({ clock, instruments: [instrument], balances: { USD: '1000000000', BTC: '1000000' } });
  const { lowest, highest } = priceRange(ticks);
  for (let index = 0; index < RESTING_ORDERS / 2; index++) {
    const offset = instrument.tickSize.times(decimal(index + 1));
    const common = { symbol: instrument.symbol, type: 'limit', quantity: '1', timeInForce: 'GTC', postOnly: false, reduceOnly: false } as const;
    venue.submit({ ...common, clientOrderId: `b${index}`, side: 'buy', price: toDecimalString(lowest.minus(offset)) });
    venue.submit({ ...common, clientOrderId: `s${index}`, side: 'sell', price: toDecimalString(highest.plus(offset)) });
  }
  clock.runAll();
  return venue;
}

/** The baseline: keep the latest quote and compare its best bid and ask with two fixed prices. */
function minimalLoop(lowerTrigger: Decimal, upperTrigger: Decimal): { onMarketData(tick: MarketData): void; hits: number } {
  let latest: QuoteTick | undefined;
  const loop = {
    hits: 0,
    onMarketData(tick: MarketData): void {
      if (tick.type !== 'quote') return;
      latest = tick;
      // The same allocation-free comparison the venue uses, so the gap measured is the venue's own work.
      if (isAtMost(latest.bids[0]!.price, lowerTrigger)) loop.hits++;
      if (isAtLeast(latest.asks[0]!.price, upperTrigger)) loop.hits++;
    },
  };
  return loop;
}

export async function run(): Promise<BenchRow[]> {
  const market = createSyntheticMarket({ instrument, seed: 42, startPrice: '50000', startTime: 0, intervalMs: 1, levels: 10, tradeShare: 0.3 });
  const ticks = market.take(TICKS);
  const venue = venueWithRestingOrders(ticks);
  const open = await venue.openOrders();
  if (open.length !== RESTING_ORDERS) throw new Error(`expected ${RESTING_ORDERS} resting orders, got ${open.length}`);
  const { lowest, highest } = priceRange(ticks);
  const baseline = minimalLoop(lowest.minus(decimal(1)), highest.plus(decimal(1)));

  const replayThrough = (sink: { onMarketData(tick: MarketData): void }) => (iterations: number) => {
    for (let index = 0; index < iterations; index++) sink.onMarketData(ticks[index % TICKS]!);
  };
  const baselineTicksPerSecond = opsPerSecond(TICKS * 5, replayThrough(baseline), 5);
  const venueTicksPerSecond = opsPerSecond(TICKS * 5, replayThrough(venue), 5);
  if ((await venue.openOrders()).length !== RESTING_ORDERS) throw new Error('a resting order filled: the bench ticks must not reach them');

  return [
    {
      name: `market ticks/s through PaperVenue (${RESTING_ORDERS} resting orders, 10 levels, 30% trades)`,
      value: Math.round(venueTicksPerSecond),
      unit: 'ticks/s',
      baselineName: 'minimal loop: store latest quote, compare best bid/ask with two prices',
      baselineValue: Math.round(baselineTicksPerSecond),
      goal: '>= 1,000,000 ticks/s',
      met: venueTicksPerSecond >= GOAL,
    },
  ];
}
