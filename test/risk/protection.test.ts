// Resolution of a position plan into levels (scale-out schedules included), and take-profits resized with the position.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import { resizeTakeProfits, resolveProtection, type PositionPlan } from '../../src/risk/protection.ts';

const grid = { tickSize: decimal('0.1'), lotSize: decimal('0.001') };
const fees = { kind: 'rate' as const, entryRate: decimal('0.001'), exitRate: decimal('0.001') };

function resolve(plan: PositionPlan, quantity = '1', inputs = {}) {
  return resolveProtection({ plan, inputs, side: 'buy', entryPrice: '100', quantity, grid, fees });
}

describe('scale-out plans', () => {
  it("become take-profit levels in the position's favour, sized by the schedule", () => {
    const fibonacci = resolve({ scaleOut: { fraction: '1', levels: 4, spacing: { kind: 'percent', percent: '1' }, schedule: 'fibonacci' } }, '0.7');
    // Weights 1, 1, 2, 3 of 0.7: 0.1, 0.1, 0.2, 0.3 at +1 %, +2 %, +3 %, +4 %.
    expect(fibonacci.takeProfits).toEqual([
      { price: '101', quantity: '0.1' }, { price: '102', quantity: '0.1' }, { price: '103', quantity: '0.2' }, { price: '104', quantity: '0.3' },
    ]);
  });

  it('take only their fraction off, and a volatility schedule gives calmer levels more', () => {
    const levels = resolve({ scaleOut: { fraction: '0.5', levels: 2, spacing: { kind: 'atr', multiple: '1' }, schedule: 'volatility', volatilities: ['1', '3'] } }, '2', { atr: '2' });
    // Half of 2 over weights 1/1 and 1/3: 0.75 and 0.25, at +1 ATR and +2 ATR.
    expect(levels.takeProfits).toEqual([{ price: '102', quantity: '0.75' }, { price: '104', quantity: '0.25' }]);
  });

  it('exponential schedules take their growth, linear ones grow by one', () => {
    const exponential = resolve({ scaleOut: { fraction: '1', levels: 3, spacing: { kind: 'percent', percent: '1' }, schedule: 'exponential', growth: '3' } }, '1.3');
    expect(exponential.takeProfits.map((level) => level.quantity)).toEqual(['0.1', '0.3', '0.9']);
    const linear = resolve({ scaleIn: { fraction: '0.6', levels: 3, spacing: { kind: 'percent', percent: '1' }, schedule: 'linear' } });
    expect(linear.scaleIns).toEqual([{ price: '99', quantity: '0.1' }, { price: '98', quantity: '0.2' }, { price: '97', quantity: '0.3' }]);
  });

  it('refuse what cannot be resolved, saying what is missing', () => {
    expect(() => resolve({ scaleOut: { fraction: '1', levels: 2, spacing: { kind: 'percent', percent: '1' }, schedule: 'volatility' } })).toThrow(
      "the scale-out plan's volatility schedule needs one volatility per level, and none were given",
    );
    expect(() =>
      resolve({
        takeProfit: [{ target: { method: 'percent', percent: '1' }, fraction: '1' }],
        scaleOut: { fraction: '1', levels: 2, spacing: { kind: 'percent', percent: '1' }, schedule: 'equal' },
      }),
    ).toThrow('the plan has both a take-profit ladder and a scale-out plan: give one of them');
    expect(() => resolve({ scaleOut: { fraction: '1', levels: 2, spacing: { kind: 'atr', multiple: '1' }, schedule: 'equal' } })).toThrow('ATR scale-out spacing needs atr');
  });
});

describe('resizeTakeProfits', () => {
  const planned = [{ orderId: 'tp1', quantity: '0.25' }, { orderId: 'tp2', quantity: '0.75' }];

  it('a ladder that covered the whole position covers the new size, in its planned proportions', () => {
    expect(resizeTakeProfits({ planned, working: ['tp1', 'tp2'], plannedQuantity: '1', positionQuantity: '1.5', lotSize: '0.001' })).toEqual({
      amend: [{ orderId: 'tp1', quantity: '0.375' }, { orderId: 'tp2', quantity: '1.125' }],
      cancel: [],
    });
    // After the first rung filled, the second covers all that is left.
    expect(resizeTakeProfits({ planned, working: ['tp2'], plannedQuantity: '1', positionQuantity: '0.9', lotSize: '0.001' })).toEqual({ amend: [{ orderId: 'tp2', quantity: '0.9' }], cancel: [] });
  });

  it('a partial scale-out keeps its share of what was left uncovered', () => {
    const half = [{ orderId: 'tp1', quantity: '0.25' }, { orderId: 'tp2', quantity: '0.25' }];
    // tp1 filled: tp2 (0.25) stood for a third of the 0.75 left; a scale-in to 1.5 makes it 0.5.
    expect(resizeTakeProfits({ planned: half, working: ['tp2'], plannedQuantity: '1', positionQuantity: '1.5', lotSize: '0.001' }).amend).toEqual([{ orderId: 'tp2', quantity: '0.5' }]);
  });

  it('cancels rungs left with less than a lot, so they can never flip the position', () => {
    expect(resizeTakeProfits({ planned, working: ['tp1', 'tp2'], plannedQuantity: '1', positionQuantity: '0.001', lotSize: '0.001' })).toEqual({
      amend: [{ orderId: 'tp2', quantity: '0.001' }],
      cancel: ['tp1'],
    });
    expect(resizeTakeProfits({ planned, working: ['tp1', 'tp2'], plannedQuantity: '1', positionQuantity: '0', lotSize: '0.001' })).toEqual({ amend: [], cancel: ['tp1', 'tp2'] });
  });
});
