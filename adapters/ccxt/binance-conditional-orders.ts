// Binance USDⓈ-M conditional orders, held by its Algo Service (POST/GET/DELETE /fapi/v1/algoOrder, GET
// /fapi/v1/openAlgoOrders, ALGO_UPDATE on the user stream) until they trigger and become a regular order with
// an order id of its own: which engine types go there, how their records read, and which trailing terms
// Binance can take exactly.
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { VenueOrder, VenueOrderStatusName } from '../venue.ts';
import { exact } from './raw-decimal.ts';
import type { RawOrderState } from './profile.ts';

type Raw = Record<string, unknown>;

/** The engine's conditional types as Binance USDⓈ-M names them (ccxt sends them to the Algo Service). */
export const FUTURES_CONDITIONAL_TYPES: Partial<Record<OrderType, string>> = {
  stop: 'STOP_MARKET',
  stopLimit: 'STOP',
  takeProfit: 'TAKE_PROFIT_MARKET',
  takeProfitLimit: 'TAKE_PROFIT',
  trailingStop: 'TRAILING_STOP_MARKET',
};

const TYPE_OF_ALGO: Record<string, OrderType> = {
  STOP_MARKET: 'stop',
  STOP: 'stopLimit',
  TAKE_PROFIT_MARKET: 'takeProfit',
  TAKE_PROFIT: 'takeProfitLimit',
  TRAILING_STOP_MARKET: 'trailingStop',
};

/**
 * Algo statuses: NEW waits for the trigger; TRIGGERING is being sent to the matching engine; TRIGGERED is
 * there as a regular order; FINISHED that order is done (its own status says how). The order lives on from
 * the trigger, so those three read as working; its own reports end it.
 */
const ALGO_STATUS: Record<string, VenueOrderStatusName> = {
  NEW: 'open',
  TRIGGERING: 'open',
  TRIGGERED: 'open',
  FINISHED: 'open',
  CANCELED: 'canceled',
  EXPIRED: 'expired',
  REJECTED: 'rejected',
};

/** Binance's documented callbackRate: 0.1 to 10 percent; the exchange takes it to one decimal place. */
const CALLBACK_RATE = { min: decimal('0.1'), max: decimal('10'), step: decimal('0.1') };

/** Whether a raw payload is an Algo Service record: REST (`algoId`) or an ALGO_UPDATE's `o` (`aid`). */
export function isAlgoRecord(info: Raw): boolean {
  return info.algoId !== undefined || info.aid !== undefined;
}

/** An Algo Service record as an order state, or undefined for one without a status (a cancel's acknowledgement). */
export function algoOrderFromRaw(info: Raw): RawOrderState | undefined {
  const isStream = info.aid !== undefined;
  const statusText = String(isStream ? info.X : info.algoStatus);
  const status = ALGO_STATUS[statusText];
  if (status === undefined) return undefined;
  const actualOrderId = String((isStream ? info.ai : info.actualOrderId) ?? '');
  const triggered = actualOrderId !== '' && actualOrderId !== '0';
  const price = exact(isStream ? info.p : info.price);
  const trigger = exact(isStream ? info.tp : info.triggerPrice);
  const reason = String(info.rm ?? '');
  return {
    exchangeClientOrderId: String(isStream ? info.caid : info.clientAlgoId),
    // Once triggered, the order's id is the regular order's (its fills and later states are under that id).
    venueOrderId: triggered ? actualOrderId : String(isStream ? info.aid : info.algoId),
    symbol: String(isStream ? info.s : info.symbol),
    side: (String(isStream ? info.S : info.side) === 'BUY' ? 'buy' : 'sell') as OrderSide,
    type: TYPE_OF_ALGO[String(isStream ? info.o : info.orderType)] ?? 'stop',
    status,
    quantity: exact(isStream ? info.q : info.quantity) ?? '0',
    filledQuantity: (triggered ? exact(isStream ? info.aq : info.executedQty) : undefined) ?? '0',
    ...(price !== undefined && decimal(price).gt('0') ? { price } : {}),
    ...(trigger !== undefined && decimal(trigger).gt('0') ? { stopPrice: trigger } : {}),
    working: statusText !== 'NEW',
    heldApart: !triggered,
    ...(status === 'rejected' && reason !== '' ? { rejectReason: reason } : {}),
    timestamp: Number(info.T ?? info.updateTime ?? info.createTime ?? 0),
  };
}

/** Futures ccxt params of a conditional order: its trigger, or a trailing stop's callback rate and activation price. */
export function conditionalOrderParams(order: VenueOrder): Record<string, unknown> {
  if (order.type === 'trailingStop') {
    // Binance's Algo Service names the activation `activatePrice` (ccxt would send `activationPrice`, which it ignores).
    return { callbackRate: order.trailingPercent, ...(order.activationPrice !== undefined ? { activatePrice: order.activationPrice } : {}) };
  }
  return order.stopPrice !== undefined ? { stopPrice: order.stopPrice } : {};
}

/** Why a trailing stop's terms cannot be sent to Binance USDⓈ-M exactly, or undefined when they can. */
export function futuresTrailingIssue(order: VenueOrder): string | undefined {
  if (order.type !== 'trailingStop') return undefined;
  if (order.trailingOffset !== undefined) return `Binance USDⓈ-M trails by a callback rate in percent only; a trailingOffset of ${order.trailingOffset} cannot be sent exactly`;
  const percent = order.trailingPercent;
  if (percent === undefined) return 'a trailing stop needs trailingPercent';
  return callbackRateIssue(percent);
}

function callbackRateIssue(percent: DecimalString): string | undefined {
  const rate = decimal(percent);
  if (rate.lt(CALLBACK_RATE.min) || rate.gt(CALLBACK_RATE.max)) return `Binance USDⓈ-M takes a callback rate from 0.1 to 10 percent; trailingPercent ${percent} is outside it`;
  if (!rate.mod(CALLBACK_RATE.step).eq('0')) return `Binance USDⓈ-M takes a callback rate in steps of 0.1 percent; trailingPercent ${percent} would be changed`;
  return undefined;
}
