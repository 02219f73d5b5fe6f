// Refuses an order that ccxt would change on its way out: ccxt truncates amounts and rounds prices to the
// market's precision without a word, so an order is sent only if what ccxt would write equals what we asked.
import type { Exchange } from 'ccxt';
import { decimal, isDecimalText } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import { priceIssue, quantityIssue } from '../../src/domain/order-request.ts';
import type { VenueOrder } from '../venue.ts';

/** Why the order cannot be sent unchanged, or undefined when ccxt would send exactly these numbers. */
export function precisionIssue(exchange: Exchange, instrument: Instrument, order: VenueOrder): string | undefined {
  const quantityProblem = quantityIssue(order.quantity, instrument);
  if (quantityProblem !== undefined) return quantityProblem;
  if (decimal(order.quantity).lt(instrument.minQuantity)) return `quantity ${order.quantity} is below the minimum ${instrument.spec.minQuantity}`;
  const changed = changedBy(() => exchange.amountToPrecision(instrument.symbol, order.quantity), order.quantity);
  if (changed !== undefined) return `ccxt would send quantity ${changed} instead of ${order.quantity}`;
  for (const [field, value] of [['price', order.price], ['stopPrice', order.stopPrice], ['activationPrice', order.activationPrice]] as const) {
    if (value === undefined) continue;
    const problem = priceIssue(field, value, instrument);
    if (problem !== undefined) return problem;
    const rounded = changedBy(() => exchange.priceToPrecision(instrument.symbol, value), value);
    if (rounded !== undefined) return `ccxt would send ${field} ${rounded} instead of ${value}`;
  }
  if (order.price !== undefined && decimal(order.price).times(order.quantity).lt(instrument.minNotional)) {
    return `notional ${decimal(order.price).times(order.quantity).toFixed()} is below the minimum ${instrument.spec.minNotional}`;
  }
  return undefined;
}

/** ccxt's text for `value`, when it differs from `value` (or cannot be read as a decimal). */
function changedBy(format: () => string | undefined, value: string): string | undefined {
  let text: string | undefined;
  try {
    text = format();
  } catch (error) {
    return `nothing (${(error as Error).message})`;
  }
  // The common case: ccxt writes the very text asked for (no decimal parse needed to see it is unchanged).
  if (text === value) return undefined;
  if (text === undefined || !isDecimalText(text)) return String(text);
  return decimal(text).eq(decimal(value)) ? undefined : text;
}
