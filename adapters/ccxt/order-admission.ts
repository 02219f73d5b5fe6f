// Whether the ccxt venue may send an order or an amendment as asked, before anything goes out: a known
// instrument, a client order id the exchange takes, numbers ccxt would not change, terms the exchange can
// express exactly, an order type it holds. A refusal says why, and nothing is sent.
import type { Exchange } from 'ccxt';
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { OrderAmendment, VenueCapabilities, VenueOrder } from '../venue.ts';
import type { OrderKeeper, TrackedOrder } from './order-book-keeper.ts';
import { precisionIssue } from './precision-guard.ts';
import type { ExchangeProfile } from './profile.ts';

export interface Admission {
  readonly venueId: string;
  readonly exchange: Exchange;
  readonly profile: ExchangeProfile;
  readonly capabilities: VenueCapabilities;
  instrument(symbol: string): Instrument | undefined;
  readonly keeper: OrderKeeper;
}

/** The exchange's client order id for a new order, or why it may not be sent. */
export function admitOrder(admission: Admission, order: VenueOrder): { readonly exchangeClientOrderId: string } | { readonly refusal: string } {
  const { venueId, exchange, profile, capabilities } = admission;
  const instrument = admission.instrument(order.symbol);
  if (instrument === undefined) return { refusal: `venue ${venueId} has no instrument ${order.symbol}` };
  const exchangeId = profile.exchangeClientOrderId(order.clientOrderId);
  if ('issue' in exchangeId) return { refusal: exchangeId.issue };
  const precision = precisionIssue(exchange, instrument, order);
  if (precision !== undefined) return { refusal: `refused before sending: ${precision}` };
  if (!capabilities.orderTypes.includes(order.type)) return { refusal: `venue ${venueId} does not hold ${order.type} orders (the engine emulates them)` };
  if (order.reduceOnly && !capabilities.reduceOnly) return { refusal: `venue ${venueId} does not support reduce-only orders` };
  const terms = profile.termsIssue?.(order, exchange);
  if (terms !== undefined) return { refusal: `refused before sending: ${terms}` };
  if (admission.keeper.get(order.clientOrderId) !== undefined) return { refusal: `clientOrderId ${order.clientOrderId} was already sent to ${venueId}; not sent twice` };
  return { exchangeClientOrderId: exchangeId.id };
}

/** The new quantity and price of a working order, or why the amendment may not be sent. */
export function admitAmendment(admission: Admission, order: TrackedOrder, amendment: OrderAmendment): { readonly quantity: DecimalString; readonly price: DecimalString | undefined } | { readonly refusal: string } {
  const { venueId, exchange, profile } = admission;
  const instrument = admission.instrument(order.symbol)!;
  const quantity = amendment.quantity ?? order.quantity;
  const price = amendment.price ?? order.price;
  if (amendment.stopPrice !== undefined) return { refusal: `venue ${venueId} holds no stop prices to amend` };
  if (order.list !== undefined || order.venueListId !== undefined) return { refusal: `venue ${venueId} holds ${order.clientOrderId} as a leg of ${order.list !== undefined ? `OCO list ${order.list.listId}` : `order list ${order.venueListId}`}, which the exchange does not amend: cancel the list and place a new one` };
  if (order.type === 'trailingStop') return { refusal: `venue ${venueId} cannot amend a trailing stop held at the exchange: cancel it and place a new one` };
  if (profile.heldApart?.(order.type) === true) return { refusal: `venue ${venueId} keeps ${order.type} orders in the exchange's conditional book, which has no amend: cancel it and place a new one` };
  const issue = precisionIssue(exchange, instrument, { clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, type: order.type, quantity, ...(price !== undefined ? { price } : {}), timeInForce: 'GTC', postOnly: false, reduceOnly: false });
  if (issue !== undefined) return { refusal: `refused before sending: ${issue}` };
  if (!decimal(quantity).gt(decimal(order.filledQuantity))) return { refusal: `quantity ${quantity} is not above the ${order.filledQuantity} already filled` };
  return { quantity, price };
}
