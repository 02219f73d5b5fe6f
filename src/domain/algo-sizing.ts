// Slice sizing and pricing shared by every execution algorithm: quantities fit the instrument's lot and
// minimum, and are taken from what is left, so a slice can never take the parent past its quantity.
import { decimal, roundToStep, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import type { OrderSide } from './order-request.ts';

/** The instrument's grid as an algo keeps it in context (strings: snapshots are JSON). */
export interface SliceGrid {
  readonly tickSize: DecimalString;
  readonly lotSize: DecimalString;
  readonly minQuantity: DecimalString;
}

/** The smallest quantity the venue takes: the minimum, or one lot when that is larger. */
export function smallestSlice(grid: SliceGrid): Decimal {
  const lot = decimal(grid.lotSize);
  const minimum = decimal(grid.minQuantity);
  return minimum.gt(lot) ? minimum : lot;
}

/**
 * A slice of `desired` taken from `unassigned`: rounded down to the lot, never more than what is unassigned,
 * and never leaving a rest too small to send (then the slice shrinks to leave the smallest slice, or, when
 * `mayTakeRest` and it cannot, takes the rest). Zero when nothing sendable fits.
 */
export function fitSlice(desired: Decimal, unassigned: Decimal, grid: SliceGrid, mayTakeRest: boolean): Decimal {
  const smallest = smallestSlice(grid);
  const lot = decimal(grid.lotSize);
  const available = roundToStep(unassigned, lot, 'down');
  let slice = roundToStep(desired.gt(available) ? available : desired, lot, 'down');
  if (slice.lt(smallest)) return ZERO;
  const rest = available.minus(slice);
  if (rest.gt(ZERO) && rest.lt(smallest)) {
    if (mayTakeRest) return available;
    const shrunk = available.minus(smallest);
    slice = shrunk.gte(smallest) ? shrunk : slice;
  }
  return slice;
}

/** True when `price` is at least as good for the side as `limit` (no limit: always). */
export function withinLimit(side: OrderSide, price: Decimal, limit: DecimalString | undefined): boolean {
  if (limit === undefined) return true;
  return side === 'buy' ? price.lte(limit) : price.gte(limit);
}

/** The better-for-us of a price and the limit: a buy never pays above it, a sell never takes below it. */
export function capAtLimit(side: OrderSide, price: Decimal, limit: DecimalString | undefined): Decimal {
  if (limit === undefined) return price;
  const bound = decimal(limit);
  return side === 'buy' ? (price.gt(bound) ? bound : price) : price.lt(bound) ? bound : price;
}

/** The near touch for the side (best bid for a buy), moved `offsetTicks` away from the spread. */
export function passivePrice(side: OrderSide, bestBid: DecimalString, bestAsk: DecimalString, offsetTicks: number, grid: SliceGrid): Decimal {
  const offset = decimal(grid.tickSize).times(decimal(offsetTicks));
  return side === 'buy' ? decimal(bestBid).minus(offset) : decimal(bestAsk).plus(offset);
}

/** The far touch: the price that takes liquidity now (best ask for a buy). */
export function aggressivePrice(side: OrderSide, bestBid: DecimalString, bestAsk: DecimalString): Decimal {
  return side === 'buy' ? decimal(bestAsk) : decimal(bestBid);
}

/** How many ticks the market moved away from `restingPrice` (positive: away, so a buy rests below the market). */
export function ticksAway(side: OrderSide, restingPrice: DecimalString, wantedPrice: Decimal, grid: SliceGrid): Decimal {
  const difference = side === 'buy' ? wantedPrice.minus(restingPrice) : decimal(restingPrice).minus(wantedPrice);
  return difference.div(grid.tickSize);
}

/** A fraction of `quantity` spread by `spread` × `signed` (signed in [-1, 1)). */
export function randomised(quantity: Decimal, spread: DecimalString, signed: Decimal): Decimal {
  return quantity.times(decimal(1).plus(decimal(spread).times(signed)));
}
