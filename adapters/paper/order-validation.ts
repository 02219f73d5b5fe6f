// The paper venue's checks of an arriving order or amendment against the instrument and the venue: the order
// it becomes, or why it is refused.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { isOnLot, isOnTick, type Instrument } from '../../src/domain/instrument.ts';
import type { OrderAmendment, VenueOrder } from '../venue.ts';
import type { PaperOrder } from './paper-order.ts';
import { LIMIT_PRICED_TYPES, MARKET_LIKE_TYPES, NATIVE_STOP_TYPES, type PaperCore, type SymbolState } from './paper-core.ts';

/** Checks an arriving order against the instrument and the venue; returns the new order or why not. */
export function parseOrder(core: PaperCore, request: VenueOrder): { state: SymbolState; order: PaperOrder } | string {
  const state = core.symbols.get(request.symbol);
  const instrument = state?.instrument;
  if (state === undefined || instrument === undefined) return `unknown symbol ${request.symbol}`;
  if (request.side !== 'buy' && request.side !== 'sell') return `side must be buy or sell, got ${String(request.side)}`;
  if (!core.capabilities.orderTypes.includes(request.type)) {
    return `order type ${request.type} is not held natively by ${core.id}${NATIVE_STOP_TYPES.includes(request.type) ? ' (enable nativeStops or emulate it)' : ' (emulate it)'}`;
  }
  if (!core.capabilities.timeInForce.includes(request.timeInForce)) return `time in force ${String(request.timeInForce)} is not supported`;
  const quantity = parseField('quantity', request.quantity);
  if (typeof quantity === 'string') return quantity;
  if (!quantity.gt(ZERO) || !isOnLot(instrument, quantity)) {
    return `quantity must be a positive multiple of ${instrument.spec.lotSize}, got ${request.quantity}`;
  }
  if (quantity.lt(instrument.minQuantity)) return `quantity ${request.quantity} is below the minimum ${instrument.spec.minQuantity}`;

  const hasLimitPrice = LIMIT_PRICED_TYPES.includes(request.type);
  if (hasLimitPrice !== (request.price !== undefined)) {
    return hasLimitPrice ? `price is required for a ${request.type} order` : `price is not allowed on a ${request.type} order`;
  }
  const price = request.price === undefined ? undefined : parsePrice(instrument, 'price', request.price);
  if (typeof price === 'string') return price;
  const isStop = NATIVE_STOP_TYPES.includes(request.type);
  if (isStop !== (request.stopPrice !== undefined)) {
    return isStop ? `stopPrice is required for a ${request.type} order` : `stopPrice is not allowed on a ${request.type} order`;
  }
  const stopPrice = request.stopPrice === undefined ? undefined : parsePrice(instrument, 'stopPrice', request.stopPrice);
  if (typeof stopPrice === 'string') return stopPrice;
  if (price !== undefined && instrument.minNotional.gt(ZERO) && quantity.times(price).lt(instrument.minNotional)) {
    return `notional ${toDecimalString(quantity.times(price))} ${instrument.quote} is below the minimum ${instrument.spec.minNotional}`;
  }

  if (request.postOnly && (request.type !== 'limit' || request.timeInForce === 'IOC' || request.timeInForce === 'FOK')) {
    return 'post-only is only for limit orders that may rest (GTC or GTD)';
  }
  const isMarketLike = MARKET_LIKE_TYPES.includes(request.type);
  if (request.timeInForce === 'GTD') {
    if (isMarketLike) return `a ${request.type} order cannot be GTD`;
    if (request.expireAt === undefined) return 'expireAt is required with timeInForce GTD';
    if (request.expireAt <= core.clock.now()) return `expireAt ${request.expireAt} is not after the venue's time ${core.clock.now()}`;
  }
  const side = request.side;
  return {
    state,
    order: {
      clientOrderId: request.clientOrderId,
      venueOrderId: `${core.id}-o${core.nextOrderNumber++}`,
      instrument,
      side,
      type: request.type,
      // A market order never rests: GTC on it means "as much as there is", i.e. immediate-or-cancel.
      timeInForce: request.type === 'market' && request.timeInForce === 'GTC' ? 'IOC' : request.timeInForce,
      postOnly: request.postOnly,
      reduceOnly: instrument.kind === 'perpetual' && request.reduceOnly === true,
      expireAt: request.timeInForce === 'GTD' ? request.expireAt : undefined,
      quantity,
      price,
      stopPrice,
      filledQuantity: ZERO,
      status: 'open',
      awaitingTrigger: false,
      resting: false,
      queueAhead: ZERO,
      levelSeen: ZERO,
      priority: 0,
      reservedCurrency: side === 'buy' || instrument.kind === 'perpetual' ? instrument.quote : instrument.base,
      reserved: ZERO,
      expiryTimer: undefined,
      finishSequence: 0,
      savedQueueAhead: undefined,
      savedLevelSeen: undefined,
      list: undefined,
      listReservation: undefined,
    },
  };
}

function parseField(name: string, text: DecimalString): Decimal | string {
  try {
    return decimal(text);
  } catch {
    return `${name} must be a decimal number, got ${JSON.stringify(text)}`;
  }
}

function parsePrice(instrument: Instrument, name: string, text: DecimalString): Decimal | string {
  const price = parseField(name, text);
  if (typeof price === 'string') return price;
  if (!price.gt(ZERO)) return `${name} must be positive, got ${text}`;
  if (!isOnTick(instrument, price)) return `${name} ${text} is not a multiple of the tick size ${instrument.spec.tickSize}`;
  return price;
}

interface ParsedAmendment {
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly stopPrice: Decimal | undefined;
}

/** The order's terms after the amendment, or why the amendment is refused. */
export function parseAmendment(order: PaperOrder, amendment: OrderAmendment): ParsedAmendment | string {
  const instrument = order.instrument;
  if (amendment.price === undefined && amendment.quantity === undefined && amendment.stopPrice === undefined) {
    return 'amendment changes nothing: give a price, quantity or stopPrice';
  }
  let price = order.price;
  if (amendment.price !== undefined) {
    if (order.price === undefined) return `a ${order.type} order has no limit price to amend`;
    const parsed = parsePrice(instrument, 'price', amendment.price);
    if (typeof parsed === 'string') return parsed;
    price = parsed;
  }
  let stopPrice = order.stopPrice;
  if (amendment.stopPrice !== undefined) {
    if (!order.awaitingTrigger) return 'stopPrice can only be amended on a native stop that has not triggered';
    const parsed = parsePrice(instrument, 'stopPrice', amendment.stopPrice);
    if (typeof parsed === 'string') return parsed;
    stopPrice = parsed;
  }
  let quantity = order.quantity;
  if (amendment.quantity !== undefined) {
    const parsed = parseField('quantity', amendment.quantity);
    if (typeof parsed === 'string') return parsed;
    if (!isOnLot(instrument, parsed)) return `quantity must be a multiple of ${instrument.spec.lotSize}, got ${amendment.quantity}`;
    if (parsed.lte(order.filledQuantity)) {
      return `new quantity ${toDecimalString(parsed)} is at or below the filled quantity ${toDecimalString(order.filledQuantity)}`;
    }
    quantity = parsed;
  }
  return { price, quantity, stopPrice };
}
