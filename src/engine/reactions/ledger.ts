// The portfolio's ledger listens: a fill moves balances, an order that ended gives back what it reserved.
import type { AnyActorRef } from 'xstate';
import type { DomainEventBus } from '../event-bus.ts';
import type { VenueBook } from '../venues.ts';
import { onOrderEnded } from './order-ended.ts';

export function installLedgerReactions(bus: DomainEventBus, venues: VenueBook, portfolio: AnyActorRef): void {
  bus.on('OrderFilled', (event) => {
    const instrument = venues.instrument(event.venue, event.symbol);
    portfolio.send({
      type: 'ledger.fill', orderId: event.orderId, side: event.side, base: instrument.base, quote: instrument.quote,
      quantity: event.fillQuantity, price: event.fillPrice, fee: event.fee, feeCurrency: event.feeCurrency,
    });
  });
  onOrderEnded(bus, ({ orderId }) => portfolio.send({ type: 'ledger.release', orderId }));
}
