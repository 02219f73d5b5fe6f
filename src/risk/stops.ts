// Stop-loss and take-profit prices for long and short positions, on the tick grid, and take-profit ladders.
import { HUNDRED, ONE, ZERO, type Decimal } from '../domain/decimal.ts';
import { splitQuantity } from './allocation.ts';
import type { LotGrid, TickGrid } from './grid.ts';
import { requirePercentBelowHundred, requirePositive, requireUnitInterval } from './guards.ts';
import { favourableMove, isFurtherInFavour, isLong, priceAgainst, priceInFavour, roundPriceAgainst, roundPriceInFavour, type PositionEntry } from './position-side.ts';

/*
 * Rounding to the tick, the conservative direction: every stop-loss and take-profit rounds TOWARD the entry.
 * - A stop rounded away from the entry would lose more than the position was sized for (sizing divides the
 *   risk budget by the planned stop distance), so a long's stop rounds up and a short's down.
 * - A take-profit rounded toward the entry never asks the market for more than planned: the limit is
 *   reached at least as soon as the unrounded one would be.
 * A price that reaches or crosses the entry once rounded (a distance under one tick) is refused.
 */

/** How far below a long's entry (above a short's) the stop-loss goes. */
export type StopLossMethod =
  | { readonly method: 'price'; readonly price: Decimal }
  /** Percent of the entry price (2 = 2 %), above 0 and below 100. */
  | { readonly method: 'percent'; readonly percent: Decimal }
  | { readonly method: 'atr'; readonly atr: Decimal; readonly multiple: Decimal }
  /**
   * Higher confidence -> WIDER stop: the distance, in percent of entry, runs linearly from `minPercent` at
   * confidence 0 to `maxPercent` at confidence 1 (a strong signal is given room to breathe; a weak one is cut
   * quickly). Pair it with risk-based sizing so the wider stop means a smaller quantity, not more risk.
   */
  | { readonly method: 'confidence'; readonly confidence: Decimal; readonly minPercent: Decimal; readonly maxPercent: Decimal };

/** How far above a long's entry (below a short's) the take-profit goes. */
export type TakeProfitMethod =
  | { readonly method: 'price'; readonly price: Decimal }
  /** Percent of the entry price (3 = 3 %); a short's must be below 100. */
  | { readonly method: 'percent'; readonly percent: Decimal }
  /** `multiple` × the stop distance |entry − stopPrice| (stopPrice on the loss side of the entry). */
  | { readonly method: 'riskReward'; readonly stopPrice: Decimal; readonly multiple: Decimal }
  | { readonly method: 'atr'; readonly atr: Decimal; readonly multiple: Decimal };

/** The stop distance in percent of entry for a confidence in [0, 1]: minPercent + (maxPercent − minPercent) × confidence. */
export function confidenceStopPercent(confidence: Decimal, minPercent: Decimal, maxPercent: Decimal): Decimal {
  requireUnitInterval('confidence', confidence);
  requirePercentBelowHundred('minPercent', minPercent);
  requirePercentBelowHundred('maxPercent', maxPercent);
  if (maxPercent.lt(minPercent)) throw new Error(`maxPercent ${maxPercent.toFixed()} must not be below minPercent ${minPercent.toFixed()}`);
  return minPercent.plus(maxPercent.minus(minPercent).times(confidence));
}

function requireEntry(entry: PositionEntry): void {
  requirePositive('entryPrice', entry.entryPrice);
}

function percentOf(price: Decimal, percent: Decimal): Decimal {
  return price.times(percent).div(HUNDRED);
}

/** The exact (unrounded) distance from the entry to the stop-loss. Always positive. */
export function stopLossDistance(entry: PositionEntry, method: StopLossMethod): Decimal {
  requireEntry(entry);
  switch (method.method) {
    case 'price': {
      requirePositive('stop price', method.price);
      const distance = favourableMove(method.price, entry.entryPrice, entry.side);
      if (!distance.gt(ZERO)) {
        throw new Error(`stop price ${method.price.toFixed()} must be ${isLong(entry.side) ? 'below' : 'above'} the entry ${entry.entryPrice.toFixed()} for a ${isLong(entry.side) ? 'long' : 'short'}`);
      }
      return distance;
    }
    case 'percent':
      return percentOf(entry.entryPrice, requirePercentBelowHundred('stop percent', method.percent));
    case 'atr':
      return requirePositive('atr', method.atr).times(requirePositive('ATR multiple', method.multiple));
    case 'confidence':
      return percentOf(entry.entryPrice, confidenceStopPercent(method.confidence, method.minPercent, method.maxPercent));
  }
}

/** The stop-loss price on the tick grid, rounded toward the entry. Throws when it would not be strictly on the loss side. */
export function stopLossPrice(entry: PositionEntry, method: StopLossMethod, grid: TickGrid): Decimal {
  const exact = priceAgainst(entry.entryPrice, stopLossDistance(entry, method), entry.side);
  if (!exact.gt(ZERO)) throw new Error(`stop-loss ${exact.toFixed()} is not a positive price (entry ${entry.entryPrice.toFixed()})`);
  const rounded = roundPriceInFavour(grid, exact, entry.side);
  if (!isFurtherInFavour(entry.entryPrice, rounded, entry.side)) {
    throw new Error(`stop-loss ${exact.toFixed()} rounds to ${rounded.toFixed()}, which is not ${isLong(entry.side) ? 'below' : 'above'} the entry ${entry.entryPrice.toFixed()}: the stop distance is under one tick (${grid.tickSize.toFixed()})`);
  }
  return rounded;
}

/** The exact (unrounded) distance from the entry to the take-profit. Always positive. */
export function takeProfitDistance(entry: PositionEntry, method: TakeProfitMethod): Decimal {
  requireEntry(entry);
  switch (method.method) {
    case 'price': {
      requirePositive('take-profit price', method.price);
      const distance = favourableMove(entry.entryPrice, method.price, entry.side);
      if (!distance.gt(ZERO)) {
        throw new Error(`take-profit price ${method.price.toFixed()} must be ${isLong(entry.side) ? 'above' : 'below'} the entry ${entry.entryPrice.toFixed()} for a ${isLong(entry.side) ? 'long' : 'short'}`);
      }
      return distance;
    }
    case 'percent': {
      const percent = isLong(entry.side) ? requirePositive('take-profit percent', method.percent) : requirePercentBelowHundred('take-profit percent', method.percent);
      return percentOf(entry.entryPrice, percent);
    }
    case 'riskReward': {
      const stopDistance = stopLossDistance(entry, { method: 'price', price: method.stopPrice });
      return stopDistance.times(requirePositive('reward multiple', method.multiple));
    }
    case 'atr':
      return requirePositive('atr', method.atr).times(requirePositive('ATR multiple', method.multiple));
  }
}

/** The take-profit price on the tick grid, rounded toward the entry. Throws when it would not be strictly on the profit side. */
export function takeProfitPrice(entry: PositionEntry, method: TakeProfitMethod, grid: TickGrid): Decimal {
  const exact = priceInFavour(entry.entryPrice, takeProfitDistance(entry, method), entry.side);
  if (!exact.gt(ZERO)) throw new Error(`take-profit ${exact.toFixed()} is not a positive price (entry ${entry.entryPrice.toFixed()})`);
  const rounded = roundPriceAgainst(grid, exact, entry.side);
  if (!isFurtherInFavour(rounded, entry.entryPrice, entry.side)) {
    throw new Error(`take-profit ${exact.toFixed()} rounds to ${rounded.toFixed()}, which is not ${isLong(entry.side) ? 'above' : 'below'} the entry ${entry.entryPrice.toFixed()}: the distance is under one tick (${grid.tickSize.toFixed()})`);
  }
  return rounded;
}

export interface TakeProfitLadderLevel {
  readonly target: TakeProfitMethod;
  /** The share of the position this level closes, in (0, 1]; the shares must sum to exactly 1. */
  readonly fraction: Decimal;
}

export interface TakeProfitRung {
  readonly price: Decimal;
  /** A whole number of lots; may be zero when the position is too small to give this level a lot. */
  readonly quantity: Decimal;
}

/**
 * Partial take-profits: one rung per level, each at its target (rounded toward the entry) and closing its
 * fraction of `quantity` rounded down to the lot; the lots left by rounding go on the last rung, so the rungs
 * always close exactly `quantity`. Levels must move strictly away from the entry, in order.
 */
export function takeProfitLadder(
  entry: PositionEntry,
  quantity: Decimal,
  levels: readonly TakeProfitLadderLevel[],
  grid: TickGrid & LotGrid,
): TakeProfitRung[] {
  if (levels.length === 0) throw new Error('a take-profit ladder needs at least one level');
  levels.forEach((level, index) => {
    requirePositive(`level ${index} fraction`, level.fraction);
    if (level.fraction.gt(ONE)) throw new Error(`level ${index} fraction must be at most 1, got ${level.fraction.toFixed()}`);
  });
  const fractionSum = levels.reduce((sum, level) => sum.plus(level.fraction), ZERO);
  if (!fractionSum.eq(ONE)) throw new Error(`take-profit level fractions must sum to exactly 1, got ${fractionSum.toFixed()}`);
  const prices = levels.map((level) => takeProfitPrice(entry, level.target, grid));
  prices.forEach((price, index) => {
    const previous = prices[index - 1];
    if (previous !== undefined && !isFurtherInFavour(price, previous, entry.side)) {
      throw new Error(`take-profit level ${index} at ${price.toFixed()} is not beyond level ${index - 1} at ${previous.toFixed()}`);
    }
  });
  const quantities = splitQuantity(quantity, levels.map((level) => level.fraction), grid, 'last');
  return prices.map((price, index) => ({ price, quantity: quantities[index] as Decimal }));
}
