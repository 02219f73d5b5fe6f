// Positions listen: every fill changes its instrument's one position (netting, flips), an order that ended is
// told to the position that owns it, and a closed position is recorded as a trade and later leaves memory.
import type { Logger } from 'pino';
import type { DomainEventBus } from '../event-bus.ts';
import type { PositionBook } from '../positions.ts';
import type { VenueBook } from '../venues.ts';
import { onOrderEnded } from './order-ended.ts';

export function installPositionReactions(bus: DomainEventBus, book: PositionBook, venues: VenueBook, logger: Logger, leaveMemory: (positionId: string) => void): void {
  bus.on('OrderFilled', (event) => {
    const instrument = venues.instrument(event.venue, event.symbol);
    book.applyFill(event, instrument.quote, instrument.spec.tickSize, instrument.spec.lotSize, instrument.spec.takerFee);
  });
  onOrderEnded(bus, ({ orderId, status }) => book.orderEnded(orderId, status));
  bus.on('PositionOpened', (event) => {
    if (event.planError) logger.error({ positionId: event.positionId, planError: event.planError }, `position ${event.positionId} is closing: its plan could not be applied at the fill (${event.planError})`);
  });
  bus.on('PositionClosed', (event) => {
    book.closed(event.positionId);
    leaveMemory(event.positionId);
  });
}
