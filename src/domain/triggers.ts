// Trigger arithmetic for stops, take-profits and trailing stops: the one place trailing levels are computed,
// for orders held locally (emulated) until triggered and for the trailing stops positions place.
import { decimal, HUNDRED, ONE, roundToStep, type Decimal, type DecimalString } from './decimal.ts';
import type { OrderSide, OrderType } from './order-request.ts';

/** What an emulated order becomes when triggered: the venue is sent this type. */
export function releasedOrderType(type: OrderType): OrderType {
  return type === 'stopLimit' || type === 'takeProfitLimit' ? 'limit' : 'market';
}

/**
 * True when the order fires on a fall to its trigger (a sell stop, a buy take-profit), false when it fires on
 * a rise (a buy stop, a sell take-profit).
 */
export function triggerFiresBelow(side: OrderSide, type: OrderType): boolean {
  const isTakeProfit = type === 'takeProfit' || type === 'takeProfitLimit';
  return (side === 'sell') !== isTakeProfit;
}

/**
 * A stop fires when the market moves against the order's side through it (sell stop: price <= stop; buy
 * stop: price >= stop). A take-profit fires when the market reaches it in the order's favour.
 */
export function isTriggeredAt(side: OrderSide, type: OrderType, triggerPrice: Decimal, marketPrice: Decimal): boolean {
  return triggerFiresBelow(side, type) ? marketPrice.lte(triggerPrice) : marketPrice.gte(triggerPrice);
}

export interface TrailingPlan {
  readonly side: OrderSide;
  readonly trailingOffset?: DecimalString;
  readonly trailingPercent?: DecimalString;
  readonly activationPrice?: DecimalString;
}

export interface TrailingState {
  /** The best price seen since activation: highest for a sell trailing stop, lowest for a buy. */
  readonly watermark: DecimalString;
  readonly triggerPrice: DecimalString;
}

/** Whether the market has reached the activation price (always true without one). */
export function isTrailingActive(plan: TrailingPlan, marketPrice: Decimal): boolean {
  if (plan.activationPrice === undefined) return true;
  return plan.side === 'sell' ? marketPrice.gte(plan.activationPrice) : marketPrice.lte(plan.activationPrice);
}

/** The trigger level for a watermark, rounded away from the market so it is never tighter than asked. */
export function trailingTriggerPrice(plan: TrailingPlan, watermark: Decimal, tickSize: Decimal): Decimal {
  const distance =
    plan.trailingOffset !== undefined
      ? decimal(plan.trailingOffset)
      : watermark.times(decimal(plan.trailingPercent ?? '0')).div(HUNDRED);
  if (plan.side === 'sell') return roundToStep(watermark.minus(distance), tickSize, 'down');
  return roundToStep(watermark.plus(distance), tickSize, 'up');
}

/**
 * The trailing state after the market printed `marketPrice`: undefined when nothing changes (the usual case,
 * so a tick that moves nothing wakes nobody). The watermark only moves in the order's favour.
 */
export function advanceTrailing(
  plan: TrailingPlan,
  current: TrailingState | undefined,
  marketPrice: Decimal,
  tickSize: Decimal,
): TrailingState | undefined {
  if (current === undefined) {
    if (!isTrailingActive(plan, marketPrice)) return undefined;
    return { watermark: marketPrice.toFixed(), triggerPrice: trailingTriggerPrice(plan, marketPrice, tickSize).toFixed() };
  }
  const improves = plan.side === 'sell' ? marketPrice.gt(current.watermark) : marketPrice.lt(current.watermark);
  if (!improves) return undefined;
  const triggerPrice = trailingTriggerPrice(plan, marketPrice, tickSize);
  return { watermark: marketPrice.toFixed(), triggerPrice: triggerPrice.toFixed() };
}


/**
 * The activation price for a trailing stop (`side` is the stop's: sell for a long position) that replaces a
 * stop at `currentStop`: the market price at which its trigger first reaches the current stop, rounded so
 * that swapping the stop for the trailing one never loosens it.
 */
export function nonLooseningActivation(
  side: OrderSide,
  currentStop: DecimalString,
  trailing: { readonly trailingOffset?: DecimalString; readonly trailingPercent?: DecimalString },
  tickSize: Decimal,
): DecimalString {
  const stop = decimal(currentStop);
  const sell = side === 'sell';
  let price: Decimal;
  if (trailing.trailingOffset !== undefined) {
    price = sell ? stop.plus(trailing.trailingOffset) : stop.minus(trailing.trailingOffset);
  } else {
    const fraction = decimal(trailing.trailingPercent ?? '0').div(HUNDRED);
    price = sell ? stop.div(ONE.minus(fraction)) : stop.div(ONE.plus(fraction));
  }
  return roundToStep(price, tickSize, sell ? 'up' : 'down').toFixed();
}
