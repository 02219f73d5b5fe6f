// Binance's raw order and trade payloads (REST answers, spot executionReport, futures ORDER_TRADE_UPDATE, the
// trade stream) read as exact-decimal order states and fills, never through ccxt's unified floats.
import { decimal } from '../../src/domain/decimal.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { VenueOrderStatusName } from '../venue.ts';
import type { RawFill, RawMarketTrade, RawOrderState } from './profile.ts';
import { exact } from './raw-decimal.ts';

type Raw = Record<string, unknown>;

const STATUS: Record<string, VenueOrderStatusName> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'partial',
  FILLED: 'filled',
  CANCELED: 'canceled',
  PENDING_CANCEL: 'open',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

const TYPE_FROM_BINANCE: Record<string, OrderType> = {
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  MARKET: 'market',
  STOP_LOSS: 'stop',
  STOP_MARKET: 'stop',
  STOP_LOSS_LIMIT: 'stopLimit',
  STOP: 'stopLimit',
  TAKE_PROFIT: 'takeProfit',
  TAKE_PROFIT_MARKET: 'takeProfit',
  TAKE_PROFIT_LIMIT: 'takeProfitLimit',
  TRAILING_STOP_MARKET: 'trailingStop',
};

/** A regular order as a REST answer, a spot executionReport or a futures ORDER_TRADE_UPDATE `o` states it. */
export function orderFromBinance(info: Raw): RawOrderState | undefined {
  // REST order, spot executionReport, or futures ORDER_TRADE_UPDATE's `o`.
  const isStream = typeof info.e === 'string' || typeof info.X === 'string';
  const statusText = String(isStream ? info.X : info.status);
  const status = STATUS[statusText];
  if (status === undefined) return undefined;
  // A cancel's execution report names the cancel request in `c` and the order in `C` (spot).
  // A REST cancel answer names the cancel request in `clientOrderId` and the order in `origClientOrderId`.
  const ownId = isStream ? (typeof info.C === 'string' && info.C !== '' ? info.C : info.c) : typeof info.origClientOrderId === 'string' && info.origClientOrderId !== '' ? info.origClientOrderId : info.clientOrderId;
  // A leg of an order list names the list (-1: none).
  const listId = isStream ? info.g : info.orderListId;
  const typeText = String(isStream ? info.o : info.type);
  const price = exact(isStream ? info.p : info.price);
  const stopPrice = exact(isStream ? info.P ?? info.sp : info.stopPrice);
  const working = isStream ? info.w : info.isWorking;
  // A spot trailing stop (trailingDelta `d` / trailingDelta): its stopPrice is the activation price, no trigger.
  const trailing = Number(isStream ? info.d ?? 0 : info.trailingDelta ?? 0) > 0;
  return {
    exchangeClientOrderId: String(ownId),
    venueOrderId: String(isStream ? info.i : info.orderId),
    symbol: String(info.s ?? info.symbol),
    side: (String(isStream ? info.S : info.side) === 'BUY' ? 'buy' : 'sell') as OrderSide,
    type: trailing ? 'trailingStop' : TYPE_FROM_BINANCE[typeText] ?? 'limit',
    status,
    quantity: exact(isStream ? info.q : info.origQty) ?? '0',
    filledQuantity: exact(isStream ? info.z : info.executedQty) ?? '0',
    ...(price !== undefined && decimal(price).gt('0') ? { price } : {}),
    ...(stopPrice !== undefined && !trailing && decimal(stopPrice).gt('0') ? { stopPrice } : {}),
    ...(typeof working === 'boolean' ? { working } : {}),
    ...(isStream && (info.x === 'AMENDMENT' || info.x === 'REPLACED') ? { amended: true } : {}),
    ...(listId !== undefined && listId !== null && String(listId) !== '-1' ? { orderListId: String(listId) } : {}),
    timestamp: Number(info.T ?? info.updateTime ?? info.transactTime ?? info.time ?? 0),
  };
}

/** A fill from a user stream order message (execution type TRADE), or undefined. */
export function fillFromBinanceStream(info: Raw): RawFill | undefined {
  if (info.x !== 'TRADE') return undefined;
  const quantity = exact(info.l);
  const price = exact(info.L);
  if (quantity === undefined || price === undefined) return undefined;
  return {
    exchangeClientOrderId: String(info.c),
    venueOrderId: String(info.i),
    symbol: String(info.s),
    tradeId: String(info.t),
    quantity,
    price,
    fee: exact(info.n) ?? '0',
    feeCurrency: typeof info.N === 'string' ? info.N : '',
    liquidity: info.m === true ? 'maker' : 'taker',
    timestamp: Number(info.T ?? info.E ?? 0),
  };
}

/** A trade of the public tape from a trade stream message. */
export function marketTradeFromBinance(info: Raw): RawMarketTrade | undefined {
  // A trade stream message: `m` true means the buyer was the maker, so a seller took liquidity.
  const price = exact(info.p);
  const quantity = exact(info.q);
  if (price === undefined || quantity === undefined) return undefined;
  return { price, quantity, aggressor: info.m === true ? 'sell' : 'buy', timestamp: Number(info.T ?? 0) };
}

/** A fill from the REST trade list (spot myTrades, futures userTrades). */
export function fillFromBinanceRest(info: Raw): RawFill {
  return {
    venueOrderId: String(info.orderId),
    symbol: String(info.symbol),
    tradeId: String(info.id),
    quantity: exact(info.qty) ?? '0',
    price: exact(info.price) ?? '0',
    fee: exact(info.commission) ?? '0',
    feeCurrency: String(info.commissionAsset ?? ''),
    liquidity: info.isMaker === true || info.maker === true ? 'maker' : 'taker',
    timestamp: Number(info.time ?? 0),
  };
}
