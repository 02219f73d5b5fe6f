// Property tests of the ccxt adapter's bookkeeping: whatever order and however often the stream and the REST
// backfill deliver an order's updates and fills, the engine hears each fill once, `accepted` before any fill,
// and at most one terminal report. And the request budget never admits more weight than the exchange allows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderKeeper } from '../../../adapters/ccxt/order-book-keeper.ts';
import type { RawFill, RawOrderState } from '../../../adapters/ccxt/profile.ts';
import { RequestBudget } from '../../../adapters/ccxt/request-budget.ts';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { SimulatedClock } from '../../../src/domain/clock.ts';
import { decimal } from '../../../src/domain/decimal.ts';

const fillArbitrary = fc.record({ tradeId: fc.integer({ min: 1, max: 8 }).map(String), lots: fc.integer({ min: 1, max: 3 }) });

type Delivery = { kind: 'fill'; tradeId: string; lots: number } | { kind: 'state'; status: 'open' | 'partial' | 'canceled' | 'filled' };

const deliveryArbitrary: fc.Arbitrary<Delivery> = fc.oneof(
  fillArbitrary.map((fill) => ({ kind: 'fill' as const, ...fill })),
  fc.constantFrom('open', 'partial', 'canceled', 'filled').map((status) => ({ kind: 'state' as const, status: status as 'open' | 'partial' | 'canceled' | 'filled' })),
);

function state(status: RawOrderState['status'], filled: string): RawOrderState {
  return { exchangeClientOrderId: 'o1', venueOrderId: '77', symbol: 'BTC/USDT', side: 'buy', type: 'limit', status, quantity: '1', filledQuantity: filled, price: '100', timestamp: 1 };
}

function fill(tradeId: string, lots: number): RawFill {
  // Each trade id always carries the same quantity (it is one trade, delivered again).
  return { exchangeClientOrderId: 'o1', venueOrderId: '77', symbol: 'BTC/USDT', tradeId, quantity: decimal(lots).div('100').toFixed(), price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'maker', timestamp: 1 };
}

describe('OrderKeeper', () => {
  it('reports each trade once, accepted first, and at most one terminal report, for any delivery order and repetition', () => {
    fc.assert(
      fc.property(fc.array(deliveryArbitrary, { maxLength: 40 }), (deliveries) => {
        const keeper = new OrderKeeper('binance', () => 1);
        const order = keeper.track({ clientOrderId: 'o1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', exchangeClientOrderId: 'o1', inFlight: true, sentAt: 0, quantity: '1', price: '100' });
        const reports: ExecutionReport[] = [];
        const lotsOf = new Map<string, number>();
        for (const delivery of deliveries) {
          if (delivery.kind === 'fill') {
            const lots = lotsOf.get(delivery.tradeId) ?? delivery.lots;
            lotsOf.set(delivery.tradeId, lots);
            reports.push(...keeper.reportsForFill(order, fill(delivery.tradeId, lots)));
          } else {
            reports.push(...keeper.reportsForState(order, state(delivery.status, order.filledQuantity), 'canceled at the exchange'));
          }
        }
        const fills = reports.filter((report) => report.type === 'filled') as Array<Extract<ExecutionReport, { type: 'filled' }>>;
        expect(new Set(fills.map((report) => report.tradeId)).size).toBe(fills.length);
        expect(fills.map((report) => report.tradeId).sort()).toEqual([...lotsOf.keys()].sort());
        const firstAccepted = reports.findIndex((report) => report.type === 'accepted');
        if (fills.length > 0) expect(firstAccepted).toBeGreaterThanOrEqual(0);
        if (fills.length > 0) expect(firstAccepted).toBeLessThan(reports.indexOf(fills[0]!));
        expect(reports.filter((report) => report.type === 'accepted').length).toBeLessThanOrEqual(1);
        expect(reports.filter((report) => report.type === 'canceled' || report.type === 'rejected' || report.type === 'expired').length).toBeLessThanOrEqual(1);
        const total = fills.reduce((sum, report) => sum.plus(report.quantity), decimal('0'));
        expect(order.filledQuantity).toBe(total.toFixed());
      }),
    );
  });

  it('keeps a bounded number of finished orders', () => {
    const keeper = new OrderKeeper('binance', () => 1, 100);
    for (let index = 0; index < 1_000; index++) {
      const order = keeper.track({ clientOrderId: `o${index}`, symbol: 'BTC/USDT', side: 'buy', type: 'limit', exchangeClientOrderId: `o${index}`, inFlight: false, sentAt: 0, quantity: '1' });
      keeper.finish(order, 'canceled');
    }
    expect(keeper.get('o0')).toBeUndefined();
    expect(keeper.get('o999')).toBeDefined();
  });
});

describe('RequestBudget', () => {
  it('never admits more weight per window than the limit, keeps headroom for writes, and holds everything during a ban', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ weight: fc.integer({ min: 1, max: 80 }), write: fc.boolean(), advance: fc.integer({ min: 0, max: 5_000 }) }), { maxLength: 300 }), (requests) => {
        const clock = new SimulatedClock(0);
        const budget = new RequestBudget(clock, { limit: 1200 });
        const admittedPerWindow = new Map<number, { reads: number; all: number }>();
        for (const request of requests) {
          clock.advanceBy(request.advance);
          if (!budget.admit(request.weight, request.write ? 'write' : 'read').admitted) continue;
          const window = Math.floor(clock.now() / 60_000);
          const counts = admittedPerWindow.get(window) ?? { reads: 0, all: 0 };
          counts.all += request.weight;
          if (!request.write) counts.reads += request.weight;
          admittedPerWindow.set(window, counts);
        }
        for (const counts of admittedPerWindow.values()) {
          expect(counts.all).toBeLessThanOrEqual(1200);
          expect(counts.reads).toBeLessThanOrEqual(1200 * 0.8);
        }
      }),
    );
    const clock = new SimulatedClock(0);
    const budget = new RequestBudget(clock, { limit: 1200 });
    budget.observeBan(429, 3);
    expect(budget.admit(1, 'write')).toMatchObject({ admitted: false, retryAt: 3_000, reason: expect.stringContaining('retry after 3 s') });
    clock.advanceBy(3_000);
    expect(budget.admit(1, 'write')).toEqual({ admitted: true });
  });
});
