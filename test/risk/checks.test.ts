import { describe, expect, it } from 'vitest';
import { createInstrument } from '../../src/domain/instrument.ts';
import {
  CHECKS_SKIPPED_WHEN_REDUCING,
  ORDER_CHECK_SEQUENCE,
  checkAmend,
  checkLossLimits,
  checkOrder,
  orderReducesExposure,
  type Denial,
  type OrderRiskInput,
  type RiskLimits,
} from '../../src/risk/checks.ts';
import { RecentTimes, countInWindow, requireRateLimit } from '../../src/risk/rate-limit.ts';

const instrument = createInstrument({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.001',
  minQuantity: '0.001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.001',
});

/** A buy of 1 BTC at 100 USDT from flat, with plenty of everything. */
function order(overrides: Partial<OrderRiskInput> = {}): OrderRiskInput {
  return {
    tradingState: 'active',
    instrument,
    side: 'buy',
    quantity: '1',
    price: '100',
    lastPrice: '100',
    reduceOnly: false,
    positionQuantity: '0',
    freeBalance: '1000000',
    requiredBalance: '100',
    balanceCurrency: 'USDT',
    equity: '1000000',
    totalExposure: '0',
    openPositions: 0,
    recentSubmits: [],
    now: 10_000,
    ...overrides,
  };
}

function denied(input: OrderRiskInput, limits: RiskLimits): Denial {
  const denial = checkOrder(input, limits);
  expect(denial, 'expected a denial').toBeDefined();
  return denial!;
}

describe('orderReducesExposure', () => {
  it.each([
    ['sell', '1', '2', true],
    ['sell', '2', '2', true],
    ['sell', '2.001', '2', false],
    ['buy', '1', '2', false],
    ['buy', '1', '-2', true],
    ['buy', '2', '-2', true],
    ['buy', '3', '-2', false],
    ['sell', '1', '-2', false],
    ['buy', '1', '0', false],
    ['sell', '1', '0', false],
  ] as const)('%s %s against a position of %s -> %s', (side, quantity, position, expected) => {
    expect(orderReducesExposure(side, quantity, position)).toBe(expected);
  });
});

describe('trading state', () => {
  it('halted denies every new order, reducing ones included', () => {
    const denial = denied(order({ tradingState: 'halted' }), {});
    expect(denial).toEqual({
      reason: 'tradingHalted',
      message: 'trading is halted: no new orders pass (a buy of 1 BTC on BTCUSDT)',
      limit: '0',
      actual: '1',
    });
    expect(denied(order({ tradingState: 'halted', side: 'sell', positionQuantity: '2', reduceOnly: true }), {}).reason).toBe('tradingHalted');
  });

  it('reducing passes an order that reduces exposure', () => {
    expect(checkOrder(order({ tradingState: 'reducing', side: 'sell', quantity: '2', positionQuantity: '2' }), {})).toBeUndefined();
    expect(checkOrder(order({ tradingState: 'reducing', side: 'buy', quantity: '0.5', positionQuantity: '-2' }), {})).toBeUndefined();
  });

  it('reducing denies an order that increases, opens or flips a position', () => {
    expect(denied(order({ tradingState: 'reducing', side: 'buy', quantity: '1', positionQuantity: '2' }), {})).toEqual({
      reason: 'reducingOnly',
      message: 'trading is reducing only: a buy of 1 BTC would increase the long position of 2 BTC',
      limit: '0',
      actual: '1',
    });
    expect(denied(order({ tradingState: 'reducing', positionQuantity: '0' }), {}).message).toBe(
      'trading is reducing only: a buy of 1 BTC would open a new long position',
    );
    expect(denied(order({ tradingState: 'reducing', side: 'sell', quantity: '2.001', positionQuantity: '2' }), {})).toEqual({
      reason: 'reducingOnly',
      message: 'trading is reducing only: a sell of 2.001 BTC would flip the long position of 2 BTC to short 0.001 BTC',
      limit: '2',
      actual: '2.001',
    });
  });
});

describe('reduce-only', () => {
  it('passes up to the whole position on the opposite side', () => {
    expect(checkOrder(order({ reduceOnly: true, side: 'sell', quantity: '2', positionQuantity: '2' }), {})).toBeUndefined();
    expect(checkOrder(order({ reduceOnly: true, side: 'buy', quantity: '2', positionQuantity: '-2' }), {})).toBeUndefined();
  });

  it('denies a flip just beyond the position', () => {
    expect(denied(order({ reduceOnly: true, side: 'sell', quantity: '2.001', positionQuantity: '2' }), {})).toEqual({
      reason: 'reduceOnlyWouldIncrease',
      message: 'reduce-only sell of 2.001 BTC would flip the long position of 2 BTC to short 0.001 BTC',
      limit: '2',
      actual: '2.001',
    });
    expect(denied(order({ reduceOnly: true, side: 'buy', quantity: '3', positionQuantity: '-2' }), {}).message).toBe(
      'reduce-only buy of 3 BTC would flip the short position of 2 BTC to long 1 BTC',
    );
  });

  it('denies increasing or opening a position', () => {
    expect(denied(order({ reduceOnly: true, side: 'sell', quantity: '1', positionQuantity: '-2' }), {}).message).toBe(
      'reduce-only sell of 1 BTC would increase the short position of 2 BTC',
    );
    expect(denied(order({ reduceOnly: true }), {})).toMatchObject({ reason: 'reduceOnlyWouldIncrease', message: 'reduce-only buy of 1 BTC would open a new long position', limit: '0' });
  });

  it('is reported before reducingOnly when both apply', () => {
    expect(denied(order({ tradingState: 'reducing', reduceOnly: true, side: 'sell', quantity: '3', positionQuantity: '2' }), {}).reason).toBe('reduceOnlyWouldIncrease');
  });
});

describe('submit rate', () => {
  const limits: RiskLimits = { submitRate: { count: 3, windowMs: 1000 } };

  it('passes while fewer than count submits lie in (now - window, now]', () => {
    // 9000 is exactly one window ago: it has left the window.
    expect(checkOrder(order({ now: 10_000, recentSubmits: [9000, 9500, 10_000] }), limits)).toBeUndefined();
    expect(checkOrder(order({ now: 10_000, recentSubmits: [9001, 9500] }), limits)).toBeUndefined();
  });

  it('denies the submit that would be one more than count', () => {
    expect(denied(order({ now: 10_000, recentSubmits: [9001, 9500, 10_000] }), limits)).toEqual({
      reason: 'submitRateExceeded',
      message: 'this submit would make 4 within 1000 ms, above the limit of 3 per 1000 ms',
      limit: '3',
      actual: '4',
    });
  });

  it('applies to orders that reduce exposure too', () => {
    expect(denied(order({ side: 'sell', positionQuantity: '5', recentSubmits: [9500, 9600, 9700] }), limits).reason).toBe('submitRateExceeded');
  });
});

describe('quantity limits', () => {
  it('minimum: at passes, just below is denied', () => {
    const limits: RiskLimits = { minQuantity: '0.5' };
    expect(checkOrder(order({ quantity: '0.5' }), limits)).toBeUndefined();
    expect(denied(order({ quantity: '0.499' }), limits)).toEqual({
      reason: 'quantityBelowMinimum',
      message: 'quantity 0.499 BTC is below the minimum 0.5 BTC per order',
      limit: '0.5',
      actual: '0.499',
    });
  });

  it('maximum: at passes, just above is denied', () => {
    const limits: RiskLimits = { maxQuantity: '2' };
    expect(checkOrder(order({ quantity: '2' }), limits)).toBeUndefined();
    expect(denied(order({ quantity: '2.001' }), limits)).toEqual({
      reason: 'quantityAboveMaximum',
      message: 'quantity 2.001 BTC is above the maximum 2 BTC per order',
      limit: '2',
      actual: '2.001',
    });
  });
});

describe('notional limits', () => {
  it('minimum: at passes, just below is denied', () => {
    const limits: RiskLimits = { minNotional: '50' };
    expect(checkOrder(order({ quantity: '0.5', price: '100' }), limits)).toBeUndefined();
    expect(denied(order({ quantity: '0.5', price: '99.99' }), limits)).toEqual({
      reason: 'notionalBelowMinimum',
      message: 'notional 49.995 USDT is below the minimum 50 USDT per order',
      limit: '50',
      actual: '49.995',
    });
  });

  it('maximum: 10000 passes, 10000.01 is denied', () => {
    const limits: RiskLimits = { maxNotional: '10000' };
    expect(checkOrder(order({ quantity: '1', price: '10000', lastPrice: '10000' }), limits)).toBeUndefined();
    expect(denied(order({ quantity: '1', price: '10000.01', lastPrice: '10000' }), limits)).toEqual({
      reason: 'notionalAboveMaximum',
      message: 'notional 10000.01 USDT is above the maximum 10000 USDT per order',
      limit: '10000',
      actual: '10000.01',
    });
  });

  it('is exact: 0.1 × 3 is 0.3, not 0.30000000000000004', () => {
    expect(checkOrder(order({ quantity: '0.1', price: '3' }), { maxNotional: '0.3' })).toBeUndefined();
  });
});

describe('price deviation', () => {
  const limits: RiskLimits = { maxPriceDeviationPercent: '5' };

  it('passes at the maximum deviation on either side', () => {
    expect(checkOrder(order({ price: '105', lastPrice: '100' }), limits)).toBeUndefined();
    expect(checkOrder(order({ price: '95', lastPrice: '100' }), limits)).toBeUndefined();
  });

  it('denies just beyond it on either side', () => {
    expect(denied(order({ price: '105.01', lastPrice: '100' }), limits)).toEqual({
      reason: 'priceDeviation',
      message: 'price 105.01 is 5.01% from the last price 100, above the maximum deviation 5%',
      limit: '5',
      actual: '5.01',
    });
    expect(denied(order({ price: '94.99', lastPrice: '100' }), limits).actual).toBe('5.01');
  });

  it('rounds a non-terminating deviation up, so it never reads as the limit', () => {
    // |3.16 - 3| / 3 × 100 = 5.333...
    const denial = denied(order({ price: '3.16', lastPrice: '3' }), limits);
    expect(denial.actual).toBe('5.33333334');
    expect(denial.message).toBe('price 3.16 is 5.33333334% from the last price 3, above the maximum deviation 5%');
  });

  it('is not checked without a last price', () => {
    expect(checkOrder(order({ price: '1000', lastPrice: undefined }), limits)).toBeUndefined();
  });
});

describe('balance', () => {
  it('passes when the free balance equals what the order needs', () => {
    expect(checkOrder(order({ freeBalance: '1000.5', requiredBalance: '1000.5' }), {})).toBeUndefined();
  });

  it('denies when the free balance is below it', () => {
    expect(denied(order({ freeBalance: '1000.49', requiredBalance: '1000.5' }), {}).reason).toBe('insufficientBalance');
    expect(denied(order({ freeBalance: '500', requiredBalance: '1000.5' }), {})).toEqual({
      reason: 'insufficientBalance',
      message: 'free balance 500 USDT is below the 1000.5 USDT this order needs',
      limit: '500',
      actual: '1000.5',
    });
  });

  it('names the balance currency (base for a spot sell)', () => {
    expect(denied(order({ side: 'sell', freeBalance: '0.5', requiredBalance: '1', balanceCurrency: 'BTC' }), {}).message).toBe(
      'free balance 0.5 BTC is below the 1 BTC this order needs',
    );
  });
});

describe('position value as a percent of equity', () => {
  const limits: RiskLimits = { maxPositionValuePercentOfEquity: '50' };

  it('passes at the limit, from flat or adding to a position', () => {
    expect(checkOrder(order({ equity: '10000', quantity: '50' }), limits)).toBeUndefined();
    expect(checkOrder(order({ equity: '10000', quantity: '10', positionQuantity: '40' }), limits)).toBeUndefined();
    // A flip is judged on the position it leaves: short 60 + buy 110 = long 50.
    expect(checkOrder(order({ equity: '10000', quantity: '110', positionQuantity: '-60' }), limits)).toBeUndefined();
  });

  it('denies just above it', () => {
    expect(denied(order({ equity: '10000', quantity: '50.001' }), limits)).toEqual({
      reason: 'positionValueAboveLimit',
      message: 'resulting position 50.001 BTC worth 5000.1 USDT is 50.001% of equity 10000 USDT, above the maximum 50%',
      limit: '50',
      actual: '50.001',
    });
    expect(denied(order({ equity: '10000', side: 'sell', quantity: '10.001', positionQuantity: '-40' }), limits).actual).toBe('50.001');
  });

  it('denies any new exposure when equity is not positive, giving the value', () => {
    expect(denied(order({ equity: '0', quantity: '1' }), limits)).toEqual({
      reason: 'positionValueAboveLimit',
      message: 'resulting position 1 BTC worth 100 USDT cannot be within 50% of equity 0 USDT: equity is not positive',
      limit: '50',
      actual: '100',
    });
  });
});

describe('leverage', () => {
  const limits: RiskLimits = { maxLeverage: '2' };

  it('passes at the limit, counting the exposure already held', () => {
    expect(checkOrder(order({ equity: '10000', totalExposure: '15000', quantity: '50' }), limits)).toBeUndefined();
    // 1000 of the 16000 is this instrument's long 10; buying 40 more makes it 5000: 20000 in all.
    expect(checkOrder(order({ equity: '10000', totalExposure: '16000', positionQuantity: '10', quantity: '40' }), limits)).toBeUndefined();
  });

  it('denies just above it', () => {
    expect(denied(order({ equity: '10000', totalExposure: '15000', quantity: '50.001' }), limits)).toEqual({
      reason: 'leverageAboveLimit',
      message: 'exposure after the order 20000.1 USDT is 2.00001x equity 10000 USDT, above the maximum leverage 2x',
      limit: '2',
      actual: '2.00001',
    });
  });

  it('denies any exposure when equity is not positive', () => {
    expect(denied(order({ equity: '-5', totalExposure: '0' }), limits)).toMatchObject({ reason: 'leverageAboveLimit', actual: '100' });
  });
});

describe('open positions', () => {
  const limits: RiskLimits = { maxOpenPositions: 3 };

  it('passes a new position that makes exactly the maximum', () => {
    expect(checkOrder(order({ openPositions: 2 }), limits)).toBeUndefined();
  });

  it('denies a new position one beyond it', () => {
    expect(denied(order({ openPositions: 3 }), limits)).toEqual({
      reason: 'tooManyOpenPositions',
      message: 'a new position in BTCUSDT would make 4 open positions, above the maximum 3',
      limit: '3',
      actual: '4',
    });
  });

  it('is only checked when the order would open a new position', () => {
    expect(checkOrder(order({ openPositions: 3, positionQuantity: '1' }), limits)).toBeUndefined();
    expect(checkOrder(order({ openPositions: 5, positionQuantity: '-1', quantity: '2' }), limits)).toBeUndefined();
  });
});

describe('orders that reduce exposure', () => {
  const everything: RiskLimits = {
    maxPositionValuePercentOfEquity: '1',
    maxLeverage: '0.1',
    maxOpenPositions: 0,
    minQuantity: '0.5',
    maxQuantity: '5',
    submitRate: { count: 1, windowMs: 1000 },
  };
  const stopLoss = order({ side: 'sell', quantity: '2', positionQuantity: '2', freeBalance: '0', requiredBalance: '2', balanceCurrency: 'BTC', equity: '0', totalExposure: '1000000', openPositions: 9 });

  it('skip the balance, position value, leverage and open-position checks', () => {
    expect(CHECKS_SKIPPED_WHEN_REDUCING).toEqual(['insufficientBalance', 'positionValueAboveLimit', 'leverageAboveLimit', 'tooManyOpenPositions']);
    expect(checkOrder(stopLoss, everything)).toBeUndefined();
    expect(checkOrder({ ...stopLoss, tradingState: 'reducing', reduceOnly: true }, everything)).toBeUndefined();
  });

  it('still go through halted, rate, quantity, notional and price checks', () => {
    expect(denied({ ...stopLoss, tradingState: 'halted' }, everything).reason).toBe('tradingHalted');
    expect(denied({ ...stopLoss, recentSubmits: [9999] }, everything).reason).toBe('submitRateExceeded');
    expect(denied({ ...stopLoss, quantity: '0.4' }, everything).reason).toBe('quantityBelowMinimum');
    expect(denied({ ...stopLoss, quantity: '6', positionQuantity: '10' }, everything).reason).toBe('quantityAboveMaximum');
    expect(denied(stopLoss, { maxNotional: '199.99' }).reason).toBe('notionalAboveMaximum');
    expect(denied({ ...stopLoss, price: '90' }, { maxPriceDeviationPercent: '5' }).reason).toBe('priceDeviation');
  });

  it('a flip is not a reduction and gets every check', () => {
    expect(denied({ ...stopLoss, quantity: '3' }, {}).reason).toBe('insufficientBalance');
  });
});

describe('check order', () => {
  it('is the documented sequence', () => {
    expect(ORDER_CHECK_SEQUENCE).toEqual([
      'tradingHalted',
      'reduceOnlyWouldIncrease',
      'reducingOnly',
      'submitRateExceeded',
      'quantityBelowMinimum',
      'quantityAboveMaximum',
      'notionalBelowMinimum',
      'notionalAboveMaximum',
      'priceDeviation',
      'insufficientBalance',
      'positionValueAboveLimit',
      'leverageAboveLimit',
      'tooManyOpenPositions',
    ]);
  });

  it('returns the first denial in that sequence when several apply', () => {
    // An order breaking every limit from the submit rate on; each step clears the reason just reported.
    const limits: RiskLimits = {
      submitRate: { count: 1, windowMs: 1000 },
      minQuantity: '2',
      maxQuantity: '0.5',
      minNotional: '1000',
      maxNotional: '1',
      maxPriceDeviationPercent: '1',
      maxPositionValuePercentOfEquity: '1',
      maxLeverage: '0.001',
      maxOpenPositions: 0,
    };
    let input = order({ recentSubmits: [10_000], price: '200', freeBalance: '0', equity: '1000' });
    const seen: string[] = [];
    let current = limits;
    for (let step = 0; step < 20; step += 1) {
      const denial = checkOrder(input, current);
      if (denial === undefined) break;
      seen.push(denial.reason);
      if (denial.reason === 'submitRateExceeded') input = { ...input, recentSubmits: [] };
      else if (denial.reason === 'insufficientBalance') input = { ...input, freeBalance: '1000000' };
      else {
        const key = (
          {
            quantityBelowMinimum: 'minQuantity',
            quantityAboveMaximum: 'maxQuantity',
            notionalBelowMinimum: 'minNotional',
            notionalAboveMaximum: 'maxNotional',
            priceDeviation: 'maxPriceDeviationPercent',
            positionValueAboveLimit: 'maxPositionValuePercentOfEquity',
            leverageAboveLimit: 'maxLeverage',
            tooManyOpenPositions: 'maxOpenPositions',
          } as Record<string, keyof RiskLimits>
        )[denial.reason]!;
        current = { ...current, [key]: undefined };
      }
    }
    expect(seen).toEqual(ORDER_CHECK_SEQUENCE.slice(3));
  });

  it('an absent limit is not checked', () => {
    expect(checkOrder(order({ quantity: '1000000', price: '1000000', lastPrice: '1', equity: '1', freeBalance: '1', requiredBalance: '1', openPositions: 1000 }), {})).toBeUndefined();
  });

  it('refuses malformed input as a bug, not a denial', () => {
    expect(() => checkOrder(order({ quantity: '0' }), {})).toThrow('quantity must be positive, got 0');
    expect(() => checkOrder(order({ price: '-1' }), {})).toThrow('price must be positive, got -1');
    expect(() => checkOrder(order(), { maxNotional: '-1' })).toThrow('maxNotional must not be negative, got -1');
    expect(() => checkOrder(order(), { submitRate: { count: 1.5, windowMs: 1000 } })).toThrow('submitRate.count must be a non-negative integer, got 1.5');
    expect(() => checkOrder(order({ lastPrice: '0' }), { maxPriceDeviationPercent: '5' })).toThrow('lastPrice must be positive, got 0');
  });
});

describe('checkAmend', () => {
  const limits: RiskLimits = { amendRate: { count: 2, windowMs: 500 } };

  it('denies when halted', () => {
    expect(checkAmend({ recentAmends: [], now: 1000, tradingState: 'halted' }, {})).toEqual({
      reason: 'tradingHalted',
      message: 'trading is halted: no amendments pass (cancels still do)',
      limit: '0',
      actual: '1',
    });
  });

  it('passes when reducing or active and under the rate', () => {
    expect(checkAmend({ recentAmends: [], now: 1000, tradingState: 'reducing' }, limits)).toBeUndefined();
    expect(checkAmend({ recentAmends: [501, 1000], now: 1000, tradingState: 'active' }, { amendRate: { count: 3, windowMs: 500 } })).toBeUndefined();
  });

  it('rate window edges: exactly one window ago has left it, one millisecond later has not', () => {
    expect(checkAmend({ recentAmends: [500, 1000], now: 1000, tradingState: 'active' }, limits)).toBeUndefined();
    expect(checkAmend({ recentAmends: [501, 1000], now: 1000, tradingState: 'active' }, limits)).toEqual({
      reason: 'amendRateExceeded',
      message: 'this amendment would make 3 within 500 ms, above the limit of 2 per 500 ms',
      limit: '2',
      actual: '3',
    });
  });
});

describe('rate limit helpers', () => {
  it('counts the times in (now - window, now]', () => {
    expect(countInWindow([0, 1], 1000, 1000)).toBe(1); // 0 is exactly one window ago
    expect(countInWindow([1, 2], 1000, 1000)).toBe(2);
    expect(countInWindow([1, 1001], 1001, 1000)).toBe(1);
    expect(countInWindow([], 0, 1)).toBe(0);
    // A time after now has not happened yet on this clock.
    expect(countInWindow([1000, 1500], 1000, 1000)).toBe(1);
  });

  it('RecentTimes keeps only what a window can still count, and nothing without a limit', () => {
    const recent = new RecentTimes(1000);
    for (const time of [0, 1, 999, 1000, 1500]) recent.record(time);
    expect(recent.inWindow(1500)).toEqual([999, 1000, 1500]);
    expect(recent.inWindow(2000)).toEqual([1500]);
    const unlimited = new RecentTimes(undefined);
    for (let time = 0; time < 10_000; time++) unlimited.record(time);
    expect(unlimited.inWindow(10_000)).toEqual([]);
  });

  it('refuses a malformed limit', () => {
    expect(() => requireRateLimit('submitRate', { count: -1, windowMs: 1000 })).toThrow('submitRate.count must be a non-negative integer, got -1');
    expect(() => requireRateLimit('submitRate', { count: 1, windowMs: 0 })).toThrow('submitRate.windowMs must be a positive integer, got 0');
  });
});

describe('checkLossLimits', () => {
  it('daily loss: a loss at the limit passes, one cent more halts', () => {
    const limits: RiskLimits = { dailyLossLimit: '1000' };
    expect(checkLossLimits({ dayStartEquity: '10000', peakEquity: '10000', equity: '9000' }, limits)).toBeUndefined();
    expect(checkLossLimits({ dayStartEquity: '10000', peakEquity: '10000', equity: '8999.99', currency: 'USDT' }, limits)).toEqual({
      reason: 'dailyLossLimit',
      message: "loss since the day's start 1000.01 USDT (equity 10000 -> 8999.99) is above the daily loss limit 1000 USDT",
      limit: '1000',
      actual: '1000.01',
    });
  });

  it('daily loss: a gain is never a breach', () => {
    expect(checkLossLimits({ dayStartEquity: '10000', peakEquity: '20000', equity: '20000' }, { dailyLossLimit: '0' })).toBeUndefined();
  });

  it('drawdown: at the limit passes, just beyond halts', () => {
    const limits: RiskLimits = { maxDrawdownPercent: '20' };
    expect(checkLossLimits({ dayStartEquity: '8000', peakEquity: '10000', equity: '8000' }, limits)).toBeUndefined();
    expect(checkLossLimits({ dayStartEquity: '8000', peakEquity: '10000', equity: '7999.99' }, limits)).toEqual({
      reason: 'maxDrawdown',
      message: 'drawdown 20.0001% from the peak equity 10000 to 7999.99 is above the maximum 20%',
      limit: '20',
      actual: '20.0001',
    });
  });

  it('drawdown is not checked without a positive peak', () => {
    expect(checkLossLimits({ dayStartEquity: '0', peakEquity: '0', equity: '-5' }, { maxDrawdownPercent: '1' })).toBeUndefined();
  });

  it('the daily loss limit is reported first when both are breached', () => {
    expect(checkLossLimits({ dayStartEquity: '10000', peakEquity: '10000', equity: '5000' }, { dailyLossLimit: '100', maxDrawdownPercent: '10' })?.reason).toBe('dailyLossLimit');
  });
});
