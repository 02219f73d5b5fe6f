// A seeded synthetic market: a whole-tick random walk with a depth book and trades at the touch, deterministic per seed.
import { ZERO, decimal, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { BookLevel, MarketData, QuoteTick, TradeTick } from '../../src/domain/market-data.ts';

/** A deterministic source of uniform numbers in [0, 1). Randomness here picks sizes and moves, never prices directly. */
export type RandomSource = () => number;

/** mulberry32: tiny, fast, and the same sequence for the same 32-bit seed on every platform. */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number from `low` to `high`, both included. */
export function randomInteger(random: RandomSource, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

export interface SyntheticMarketOptions {
  readonly instrument: Instrument;
  /** Same seed, same sequence. */
  readonly seed: number;
  /** Where the best bid starts; rounded down to the tick grid. */
  readonly startPrice: DecimalString;
  /** Timestamp of the first tick (epoch ms). */
  readonly startTime: number;
  /** Milliseconds between consecutive ticks. */
  readonly intervalMs: number;
  /** Book levels on each side; default 5. */
  readonly levels?: number;
  /** Best ask minus best bid, in ticks; default 1. */
  readonly spreadTicks?: number;
  /** Largest move of the book between two quotes, in ticks; default 1. */
  readonly maxStepTicks?: number;
  /** Level sizes are whole lots drawn from [minLevelLots, maxLevelLots]; default 1 to 100. */
  readonly minLevelLots?: number;
  readonly maxLevelLots?: number;
  /** Share of ticks that are trades rather than quotes, from 0 to 1; default 0.3. */
  readonly tradeShare?: number;
  /** Trade sizes are whole lots from 1 to this; default 20. */
  readonly maxTradeLots?: number;
}

export interface SyntheticMarket extends Iterable<MarketData> {
  /** The next tick; the stream never ends. */
  next(): MarketData;
  /** The next `count` ticks. */
  take(count: number): MarketData[];
}

/**
 * Quotes and trades for one instrument. Prices live as whole tick counts and sizes as whole lot counts, and
 * become decimals only as tick x tickSize and lots x lotSize, so every price is on the tick grid and every
 * size on the lot grid. The first tick is always a quote, so a venue has a book before the first trade.
 */
export function createSyntheticMarket(options: SyntheticMarketOptions): SyntheticMarket {
  const { instrument, intervalMs } = options;
  const levels = positiveInteger('levels', options.levels ?? 5);
  const spreadTicks = positiveInteger('spreadTicks', options.spreadTicks ?? 1);
  const maxStepTicks = wholeNumber('maxStepTicks', options.maxStepTicks ?? 1);
  const minLevelLots = positiveInteger('minLevelLots', options.minLevelLots ?? 1);
  const maxLevelLots = positiveInteger('maxLevelLots', options.maxLevelLots ?? 100);
  const maxTradeLots = positiveInteger('maxTradeLots', options.maxTradeLots ?? 20);
  const tradeShare = options.tradeShare ?? 0.3;
  if (maxLevelLots < minLevelLots) throw new Error(`maxLevelLots ${maxLevelLots} is below minLevelLots ${minLevelLots}`);
  if (!(tradeShare >= 0 && tradeShare <= 1)) throw new Error(`tradeShare must be from 0 to 1, got ${tradeShare}`);
  if (!(intervalMs >= 0)) throw new Error(`intervalMs must be non-negative, got ${intervalMs}`);

  const startTicks = decimal(options.startPrice).div(instrument.tickSize).round(0, 0);
  if (!startTicks.gt(ZERO)) throw new Error(`startPrice ${options.startPrice} is below one tick`);
  const random = mulberry32(options.seed);
  // The lowest bid level must stay at least one tick above zero.
  const lowestBestBid = levels;
  let bestBidTicks = Math.max(lowestBestBid, Number(startTicks.toFixed()));
  let sequence = 0;
  let lastQuote: QuoteTick | undefined;

  const price = (ticks: number): Decimal => instrument.tickSize.times(decimal(ticks));
  const lots = (count: number): Decimal => instrument.lotSize.times(decimal(count));
  const levelSize = (): Decimal => lots(randomInteger(random, minLevelLots, maxLevelLots));

  function quote(timestamp: number): QuoteTick {
    if (sequence > 0) bestBidTicks = Math.max(lowestBestBid, bestBidTicks + randomInteger(random, -maxStepTicks, maxStepTicks));
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let level = 0; level < levels; level++) {
      bids.push({ price: price(bestBidTicks - level), quantity: levelSize() });
      asks.push({ price: price(bestBidTicks + spreadTicks + level), quantity: levelSize() });
    }
    return { type: 'quote', symbol: instrument.symbol, timestamp, bids, asks };
  }

  function trade(timestamp: number, touch: QuoteTick): TradeTick {
    const aggressor = random() < 0.5 ? 'buy' : 'sell';
    // A buyer lifts the best ask, a seller hits the best bid.
    const touchLevel = aggressor === 'buy' ? touch.asks[0]! : touch.bids[0]!;
    return { type: 'trade', symbol: instrument.symbol, timestamp, price: touchLevel.price, quantity: lots(randomInteger(random, 1, maxTradeLots)), aggressor };
  }

  function next(): MarketData {
    const timestamp = options.startTime + sequence * intervalMs;
    const isTrade = lastQuote !== undefined && random() < tradeShare;
    const tick = isTrade ? trade(timestamp, lastQuote!) : (lastQuote = quote(timestamp));
    sequence++;
    return tick;
  }

  return {
    next,
    take(count: number): MarketData[] {
      const ticks: MarketData[] = [];
      for (let index = 0; index < count; index++) ticks.push(next());
      return ticks;
    },
    *[Symbol.iterator](): Iterator<MarketData> {
      for (;;) yield next();
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${value}`);
  return value;
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${value}`);
  return value;
}
