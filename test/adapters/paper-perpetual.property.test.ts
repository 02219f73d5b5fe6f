// Properties of perpetual margin arithmetic (src/domain/margin.ts) and of the paper venue's margin account: the
// liquidation price agrees with position-accounting's, is safe to filter on, isolated losses stop at the
// margin, funding is zero-sum, and the wallet moves exactly by trades, fees and funding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ONE, ZERO, decimal, toDecimalString, type Decimal } from '../../src/domain/decimal.ts';
import { liquidationPrice } from '../../src/domain/position-accounting.ts';
import { fundingPayment, isBelowMaintenance, liquidationSettlement, marginLiquidationPrice, unrealizedProfit } from '../../src/domain/margin.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import type { AccountReport, ExecutionReport } from '../../adapters/venue.ts';
import { BTC_PERP } from './paper-perpetual-fixture.ts';
import { order, paperSetup, quote, trade } from './paper-fixture.ts';

const HOUR = 60 * 60 * 1000;
const TOLERANCE = decimal('0.000000000000000000000000001'); // 1e-27: a few steps of the 30-place division

const cents = (value: number): Decimal => decimal(value).div('100');
const direction = fc.constantFrom<'long' | 'short'>('long', 'short');
const position = fc.record({
  direction,
  quantityLots: fc.integer({ min: 1, max: 100_000 }),
  entryCents: fc.integer({ min: 1, max: 10_000_000 }),
  leverage: fc.integer({ min: 1, max: 125 }),
  mmrPerMille: fc.integer({ min: 0, max: 999 }),
});
function parsed(input: { direction: 'long' | 'short'; quantityLots: number; entryCents: number; leverage: number; mmrPerMille: number }) {
  const quantity = decimal(input.quantityLots).div('1000');
  const entry = cents(input.entryCents);
  const leverage = decimal(input.leverage);
  // Below 1 / leverage, as the venue requires.
  const maintenanceMarginRate = ONE.div(leverage).times(decimal(input.mmrPerMille)).div('1000');
  const entryCost = quantity.times(entry);
  return { direction: input.direction, quantity, entry, leverage, maintenanceMarginRate, entryCost, margin: entryCost.div(leverage) };
}

describe('margin arithmetic properties', () => {
  it('with margin = cost / leverage the liquidation price is position-accounting\'s liquidationPrice', () => {
    fc.assert(
      fc.property(position, (input) => {
        const p = parsed(input);
        const ours = marginLiquidationPrice(p).price;
        const theirs = decimal(liquidationPrice({ direction: p.direction, entryPrice: toDecimalString(p.entry), leverage: toDecimalString(p.leverage), maintenanceMarginRate: toDecimalString(p.maintenanceMarginRate) }));
        expect(ours.minus(theirs).abs().lte(TOLERANCE)).toBe(true);
      }),
    );
  });

  it('beyond the conservative price the position is never liquidated; a step past the price on the other side it always is', () => {
    fc.assert(
      fc.property(position, fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: 0, max: 3 }), (input, offsetCents, marginShare) => {
        const p = parsed(input);
        // Margin other than cost / leverage too (funding moved it, or a cross account backs the position).
        const margin = p.margin.times(decimal(marginShare + 1)).div('2');
        const levels = marginLiquidationPrice({ ...p, margin });
        const mark = levels.price.plus(cents(offsetCents));
        if (!mark.gt(ZERO)) return;
        const below = isBelowMaintenance({ ...p, margin, mark });
        const safeSide = p.direction === 'long' ? mark.gt(levels.conservative) : mark.lt(levels.conservative);
        if (safeSide) expect(below).toBe(false);
        const pastBy = p.direction === 'long' ? levels.price.minus(mark) : mark.minus(levels.price);
        if (pastBy.gte(TOLERANCE)) expect(below).toBe(true);
      }),
    );
  });

  it('an isolated liquidation never loses more than the margin, and its fee is never negative', () => {
    fc.assert(
      fc.property(position, fc.integer({ min: 1, max: 20_000_000 }), fc.integer({ min: 0, max: 100 }), (input, markCents, feePerMille) => {
        const p = parsed(input);
        const mark = cents(markCents);
        const feeRate = decimal(feePerMille).div('1000');
        const settlement = liquidationSettlement({ direction: p.direction, quantity: p.quantity, entryCost: p.entryCost, isolatedMargin: p.margin, mark, feeRate });
        const loss = unrealizedProfit(p.direction, p.quantity, p.entryCost, settlement.price).neg().plus(settlement.fee);
        expect(settlement.fee.gte(ZERO)).toBe(true);
        expect(loss.lte(p.margin.plus(TOLERANCE))).toBe(true);
      }),
    );
  });

  it('funding is zero-sum: what longs pay shorts receive, and a positive rate makes longs pay', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: -10_000, max: 10_000 }), (lots, markCents, rateMillionths) => {
        const quantity = decimal(lots).div('1000');
        const mark = cents(markCents);
        const rate = decimal(rateMillionths).div('1000000');
        const long = fundingPayment('long', quantity, mark, rate);
        expect(long.plus(fundingPayment('short', quantity, mark, rate)).eq(ZERO)).toBe(true);
        expect(long.lt(ZERO)).toBe(rate.gt(ZERO));
      }),
    );
  });
});

const command = fc.oneof(
  fc.record({ kind: fc.constant('quote' as const), mid: fc.integer({ min: 8_000, max: 12_000 }) }),
  fc.record({ kind: fc.constant('trade' as const), price: fc.integer({ min: 6_000, max: 14_000 }), aggressor: fc.constantFrom<'buy' | 'sell'>('buy', 'sell') }),
  fc.record({ kind: fc.constant('market' as const), side: fc.constantFrom<OrderSide>('buy', 'sell'), lots: fc.integer({ min: 1, max: 3_000 }), reduceOnly: fc.boolean() }),
  fc.record({ kind: fc.constant('limit' as const), side: fc.constantFrom<OrderSide>('buy', 'sell'), price: fc.integer({ min: 8_000, max: 12_000 }), lots: fc.integer({ min: 1, max: 3_000 }), reduceOnly: fc.boolean() }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('hours' as const), hours: fc.integer({ min: 1, max: 9 }) }),
);

describe('paper perpetual account properties', () => {
  it('the wallet moves exactly by trade notionals, fees and funding; held margin is what positions and orders hold, and returns to zero', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 5, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<'isolated' | 'cross'>('isolated', 'cross'),
        async (commands, leverage, marginMode) => {
          const setup = paperSetup({
            instruments: [BTC_PERP],
            balances: { USDT: '3000' },
            perpetuals: { 'BTC-PERP': { leverage: String(leverage), marginMode, maintenanceMarginRate: toDecimalString(ONE.div(decimal(leverage)).div('2')), fundingRate: '0.001', markPrice: 'last' } },
          });
          const { venue, clock, flush } = setup;
          const accountReports: AccountReport[] = [];
          venue.onAccountReport((report) => accountReports.push(report));
          const placed: string[] = [];
          const tick = (price: Decimal) => quote(clock.now(), [[toDecimalString(price.minus('0.01')), '50']], [[toDecimalString(price), '50']], BTC_PERP.symbol);
          for (const [index, step] of commands.entries()) {
            const id = `o${index}`;
            if (step.kind === 'quote') venue.onMarketData(tick(cents(step.mid)));
            else if (step.kind === 'trade') venue.onMarketData(trade(clock.now(), toDecimalString(cents(step.price)), '0.5', step.aggressor, BTC_PERP.symbol));
            else if (step.kind === 'market') venue.submit(order({ clientOrderId: id, symbol: BTC_PERP.symbol, side: step.side, quantity: toDecimalString(decimal(step.lots).div('1000')), reduceOnly: step.reduceOnly }));
            else if (step.kind === 'limit') venue.submit(order({ clientOrderId: id, symbol: BTC_PERP.symbol, side: step.side, quantity: toDecimalString(decimal(step.lots).div('1000')), price: toDecimalString(cents(step.price)), reduceOnly: step.reduceOnly }));
            else if (step.kind === 'cancel' && placed.length > 0) venue.cancel(placed[step.pick % placed.length]!);
            else if (step.kind === 'hours') clock.advanceBy(step.hours * HOUR);
            if (step.kind === 'market' || step.kind === 'limit') placed.push(id);
            flush();
            const state = venue.exportState();
            const held = state.orders.reduce((sum, saved) => sum.plus(saved.reserved), ZERO).plus(decimal(state.perpetuals![0]!.margin));
            expect(toDecimalString(held)).toBe(state.balances.find((balance) => balance.currency === 'USDT')!.reserved);
          }
          // Wind down: cancel what works, close what is open against a deep book.
          for (const open of await venue.openOrders()) venue.cancel(open.clientOrderId);
          flush();
          const left = venue.position(BTC_PERP.symbol)!;
          if (left.direction !== 'flat') {
            venue.onMarketData(quote(clock.now(), [['99.99', '100000']], [['100', '100000']], BTC_PERP.symbol));
            venue.submit(order({ clientOrderId: 'wind-down', symbol: BTC_PERP.symbol, side: left.direction === 'long' ? 'sell' : 'buy', quantity: left.quantity, reduceOnly: true }));
            flush();
          }
          expect(venue.position(BTC_PERP.symbol)!.direction).toBe('flat');

          // Flat: the wallet is the start plus every sale, minus every purchase, fees, plus funding.
          let expected = decimal('3000');
          const trades = [
            ...setup.reports.filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled').map((fill) => ({ side: placedSide(setup, fill.clientOrderId), quantity: fill.quantity, price: fill.price, fee: fill.fee })),
            ...accountReports.flatMap((report) => (report.type === 'liquidation' ? [{ side: report.side, quantity: report.quantity, price: report.price, fee: report.fee }] : [])),
          ];
          for (const fill of trades) {
            const notional = decimal(fill.quantity).times(fill.price);
            expected = (fill.side === 'sell' ? expected.plus(notional) : expected.minus(notional)).minus(fill.fee);
          }
          for (const report of accountReports) if (report.type === 'funding') expected = expected.plus(report.amount);
          const balance = (await venue.balances()).find((entry) => entry.currency === 'USDT')!;
          expect(balance).toEqual({ currency: 'USDT', total: toDecimalString(expected), reserved: '0' });
        },
      ),
      { numRuns: 60 },
    );
  });
});

function placedSide(setup: ReturnType<typeof paperSetup>, clientOrderId: string): OrderSide {
  const status = setup.venue.exportState().orders.find((saved) => saved.clientOrderId === clientOrderId);
  return status!.side;
}
