// Execution records built from the event stream: what counts as reaching the market, and its arrival price.
import { describe, expect, it } from 'vitest';
import { ExecutionTracker, withArrivalPrice } from '../../src/analytics/execution-tracker.ts';
import type { DomainEvent } from '../../src/domain/events.ts';

const base = { venue: 'paper', symbol: 'BTC/USDT' };
let sequence = 0;
const at = (timestamp: number, event: Record<string, unknown>) => ({ ...base, ...event, sequence: ++sequence, timestamp }) as DomainEvent;
const initialized = (orderId: string, time: number, quantity = '1') =>
  at(time, { type: 'OrderInitialized', orderId, side: 'buy', orderType: 'market', quantity, timeInForce: 'GTC', postOnly: false, reduceOnly: false });
const filled = (orderId: string, time: number, quantity: string, price: string) =>
  at(time, { type: 'OrderFilled', orderId, tradeId: `${orderId}-${time}`, fillQuantity: quantity, fillPrice: price, fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledQuantity: quantity, remainingQuantity: '0', averagePrice: price, late: false });

describe('ExecutionTracker', () => {
  it('takes the arrival price when the order is sent, or the market price its trigger fired at', () => {
    let market = '100';
    const tracker = new ExecutionTracker(() => market);
    tracker.observe(initialized('a', 1_000));
    tracker.observe(at(1_000, { type: 'OrderSubmitted', orderId: 'a', orderType: 'market' }));
    market = '105';
    tracker.observe(filled('a', 1_040, '1', '100.5'));
    tracker.observe(initialized('stop', 1_000));
    tracker.observe(at(1_000, { type: 'OrderEmulated', orderId: 'stop', triggerPrice: '95' }));
    tracker.observe(at(2_000, { type: 'OrderTriggered', orderId: 'stop', triggerPrice: '95', marketPrice: '94.9', releasedAs: 'market' }));
    tracker.observe(at(2_000, { type: 'OrderSubmitted', orderId: 'stop', orderType: 'market' }));
    tracker.observe(filled('stop', 2_010, '1', '94.5'));
    expect(tracker.records()).toEqual([
      { orderId: 'a', symbol: 'BTC/USDT', side: 'buy', orderedQuantity: '1', filledQuantity: '1', averageFillPrice: '100.5', arrivalPrice: '100', signalTime: 1_000, firstFillTime: 1_040 },
      { orderId: 'stop', symbol: 'BTC/USDT', side: 'buy', orderedQuantity: '1', filledQuantity: '1', averageFillPrice: '94.5', arrivalPrice: '94.9', signalTime: 1_000, firstFillTime: 2_010 },
    ]);
  });

  it('covers the most recent orders it was told to keep, so memory does not grow with finished orders', () => {
    const tracker = new ExecutionTracker(() => '100', 2);
    for (const orderId of ['first', 'second', 'third']) {
      tracker.observe(initialized(orderId, 0));
      tracker.observe(at(0, { type: 'OrderSubmitted', orderId, orderType: 'market' }));
      tracker.observe(filled(orderId, 10, '1', '100'));
    }
    expect(tracker.records().map((record) => record.orderId)).toEqual(['second', 'third']);
  });

  it('leaves out denied orders and held stops that never fired; a signal sets the decision time', () => {
    const tracker = new ExecutionTracker(() => '100');
    tracker.observe(initialized('denied', 0));
    tracker.observe(at(0, { type: 'OrderDenied', orderId: 'denied', reason: 'tradingHalted' }));
    tracker.observe(initialized('held', 0));
    tracker.observe(at(0, { type: 'OrderEmulated', orderId: 'held', triggerPrice: '90' }));
    tracker.observe(initialized('entry', 500, '2'));
    tracker.signaled('entry', 400);
    tracker.observe(at(500, { type: 'OrderSubmitted', orderId: 'entry', orderType: 'market' }));
    tracker.observe(filled('entry', 600, '0.5', '101'));
    tracker.observe(filled('entry', 700, '0.5', '103'));
    expect(tracker.summary()).toMatchObject({ orders: 1, filledOrders: 1, fillRate: '0.5', slippageCost: '2', timeToFirstFillMs: { mean: 200, median: 200 } });
    expect(tracker.records({ signalsOnly: true })).toHaveLength(1);
    expect(tracker.records({ symbol: 'ETH/USDT' })).toEqual([]);
  });

  it('prefers the arrival price an OrderSubmitted carries (journaled) over the market price it reads', () => {
    const tracker = new ExecutionTracker(() => '200');
    tracker.observe(initialized('a', 0));
    tracker.observe(at(0, { type: 'OrderSubmitted', orderId: 'a', orderType: 'market', arrivalPrice: '100' }));
    tracker.observe(initialized('b', 0));
    tracker.observe(at(0, { type: 'OrderSubmitted', orderId: 'b', orderType: 'market' }));
    expect(tracker.records().map((record) => [record.orderId, record.arrivalPrice])).toEqual([['a', '100'], ['b', '200']]);
  });
});

describe('withArrivalPrice', () => {
  const submitted = { type: 'OrderSubmitted', orderId: 'a', venue: 'paper', symbol: 'BTC/USDT', orderType: 'market' } as const;

  it('stamps an OrderSubmitted with the market price of its symbol on its venue, leaving the draft as it was', () => {
    const asked: string[] = [];
    const stamped = withArrivalPrice(submitted, (symbol, venue) => {
      asked.push(`${venue} ${symbol}`);
      return '101.5';
    });
    expect(stamped).toEqual({ ...submitted, arrivalPrice: '101.5' });
    expect(asked).toEqual(['paper BTC/USDT']);
    expect(submitted).not.toHaveProperty('arrivalPrice');
  });

  it('leaves other events, an order with its price already, and an order with no market price as they are', () => {
    const other = { type: 'OrderAccepted', orderId: 'a', venue: 'paper', symbol: 'BTC/USDT', venueOrderId: 'v' } as const;
    expect(withArrivalPrice(other, () => '1')).toBe(other);
    const priced = { ...submitted, arrivalPrice: '99' };
    expect(withArrivalPrice(priced, () => '1')).toBe(priced);
    expect(withArrivalPrice(submitted, () => undefined)).toBe(submitted);
  });
});
