// How an open position's stop follows the market: to break-even once in profit, then trailing; never loosening.
import { HUNDRED, ONE, ZERO, type Decimal } from '../domain/decimal.ts';
import type { OrderSide } from '../domain/order-request.ts';
import type { TickGrid } from './grid.ts';
import { requireNonNegative, requirePercentBelowHundred, requirePositive } from './guards.ts';
import {
  favourableMove,
  isFurtherInFavour,
  isLong,
  priceAgainst,
  priceInFavour,
  roundPriceAgainst,
  roundPriceInFavour,
  tighterStop,
  type PositionEntry,
} from './position-side.ts';
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

export interface BreakEvenPlan {
  readonly trigger: BreakEvenTrigger;
  readonly fees: FeeModel;
}

export interface BreakEvenDecision {
  /**
   * True when the trigger profit is reached and the break-even stop lies strictly on the protective side of
   * the current price (below it for a long), so it can be placed without firing at once.
   */
  readonly triggered: boolean;
  /** The stop to hold: the tighter of the current stop and the break-even stop when triggered, else the current stop. */
  readonly stopPrice: Decimal | undefined;
  /** The tick-rounded break-even stop, whether or not it applies yet. */
  readonly breakEvenStop: Decimal;
}

/** The profit (in price) at which the break-even trigger fires. */
export function breakEvenTriggerDistance(entry: PositionEntry, trigger: BreakEvenTrigger): Decimal {
  if (trigger.kind === 'percent') {
    return entry.entryPrice.times(requirePositive('break-even trigger percent', trigger.percent)).div(HUNDRED);
  }
  const initialRisk = stopLossDistance(entry, { method: 'price', price: trigger.initialStopPrice });
  return initialRisk.times(requirePositive('break-even trigger R multiple', trigger.multiple));
}

/**
 * Whether the stop moves to break-even at `currentPrice`, and the stop to hold. Never loosens: a current stop
 * already tighter than break-even is kept.
 */
export function evaluateBreakEven(
  entry: PositionEntry,
  plan: BreakEvenPlan,
  currentPrice: Decimal,
  currentStop: Decimal | undefined,
  grid: TickGrid,
): BreakEvenDecision {
  requirePositive('currentPrice', currentPrice);
  const stop = breakEvenStop(entry, plan.fees, grid);
  const reached = favourableMove(entry.entryPrice, currentPrice, entry.side).gte(breakEvenTriggerDistance(entry, plan.trigger));
  const placeable = isFurtherInFavour(currentPrice, stop, entry.side);
  if (!reached || !placeable) return { triggered: false, stopPrice: currentStop, breakEvenStop: stop };
  return { triggered: true, stopPrice: currentStop === undefined ? stop : tighterStop(currentStop, stop, entry.side), breakEvenStop: stop };
}

/** How far behind the watermark the trailing stop sits. */
export type TrailingDistance =
  | { readonly kind: 'offset'; readonly offset: Decimal }
  /** Percent of the watermark price, above 0 and below 100. */
  | { readonly kind: 'percent'; readonly percent: Decimal }
  | { readonly kind: 'atr'; readonly atr: Decimal; readonly multiple: Decimal };

/** When trailing starts: the watermark must first reach this profit. */
export type TrailingActivation =
  /** The watermark is `percent` % of the entry in profit. */
  | { readonly kind: 'percent'; readonly percent: Decimal }
  /** The watermark has reached `price` (at or above it for a long, at or below for a short). */
  | { readonly kind: 'price'; readonly price: Decimal };

export interface TrailingPlan {
  readonly side: OrderSide;
  readonly entryPrice: Decimal;
  readonly distance: TrailingDistance;
  /** Absent: trailing is active from the start. */
  readonly activation?: TrailingActivation;
  readonly grid: TickGrid;
}

/** The most favourable price seen so far: the highest for a long, the lowest for a short. */
export function nextWatermark(previous: Decimal | undefined, price: Decimal, side: OrderSide): Decimal {
  requirePositive('price', price);
  if (previous === undefined) return price;
  return isFurtherInFavour(price, previous, side) ? price : previous;
}

/** The trailing distance in price at the given watermark. */
export function trailingDistance(distance: TrailingDistance, watermark: Decimal): Decimal {
  switch (distance.kind) {
    case 'offset':
      return requirePositive('trailing offset', distance.offset);
    case 'percent':
      return watermark.times(requirePercentBelowHundred('trailing percent', distance.percent)).div(HUNDRED);
    case 'atr':
      return requirePositive('atr', distance.atr).times(requirePositive('trailing ATR multiple', distance.multiple));
  }
}

/** True once the watermark has reached the plan's activation profit (always, without an activation). */
export function isTrailingActive(watermark: Decimal, plan: TrailingPlan): boolean {
  const { activation } = plan;
  if (activation === undefined) return true;
  if (activation.kind === 'price') {
    requirePositive('activation price', activation.price);
    return !isFurtherInFavour(activation.price, watermark, plan.side);
  }
  const needed = plan.entryPrice.times(requirePositive('activation percent', activation.percent)).div(HUNDRED);
  return favourableMove(plan.entryPrice, watermark, plan.side).gte(needed);
}

/**
 * The next trailing stop for a watermark (the best price since entry, see nextWatermark): the watermark minus
 * the trailing distance for a long (plus, for a short), rounded on the tick AWAY from the watermark so it
 * never trails closer than the configured distance (a closer stop would be hit by the noise the distance
 * allows for; the risk is already bounded by the stop it replaces). The result ONLY EVER moves in the
 * position's favour: a candidate looser than `currentStop` is ignored and `currentStop` returned. Before
 * activation the current stop is returned unchanged (undefined when there is none).
 */
export function nextTrailingStop(currentStop: Decimal | undefined, watermark: Decimal, plan: TrailingPlan): Decimal | undefined {
  requirePositive('entryPrice', plan.entryPrice);
  requirePositive('watermark', watermark);
  if (!isTrailingActive(watermark, plan)) return currentStop;
  const exact = priceAgainst(watermark, trailingDistance(plan.distance, watermark), plan.side);
  if (!exact.gt(ZERO)) return currentStop;
  const candidate = roundPriceAgainst(plan.grid, exact, plan.side);
  if (!candidate.gt(ZERO)) return currentStop;
  return currentStop === undefined ? candidate : tighterStop(currentStop, candidate, plan.side);
}
