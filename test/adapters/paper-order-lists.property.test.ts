// Property of the paper venue's native OCO lists: whatever the market does (quotes, trades through legs, stops
// firing, expiries, cancels, a restart from the saved state), at most one leg of a list ever fills, and cash
// moves only by fills and fees, every hold returning to zero once nothing works.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { ZERO, decimal, toDecimalString } from '../../src/domain/decimal.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import { PaperVenue } from '../../adapters/paper/index.ts';
import type { ExecutionReport, VenueOrder } from '../../adapters/venue.ts';
import { BTC_USD, START, feedMarketStep, priceOfTicks as price, sizeOfLots as size, reservationsWithinTotals, totalsFromFills } from './paper-fixture.ts';

const START_BALANCES = { USD: '5000', BTC: '20' } as const;
const ENDING_REPORTS = new Set(['canceled', 'expired', 'rejected']);


const priceTicks = fc.integer({ min: 9_990, max: 10_010 });
const lots = fc.integer({ min: 1, max: 12_000 });
const side = fc.constantFrom<OrderSide>('buy', 'sell');
const levels = fc.array(lots, { minLength: 0, maxLength: 4 });
const leg = fc.record({
  side,
  type: fc.constantFrom('limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit'),
  price: priceTicks,
  stopPrice: priceTicks,
  lots,
  expires: fc.boolean(),
});

const step = fc.oneof(
  fc.record({ kind: fc.constant('quote' as const), bestBid: priceTicks, spread: fc.integer({ min: 1, max: 5 }), bids: levels, asks: levels }),
  fc.record({ kind: fc.constant('trade' as const), price: priceTicks, lots, aggressor: side }),
  fc.record({ kind: fc.constant('list' as const), legs: fc.array(leg, { minLength: 2, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('limit' as const), side, price: priceTicks, lots }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), milliseconds: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('restart' as const) }),
);

type Fill = Extract<ExecutionReport, { type: 'filled' }>;

describe('paper venue OCO lists, properties', () => {
  it('at most one leg of a list ever fills, and balances end exact, across fills, triggers, expiries, cancels and a restart', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }), fc.integer({ min: 0, max: 3 }), async (steps, latencyMs) => {
        const reports: ExecutionReport[] = [];
        const sides = new Map<string, OrderSide>();
        const lists: string[][] = [];
        const placed: string[] = [];
        const open = (clock: SimulatedClock, state?: ReturnType<PaperVenue['exportState']>): PaperVenue => {
          const venue = new PaperVenue({ clock, instruments: [BTC_USD], balances: START_BALANCES, nativeStops: true, orderLatencyMs: latencyMs, reportLatencyMs: latencyMs, ...(state ? { state } : {}) });
          venue.onExecutionReport((report) => reports.push(report));
          return venue;
        };
        let clock = new SimulatedClock(START);
        let venue = open(clock);
        let next = 0;
        const idFor = (orderSide: OrderSide): string => {
          const clientOrderId = `o${next++}`;
          sides.set(clientOrderId, orderSide);
          placed.push(clientOrderId);
          return clientOrderId;
        };

        for (const action of steps) {
          const now = clock.now();
          switch (action.kind) {
            case 'quote':
            case 'trade':
              feedMarketStep(venue, now, action);
              break;
            case 'list': {
              const orders: VenueOrder[] = action.legs.map((fields) => {
                const hasLimit = fields.type === 'limit' || fields.type === 'stopLimit' || fields.type === 'takeProfitLimit';
                return {
                  clientOrderId: idFor(fields.side),
                  symbol: BTC_USD.symbol,
                  side: fields.side,
                  type: fields.type,
                  quantity: size(fields.lots),
                  ...(hasLimit ? { price: price(fields.price) } : {}),
                  ...(fields.type !== 'limit' ? { stopPrice: price(fields.stopPrice) } : {}),
                  timeInForce: fields.expires ? 'GTD' : 'GTC',
                  ...(fields.expires ? { expireAt: now + 25 } : {}),
                  postOnly: false,
                  reduceOnly: false,
                };
              });
              const list = { listId: `L${lists.length}`, kind: 'oco' as const, symbol: BTC_USD.symbol, orders };
              expect(venue.orderListRefusal(list)).toBeUndefined();
              lists.push(orders.map((order) => order.clientOrderId));
              venue.submitList(list);
              break;
            }
            case 'limit':
              venue.submit({ clientOrderId: idFor(action.side), symbol: BTC_USD.symbol, side: action.side, type: 'limit', quantity: size(action.lots), price: price(action.price), timeInForce: 'GTC', postOnly: false, reduceOnly: false });
              break;
            case 'cancel':
              if (placed.length > 0) venue.cancel(placed[action.pick % placed.length]!);
              break;
            case 'advance':
              clock.advanceBy(action.milliseconds);
              break;
            case 'restart': {
              // Everything pending happens and is reported (no report is lost in flight), then the venue goes down
              // and comes back from its saved state.
              clock.runAll();
              const state = JSON.parse(JSON.stringify(venue.exportState()));
              clock = new SimulatedClock(clock.now());
              venue = open(clock, state);
              break;
            }
          }
          expect(reservationsWithinTotals(await venue.balances())).toBe(true);
        }
        clock.runAll();

        const fills = reports.filter((report): report is Fill => report.type === 'filled');
        for (const legs of lists) {
          const filledLegs = new Set(fills.filter((fill) => legs.includes(fill.clientOrderId)).map((fill) => fill.clientOrderId));
          expect(filledLegs.size).toBeLessThanOrEqual(1);
        }
        const { base, cash, filledPerOrder } = totalsFromFills(fills, sides, START_BALANCES);
        for (const clientOrderId of placed) {
          const status = await venue.queryOrder(clientOrderId);
          expect(status).toBeDefined();
          expect(decimal(status!.filledQuantity).eq(filledPerOrder.get(clientOrderId) ?? ZERO)).toBe(true);
          expect(decimal(status!.filledQuantity).lte(decimal(status!.quantity))).toBe(true);
        }

        for (const working of await venue.openOrders()) venue.cancel(working.clientOrderId);
        clock.runAll();
        expect(await venue.openOrders()).toEqual([]);
        const balances = new Map((await venue.balances()).map((balance) => [balance.currency, balance]));
        expect(balances.get('BTC')).toEqual({ currency: 'BTC', total: toDecimalString(base), reserved: '0' });
        expect(balances.get('USD')).toEqual({ currency: 'USD', total: toDecimalString(cash), reserved: '0' });
        // Every leg of every list ended, and was not ended twice.
        for (const clientOrderId of lists.flat()) {
          const endings = reports.filter((report) => report.clientOrderId === clientOrderId && ENDING_REPORTS.has(report.type));
          const status = (await venue.queryOrder(clientOrderId))!.status;
          expect(endings.length).toBe(status === 'filled' ? 0 : 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
