// Builds what is sent to a venue from an order's context and the venue's capabilities.
import type { OrderContext } from '../../machines/order.ts';
import type { VenueCapabilities, VenueOrder } from '../../adapters/venue.ts';
import type { DecimalString } from '../domain/decimal.ts';
import { remainingQuantity } from '../domain/fills.ts';
import { TRIGGERED_ORDER_TYPES, type OrderRequest, type OrderType } from '../domain/order-request.ts';

/** What a venue order is built from: the request and, once the order lives, its current terms. */
interface VenueOrderSource {
  readonly request: OrderRequest;
  readonly clientOrderId: string;
  readonly releasedAs?: OrderType;
  readonly quantity: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
}

/** The order as the venue should hold it (from an order's context: what is left of it, at its current terms). */
export function toVenueOrder(context: OrderContext, capabilities: VenueCapabilities): VenueOrder {
  return venueOrderOf({ request: context.request, clientOrderId: context.clientOrderId, releasedAs: context.releasedAs, quantity: remainingQuantity(context), price: context.price, stopPrice: context.stopPrice }, capabilities);
}

/** A request not placed yet, as it would be sent (a venue's list refusal judges exactly what it would get). */
export function requestToVenueOrder(request: OrderRequest, clientOrderId: string, capabilities: VenueCapabilities): VenueOrder {
  return venueOrderOf({ request, clientOrderId, quantity: request.quantity, price: request.price, stopPrice: request.stopPrice }, capabilities);
}

/**
 * A released emulated order goes as its market/limit form; a GTD the venue cannot hold goes as GTC and the
 * engine cancels it at its deadline.
 */
function venueOrderOf(source: VenueOrderSource, capabilities: VenueCapabilities): VenueOrder {
  const request = source.request;
  const type = source.releasedAs ?? request.type;
  let timeInForce = request.timeInForce;
  if (source.releasedAs === 'market') timeInForce = 'IOC';
  else if (timeInForce === 'GTD' && !capabilities.timeInForce.includes('GTD')) timeInForce = 'GTC';
  const nativeTrigger = TRIGGERED_ORDER_TYPES.includes(type);
  return {
    clientOrderId: source.clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type,
    quantity: source.quantity,
    price: source.price,
    stopPrice: nativeTrigger ? source.stopPrice : undefined,
    trailingOffset: type === 'trailingStop' ? request.trailingOffset : undefined,
    trailingPercent: type === 'trailingStop' ? request.trailingPercent : undefined,
    activationPrice: type === 'trailingStop' ? request.activationPrice : undefined,
    timeInForce,
    expireAt: timeInForce === 'GTD' ? request.expireAt : undefined,
    postOnly: request.postOnly,
    // Reduce-only is enforced by the portfolio's gate; it is also sent when the venue can hold it.
    reduceOnly: request.reduceOnly && capabilities.reduceOnly,
  };
}

/** True when the venue itself will expire this order at its deadline. */
export function venueHoldsExpiry(context: OrderContext, capabilities: VenueCapabilities): boolean {
  return context.request.timeInForce === 'GTD' && capabilities.timeInForce.includes('GTD') && context.releasedAs !== 'market';
}
