// Binance spot's native OCO (POST /api/v3/orderList/oco, DELETE /api/v3/orderList): which two legs it takes
// as its "above" and "below" order, the request's parameters as exact strings, and the legs in its answers.
// The rules are Binance's: two legs of one side and one quantity, one above the market (a LIMIT_MAKER,
// TAKE_PROFIT or TAKE_PROFIT_LIMIT for a sell; a STOP_LOSS or STOP_LOSS_LIMIT for a buy), one below it.
import type { Exchange } from 'ccxt';
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { OrderType } from '../../src/domain/order-request.ts';
import type { VenueOrder, VenueOrderList } from '../venue.ts';
import { orderFromBinance } from './binance-payloads.ts';
import { NotSent } from './exchange-rest.ts';
import type { OrderListProtocol, RawOrderState } from './profile.ts';

type Raw = Record<string, unknown>;

/** The OCO's two legs in Binance's terms. */
export interface OcoPlacement {
  readonly above: VenueOrder;
  readonly below: VenueOrder;
}

/** The engine types that can be the leg on the far side of a stop (Binance's limit-like leg), by Binance name. */
const TARGET_TYPES: Partial<Record<OrderType, string>> = { limit: 'LIMIT_MAKER', takeProfit: 'TAKE_PROFIT', takeProfitLimit: 'TAKE_PROFIT_LIMIT' };
/** The engine types that can be an OCO's stop leg, by Binance name. */
const STOP_TYPES: Partial<Record<OrderType, string>> = { stop: 'STOP_LOSS', stopLimit: 'STOP_LOSS_LIMIT' };
/** Binance's time in force for the limit kinds of stop and take-profit legs. */
const LEG_TIME_IN_FORCE = new Set(['GTC', 'IOC', 'FOK']);

/** Which leg is above and which below, or why Binance would refuse the list's shape. Pure. */
export function binanceOcoPlacement(list: VenueOrderList): OcoPlacement | { readonly issue: string } {
  if (list.kind !== 'oco') return { issue: `Binance holds only OCO lists natively, not ${String(list.kind).toUpperCase()}` };
  if (list.orders.length !== 2) return { issue: `a Binance OCO has exactly 2 legs; this list has ${list.orders.length}` };
  const [first, second] = list.orders as [VenueOrder, VenueOrder];
  for (const leg of list.orders) {
    if (leg.symbol !== list.symbol) return { issue: `leg ${leg.clientOrderId} is for ${leg.symbol}, not the list's ${list.symbol}: a Binance OCO is for one symbol` };
  }
  if (first.side !== second.side) return { issue: `a Binance OCO's legs are on one side; legs ${first.clientOrderId} and ${second.clientOrderId} are ${first.side} and ${second.side}` };
  if (!decimal(first.quantity).eq(decimal(second.quantity))) return { issue: `a Binance OCO's legs have one quantity; legs ${first.clientOrderId} and ${second.clientOrderId} have ${first.quantity} and ${second.quantity}` };
  const targets = list.orders.filter((leg) => TARGET_TYPES[leg.type] !== undefined);
  const stops = list.orders.filter((leg) => STOP_TYPES[leg.type] !== undefined);
  if (targets.length !== 1 || stops.length !== 1) {
    return { issue: `a Binance OCO pairs one limit, takeProfit or takeProfitLimit leg with one stop or stopLimit leg; these legs are ${first.type} and ${second.type}` };
  }
  const target = targets[0]!;
  const stop = stops[0]!;
  if (target.type === 'limit' && !target.postOnly) {
    return { issue: `Binance takes an OCO's limit leg only as LIMIT_MAKER (post-only): limit leg ${target.clientOrderId} is not postOnly, and would be sent as a different order` };
  }
  for (const leg of [target, stop]) {
    const limited = leg.type === 'stopLimit' || leg.type === 'takeProfitLimit';
    if (limited && !LEG_TIME_IN_FORCE.has(leg.timeInForce)) return { issue: `Binance takes ${leg.type} leg ${leg.clientOrderId} with GTC, IOC or FOK only, not ${leg.timeInForce}` };
    if (!limited && leg.type !== 'limit' && leg.timeInForce !== 'GTC') return { issue: `${leg.type} leg ${leg.clientOrderId} has no time in force at Binance; ${leg.timeInForce} would be dropped` };
    if (leg.expireAt !== undefined) return { issue: `leg ${leg.clientOrderId} has an expiry time, which a Binance OCO leg cannot carry` };
  }
  const targetLevel = target.type === 'limit' ? target.price : target.stopPrice;
  const stopLevel = stop.stopPrice;
  if (targetLevel === undefined || stopLevel === undefined) return { issue: `leg ${targetLevel === undefined ? target.clientOrderId : stop.clientOrderId} has no price to place it by` };
  // A sell takes profit above the market and stops out below it; a buy the other way round.
  const sell = first.side === 'sell';
  const [above, below] = sell ? [target, stop] : [stop, target];
  const [aboveLevel, belowLevel] = sell ? [targetLevel, stopLevel] : [stopLevel, targetLevel];
  if (!decimal(aboveLevel).gt(decimal(belowLevel))) {
    return { issue: `a ${first.side} OCO at Binance needs its ${describeLevel(above)} ${aboveLevel} above its ${describeLevel(below)} ${belowLevel} (the market between them)` };
  }
  return { above, below };
}

function describeLevel(leg: VenueOrder): string {
  return leg.type === 'limit' ? `limit leg's price` : `${leg.type} leg's stop price`;
}

/** The body of POST /api/v3/orderList/oco: every price and the quantity as the exact strings asked for. */
export function binanceOcoParams(placement: OcoPlacement, marketId: string, ids: { readonly list: string; readonly above: string; readonly below: string }): Record<string, string> {
  const { above, below } = placement;
  return {
    symbol: marketId,
    listClientOrderId: ids.list,
    side: above.side === 'buy' ? 'BUY' : 'SELL',
    quantity: above.quantity,
    ...legParams('above', above, ids.above),
    ...legParams('below', below, ids.below),
    newOrderRespType: 'RESULT',
  };
}

function legParams(position: 'above' | 'below', leg: VenueOrder, clientId: string): Record<string, DecimalString | string> {
  const type = TARGET_TYPES[leg.type] ?? STOP_TYPES[leg.type]!;
  const params: Record<string, string> = { [`${position}Type`]: type, [`${position}ClientOrderId`]: clientId };
  if (leg.price !== undefined && leg.type !== 'stop' && leg.type !== 'takeProfit') params[`${position}Price`] = leg.price;
  if (leg.stopPrice !== undefined && leg.type !== 'limit') params[`${position}StopPrice`] = leg.stopPrice;
  if (leg.type === 'stopLimit' || leg.type === 'takeProfitLimit') params[`${position}TimeInForce`] = leg.timeInForce;
  return params;
}

/** Binance spot's OCO, as the ccxt adapter's order-list seam. */
export const BINANCE_SPOT_ORDER_LISTS: OrderListProtocol = {
  kinds: ['oco'],

  shapeIssue(list: VenueOrderList): string | undefined {
    const placement = binanceOcoPlacement(list);
    return 'issue' in placement ? placement.issue : undefined;
  },

  async place(exchange: Exchange, list: VenueOrderList, ids: { readonly list: string; readonly legs: readonly string[] }): Promise<unknown> {
    const placement = binanceOcoPlacement(list);
    // The venue asked orderListRefusal first; a list that changed since is not sent.
    if ('issue' in placement) throw new NotSent(placement.issue);
    const idOf = (leg: VenueOrder) => ids.legs[list.orders.indexOf(leg)]!;
    const params = binanceOcoParams(placement, exchange.marketId(list.symbol) ?? list.symbol, { list: ids.list, above: idOf(placement.above), below: idOf(placement.below) });
    return (exchange as unknown as { privatePostOrderListOco(params: Record<string, string>): Promise<unknown> }).privatePostOrderListOco(params);
  },

  async cancel(exchange: Exchange, symbol: string, exchangeListId: string): Promise<unknown> {
    return (exchange as unknown as { privateDeleteOrderList(params: Record<string, string>): Promise<unknown> }).privateDeleteOrderList({ symbol: exchange.marketId(symbol) ?? symbol, listClientOrderId: exchangeListId });
  },

  legStates(answer: unknown): RawOrderState[] {
    const reports = (answer as Raw | undefined)?.orderReports;
    if (!Array.isArray(reports)) return [];
    return reports.map((report) => orderFromBinance(report as Raw)).filter((state): state is RawOrderState => state !== undefined);
  },
};
