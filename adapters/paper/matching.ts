// Pure matching arithmetic of the paper venue: walking the book, queue positions, notional, fees, reservations.
import { ONE, ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import type { BookSide } from './book.ts';

/** One price level's share of an aggressing order. */
export interface LevelFill {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** What an aggressing order would take from one side of the book; computed without touching the book. */
export interface TakePlan {
  readonly fills: readonly LevelFill[];
  readonly filledQuantity: Decimal;
  /** Sum of price x quantity over the fills. */
  readonly notional: Decimal;
}

/** True when a level at `levelPrice` on `side` is acceptable to an order limited at `limitPrice`. */
export function levelWithinLimit(side: BookSide, levelPrice: Decimal, limitPrice: Decimal | undefined): boolean {
  if (limitPrice === undefined) return true;
  // Selling takes bids at or above the limit; buying takes asks at or below it.
  return side.isBidSide ? levelPrice.gte(limitPrice) : levelPrice.lte(limitPrice);
}

/**
 * Walks `side` best level first, each level at its own price, taking up to `quantity` and stopping at the
 * first level beyond `limitPrice` (no limit for market orders). Liquidity our orders already took since the
 * last quote is not offered again.
 */
export function planTake(side: BookSide, quantity: Decimal, limitPrice: Decimal | undefined): TakePlan {
  const fills: LevelFill[] = [];
  let left = quantity;
  let notional = ZERO;
  for (let index = side.takenLevels; index < side.levels.length && left.gt(ZERO); index++) {
    const level = side.levels[index]!;
    if (!levelWithinLimit(side, level.price, limitPrice)) break;
    const available = side.availableAt(index);
    if (!available.gt(ZERO)) continue;
    const taken = available.lt(left) ? available : left;
    fills.push({ price: level.price, quantity: taken });
    notional = notional.plus(taken.times(level.price));
    left = left.minus(taken);
  }
  return { fills, filledQuantity: quantity.minus(left), notional };
}

/** Total quantity on `side` at prices that cross `limitPrice` (what a quote offers a resting order there). */
export function crossingQuantity(side: BookSide, limitPrice: Decimal): Decimal {
  let total = ZERO;
  for (let index = side.takenLevels; index < side.levels.length; index++) {
    const level = side.levels[index]!;
    if (!levelWithinLimit(side, level.price, limitPrice)) break;
    total = total.plus(side.availableAt(index));
  }
  return total;
}

/** How a volume passing a resting order's price splits between the queue ahead of it and the order itself. */
export interface QueuePass {
  /** Taken by the queue ahead (other participants who were there first). */
  readonly eaten: Decimal;
  /** What reaches the order: its fill. */
  readonly filled: Decimal;
}

/**
 * Volume traded at a resting order's price first eats the queue ahead; only the excess fills the order,
 * and never more than it still wants.
 */
export function passThroughQueue(queueAhead: Decimal, remaining: Decimal, passing: Decimal): QueuePass {
  if (!passing.gt(ZERO)) return { eaten: ZERO, filled: ZERO };
  const eaten = queueAhead.lt(passing) ? queueAhead : passing;
  const excess = passing.minus(eaten);
  return { eaten, filled: excess.lt(remaining) ? excess : remaining };
}

export function notionalOf(quantity: Decimal, price: Decimal): Decimal {
  return quantity.times(price);
}

/** Fee = notional x rate, exact (no rounding: the ledger keeps every digit, as the venue's books would). */
export function feeOf(notional: Decimal, rate: Decimal): Decimal {
  return notional.times(rate);
}

/**
 * The fee rate a buy reserves for: the taker rate, or the maker rate if an odd schedule makes it higher,
 * so that no fill can ever cost more than was reserved for it.
 */
export function reservationFeeRate(instrument: Instrument): Decimal {
  return instrument.takerFee.gte(instrument.makerFee) ? instrument.takerFee : instrument.makerFee;
}

/** Quote currency a buy of `quantity` at up to `price` must hold: quantity x price x (1 + fee rate). */
export function buyReservation(instrument: Instrument, quantity: Decimal, price: Decimal): Decimal {
  return quantity.times(price).times(ONE.plus(reservationFeeRate(instrument)));
}

/** Quote currency a market buy with a walked cost of `notional` must hold: notional x (1 + fee rate). */
export function notionalReservation(instrument: Instrument, notional: Decimal): Decimal {
  return notional.times(ONE.plus(reservationFeeRate(instrument)));
}

/** Cash movement of one fill, per currency, from the account's point of view. */
export interface FillCashFlow {
  /** Change of the base currency total. */
  readonly baseChange: Decimal;
  /** Change of the quote currency total (the fee is always paid in quote). */
  readonly quoteChange: Decimal;
  readonly notional: Decimal;
  readonly fee: Decimal;
}

/** Buy: base += quantity, quote -= notional + fee. Sell: base -= quantity, quote += notional - fee. */
export function fillCashFlow(side: OrderSide, quantity: Decimal, price: Decimal, feeRate: Decimal): FillCashFlow {
  const notional = notionalOf(quantity, price);
  const fee = feeOf(notional, feeRate);
  return side === 'buy'
    ? { baseChange: quantity, quoteChange: notional.plus(fee).neg(), notional, fee }
    : { baseChange: quantity.neg(), quoteChange: notional.minus(fee), notional, fee };
}
