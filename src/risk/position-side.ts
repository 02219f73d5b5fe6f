// Which way a position makes money (entered with a buy = long, with a sell = short) and prices relative to it.
import { ZERO, roundToStep, type Decimal } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import type { TickGrid } from './grid.ts';

/** A position as these calculators see it: the side of its entry order and its (average) entry price. */
export interface PositionEntry {
  /** 'buy' opened a long position, 'sell' a short one. */
  readonly side: OrderSide;
  readonly entryPrice: Decimal;
}

export function isLong(side: OrderSide): boolean {
  return side === 'buy';
}

/** The price `distance` away from `price` in the position's favour (above for a long, below for a short). */
export function priceInFavour(price: Decimal, distance: Decimal, side: OrderSide): Decimal {
  return isLong(side) ? price.plus(distance) : price.minus(distance);
}

/** The price `distance` away from `price` against the position (below for a long, above for a short). */
export function priceAgainst(price: Decimal, distance: Decimal, side: OrderSide): Decimal {
  return isLong(side) ? price.minus(distance) : price.plus(distance);
}

/** How far the market moved in the position's favour going from `from` to `to` (negative when against). */
export function favourableMove(from: Decimal, to: Decimal, side: OrderSide): Decimal {
  return isLong(side) ? to.minus(from) : from.minus(to);
}

/** True when `candidate` is strictly further in the position's favour than `reference`. */
export function isFurtherInFavour(candidate: Decimal, reference: Decimal, side: OrderSide): boolean {
  return favourableMove(reference, candidate, side).gt(ZERO);
}

/** Of two stop prices, the one that protects more profit (the higher for a long, the lower for a short). */
export function tighterStop(first: Decimal, second: Decimal, side: OrderSide): Decimal {
  return isFurtherInFavour(second, first, side) ? second : first;
}

/** Rounds a price to the tick grid in the position's favour: up for a long, down for a short. */
export function roundPriceInFavour(grid: TickGrid, price: Decimal, side: OrderSide): Decimal {
  return roundToStep(price, grid.tickSize, isLong(side) ? 'up' : 'down');
}

/** Rounds a price to the tick grid against the position: down for a long, up for a short. */
export function roundPriceAgainst(grid: TickGrid, price: Decimal, side: OrderSide): Decimal {
  return roundToStep(price, grid.tickSize, isLong(side) ? 'down' : 'up');
}
