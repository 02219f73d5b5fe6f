// Properties of the engine's margin ledger: it books perpetual fills, funding and liquidations exactly as the
// paper venue's margin account does (the same random sequence through both), the wallet moves only by realized
// PnL, fees and funding, reserved is always order reservations plus position margins, and closing quantities
// reserve nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BalanceLedger } from '../../adapters/paper/balances.ts';
import { PerpetualAccount, createPerpetualState } from '../../adapters/paper/perpetual-account.ts';
import { ZERO, decimal, type Decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { createLedger, reservationsOf, reserve, release, type Ledger } from '../../src/domain/ledger.ts';
import {
  applyFunding,
  applyLiquidation,
  applyMarginFill,
  marginOrderReservation,
  marginPositionOf,
  positionMargin,
  recordReportedPosition,
  signedMarginQuantity,
} from '../../src/domain/margin-ledger.ts';
import { orderMargin } from '../../src/domain/margin.ts';
import { frozenLedger } from './frozen-ledger.ts';

const PERP = createInstrument({
  symbol: 'BTC-PERP', kind: 'perpetual', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '0', makerFee: '0.0002', takerFee: '0.0005',
});
const VENUE = 'paper';

const price = fc.integer({ min: 1_000, max: 20_000 }).map((n) => decimal(n).times('0.01'));
const quantity = fc.integer({ min: 1, max: 3_000 }).map((n) => decimal(n).times('0.001'));
const step = fc.oneof(
  fc.record({ kind: fc.constant('fill' as const), side: fc.constantFrom('buy' as const, 'sell' as const), quantity, price, maker: fc.boolean() }),
  fc.record({ kind: fc.constant('funding' as const), mark: price, rate: fc.integer({ min: -30, max: 30 }).map((n) => decimal(n).times('0.0001')) }),
  fc.record({ kind: fc.constant('liquidation' as const), mark: price }),
);

function reservedIn(ledger: Ledger, currency: string): Decimal {
  return Object.values(reservationsOf(ledger)).filter((reservation) => reservation.currency === currency).reduce((sum, reservation) => sum.plus(reservation.amount), ZERO);
}

describe('margin ledger properties', () => {
  it('books every fill, funding payment and liquidation as the paper venue does: equal wallet, margin and position', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 100_000 }),
        fc.constantFrom('1', '2', '5', '10', '20'),
        fc.constantFrom('isolated' as const, 'cross' as const),
        fc.array(step, { maxLength: 30 }),
        (start, leverage, marginMode, steps) => {
          const venueLedger = new BalanceLedger({ USDT: String(start) });
          const account = new PerpetualAccount(venueLedger);
          const state = createPerpetualState(PERP, { leverage, marginMode, maintenanceMarginRate: '0.001', liquidationFeeRate: '0.001' }, 0);
          account.add(state);
          let ledger = recordReportedPosition(createLedger({ USDT: String(start) }), VENUE, PERP.symbol, 'USDT', { direction: 'flat', quantity: '0', leverage, marginMode, timestamp: 0 });
          let wallet = decimal(start);
          let fundingNumber = 0;
          for (const action of steps) {
            ledger = frozenLedger(ledger);
            if (action.kind === 'fill') {
              const fee = action.quantity.times(action.price).times(action.maker ? PERP.makerFee : PERP.takerFee);
              account.applyFill(state, action.side, action.quantity, action.price, fee);
              const outcome = applyMarginFill(ledger, { venue: VENUE, symbol: PERP.symbol, currency: 'USDT', side: action.side, quantity: action.quantity.toFixed(), price: action.price.toFixed(), fee: fee.toFixed(), feeCurrency: 'USDT', leverage });
              // The wallet moves by the realized PnL of the closing part and the fee, nothing else.
              expect(decimal(outcome.ledger.balances.USDT!.total).minus(ledger.balances.USDT!.total).toFixed()).toBe(decimal(outcome.realizedPnl).minus(fee).toFixed());
              wallet = wallet.plus(outcome.realizedPnl).minus(fee);
              ledger = outcome.ledger;
            } else if (action.kind === 'funding') {
              state.mark = action.mark;
              state.fundingRate = action.rate;
              const paid = account.payFunding(state);
              if (paid === undefined) continue;
              const funding = { venue: VENUE, symbol: PERP.symbol, currency: 'USDT', amount: paid.amount.toFixed(), fundingId: `f${++fundingNumber}` };
              ledger = applyFunding(ledger, funding);
              wallet = wallet.plus(paid.amount);
              // The same payment again (a backfill) changes nothing.
              expect(applyFunding(ledger, funding)).toBe(ledger);
            } else {
              if (state.direction === 'flat') continue;
              state.mark = action.mark;
              const trade = account.liquidate(state);
              const liquidation = { tradeId: `l${++fundingNumber}`, venue: VENUE, symbol: PERP.symbol, currency: 'USDT', side: trade.side, quantity: trade.quantity.toFixed(), price: trade.settlement.price.toFixed(), fee: trade.settlement.fee.toFixed(), feeCurrency: 'USDT' };
              const outcome = applyLiquidation(ledger, liquidation);
              expect(outcome.quantity).toBe(trade.quantity.toFixed());
              // The same liquidation reported again books nothing.
              expect(applyLiquidation(outcome.ledger, liquidation).ledger).toBe(outcome.ledger);
              wallet = wallet.plus(outcome.realizedPnl).minus(trade.settlement.fee);
              ledger = outcome.ledger;
              expect(marginPositionOf(ledger, VENUE, PERP.symbol)?.direction).toBe('flat');
            }
            const position = marginPositionOf(ledger, VENUE, PERP.symbol)!;
            expect(ledger.balances.USDT).toEqual({ total: venueLedger.total('USDT').toFixed(), reserved: venueLedger.reserved('USDT').toFixed() });
            expect(decimal(ledger.balances.USDT!.total).eq(wallet)).toBe(true);
            expect({ direction: position.direction, quantity: position.quantity, entryCost: position.entryCost, realizedPnl: position.realizedPnl, fees: position.fees })
              .toEqual({ direction: state.position.direction, quantity: state.position.quantity, entryCost: state.position.entryCost, realizedPnl: state.position.realizedPnl, fees: state.position.fees });
            expect(decimal(position.margin).eq(state.margin)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reserved is always the order reservations plus the position margins; a short needs no base; closing quantity holds nothing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '3', '10'),
        fc.array(fc.record({ side: fc.constantFrom('buy' as const, 'sell' as const), quantity, price, order: fc.constantFrom('o1', 'o2', 'o3'), fill: fc.boolean() }), { maxLength: 25 }),
        (leverage, orders) => {
          let ledger = createLedger({ USDT: '1000000' });
          for (const order of orders) {
            const position = signedMarginQuantity(marginPositionOf(ledger, VENUE, PERP.symbol));
            const amount = marginOrderReservation({ side: order.side, quantity: order.quantity, price: order.price, leverage: decimal(leverage), feeRate: PERP.takerFee, positionQuantity: position });
            const closes = order.side === 'buy' ? position.lt(ZERO) : position.gt(ZERO);
            const opening = closes ? order.quantity.minus(position.abs()) : order.quantity;
            if (opening.lte(ZERO)) expect(amount.eq(ZERO)).toBe(true);
            else expect(amount.eq(orderMargin(opening, order.price, decimal(leverage), PERP.takerFee))).toBe(true);
            ledger = release(ledger, order.order);
            ledger = reserve(ledger, order.order, 'USDT', amount.toFixed());
            if (order.fill) {
              const fee = order.quantity.times(order.price).times(PERP.takerFee);
              ledger = applyMarginFill(ledger, { orderId: order.order, venue: VENUE, symbol: PERP.symbol, currency: 'USDT', side: order.side, quantity: order.quantity.toFixed(), price: order.price.toFixed(), fee: fee.toFixed(), feeCurrency: 'USDT', leverage }).ledger;
            }
            expect(decimal(ledger.balances.USDT!.reserved).eq(reservedIn(ledger, 'USDT').plus(positionMargin(ledger, 'USDT')))).toBe(true);
            // No base currency is ever held or moved by a perpetual.
            expect(ledger.balances.BTC).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
