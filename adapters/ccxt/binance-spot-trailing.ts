// Binance spot trailing stops: a STOP_LOSS or TAKE_PROFIT order with trailingDelta, in basis points of the
// price. A SELL trailing stop with an activation price is Binance's TAKE_PROFIT SELL whose stopPrice is the
// activation (it trails once the price has risen to it); without one it is a STOP_LOSS SELL that trails from
// the last price at once (BUY mirrored). ccxt writes trailingDelta from trailingPercent × 100, exactly.
import { decimal } from '../../src/domain/decimal.ts';
import type { VenueOrder } from '../venue.ts';

type Raw = Record<string, unknown>;

/** The Binance order type a spot trailing stop is sent as. */
export function spotTrailingType(order: VenueOrder): 'STOP_LOSS' | 'TAKE_PROFIT' {
  return order.activationPrice === undefined ? 'STOP_LOSS' : 'TAKE_PROFIT';
}

/** ccxt params of a spot trailing stop: the percent (ccxt sends × 100 as trailingDelta) and the activation as stopPrice. */
export function spotTrailingParams(order: VenueOrder): Record<string, unknown> {
  return { trailingPercent: order.trailingPercent, ...(order.activationPrice !== undefined ? { trailingTriggerPrice: order.activationPrice } : {}) };
}

/**
 * Why a spot trailing stop cannot be sent exactly: Binance trails by whole basis points only, within the
 * symbol's TRAILING_DELTA filter (the "above" bounds for a STOP_LOSS BUY or TAKE_PROFIT SELL, the "below"
 * bounds for a STOP_LOSS SELL or TAKE_PROFIT BUY).
 */
export function spotTrailingIssue(order: VenueOrder, marketInfo: Raw | undefined): string | undefined {
  if (order.type !== 'trailingStop') return undefined;
  if (order.trailingOffset !== undefined) return `Binance spot trails by a percentage (trailingDelta, basis points) only; a trailingOffset of ${order.trailingOffset} cannot be sent exactly`;
  if (order.trailingPercent === undefined) return 'a trailing stop needs trailingPercent';
  const bips = decimal(order.trailingPercent).times('100');
  if (!bips.mod('1').eq('0')) return `Binance spot trails in whole basis points (0.01 percent); trailingPercent ${order.trailingPercent} would be changed`;
  const filters = (Array.isArray(marketInfo?.filters) ? marketInfo.filters : []) as Raw[];
  const bounds = filters.find((filter) => filter.filterType === 'TRAILING_DELTA');
  if (bounds === undefined) return undefined;
  const type = spotTrailingType(order);
  const above = (type === 'STOP_LOSS') === (order.side === 'buy');
  const min = Number(above ? bounds.minTrailingAboveDelta : bounds.minTrailingBelowDelta);
  const max = Number(above ? bounds.maxTrailingAboveDelta : bounds.maxTrailingBelowDelta);
  if (Number.isFinite(min) && Number.isFinite(max) && (bips.lt(String(min)) || bips.gt(String(max)))) {
    return `Binance spot takes a trailingDelta from ${min} to ${max} basis points for this order; trailingPercent ${order.trailingPercent} is ${bips.toFixed()}`;
  }
  return undefined;
}
