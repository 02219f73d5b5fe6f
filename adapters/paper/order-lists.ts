// The paper venue's native order lists (OCO) as they arrive: every leg checked as a lone order would be, the
// list's one hold taken, and every leg accepted together, or every leg rejected with the list's reason.
import { ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { VenueOrderList } from '../venue.ts';
import { acceptOrder, admitOrder, isKnownOrderId, rejectedStatus, startOrder, type AdmittedOrder } from './order-entry.ts';
import { forgetOldest } from './order-execution.ts';
import { orderListRefusal } from './order-list-refusal.ts';
import { isWorking, type PaperOrderList } from './paper-order.ts';
import type { PaperCore } from './paper-core.ts';
import { holdFunds } from './perpetual-margin.ts';
import { emitReport } from './report-delivery.ts';

/**
 * A list arrives whole. Each leg is admitted as `submit` would admit it; the list then holds, per currency,
 * only its largest leg's need (at most one leg ever trades: the first fill or trigger cancels the others), so
 * an OCO protecting 1 BTC holds 1 BTC, not 2. Any failure rejects every leg and changes nothing else. Legs
 * start in the order sent: one that crosses on arrival fills at once and the others are canceled.
 */
export function receiveOrderList(core: PaperCore, list: VenueOrderList): void {
  const refusal = orderListRefusal(list, core);
  if (refusal !== undefined) return rejectList(core, list, refusal);
  if (core.orderLists.has(list.listId)) return rejectList(core, list, `list ${list.listId} is already working`);
  const firstOrderNumber = core.nextOrderNumber;
  const admitted: AdmittedOrder[] = [];
  for (const leg of list.orders) {
    const result = isKnownOrderId(core, leg.clientOrderId) ? 'duplicate clientOrderId' : admitOrder(core, leg);
    if (typeof result === 'string') {
      core.nextOrderNumber = firstOrderNumber;
      return rejectList(core, list, `leg ${leg.clientOrderId}: ${result}`);
    }
    admitted.push(result);
  }
  const heldPerCurrency = new Map<string, Decimal>();
  for (const { state, order, reservation } of admitted) {
    const alreadyHeld = heldPerCurrency.get(order.reservedCurrency) ?? ZERO;
    const share = reservation.gt(alreadyHeld) ? reservation.minus(alreadyHeld) : ZERO;
    const held = holdFunds(core, state, order.reservedCurrency, share);
    if (!held.ok) {
      for (const taken of admitted) if (taken.order.reserved.gt(ZERO)) core.ledger.release(taken.order.reservedCurrency, taken.order.reserved);
      core.nextOrderNumber = firstOrderNumber;
      return rejectList(core, list, `leg ${order.clientOrderId}: ${held.reason}`);
    }
    order.reserved = share;
    order.listReservation = reservation;
    heldPerCurrency.set(order.reservedCurrency, alreadyHeld.plus(share));
  }
  const paperList: PaperOrderList = { listId: list.listId, kind: list.kind, legs: admitted.map(({ order }) => order) };
  core.orderLists.set(list.listId, paperList);
  for (const { state, order } of admitted) {
    order.list = paperList;
    acceptOrder(core, state, order);
  }
  for (const { state, order } of admitted) if (isWorking(order)) startOrder(core, state, order);
}

/** Every leg rejected with the list's reason; a leg whose clientOrderId was already used keeps its record. */
function rejectList(core: PaperCore, list: VenueOrderList, why: string): void {
  const reason = `order list ${list.listId} rejected: ${why}`;
  for (const leg of list.orders) {
    if (!isKnownOrderId(core, leg.clientOrderId)) {
      const rejected = rejectedStatus(leg);
      core.rejectedOrders.set(leg.clientOrderId, rejected);
      core.newRejections.push(rejected);
    }
    emitReport(core, { type: 'rejected', clientOrderId: leg.clientOrderId, reason });
  }
  forgetOldest(core);
}
