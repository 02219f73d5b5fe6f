// Algorithms and order lists listen to their children's order events: each fill, each end (with what the
// venue never executed), and for order lists the answers to their amendments. Market data comes separately.
import type { DomainEventBus } from '../event-bus.ts';
import { onOrderEnded } from '../reactions/order-ended.ts';
import type { ParentBook } from './parent-book.ts';

export function installParentReactions(bus: DomainEventBus, book: ParentBook): void {
  // Registered before the end reaction: a child's last fill reaches its parent before its end.
  bus.on('OrderFilled', (event) => {
    if (event.parentId !== undefined) book.childFilled(event.parentId, { childId: event.orderId, tradeId: event.tradeId, quantity: event.fillQuantity, price: event.fillPrice });
  });
  onOrderEnded(bus, ({ orderId, status }) => book.childEnded(orderId, status));
  bus.on('OrderUpdated', (event) => book.childAmended(event.orderId, event.quantity));
  bus.on('OrderModifyRejected', (event) => book.childAmendRejected(event.orderId, event.reason));
  // A child's own request resolved: an amendment that waited for it is asked now.
  for (const type of ['OrderAccepted', 'OrderCancelRejected', 'OrderTriggered', 'OrderEmulated'] as const) bus.on(type, (event) => book.childSettledRequest(event.orderId));
}
