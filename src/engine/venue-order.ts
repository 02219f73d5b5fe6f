// Builds what is sent to a venue from an order's context and the venue's capabilities.
import type { OrderContext } from '../../machines/order.ts';
import type { VenueCapabilities, VenueOrder } from '../../adapters/venue.ts';
import { remainingQuantity } from '../domain/fills.ts';
import { TRIGGERED_ORDER_TYPES } from '../domain/order-request.ts';

/**
 * The order as the venue should hold it. A released emulated order goes as its market/limit form; a GTD the
 * venue cannot hold goes as GTC and the engine cancels it at its deadline.
 */
export function toVenueOrder(context: OrderContext, capabilities: VenueCapabilities): VenueOrder {
  const request = context.request;
  const type = context.releasedAs ?? request.type;
  let timeInForce = request.timeInForce;
  if (context.releasedAs === 'market') timeInForce = 'IOC';
  else if (timeInForce === 'GTD' && !capabilities.timeInForce.includes('GTD')) timeInForce = 'GTC';
  const nativeTrigger = TRIGGERED_ORDER_TYPES.includes(type);
  return {
    clientOrderId: context.clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type,
    quantity: remainingQuantity(context),
    price: context.price,
    stopPrice: nativeTrigger ? context.stopPrice : undefined,
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
