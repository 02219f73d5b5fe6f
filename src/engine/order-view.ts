// The plain-JSON view of an order that getOrder/listOrders, the API and the inspector show.
import type { DecimalString } from '../domain/decimal.ts';
import type { OrderSide, OrderType, TimeInForce } from '../domain/order-request.ts';
import { remainingQuantity } from '../domain/fills.ts';
import { TERMINAL_ORDER_STATES, type OrderContext, type OrderStateName } from '../../machines/order.ts';

export interface OrderView {
  readonly orderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly status: OrderStateName;
  readonly live: boolean;
  readonly emulated: boolean;
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly remainingQuantity: DecimalString;
  readonly averagePrice?: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly triggerPrice?: DecimalString;
  readonly releasedAs?: OrderType;
  readonly expireAt?: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly fees: Readonly<Record<string, DecimalString>>;
  readonly venueOrderId?: string;
  readonly reason?: string;
  readonly parentId?: string;
  readonly createdAt: number;
}

export function orderView(status: OrderStateName, context: OrderContext): OrderView {
  const request = context.request;
  return {
    orderId: context.clientOrderId,
    venue: context.venue,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce,
    status,
    live: !TERMINAL_ORDER_STATES.includes(status),
    emulated: context.emulated,
    quantity: context.quantity,
    filledQuantity: context.filledQuantity,
    remainingQuantity: remainingQuantity(context),
    averagePrice: context.averagePrice,
    price: context.price,
    stopPrice: context.stopPrice,
    triggerPrice: context.triggerPrice,
    releasedAs: context.releasedAs,
    expireAt: request.expireAt,
    postOnly: request.postOnly,
    reduceOnly: request.reduceOnly,
    fees: context.fees,
    venueOrderId: context.venueOrderId,
    reason: context.reason,
    parentId: request.parentId,
    createdAt: context.createdAt,
  };
}
