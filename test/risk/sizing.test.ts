import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, isMultipleOf } from '../../src/domain/decimal.ts';
import {
  capPositionSize,
  confidenceScale,
  correlationScale,
  kellyFraction,
  sizeByConfidence,
  sizeByCorrelation,
  sizeByFixedAmount,
  sizeByFixedFraction,
  sizeByKelly,
  sizeByRisk,
  sizeByVolatility,
} from '../../src/risk/sizing.ts';
import { d, decimalArbitrary, grid, stepArbitrary, unitArbitrary } from './arbitraries.ts';

describe('fixed amount and fixed fraction', () => {
  it('divides the amount by the price and rounds down to the lot', () => {
    const size = sizeByFixedAmount({ amount: d('1000'), price: d('30000'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('0.033');
    expect(size.zeroReason).toBeUndefined();
  });

  it('says why a size is zero', () => {
    expect(sizeByFixedAmount({ amount: d('10'), price: d('30000'), instrument: grid }).zeroReason).toBe('belowLot');
    expect(sizeByFixedAmount({ amount: ZERO, price: d('30000'), instrument: grid }).zeroReason).toBe('zeroBudget');
  });

  it('commits a fraction of equity', () => {
    expect(sizeByFixedFraction({ equity: d('10000'), fraction: d('0.1'), price: d('250'), instrument: grid }).quantity.toFixed()).toBe('4');
  });

  it('refuses invalid inputs, naming the value', () => {
    expect(() => sizeByFixedAmount({ amount: d('-1'), price: d('1'), instrument: grid })).toThrow('amount must not be negative, got -1');
    expect(() => sizeByFixedAmount({ amount: d('1'), price: ZERO, instrument: grid })).toThrow('price must be positive, got 0');
    expect(() => sizeByFixedFraction({ equity: d('-5'), fraction: d('0.1'), price: d('1'), instrument: grid })).toThrow('equity must not be negative, got -5');
    expect(() => sizeByFixedFraction({ equity: d('5'), fraction: d('1.5'), price: d('1'), instrument: grid })).toThrow('fraction must be between 0 and 1, got 1.5');
  });
});

describe('risk-based sizing', () => {
  it('risks equity × fraction between entry and stop', () => {
    // 10,000 × 1 % = 100 at risk; 100 / (50 − 48) = 50.
    const size = sizeByRisk({ equity: d('10000'), riskFraction: d('0.01'), entryPrice: d('50'), stopPrice: d('48'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('50');
    // Short: stop above entry.
    expect(sizeByRisk({ equity: d('10000'), riskFraction: d('0.01'), entryPrice: d('48'), stopPrice: d('50'), instrument: grid }).quantity.toFixed()).toBe('50');
  });

  it('counts fees per unit in the loss at the stop', () => {
    const size = sizeByRisk({ equity: d('10000'), riskFraction: d('0.01'), entryPrice: d('50'), stopPrice: d('48'), feePerUnit: d('0.5'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('40');
  });

  it('refuses a zero stop distance', () => {
    expect(() => sizeByRisk({ equity: d('1000'), riskFraction: d('0.01'), entryPrice: d('50'), stopPrice: d('50'), instrument: grid })).toThrow(
      'stop distance must be positive: stopPrice 50 equals entryPrice 50',
    );
  });

  it('property: quantity × stop distance never exceeds equity × risk fraction, and is a whole number of lots', () => {
    fc.assert(
      fc.property(
        decimalArbitrary(0, 10_000_000_00, 2),
        decimalArbitrary(0, 10_000, 4),
        decimalArbitrary(1, 1_000_000_00, 2),
        decimalArbitrary(1, 1_000_000_00, 2),
        stepArbitrary,
        (equity, riskFraction, entryPrice, stopPrice, lotSize) => {
          fc.pre(!entryPrice.eq(stopPrice));
          const size = sizeByRisk({ equity, riskFraction, entryPrice, stopPrice, instrument: { lotSize } });
          expect(size.quantity.times(entryPrice.minus(stopPrice).abs()).lte(equity.times(riskFraction))).toBe(true);
          expect(isMultipleOf(size.quantity, lotSize)).toBe(true);
          expect(size.quantity.lte(size.unroundedQuantity)).toBe(true);
          expect(size.quantity.eq(ZERO)).toBe(size.zeroReason !== undefined);
        },
      ),
    );
  });
});

describe('Kelly sizing', () => {
  it('computes the Kelly fraction W − (1 − W) / R', () => {
    expect(kellyFraction(d('0.6'), d('2')).toFixed()).toBe('0.4');
    expect(kellyFraction(d('0.5'), d('1')).toFixed()).toBe('0');
    expect(kellyFraction(d('0.4'), d('1')).toFixed()).toBe('-0.2');
  });

  it('applies the multiplier and the cap', () => {
    // Full Kelly 0.4, half Kelly 0.2, capped at 0.1 -> 10,000 × 0.1 / 100 = 10.
    const capped = sizeByKelly({ equity: d('10000'), price: d('100'), winRate: d('0.6'), winLossRatio: d('2'), multiplier: d('0.5'), maxFraction: d('0.1'), instrument: grid });
    expect(capped.fraction.toFixed()).toBe('0.1');
    expect(capped.quantity.toFixed()).toBe('10');
    const uncapped = sizeByKelly({ equity: d('10000'), price: d('100'), winRate: d('0.6'), winLossRatio: d('2'), multiplier: d('0.5'), maxFraction: d('0.5'), instrument: grid });
    expect(uncapped.fraction.toFixed()).toBe('0.2');
    expect(uncapped.quantity.toFixed()).toBe('20');
  });

  it('sizes to zero with no edge', () => {
    const size = sizeByKelly({ equity: d('10000'), price: d('100'), winRate: d('0.4'), winLossRatio: d('1'), maxFraction: d('0.5'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('0');
    expect(size.zeroReason).toBe('noEdge');
  });

  it('refuses a win rate outside [0, 1]', () => {
    expect(() => kellyFraction(d('1.2'), d('1'))).toThrow('winRate must be between 0 and 1, got 1.2');
  });

  it('property: never above its cap, zero without edge, always whole lots', () => {
    fc.assert(
      fc.property(unitArbitrary, decimalArbitrary(1, 100_000, 3), unitArbitrary, unitArbitrary, decimalArbitrary(1, 1_000_000, 2), stepArbitrary, (winRate, winLossRatio, multiplier, maxFraction, price, lotSize) => {
        const equity = d('100000');
        const size = sizeByKelly({ equity, price, winRate, winLossRatio, multiplier, maxFraction, instrument: { lotSize } });
        expect(size.fraction.lte(maxFraction)).toBe(true);
        expect(size.quantity.times(price).lte(equity.times(maxFraction))).toBe(true);
        if (!kellyFraction(winRate, winLossRatio).gt(ZERO)) expect(size.quantity.eq(ZERO) && size.zeroReason === 'noEdge').toBe(true);
        expect(isMultipleOf(size.quantity, lotSize)).toBe(true);
      }),
    );
  });
});

describe('volatility-adjusted sizing', () => {
  it('loses the target risk on an ATR-multiple move', () => {
    // 200 / (4 × 2.5) = 20.
    expect(sizeByVolatility({ riskAmount: d('200'), atr: d('4'), atrMultiple: d('2.5'), instrument: grid }).quantity.toFixed()).toBe('20');
  });

  it('refuses a zero ATR', () => {
    expect(() => sizeByVolatility({ riskAmount: d('200'), atr: ZERO, atrMultiple: d('2'), instrument: grid })).toThrow('atr must be positive, got 0');
  });
});

describe('correlation-adjusted sizing', () => {
  it('shrinks by the largest positive correlation', () => {
    expect(correlationScale([d('0.2'), d('0.75'), d('-0.9')]).toFixed()).toBe('0.25');
    expect(sizeByCorrelation({ baseQuantity: d('10'), correlations: [d('0.2'), d('0.75')], instrument: grid }).quantity.toFixed()).toBe('2.5');
  });

  it('leaves the size alone with no or only negative correlations', () => {
    expect(sizeByCorrelation({ baseQuantity: d('10'), correlations: [], instrument: grid }).quantity.toFixed()).toBe('10');
    expect(sizeByCorrelation({ baseQuantity: d('10'), correlations: [d('-0.5')], instrument: grid }).quantity.toFixed()).toBe('10');
  });

  it('is zero when fully correlated', () => {
    const size = sizeByCorrelation({ baseQuantity: d('10'), correlations: [d('1')], instrument: grid });
    expect(size.quantity.toFixed()).toBe('0');
    expect(size.zeroReason).toBe('fullyCorrelated');
  });

  it('refuses a correlation outside [−1, 1]', () => {
    expect(() => correlationScale([d('0.1'), d('1.1')])).toThrow('correlation 1 must be between -1 and 1, got 1.1');
  });
});

describe('confidence scaling', () => {
  it('maps confidence linearly between the min and max scale', () => {
    expect(confidenceScale(d('0'), d('0.5'), d('1.5')).toFixed()).toBe('0.5');
    expect(confidenceScale(d('0.5'), d('0.5'), d('1.5')).toFixed()).toBe('1');
    expect(confidenceScale(d('1'), d('0.5'), d('1.5')).toFixed()).toBe('1.5');
    expect(sizeByConfidence({ baseQuantity: d('2'), confidence: d('0.75'), minScale: d('0.5'), maxScale: d('1.5'), instrument: grid }).quantity.toFixed()).toBe('2.5');
  });

  it('refuses a confidence outside [0, 1]', () => {
    expect(() => confidenceScale(d('1.01'), d('0'), d('1'))).toThrow('confidence must be between 0 and 1, got 1.01');
    expect(() => confidenceScale(d('-0.1'), d('0'), d('1'))).toThrow('confidence must be between 0 and 1, got -0.1');
  });

  it('property: monotonic (non-decreasing) in confidence', () => {
    fc.assert(
      fc.property(unitArbitrary, unitArbitrary, decimalArbitrary(0, 20_000, 4), decimalArbitrary(0, 20_000, 4), decimalArbitrary(0, 1_000_000, 3), (first, second, scaleA, scaleB, baseQuantity) => {
        const [low, high] = first.lte(second) ? [first, second] : [second, first];
        const [minScale, maxScale] = scaleA.lte(scaleB) ? [scaleA, scaleB] : [scaleB, scaleA];
        const lowSize = sizeByConfidence({ baseQuantity, confidence: low, minScale, maxScale, instrument: grid });
        const highSize = sizeByConfidence({ baseQuantity, confidence: high, minScale, maxScale, instrument: grid });
        expect(lowSize.quantity.lte(highSize.quantity)).toBe(true);
        expect(isMultipleOf(highSize.quantity, grid.lotSize)).toBe(true);
      }),
    );
  });
});

describe('cap', () => {
  it('cuts to the maximum position value', () => {
    const size = capPositionSize({ quantity: d('10'), price: d('100'), maxPositionValue: d('555'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('5.55');
    expect(size.capped).toBe(true);
  });

  it('passes a size within bounds unchanged', () => {
    const size = capPositionSize({ quantity: d('1.2345'), price: d('100'), maxPositionValue: d('1000'), instrument: grid });
    expect(size.quantity.toFixed()).toBe('1.234');
    expect(size.capped).toBe(false);
  });

  it('zeroes a size below the minimum notional or minimum quantity rather than raising it', () => {
    expect(capPositionSize({ quantity: d('0.04'), price: d('100'), instrument: grid }).zeroReason).toBe('belowMinNotional');
    expect(capPositionSize({ quantity: d('0.04'), price: d('100'), minNotional: d('1'), instrument: grid }).quantity.toFixed()).toBe('0.04');
    expect(capPositionSize({ quantity: d('0.5'), price: d('100'), instrument: { ...grid, minQuantity: d('1') } }).zeroReason).toBe('belowMinQuantity');
  });

  it('property: never above the max value, whole lots, never more than asked', () => {
    fc.assert(
      fc.property(decimalArbitrary(0, 100_000_000, 4), decimalArbitrary(1, 10_000_000, 2), decimalArbitrary(0, 100_000_000, 2), (quantity, price, maxPositionValue) => {
        const size = capPositionSize({ quantity, price, maxPositionValue, instrument: grid });
        expect(size.quantity.times(price).lte(maxPositionValue)).toBe(true);
        expect(size.quantity.lte(quantity)).toBe(true);
        expect(isMultipleOf(size.quantity, grid.lotSize)).toBe(true);
        if (size.quantity.gt(ZERO)) expect(size.quantity.times(price).gte(grid.minNotional)).toBe(true);
      }),
    );
  });
});
