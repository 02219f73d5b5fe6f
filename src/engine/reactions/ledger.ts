// The portfolio's ledger listens: a fill moves balances (spot) or the margin account (perpetuals), an order that
// ended gives back what it reserved, and the venue's account reports (funding, liquidation, its view of a
// position) reach the margin account.
import type { AnyActorRef } from 'xstate';
import type { Instrument } from '../../domain/instrument.ts';
import type { DomainEventBus } from '../event-bus.ts';
import type { VenueBook } from '../venues.ts';
import { onOrderEnded } from './order-ended.ts';

/** The leverage a perpetual's fill is margined at (the risk gate's rule: RiskGate.leverageFor). */
export type LeverageOf = (venueId: string, instrument: Instrument, parentId: string | undefined) => string;

export function installLedgerReactions(bus: DomainEventBus, venues: VenueBook, portfolio: AnyActorRef, leverageOf: LeverageOf): void {
  bus.on('OrderFilled', (event) => {
    const instrument = venues.instrument(event.venue, event.symbol);
    if (instrument.kind === 'perpetual') {
      portfolio.send({
        type: 'ledger.marginFill', orderId: event.orderId, venue: event.venue, symbol: event.symbol, currency: instrument.quote, side: event.side,
        quantity: event.fillQuantity, price: event.fillPrice, fee: event.fee, feeCurrency: event.feeCurrency, leverage: leverageOf(event.venue, instrument, event.parentId),
      });
      return;
    }
    portfolio.send({
      type: 'ledger.fill', orderId: event.orderId, side: event.side, base: instrument.base, quote: instrument.quote,
      quantity: event.fillQuantity, price: event.fillPrice, fee: event.fee, feeCurrency: event.feeCurrency,
    });
  });
  onOrderEnded(bus, ({ orderId }) => portfolio.send({ type: 'ledger.release', orderId }));
  bus.on('FundingSettled', (event) => {
    portfolio.send({ type: 'ledger.funding', venue: event.venue, symbol: event.symbol, currency: event.currency, amount: event.amount, fundingId: event.fundingId });
  });
  bus.on('PositionLiquidated', (event) => {
    portfolio.send({
      type: 'ledger.liquidation', tradeId: event.tradeId, venue: event.venue, symbol: event.symbol, currency: event.currency, side: event.side,
      quantity: event.quantity, price: event.price, fee: event.fee, feeCurrency: event.feeCurrency,
    });
  });
  bus.on('VenuePositionReported', (event) => {
    portfolio.send({
      type: 'ledger.venuePosition', venue: event.venue, symbol: event.symbol, currency: event.currency,
      reported: {
        direction: event.direction, quantity: event.quantity, timestamp: event.reportedAt,
        ...(event.entryPrice !== undefined ? { entryPrice: event.entryPrice } : {}),
        ...(event.markPrice !== undefined ? { markPrice: event.markPrice } : {}),
        ...(event.liquidationPrice !== undefined ? { liquidationPrice: event.liquidationPrice } : {}),
        ...(event.leverage !== undefined ? { leverage: event.leverage } : {}),
        ...(event.marginMode !== undefined ? { marginMode: event.marginMode } : {}),
        ...(event.unrealizedPnl !== undefined ? { unrealizedPnl: event.unrealizedPnl } : {}),
      },
    });
  });
}
