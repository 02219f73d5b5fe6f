// Properties of the paper venue: cash is conserved (balances move only by fills and fees), no order overfills.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, decimal, toDecimalString } from '../../src/domain/decimal.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import { compareDecimals } from '../../adapters/paper/compare.ts';
import type { ExecutionReport, VenueOrder } from '../../adapters/venue.ts';
import { BTC_USD, START, feedMarketStep, paperSetup, priceOfTicks as price, sizeOfLots as size, reservationsWithinTotals, totalsFromFills } from './paper-fixture.ts';

const START_BALANCES = { USD: '5000', BTC: '20' } as const;


// A narrow band so trades and quotes often meet resting orders; sizes large enough to run out of cash.
const priceTicks = fc.integer({ min: 9_990, max: 10_010 });
const lots = fc.integer({ min: 1, max: 30_000 });
const side = fc.constantFrom<OrderSide>('buy', 'sell');
const levels = fc.array(lots, { minLength: 0, maxLength: 4 });

const command = fc.oneof(
  fc.record({ kind: fc.constant('quote' as const), bestBid: priceTicks, spread: fc.integer({ min: 1, max: 5 }), bids: levels, asks: levels }),
  fc.record({ kind: fc.constant('trade' as const), price: priceTicks, lots, aggressor: side }),
  fc.record({ kind: fc.constant('market' as const), side, lots, fillOrKill: fc.boolean() }),
  fc.record({ kind: fc.constant('limit' as const), side, price: priceTicks, lots, timeInForce: fc.constantFrom('GTC', 'IOC', 'FOK', 'GTD'), postOnly: fc.boolean() }),
  fc.record({ kind: fc.constant('stop' as const), side, type: fc.constantFrom('stop', 'stopLimit', 'takeProfit', 'takeProfitLimit'), stopPrice: priceTicks, price: priceTicks, lots }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), price: fc.option(priceTicks, { nil: undefined }), lots: fc.option(lots, { nil: undefined }) }),
  fc.record({ kind: fc.constant('advance' as const), milliseconds: fc.integer({ min: 0, max: 20 }) }),
);

type Fill = Extract<ExecutionReport, { type: 'filled' }>;

describe('PaperVenue properties', () => {
  it('cash is conserved: totals change only by fills and fees, no order overfills, reservations stay within totals and return to zero', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 5, maxLength: 80, size: 'max' }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        async (commands, orderLatencyMs, reportLatencyMs) => {
          const { venue, clock, reports } = paperSetup({ balances: START_BALANCES, orderLatencyMs, reportLatencyMs, nativeStops: true });
          const sides = new Map<string, OrderSide>();
          const submitted: string[] = [];
          let next = 0;
          const submit = (fields: Omit<VenueOrder, 'clientOrderId' | 'symbol' | 'reduceOnly'>): void => {
            const clientOrderId = `o${next++}`;
            sides.set(clientOrderId, fields.side);
            submitted.push(clientOrderId);
            venue.submit({ clientOrderId, symbol: BTC_USD.symbol, reduceOnly: false, ...fields });
          };

          for (const step of commands) {
            const now = clock.now();
            switch (step.kind) {
              case 'quote':
              case 'trade':
                feedMarketStep(venue, now, step);
                break;
              case 'market':
                submit({ side: step.side, type: 'market', quantity: size(step.lots), timeInForce: step.fillOrKill ? 'FOK' : 'IOC', postOnly: false });
                break;
              case 'limit': {
                const canRest = step.timeInForce === 'GTC' || step.timeInForce === 'GTD';
                submit({
                  side: step.side,
                  type: 'limit',
                  quantity: size(step.lots),
                  price: price(step.price),
                  timeInForce: step.timeInForce,
                  postOnly: canRest && step.postOnly,
                  ...(step.timeInForce === 'GTD' ? { expireAt: now + 30 } : {}),
                });
                break;
              }
              case 'stop': {
                const hasLimit = step.type === 'stopLimit' || step.type === 'takeProfitLimit';
                submit({
                  side: step.side,
                  type: step.type,
                  quantity: size(step.lots),
                  stopPrice: price(step.stopPrice),
                  ...(hasLimit ? { price: price(step.price) } : {}),
                  timeInForce: 'GTC',
                  postOnly: false,
                });
                break;
              }
              case 'cancel':
                if (submitted.length > 0) venue.cancel(submitted[step.pick % submitted.length]!);
                break;
              case 'amend':
                if (submitted.length > 0) {
                  venue.amend(submitted[step.pick % submitted.length]!, {
                    ...(step.price !== undefined ? { price: price(step.price) } : {}),
                    ...(step.lots !== undefined ? { quantity: size(step.lots) } : {}),
                  });
                }
                break;
              case 'advance':
                clock.advanceBy(step.milliseconds);
                break;
            }
            expect(reservationsWithinTotals(await venue.balances())).toBe(true);
          }
          clock.runAll();

          // Expected totals, from the fills alone.
          const fills = reports.filter((report): report is Fill => report.type === 'filled');
          for (const fill of fills) {
            const rate = fill.liquidity === 'maker' ? BTC_USD.makerFee : BTC_USD.takerFee;
            expect(fill.fee).toBe(toDecimalString(decimal(fill.quantity).times(fill.price).times(rate)));
            expect(fill.feeCurrency).toBe('USD');
          }
          const { base, cash, filledPerOrder } = totalsFromFills(fills, sides, START_BALANCES);
          const balances = new Map((await venue.balances()).map((balance) => [balance.currency, balance]));
          expect(balances.get('BTC')!.total).toBe(toDecimalString(base));
          expect(balances.get('USD')!.total).toBe(toDecimalString(cash));
          expect(new Set(fills.map((fill) => fill.tradeId)).size).toBe(fills.length);

          for (const clientOrderId of submitted) {
            const status = await venue.queryOrder(clientOrderId);
            const filled = filledPerOrder.get(clientOrderId) ?? ZERO;
            if (status === undefined) continue;
            expect(decimal(status.filledQuantity).eq(filled)).toBe(true);
            expect(filled.lte(decimal(status.quantity))).toBe(true);
          }

          // Once nothing is open, nothing is reserved.
          for (const open of await venue.openOrders()) venue.cancel(open.clientOrderId);
          clock.runAll();
          expect(await venue.openOrders()).toEqual([]);
          for (const balance of await venue.balances()) expect(balance.reserved).toBe('0');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the allocation-free decimal comparison agrees with big.js cmp', () => {
    const decimalText = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
      .map(([negative, digits, scale]) => {
        const padded = digits.toString().padStart(scale + 1, '0');
        const text = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
        return negative ? `-${text}` : text;
      });
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        expect(compareDecimals(decimal(a), decimal(b))).toBe(decimal(a).cmp(decimal(b)));
        expect(compareDecimals(decimal(a), decimal(a))).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});
