// Break-even stops: the price at which closing a position makes zero after fees, on the tick grid, and when
// the stop moves there. (Trailing-stop arithmetic lives in one place: src/domain/triggers.ts.)
import { HUNDRED, ONE, ZERO, type Decimal } from '../domain/decimal.ts';
import type { TickGrid } from './grid.ts';
import { requireNonNegative, requirePositive } from './guards.ts';
import { favourableMove, isLong, priceInFavour, roundPriceInFavour, type PositionEntry } from './position-side.ts';
import { stopLossDistance } from './stops.ts';

/** The costs a break-even stop must cover. */
export type FeeModel =
  /** The round-trip fees (entry + exit) per unit of quantity, in quote currency. */
  | { readonly kind: 'perUnit'; readonly amount: Decimal }
  /** Fee rates on notional: `entryRate` on the entry price, `exitRate` on the stop price (e.g. maker in, taker out). */
  | { readonly kind: 'rate'; readonly entryRate: Decimal; readonly exitRate: Decimal };

/**
 * The exact price at which closing the position makes zero after fees:
 * per unit: entry ± amount; rates: a long needs S − E = E·in + S·out, so S = E(1 + in)/(1 − out);
 * a short needs E − S = E·in + S·out, so S = E(1 − in)/(1 + out). (Rate results carry 30 decimal places.)
 */
export function breakEvenPrice(entry: PositionEntry, fees: FeeModel): Decimal {
  requirePositive('entryPrice', entry.entryPrice);
  if (fees.kind === 'perUnit') return priceInFavour(entry.entryPrice, requireNonNegative('fee per unit', fees.amount), entry.side);
  requireNonNegative('entryRate', fees.entryRate);
  requireNonNegative('exitRate', fees.exitRate);
  if (!fees.exitRate.lt(ONE)) throw new Error(`exitRate must be below 1, got ${fees.exitRate.toFixed()}`);
  return isLong(entry.side)
    ? entry.entryPrice.times(ONE.plus(fees.entryRate)).div(ONE.minus(fees.exitRate))
    : entry.entryPrice.times(ONE.minus(fees.entryRate)).div(ONE.plus(fees.exitRate));
}

/** Profit per unit after fees when the position is closed at `exitPrice`, computed without division (exact). */
function netProfitPerUnit(entry: PositionEntry, fees: FeeModel, exitPrice: Decimal): Decimal {
  const gross = favourableMove(entry.entryPrice, exitPrice, entry.side);
  const costs = fees.kind === 'perUnit' ? fees.amount : entry.entryPrice.times(fees.entryRate).plus(exitPrice.times(fees.exitRate));
  return gross.minus(costs);
}

/**
 * The break-even stop on the tick grid: the break-even price rounded in the position's favour (up for a long,
 * down for a short) so that being stopped there never loses money after fees; checked exactly.
 */
export function breakEvenStop(entry: PositionEntry, fees: FeeModel, grid: TickGrid): Decimal {
  let stop = roundPriceInFavour(grid, breakEvenPrice(entry, fees), entry.side);
  // The rate formula divides (30 places); step one more tick should that ever leave a sub-unit loss.
  while (netProfitPerUnit(entry, fees, stop).lt(ZERO)) stop = priceInFavour(stop, grid.tickSize, entry.side);
  return stop;
}

/** When the stop moves to break-even. */
export type BreakEvenTrigger =
  /** Once the price is `percent` % of the entry in profit. */
  | { readonly kind: 'percent'; readonly percent: Decimal }
  /** Once the profit reaches `multiple` × R, R being the initial stop distance |entry − initialStopPrice|. */
  | { readonly kind: 'rMultiple'; readonly multiple: Decimal; readonly initialStopPrice: Decimal };

/** The profit (in price) at which the break-even trigger fires. */
export function breakEvenTriggerDistance(entry: PositionEntry, trigger: BreakEvenTrigger): Decimal {
  if (trigger.kind === 'percent') {
    return entry.entryPrice.times(requirePositive('break-even trigger percent', trigger.percent)).div(HUNDRED);
  }
  const initialRisk = stopLossDistance(entry, { method: 'price', price: trigger.initialStopPrice });
  return initialRisk.times(requirePositive('break-even trigger R multiple', trigger.multiple));
}
