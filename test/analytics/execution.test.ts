import { describe, expect, it } from 'vitest';
import { decimal, type Decimal } from '../../src/domain/decimal.ts';
import { fillRate, slippage, summarizeExecution, timeToFirstFill, type ExecutionRecord } from '../../src/analytics/execution.ts';

const d = (text: string): Decimal => decimal(text);

describe('fill rate', () => {
  it('is filled / ordered', () => {
    expect(fillRate(d('4'), d('3')).toFixed()).toBe('0.75');
    expect(fillRate(d('4'), d('0')).toFixed()).toBe('0');
  });

  it('refuses an overfill or nothing ordered', () => {
    expect(() => fillRate(d('1'), d('1.5'))).toThrow('filledQuantity 1.5 exceeds orderedQuantity 1');
    expect(() => fillRate(d('0'), d('0'))).toThrow('orderedQuantity must be positive, got 0');
  });
});

describe('slippage sign: positive is worse for the trader, on both sides', () => {
  it('a buy filled above the arrival price costs', () => {
    const result = slippage({ side: 'buy', arrivalPrice: d('100'), fillPrice: d('100.05'), quantity: d('2') });
    expect([result.perUnit.toFixed(), result.quote.toFixed(), result.basisPoints.toFixed()]).toEqual(['0.05', '0.1', '5']);
  });

  it('a buy filled below the arrival price saves', () => {
    expect(slippage({ side: 'buy', arrivalPrice: d('100'), fillPrice: d('99.5'), quantity: d('1') }).basisPoints.toFixed()).toBe('-50');
  });

  it('a sell filled below the arrival price costs', () => {
    const result = slippage({ side: 'sell', arrivalPrice: d('100'), fillPrice: d('99.9'), quantity: d('3') });
    expect([result.perUnit.toFixed(), result.quote.toFixed(), result.basisPoints.toFixed()]).toEqual(['0.1', '0.3', '10']);
  });

  it('a sell filled above the arrival price saves', () => {
    expect(slippage({ side: 'sell', arrivalPrice: d('200'), fillPrice: d('200.4'), quantity: d('1') }).basisPoints.toFixed()).toBe('-20');
  });

  it('refuses a non-positive arrival price', () => {
    expect(() => slippage({ side: 'buy', arrivalPrice: d('0'), fillPrice: d('1'), quantity: d('1') })).toThrow('arrivalPrice must be positive, got 0');
  });
});

describe('time to first fill', () => {
  it('is milliseconds from signal to first fill', () => {
    expect(timeToFirstFill(1_000, 1_250)).toBe(250);
    expect(() => timeToFirstFill(2_000, 1_000)).toThrow('firstFillTime 1000 is before signalTime 2000');
  });
});

describe('summary', () => {
  const records: ExecutionRecord[] = [
    { orderId: 'o1', symbol: 'X', side: 'buy', orderedQuantity: '2', filledQuantity: '2', averageFillPrice: '100.05', arrivalPrice: '100', signalTime: 1_000, firstFillTime: 1_250 },
    { orderId: 'o2', symbol: 'X', side: 'sell', orderedQuantity: '1', filledQuantity: '0.5', averageFillPrice: '99.9', arrivalPrice: '100', signalTime: 2_000, firstFillTime: 2_100 },
    { orderId: 'o3', symbol: 'X', side: 'buy', orderedQuantity: '1', filledQuantity: '0', arrivalPrice: '50', signalTime: 3_000 },
    { orderId: 'o4', symbol: 'Y', side: 'sell', orderedQuantity: '1', filledQuantity: '1', averageFillPrice: '200.4', arrivalPrice: '200', signalTime: 4_000, firstFillTime: 4_600 },
  ];

  it('computes fill rate, slippage mean/median/weighted and latency mean/median by hand', () => {
    expect(summarizeExecution(records)).toEqual({
      orders: 4,
      filledOrders: 3,
      fillRate: '0.7', // 3.5 / 5
      slippageBasisPoints: {
        mean: '-1.6666666667', // (5 + 10 − 20) / 3
        median: '5',
        weighted: '-5.5555555556', // (0.1 + 0.05 − 0.4) / (200 + 50 + 200) × 10,000
      },
      slippageCost: '-0.25',
      timeToFirstFillMs: { mean: 950 / 3, median: 250 },
    });
  });

  it('of no orders', () => {
    expect(summarizeExecution([])).toEqual({ orders: 0, filledOrders: 0, fillRate: null, slippageBasisPoints: null, slippageCost: '0', timeToFirstFillMs: null });
  });

  it('requires the average fill price when something filled', () => {
    const { averageFillPrice: _omitted, ...missing } = records[0]!;
    expect(() => summarizeExecution([missing])).toThrow('order o1: averageFillPrice is required when filledQuantity is 2');
  });
});
