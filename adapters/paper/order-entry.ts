// The paper venue's commands as they arrive (after the order latency): new orders checked and their funds held,
// cancels, amendments (re-sized holds, lost priority), expiries, and the rejections they may end in.
import { ZERO, toDecimalString, type Decimal } from '../../src/domain/decimal.ts';
import type { OrderAmendment, VenueOrder, VenueOrderStatus } from '../venue.ts';
import type { BookSide } from './book.ts';
import { levelWithinLimit, planTake } from './matching.ts';
import { closeOrder, closeSiblings, execute, forgetOldest, reportSiblingsCanceled } from './order-execution.ts';
import { parseAmendment, parseOrder } from './order-validation.ts';
import { isWorking, type PaperOrder } from './paper-order.ts';
import { NATIVE_STOP_TYPES, type PaperCore, type SymbolState } from './paper-core.ts';
import { holdFunds, limitHold, notionalHold } from './perpetual-margin.ts';
import { emitReport } from './report-delivery.ts';

/** An order that passed every check on arrival, with what it must hold (not yet held). */
export interface AdmittedOrder {
  readonly state: SymbolState;
  readonly order: PaperOrder;
  readonly reservation: Decimal;
}

export function receiveOrder(core: PaperCore, request: VenueOrder): void {
  // Never touches the existing order: the report only says this submission was refused.
  if (isKnownOrderId(core, request.clientOrderId)) return emitReport(core, { type: 'rejected', clientOrderId: request.clientOrderId, reason: 'duplicate clientOrderId' });
  const admitted = admitOrder(core, request);
  if (typeof admitted === 'string') return rejectOrder(core, request, admitted);
  const { state, order, reservation } = admitted;
  const held = holdFunds(core, state, order.reservedCurrency, reservation);
  if (!held.ok) return rejectOrder(core, request, held.reason);
  order.reserved = reservation;
  acceptOrder(core, state, order);
  startOrder(core, state, order);
}

/** True when an order or a rejection already has this clientOrderId. */
export function isKnownOrderId(core: PaperCore, clientOrderId: string): boolean {
  return core.orders.has(clientOrderId) || core.rejectedOrders.has(clientOrderId);
}

/**
 * Checks an arriving order (its id already known to be new) as the venue does: its terms, post-only against
 * the book now, reduce-only against the position; and figures what it must hold. Changes nothing but the
 * venue's order numbering. Returns the order, or why not.
 */
export function admitOrder(core: PaperCore, request: VenueOrder): AdmittedOrder | string {
  const parsed = parseOrder(core, request);
  if (typeof parsed === 'string') return parsed;
  const { state, order } = parsed;
  const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
  if (order.postOnly && wouldTake(opposite, order.price!)) return 'post-only order would take liquidity';
  if (order.reduceOnly) {
    const position = state.perpetual!;
    if (position.direction === 'flat' || position.direction === (order.side === 'buy' ? 'long' : 'short')) {
      return `reduce-only ${order.side} would open or add to a position (${order.instrument.symbol} is ${position.direction})`;
    }
  }
  let reservation: Decimal;
  if (order.reduceOnly) {
    // Reducing frees margin; its fee comes out of what the close realizes.
    reservation = ZERO;
  } else if (order.side === 'sell' && state.perpetual === undefined) {
    reservation = order.quantity;
  } else if (order.type === 'market') {
    // A market order holds what walking the book costs now; a fill-or-kill that cannot fill holds nothing.
    const plan = planTake(opposite, order.quantity, undefined);
    const willBeKilled = order.timeInForce === 'FOK' && plan.filledQuantity.lt(order.quantity);
    reservation = willBeKilled ? ZERO : notionalHold(core, state, plan.notional);
  } else {
    // Limit-priced orders hold their limit; stop-market orders hold an estimate at the stop price.
    reservation = limitHold(core, state, order.quantity, order.price ?? order.stopPrice!);
  }
  return { state, order, reservation };
}

/** The order is the venue's now (its funds already held): recorded, reported accepted, its expiry armed. */
export function acceptOrder(core: PaperCore, state: SymbolState, order: PaperOrder): void {
  core.orders.set(order.clientOrderId, order);
  core.changedOrders.add(order);
  emitReport(core, { type: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId });
  if (order.expireAt !== undefined) {
    order.expiryTimer = core.clock.setTimeout(() => expireOrder(core, order), order.expireAt - core.clock.now());
  }
}

/** An accepted order starts working: a native stop waits for its trigger, anything else meets the book. */
export function startOrder(core: PaperCore, state: SymbolState, order: PaperOrder): void {
  if (NATIVE_STOP_TYPES.includes(order.type)) {
    order.priority = core.nextPriority++;
    state.triggers.insert(order);
    return;
  }
  execute(core, state, order);
}

export function receiveCancel(core: PaperCore, clientOrderId: string): void {
  const order = core.orders.get(clientOrderId);
  if (order === undefined) {
    const reason = core.rejectedOrders.has(clientOrderId) ? 'order was rejected' : 'unknown clientOrderId';
    emitReport(core, { type: 'cancelRejected', clientOrderId, reason });
    return;
  }
  if (!isWorking(order)) {
    emitReport(core, { type: 'cancelRejected', clientOrderId, reason: `order is already ${order.status}` });
    // A cancel of any leg cancels its list: a leg still working after the list was decided goes too.
    for (const leg of order.list?.legs.filter(isWorking) ?? []) {
      closeOrder(core, leg, 'canceled');
      emitReport(core, { type: 'canceled', clientOrderId: leg.clientOrderId, reason: `canceled by client with its list ${order.list!.listId} (cancel of leg ${clientOrderId})` });
    }
    return;
  }
  closeOrder(core, order, 'canceled');
  emitReport(core, { type: 'canceled', clientOrderId, reason: 'canceled by client' });
  reportSiblingsCanceled(core, order, closeSiblings(core, order), 'was canceled by client');
}

export function receiveAmendment(core: PaperCore, clientOrderId: string, amendment: OrderAmendment): void {
  const refuse = (reason: string): void => emitReport(core, { type: 'amendRejected', clientOrderId, reason });
  const order = core.orders.get(clientOrderId);
  if (order === undefined) return refuse(core.rejectedOrders.has(clientOrderId) ? 'order was rejected' : 'unknown clientOrderId');
  if (order.list !== undefined) return refuse(`legs of a venue list are not amended (${order.clientOrderId} is a leg of ${order.list.listId})`);
  if (!isWorking(order)) return refuse(`order is already ${order.status}`);
  const instrument = order.instrument;
  const state = core.symbols.get(instrument.symbol)!;

  const parsed = parseAmendment(order, amendment);
  if (typeof parsed === 'string') return refuse(parsed);
  core.changedOrders.add(order);
  const { price, quantity, stopPrice } = parsed;
  const repriced = price !== undefined && order.price !== undefined && !price.eq(order.price);
  const grown = quantity.gt(order.quantity);
  const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
  if (order.postOnly && repriced && wouldTake(opposite, price)) return refuse('post-only order would take liquidity at the new price');

  // Re-size the reservation to the amended order before changing anything, so a refusal changes nothing.
  const remaining = quantity.minus(order.filledQuantity);
  const reservation = order.reduceOnly
    ? ZERO
    : order.side === 'sell' && state.perpetual === undefined
      ? remaining
      : limitHold(core, state, remaining, price ?? stopPrice!);
  if (reservation.gt(order.reserved)) {
    const held = holdFunds(core, state, order.reservedCurrency, reservation.minus(order.reserved));
    if (!held.ok) return refuse(held.reason);
  } else {
    core.ledger.release(order.reservedCurrency, order.reserved.minus(reservation));
  }
  order.reserved = reservation;

  const losesPriority = order.resting && (repriced || grown);
  if (losesPriority) state.resting.remove(order);
  const stopMoved = order.awaitingTrigger && stopPrice !== undefined && order.stopPrice !== undefined && !stopPrice.eq(order.stopPrice);
  if (stopMoved) state.triggers.remove(order);
  order.price = price;
  order.quantity = quantity;
  order.stopPrice = stopPrice;
  if (stopMoved) {
    order.priority = core.nextPriority++;
    state.triggers.insert(order);
  }
  emitReport(core, {
    type: 'amended',
    clientOrderId,
    quantity: toDecimalString(quantity),
    ...(price !== undefined ? { price: toDecimalString(price) } : {}),
    ...(stopPrice !== undefined ? { stopPrice: toDecimalString(stopPrice) } : {}),
  });
  // Re-enter as a new arrival: the marketable part (if the new price crosses) takes, the rest joins the back.
  if (losesPriority) execute(core, state, order);
}

export function expireOrder(core: PaperCore, order: PaperOrder): void {
  order.expiryTimer = undefined;
  if (!isWorking(order)) return;
  closeOrder(core, order, 'expired');
  emitReport(core, { type: 'expired', clientOrderId: order.clientOrderId });
  reportSiblingsCanceled(core, order, closeSiblings(core, order), 'expired');
}

export function rejectOrder(core: PaperCore, request: VenueOrder, reason: string): void {
  const rejected = rejectedStatus(request);
  core.rejectedOrders.set(request.clientOrderId, rejected);
  core.newRejections.push(rejected);
  forgetOldest(core);
  emitReport(core, { type: 'rejected', clientOrderId: request.clientOrderId, reason });
}

/** What a status query answers for an order refused on arrival. */
export function rejectedStatus(request: VenueOrder): VenueOrderStatus {
  return {
    clientOrderId: request.clientOrderId,
    venueOrderId: '',
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    status: 'rejected',
    quantity: request.quantity,
    filledQuantity: '0',
    ...(request.price !== undefined ? { price: request.price } : {}),
  };
}

/** True when an order limited at `price` would take liquidity from `opposite` right now. */
function wouldTake(opposite: BookSide, price: Decimal): boolean {
  const best = opposite.bestPrice();
  return best !== undefined && levelWithinLimit(opposite, best, price);
}
