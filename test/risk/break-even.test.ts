// Break-even stops: exactly covering the fees, on the tick, never short; and the profit that triggers them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, isMultipleOf } from '../../src/domain/decimal.ts';
import { breakEvenPrice, breakEvenStop, breakEvenTriggerDistance, type FeeModel } from '../../src/risk/break-even.ts';
import { d, decimalArbitrary, grid, sideArbitrary } from './arbitraries.ts';

const long = { side: 'buy' as const, entryPrice: d('100') };
const short = { side: 'sell' as const, entryPrice: d('100') };

describe('break-even stop', () => {
  it('per-unit fees: entry plus fees for a long, minus for a short', () => {
    const fees: FeeModel = { kind: 'perUnit', amount: d('0.2') };
    expect(breakEvenStop(long, fees, grid).toFixed()).toBe('100.2');
    expect(breakEvenStop(short, fees, grid).toFixed()).toBe('99.8');
  });

  it('fee rates: rounded so the position does not lose', () => {
    const fees: FeeModel = { kind: 'rate', entryRate: d('0.001'), exitRate: d('0.001') };
    // Long: 100 × 1.001 / 0.999 = 100.2002002... -> up to 100.21.
    expect(breakEvenStop(long, fees, grid).toFixed()).toBe('100.21');
    // Short: 100 × 0.999 / 1.001 = 99.8001998... -> down to 99.8.
    expect(breakEvenStop(short, fees, grid).toFixed()).toBe('99.8');
  });

  it('property: covers the fees exactly (per unit: to the cent; rates: within one tick, never short)', () => {
    fc.assert(
      fc.property(sideArbitrary, decimalArbitrary(100, 10_000_000, 2), decimalArbitrary(0, 10_000, 2), decimalArbitrary(0, 100, 5), decimalArbitrary(0, 100, 5), (side, entryPrice, amount, entryRate, exitRate) => {
        const entry = { side, entryPrice };
        const perUnit = breakEvenStop(entry, { kind: 'perUnit', amount }, grid);
        // Entry and fee on the cent grid: the stop is exactly entry ± fees.
        expect(perUnit.minus(entryPrice).abs().eq(amount)).toBe(true);

        const stop = breakEvenStop(entry, { kind: 'rate', entryRate, exitRate }, grid);
        const gross = side === 'buy' ? stop.minus(entryPrice) : entryPrice.minus(stop);
        const net = gross.minus(entryPrice.times(entryRate)).minus(stop.times(exitRate));
        expect(net.gte(ZERO)).toBe(true);
        const oneTickLess = side === 'buy' ? stop.minus(grid.tickSize) : stop.plus(grid.tickSize);
        const netOneTickLess = (side === 'buy' ? oneTickLess.minus(entryPrice) : entryPrice.minus(oneTickLess)).minus(entryPrice.times(entryRate)).minus(oneTickLess.times(exitRate));
        expect(netOneTickLess.lt(ZERO)).toBe(true);
        expect(isMultipleOf(stop, grid.tickSize)).toBe(true);
        // The unrounded price is where net profit is zero (to the 30 places of the division).
        const exact = breakEvenPrice(entry, { kind: 'rate', entryRate, exitRate });
        const exactNet = (side === 'buy' ? exact.minus(entryPrice) : entryPrice.minus(exact)).minus(entryPrice.times(entryRate)).minus(exact.times(exitRate));
        expect(exactNet.abs().lt(d('0.00000000000000000001'))).toBe(true);
      }),
    );
  });
});

describe('break-even trigger distance', () => {
  it('a percent of the entry, or a multiple of the initial stop distance (R)', () => {
    expect(breakEvenTriggerDistance(long, { kind: 'percent', percent: d('1') }).toFixed()).toBe('1');
    expect(breakEvenTriggerDistance(short, { kind: 'rMultiple', multiple: d('1.5'), initialStopPrice: d('102') }).toFixed()).toBe('3');
  });

  it('refuses a trigger that cannot be measured', () => {
    expect(() => breakEvenTriggerDistance(long, { kind: 'percent', percent: d('0') })).toThrow('break-even trigger percent must be positive, got 0');
    expect(() => breakEvenTriggerDistance(long, { kind: 'rMultiple', multiple: d('1'), initialStopPrice: d('100') })).toThrow('stop price 100 must be below the entry 100 for a long');
  });
});
