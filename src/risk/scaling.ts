// Scaling plans: scale in on pullbacks or out at profit targets, level sizes by schedule, summing exactly to the total.
import { HUNDRED, ONE, ZERO, type Decimal } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import { splitQuantity } from './allocation.ts';
import type { LotGrid, TickGrid } from './grid.ts';
import { requirePercentBelowHundred, requirePositive, requirePositiveInteger } from './guards.ts';
import { isFurtherInFavour, isLong, priceAgainst, priceInFavour, roundPriceAgainst } from './position-side.ts';

/** How the total is shared between levels, level 0 being the one nearest the reference price. */
export type SizeSchedule =
  /** 1, 1, 1, ... */
  | { readonly kind: 'equal' }
  /** 1, 2, 3, ... */
  | { readonly kind: 'linear' }
  /** 1, g, g², ... with growth g > 0 (g = 2 doubles each level). */
  | { readonly kind: 'exponential'; readonly growth: Decimal }
  /** 1, 1, 2, 3, 5, 8, ... */
  | { readonly kind: 'fibonacci' }
  /**
   * Inverse volatility: level i gets a share proportional to 1 / volatilities[i] (one positive volatility per
   * level, e.g. the ATR or standard deviation expected there), so every level carries the same risk.
   */
  | { readonly kind: 'volatility'; readonly volatilities: readonly Decimal[] };

/** How far apart the levels are: level i sits (i + 1) steps from the reference price. */
export type LevelSpacing =
  | { readonly kind: 'price'; readonly step: Decimal }
  /** Percent of the reference price per step (not compounded): level i is at (i + 1) × percent %. */
  | { readonly kind: 'percent'; readonly percent: Decimal }
  | { readonly kind: 'atr'; readonly atr: Decimal; readonly multiple: Decimal };

export interface ScalingPlanInput {
  /** 'scaleIn' adds on pullbacks (below the reference for a long); 'scaleOut' reduces at targets (above it for a long). */
  readonly direction: 'scaleIn' | 'scaleOut';
  /** The position's side: 'buy' for a long, 'sell' for a short. */
  readonly side: OrderSide;
  /** Usually the entry price. */
  readonly referencePrice: Decimal;
  /** The quantity to add or remove over all levels: a positive whole number of lots. */
  readonly totalQuantity: Decimal;
  readonly levelCount: number;
  readonly spacing: LevelSpacing;
  readonly schedule: SizeSchedule;
  /**
   * Which end of the schedule the largest share goes to (default 'farthest'): 'farthest' keeps the schedule as
   * written (level 0 nearest gets weight 1), 'nearest' reverses it.
   */
  readonly largestAt?: 'farthest' | 'nearest';
  readonly grid: TickGrid & LotGrid;
}

export interface ScalingLevel {
  /** 0 is the level nearest the reference price. */
  readonly index: number;
  readonly price: Decimal;
  /** A whole number of lots; may be zero when the total has fewer lots than the schedule needs. */
  readonly quantity: Decimal;
}

/** The schedule's weights for `levelCount` levels, nearest level first, before any rounding. */
export function scheduleWeights(schedule: SizeSchedule, levelCount: number): Decimal[] {
  requirePositiveInteger('levelCount', levelCount);
  const indexes = Array.from({ length: levelCount }, (_, index) => index);
  switch (schedule.kind) {
    case 'equal':
      return indexes.map(() => ONE);
    case 'linear':
      return indexes.map((index) => ONE.plus(index.toString()));
    case 'exponential': {
      const growth = requirePositive('growth', schedule.growth);
      return indexes.map((index) => growth.pow(index));
    }
    case 'fibonacci': {
      const weights: Decimal[] = [];
      for (const index of indexes) weights.push(index < 2 ? ONE : (weights[index - 1] as Decimal).plus(weights[index - 2] as Decimal));
      return weights;
    }
    case 'volatility': {
      if (schedule.volatilities.length !== levelCount) {
        throw new Error(`volatility schedule needs one volatility per level: ${levelCount} levels, ${schedule.volatilities.length} volatilities`);
      }
      return schedule.volatilities.map((volatility, index) => ONE.div(requirePositive(`volatility ${index}`, volatility)));
    }
  }
}

function stepDistance(spacing: LevelSpacing, referencePrice: Decimal): Decimal {
  switch (spacing.kind) {
    case 'price':
      return requirePositive('spacing step', spacing.step);
    case 'percent':
      return referencePrice.times(requirePercentBelowHundred('spacing percent', spacing.percent)).div(HUNDRED);
    case 'atr':
      return requirePositive('atr', spacing.atr).times(requirePositive('spacing ATR multiple', spacing.multiple));
  }
}

/**
 * The levels of a scaling plan. Prices: level i is (i + 1) steps from the reference, against the position for a
 * scale-in, in its favour for a scale-out, rounded on the tick against the position (down for a long) so a
 * scale-in never pays more and a scale-out never asks more than planned. Levels must stay positive and
 * distinct once rounded. Quantities follow the schedule, rounded down to the lot, with the leftover lots
 * going one each to the levels that lost most to rounding (ties to the nearer level): they sum EXACTLY to
 * the total.
 */
export function planScaling(input: ScalingPlanInput): ScalingLevel[] {
  const { side, referencePrice, grid } = input;
  requirePositive('referencePrice', referencePrice);
  const weights = scheduleWeights(input.schedule, input.levelCount);
  if (input.largestAt === 'nearest') weights.reverse();
  const step = stepDistance(input.spacing, referencePrice);
  const prices = weights.map((_, index) => {
    const distance = step.times((index + 1).toString());
    const exact = input.direction === 'scaleIn' ? priceAgainst(referencePrice, distance, side) : priceInFavour(referencePrice, distance, side);
    const rounded = roundPriceAgainst(grid, exact, side);
    if (!rounded.gt(ZERO)) throw new Error(`scaling level ${index} price ${exact.toFixed()} is not a positive price on the tick grid`);
    return rounded;
  });
  prices.forEach((price, index) => {
    const previous = index === 0 ? referencePrice : (prices[index - 1] as Decimal);
    const movesAway = input.direction === 'scaleIn' ? isFurtherInFavour(previous, price, side) : isFurtherInFavour(price, previous, side);
    if (!movesAway) {
      throw new Error(`scaling level ${index} at ${price.toFixed()} is not beyond ${index === 0 ? 'the reference price' : `level ${index - 1}`} at ${previous.toFixed()} once on the tick grid (${isLong(side) ? 'long' : 'short'} ${input.direction})`);
    }
  });
  const quantities = splitQuantity(input.totalQuantity, weights, grid, 'largestRemainder');
  return prices.map((price, index) => ({ index, price, quantity: quantities[index] as Decimal }));
}
