import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, isMultipleOf } from '../../src/domain/decimal.ts';
import { splitQuantity } from '../../src/risk/allocation.ts';
import { planScaling, scheduleWeights, type ScalingPlanInput, type SizeSchedule } from '../../src/risk/scaling.ts';
import { d, decimalArbitrary, grid, sideArbitrary } from './arbitraries.ts';

const strings = (values: readonly { toFixed(): string }[]) => values.map((value) => value.toFixed());

describe('schedule shapes (before rounding)', () => {
  it('equal, linear, exponential, Fibonacci, inverse volatility', () => {
    expect(strings(scheduleWeights({ kind: 'equal' }, 3))).toEqual(['1', '1', '1']);
    expect(strings(scheduleWeights({ kind: 'linear' }, 4))).toEqual(['1', '2', '3', '4']);
    expect(strings(scheduleWeights({ kind: 'exponential', growth: d('2') }, 4))).toEqual(['1', '2', '4', '8']);
    expect(strings(scheduleWeights({ kind: 'exponential', growth: d('1.5') }, 3))).toEqual(['1', '1.5', '2.25']);
    expect(strings(scheduleWeights({ kind: 'fibonacci' }, 6))).toEqual(['1', '1', '2', '3', '5', '8']);
    expect(strings(scheduleWeights({ kind: 'volatility', volatilities: [d('1'), d('2'), d('4')] }, 3))).toEqual(['1', '0.5', '0.25']);
  });

  it('refuses bad schedules', () => {
    expect(() => scheduleWeights({ kind: 'linear' }, 0)).toThrow('levelCount must be a positive integer, got 0');
    expect(() => scheduleWeights({ kind: 'volatility', volatilities: [d('1')] }, 2)).toThrow('one volatility per level: 2 levels, 1 volatilities');
    expect(() => scheduleWeights({ kind: 'volatility', volatilities: [d('1'), ZERO] }, 2)).toThrow('volatility 1 must be positive, got 0');
    expect(() => scheduleWeights({ kind: 'exponential', growth: d('-2') }, 2)).toThrow('growth must be positive, got -2');
  });
});

describe('scaling plans', () => {
  const base: ScalingPlanInput = {
    direction: 'scaleIn',
    side: 'buy',
    referencePrice: d('100'),
    totalQuantity: d('12'),
    levelCount: 5,
    spacing: { kind: 'percent', percent: d('1') },
    schedule: { kind: 'fibonacci' },
    grid,
  };

  it('Fibonacci scale-in on pullbacks for a long: 1,1,2,3,5 of 12 units', () => {
    const levels = planScaling(base);
    expect(levels.map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([
      ['99', '1'],
      ['98', '1'],
      ['97', '2'],
      ['96', '3'],
      ['95', '5'],
    ]);
  });

  it('scale-out at profit targets for a short, largest share nearest', () => {
    const levels = planScaling({ ...base, direction: 'scaleOut', side: 'sell', schedule: { kind: 'linear' }, levelCount: 3, totalQuantity: d('6'), largestAt: 'nearest' });
    expect(levels.map((level) => [level.price.toFixed(), level.quantity.toFixed()])).toEqual([
      ['99', '3'],
      ['98', '2'],
      ['97', '1'],
    ]);
  });

  it('ATR spacing, prices rounded against the position on the tick', () => {
    const levels = planScaling({ ...base, levelCount: 2, spacing: { kind: 'atr', atr: d('0.333'), multiple: d('2') }, schedule: { kind: 'equal' }, totalQuantity: d('1') });
    // 100 − 0.666 = 99.334 -> 99.33; 100 − 1.332 = 98.668 -> 98.66
    expect(strings(levels.map((level) => level.price))).toEqual(['99.33', '98.66']);
  });

  it('leftover lots go to the levels that lost most to rounding, ties to the nearer', () => {
    // 1 / 3 each of 0.01 with lot 0.001: 0.003 each, 0.001 left over, to level 0 (tie).
    expect(strings(splitQuantity(d('0.01'), [d('1'), d('1'), d('1')], grid, 'largestRemainder'))).toEqual(['0.004', '0.003', '0.003']);
    // Linear 1,2,3 of 0.01: exact 0.001666.., 0.00333.., 0.005 -> 0.001, 0.003, 0.005 (+1 lot to level 0: it lost 0.000666..).
    expect(strings(splitQuantity(d('0.01'), [d('1'), d('2'), d('3')], grid, 'largestRemainder'))).toEqual(['0.002', '0.003', '0.005']);
  });

  it('refuses levels that collide on the tick grid or fall below zero, and an off-lot total', () => {
    expect(() => planScaling({ ...base, spacing: { kind: 'price', step: d('0.001') } })).toThrow('scaling level 1 at 99.99 is not beyond level 0 at 99.99 once on the tick grid (long scaleIn)');
    expect(() => planScaling({ ...base, spacing: { kind: 'price', step: d('30') } })).toThrow('scaling level 3 price -20 is not a positive price on the tick grid');
    expect(() => planScaling({ ...base, totalQuantity: d('12.0001') })).toThrow('total quantity must be a positive multiple of the lot size 0.001, got 12.0001');
  });

  const schedules: fc.Arbitrary<(levels: number) => SizeSchedule> = fc.oneof(
    fc.constant(() => ({ kind: 'equal' }) as const),
    fc.constant(() => ({ kind: 'linear' }) as const),
    fc.constant(() => ({ kind: 'fibonacci' }) as const),
    decimalArbitrary(1, 400, 2).map((growth) => () => ({ kind: 'exponential', growth }) as const),
    fc.array(decimalArbitrary(1, 100_000, 3), { minLength: 12, maxLength: 12 }).map((volatilities) => (levels: number) => ({ kind: 'volatility', volatilities: volatilities.slice(0, levels) }) as const),
  );

  it('property: quantities sum exactly to the total for any total, lot, level count and schedule; prices on the tick', () => {
    fc.assert(
      fc.property(
        sideArbitrary,
        fc.constantFrom('scaleIn' as const, 'scaleOut' as const),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.constantFrom('1', '0.1', '0.001', '0.25', '0.00000001').map(d),
        fc.boolean(),
        schedules,
        (side, direction, levelCount, lots, lotSize, nearest, schedule) => {
          const totalQuantity = lotSize.times(String(lots));
          const levels = planScaling({
            direction,
            side,
            referencePrice: d('1000'),
            totalQuantity,
            levelCount,
            spacing: { kind: 'percent', percent: d('0.5') },
            schedule: schedule(levelCount),
            largestAt: nearest ? 'nearest' : 'farthest',
            grid: { tickSize: d('0.01'), lotSize },
          });
          expect(levels).toHaveLength(levelCount);
          expect(levels.reduce((sum, level) => sum.plus(level.quantity), ZERO).eq(totalQuantity)).toBe(true);
          for (const level of levels) {
            expect(level.quantity.gte(ZERO) && isMultipleOf(level.quantity, lotSize)).toBe(true);
            expect(isMultipleOf(level.price, d('0.01'))).toBe(true);
          }
        },
      ),
    );
  });

  it('property: with a divisible total the sizes follow the schedule exactly (Fibonacci 1,1,2,3,5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (multiple) => {
        const levels = planScaling({ ...base, totalQuantity: grid.lotSize.times(String(12 * multiple)) });
        const unit = grid.lotSize.times(String(multiple));
        expect(levels.map((level) => level.quantity.div(unit).toFixed())).toEqual(['1', '1', '2', '3', '5']);
      }),
    );
  });

  it('property: each level is within one lot of its exact share of the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1_000_000 }), schedules, (levelCount, lots, schedule) => {
        const totalQuantity = grid.lotSize.times(String(lots));
        const weights = scheduleWeights(schedule(levelCount), levelCount);
        const weightSum = weights.reduce((sum, weight) => sum.plus(weight), ZERO);
        const parts = splitQuantity(totalQuantity, weights, grid, 'largestRemainder');
        parts.forEach((part, index) => {
          const exact = totalQuantity.times(weights[index]!).div(weightSum);
          expect(part.minus(exact).abs().lt(grid.lotSize)).toBe(true);
        });
      }),
    );
  });
});
