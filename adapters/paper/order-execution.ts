// The paper venue's execution: an order meeting the book (taking, then resting), each fill booked (cash or
// margin, reservation released, report), orders ended, native stops released when they trigger, and a venue
// list's other legs canceled when one of its legs fills, triggers or ends.
import { ZERO, toDecimalString, type Decimal } from '../../src/domain/decimal.ts';
import type { VenueFill } from '../venue.ts';
import { buyReservation, fillCashFlow, notionalReservation, planTake } from './matching.ts';
import { isWorking, remainingQuantity, type PaperOrder } from './paper-order.ts';
import type { PaperCore, SymbolState } from './paper-core.ts';
import { emitPosition, holdFunds, limitHold, notionalHold } from './perpetual-margin.ts';
import type { PerpetualState } from './perpetual-account.ts';
import { emitReport } from './report-delivery.ts';

/** Forgets the oldest finished orders (with their fills) and rejections beyond what is retained. */
export function forgetOldest(core: PaperCore): void {
  while (core.finishedOrders.size > core.retainFinished) {
    const clientOrderId = core.finishedOrders.values().next().value!;
    core.finishedOrders.delete(clientOrderId);
    core.orders.delete(clientOrderId);
    core.fillsByOrder.delete(clientOrderId);
    core.removedOrderIds.push(clientOrderId);
  }
  while (core.rejectedOrders.size > core.retainFinished) {
    const clientOrderId = core.rejectedOrders.keys().next().value!;
    core.rejectedOrders.delete(clientOrderId);
    core.removedRejectionIds.push(clientOrderId);
  }
}

/** A native stop fired: from now on it is a market or limit order arriving at this moment. */
export function triggerOrder(core: PaperCore, state: SymbolState, order: PaperOrder): void {
  // A triggered leg decides its list, as on venues that hold OCOs: the other legs are canceled now.
  reportSiblingsCanceled(core, order, closeSiblings(core, order), 'triggered');
  core.changedOrders.add(order);
  if (order.price === undefined && !order.reduceOnly && (order.side === 'buy' || state.perpetual !== undefined)) {
    // A market order's reservation was an estimate at the stop price; hold the real walked cost instead.
    const plan = planTake(order.side === 'buy' ? state.book.asks : state.book.bids, remainingQuantity(order), undefined);
    core.ledger.release(order.reservedCurrency, order.reserved);
    order.reserved = ZERO;
    const needed = notionalHold(core, state, plan.notional);
    const held = holdFunds(core, state, order.reservedCurrency, needed);
    if (!held.ok) {
      closeOrder(core, order, 'canceled');
      emitReport(core, { type: 'canceled', clientOrderId: order.clientOrderId, reason: `triggered, but ${held.reason}` });
      return;
    }
    order.reserved = needed;
  }
  execute(core, state, order);
}

/**
 * An order meets the book now: it takes what it can up to its limit (all of it, for market-like orders),
 * then fill-or-kill, immediate-or-cancel and market orders end, and the rest of a limit order rests.
 */
export function execute(core: PaperCore, state: SymbolState, order: PaperOrder): void {
  const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
  const wanted = fillableQuantity(order, state.perpetual);
  if (order.reduceOnly && !wanted.gt(ZERO)) return cancelReduceOnly(core, order);
  const plan = planTake(opposite, wanted, order.price);
  const limitText = order.price === undefined ? '' : ` at ${toDecimalString(order.price)} or better`;
  if (order.timeInForce === 'FOK' && plan.filledQuantity.lt(wanted)) {
    closeOrder(core, order, 'canceled');
    emitReport(core, {
      type: 'canceled',
      clientOrderId: order.clientOrderId,
      reason: `fill-or-kill: only ${toDecimalString(plan.filledQuantity)} of ${toDecimalString(wanted)} available${limitText}, nothing filled`,
    });
    return;
  }
  opposite.take(plan.filledQuantity);
  for (const fill of plan.fills) if (isWorking(order)) applyFill(core, state, order, fill.quantity, fill.price, 'taker');
  if (!isWorking(order)) return;
  if (order.price === undefined) {
    closeOrder(core, order, 'canceled');
    emitReport(core, {
      type: 'canceled',
      clientOrderId: order.clientOrderId,
      reason: `insufficient liquidity: filled ${toDecimalString(order.filledQuantity)} of ${toDecimalString(order.quantity)}, rest canceled`,
    });
    return;
  }
  if (order.timeInForce === 'IOC') {
    closeOrder(core, order, 'canceled');
    emitReport(core, {
      type: 'canceled',
      clientOrderId: order.clientOrderId,
      reason: `immediate-or-cancel: filled ${toDecimalString(order.filledQuantity)} of ${toDecimalString(order.quantity)}, no more liquidity${limitText}`,
    });
    return;
  }
  // Joins the back of the displayed queue at its price (the front, if it improves on the best level).
  const sameSide = order.side === 'buy' ? state.book.bids : state.book.asks;
  order.priority = core.nextPriority++;
  const displayed = sameSide.displayedAt(order.price);
  order.queueAhead = core.fillModel.joinQueue(displayed);
  order.levelSeen = displayed;
  state.resting.insert(order);
}

/** Books one fill: cash moves exactly, its share of the reservation is released, a report goes out. */
export function applyFill(core: PaperCore, state: SymbolState, order: PaperOrder, quantity: Decimal, price: Decimal, liquidity: 'maker' | 'taker'): void {
  // The first fill of a leg, even in part, decides its list: the others are closed before any cash moves.
  const siblings = closeSiblings(core, order);
  const instrument = order.instrument;
  const flow = fillCashFlow(order.side, quantity, price, liquidity === 'maker' ? instrument.makerFee : instrument.takerFee);
  const perpetual = state.perpetual;
  const covered =
    order.reduceOnly
      ? ZERO
      : perpetual !== undefined
        ? order.price !== undefined
          ? limitHold(core, state, quantity, order.price)
          : notionalHold(core, state, flow.notional)
        : order.side === 'sell'
          ? quantity
          : order.price !== undefined
            ? buyReservation(instrument, quantity, order.price)
            : notionalReservation(instrument, flow.notional);
  const release = covered.lt(order.reserved) ? covered : order.reserved;
  core.ledger.release(order.reservedCurrency, release);
  order.reserved = order.reserved.minus(release);
  if (perpetual !== undefined) {
    // A perpetual moves no base: the position changes, the wallet takes realized PnL and the fee.
    core.perpetuals.applyFill(perpetual, order.side, quantity, price, flow.fee);
  } else {
    core.ledger.change(instrument.base, flow.baseChange);
    core.ledger.change(instrument.quote, flow.quoteChange);
    if (core.perpetuals.states.size > 0) core.perpetuals.accountChanged(instrument.quote);
  }
  order.filledQuantity = order.filledQuantity.plus(quantity);
  const complete = order.filledQuantity.gte(order.quantity);
  order.status = complete ? 'filled' : 'partial';
  const fill: VenueFill = {
    clientOrderId: order.clientOrderId,
    tradeId: `${core.id}-t${core.nextTradeNumber++}`,
    quantity: toDecimalString(quantity),
    price: toDecimalString(price),
    fee: toDecimalString(flow.fee),
    feeCurrency: instrument.quote,
    liquidity,
    timestamp: core.clock.now(),
  };
  const fills = core.fillsByOrder.get(order.clientOrderId);
  if (fills === undefined) core.fillsByOrder.set(order.clientOrderId, [fill]);
  else fills.push(fill);
  core.newFills.push(fill);
  core.changedOrders.add(order);
  emitReport(core, {
    type: 'filled',
    clientOrderId: fill.clientOrderId,
    tradeId: fill.tradeId,
    quantity: fill.quantity,
    price: fill.price,
    fee: fill.fee,
    feeCurrency: fill.feeCurrency,
    liquidity,
  }, fill.timestamp);
  reportSiblingsCanceled(core, order, siblings, `filled ${fill.quantity} of ${toDecimalString(order.quantity)}`);
  if (complete) closeOrder(core, order, 'filled', state);
  if (perpetual !== undefined) {
    emitPosition(core, perpetual);
    // Real venues cancel reduce-only orders once there is nothing left to reduce.
    if (perpetual.direction === 'flat') cancelReduceOnlyOrders(core, instrument.symbol);
  }
}

/** Ends an order: releases what is still reserved and takes it out of every index and timer. */
export function closeOrder(core: PaperCore, order: PaperOrder, status: 'filled' | 'canceled' | 'expired', state = core.symbols.get(order.instrument.symbol)!): void {
  order.status = status;
  order.finishSequence = core.nextFinishSequence++;
  core.changedOrders.add(order);
  core.finishedOrders.add(order.clientOrderId);
  if (order.reserved.gt(ZERO)) {
    core.ledger.release(order.reservedCurrency, order.reserved);
    order.reserved = ZERO;
  }
  if (order.resting) state.resting.remove(order);
  if (order.awaitingTrigger) state.triggers.remove(order);
  if (order.expiryTimer !== undefined) {
    core.clock.clearTimeout(order.expiryTimer);
    order.expiryTimer = undefined;
  }
  const list = order.list;
  if (list !== undefined && !list.legs.some(isWorking)) core.orderLists.delete(list.listId);
  forgetOldest(core);
}

/**
 * Decides the list of `order` (a leg that fills, triggers or ends): closes its other working legs, releasing
 * their shares of the list's hold, and a leg still working then holds all it needs alone (its siblings' shares
 * covered that). Returns the legs closed, for the caller to report after its own report; [] for a lone order
 * or a list already decided.
 */
export function closeSiblings(core: PaperCore, order: PaperOrder): PaperOrder[] {
  const list = order.list;
  if (list === undefined || order.listReservation === undefined) return [];
  const closed: PaperOrder[] = [];
  for (const leg of list.legs) {
    if (leg === order || !isWorking(leg)) continue;
    closeOrder(core, leg, 'canceled');
    closed.push(leg);
  }
  if (isWorking(order) && order.listReservation.gt(order.reserved)) {
    core.ledger.hold(order.reservedCurrency, order.listReservation.minus(order.reserved));
    order.reserved = order.listReservation;
  }
  for (const leg of list.legs) {
    leg.listReservation = undefined;
    core.changedOrders.add(leg);
  }
  return closed;
}

/** Reports legs closed by closeSiblings, naming the list and the leg that decided it (`what` it did). */
export function reportSiblingsCanceled(core: PaperCore, order: PaperOrder, siblings: readonly PaperOrder[], what: string): void {
  for (const sibling of siblings) {
    emitReport(core, { type: 'canceled', clientOrderId: sibling.clientOrderId, reason: `one-cancels-other list ${order.list!.listId}: leg ${order.clientOrderId} ${what}` });
  }
}

export function cancelReduceOnly(core: PaperCore, order: PaperOrder): void {
  closeOrder(core, order, 'canceled');
  emitReport(core, { type: 'canceled', clientOrderId: order.clientOrderId, reason: `reduce-only: no ${order.side === 'buy' ? 'short' : 'long'} position left to reduce` });
  reportSiblingsCanceled(core, order, closeSiblings(core, order), 'was canceled (reduce-only, nothing left to reduce)');
}

export function cancelReduceOnlyOrders(core: PaperCore, symbol: string): void {
  // Checked again for each: canceling a leg may have canceled the others of its list.
  for (const order of workingOrders(core, symbol)) if (order.reduceOnly && isWorking(order)) cancelReduceOnly(core, order);
}

export function workingOrders(core: PaperCore, symbol: string): PaperOrder[] {
  const working: PaperOrder[] = [];
  for (const order of core.orders.values()) if (isWorking(order) && order.instrument.symbol === symbol) working.push(order);
  return working;
}

/** What an order may fill now: its remaining quantity, and for reduce-only at most the position it reduces. */
export function fillableQuantity(order: PaperOrder, perpetual: PerpetualState | undefined): Decimal {
  const remaining = remainingQuantity(order);
  if (!order.reduceOnly || perpetual === undefined) return remaining;
  if (perpetual.direction === 'flat' || perpetual.direction === (order.side === 'buy' ? 'long' : 'short')) return ZERO;
  return remaining.lt(perpetual.quantity) ? remaining : perpetual.quantity;
}
