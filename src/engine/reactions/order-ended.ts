// One place that knows which events end an order: a fill that leaves nothing, a denial, a rejection, a cancel
// or an expiry. Reactions that clean up after an order (reservation, trigger, deadline, owner) subscribe here.
import type { DomainEventBus } from '../event-bus.ts';

export type OrderEnding = 'filled' | 'denied' | 'rejected' | 'canceled' | 'expired';

export interface EndedOrder {
  readonly orderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly status: OrderEnding;
}

export function onOrderEnded(bus: DomainEventBus, reaction: (ended: EndedOrder) => void): void {
  bus.on('OrderFilled', (event) => {
    if (event.remainingQuantity === '0') reaction({ orderId: event.orderId, venue: event.venue, symbol: event.symbol, status: 'filled' });
  });
  bus.on('OrderDenied', (event) => reaction({ orderId: event.orderId, venue: event.venue, symbol: event.symbol, status: 'denied' }));
  bus.on('OrderRejected', (event) => reaction({ orderId: event.orderId, venue: event.venue, symbol: event.symbol, status: 'rejected' }));
  bus.on('OrderCanceled', (event) => reaction({ orderId: event.orderId, venue: event.venue, symbol: event.symbol, status: 'canceled' }));
  bus.on('OrderExpired', (event) => reaction({ orderId: event.orderId, venue: event.venue, symbol: event.symbol, status: 'expired' }));
}
