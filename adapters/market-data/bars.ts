// OHLCV bars as trades: the ordered price path a bar implies, so a paper venue can fill from bar data without look-ahead.
import { ZERO, decimal, type Decimal } from '../../src/domain/decimal.ts';
import type { BarTick, MarketData, TradeTick } from '../../src/domain/market-data.ts';

const QUARTER = decimal('0.25');

/**
 * When a tick can be known: a trade or quote at its timestamp, a bar only once it is complete (open time +
 * interval). Replaying a bar at its open time would hand its high and low to the past.
 */
export function availableAt(tick: MarketData): number {
  return tick.type === 'bar' ? tick.timestamp + tick.intervalMs : tick.timestamp;
}

/**
 * The trades a bar implies, in order: open, then the extreme the bar most likely reached first, then the
 * other, then close. A bar that closed up is taken to have dipped first (open, low, high, close); one that
 * closed down to have rallied first (open, high, low, close): the usual convention, and the one that does
 * not flatter a strategy buying dips in an up bar. Each print carries a quarter of the volume (exact), and
 * the aggressor is the direction of the move into it. Times are spread inside the bar: open at its start,
 * the extremes at one and two thirds, the close on its last millisecond.
 */
export function barToTrades(bar: BarTick): TradeTick[] {
  const closedUp = bar.close.gte(bar.open);
  const path: readonly Decimal[] = closedUp ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
  const lastMillisecond = Math.max(0, bar.intervalMs - 1);
  const offsets = [0, Math.floor(bar.intervalMs / 3), Math.floor((2 * bar.intervalMs) / 3), lastMillisecond];
  const quantity = bar.volume.times(QUARTER);
  let previous = bar.open;
  return path.map((price, index) => {
    const aggressor = price.gt(previous) ? 'buy' : price.lt(previous) ? 'sell' : closedUp ? 'buy' : 'sell';
    previous = price;
    return { type: 'trade', symbol: bar.symbol, timestamp: bar.timestamp + Math.min(offsets[index]!, lastMillisecond), price, quantity, aggressor };
  });
}

/**
 * Replaces every bar in a stream by its implied trades and then the bar itself, stamped for delivery when
 * it is complete (see `availableAt`). Other ticks pass through unchanged. Bars with zero volume yield no
 * trades (nothing traded, nothing can fill).
 */
export function* expandBarsToTrades(ticks: Iterable<MarketData>): Generator<MarketData> {
  for (const tick of ticks) {
    if (tick.type === 'bar') {
      if (tick.volume.gt(ZERO)) yield* barToTrades(tick);
    }
    yield tick;
  }
}
