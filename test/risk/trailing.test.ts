import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, isMultipleOf, type Decimal } from '../../src/domain/decimal.ts';
import {
  breakEvenPrice,
  breakEvenStop,
  evaluateBreakEven,
  nextTrailingStop,
  nextWatermark,
  type BreakEvenPlan,
  type FeeModel,
  type TrailingDistance,
  type TrailingPlan,
} from '../../src/risk/trailing.ts';
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

describe('break-even trigger', () => {
  const fees: FeeModel = { kind: 'perUnit', amount: d('0.2') };

  it('percent trigger', () => {
    const plan: BreakEvenPlan = { trigger: { kind: 'percent', percent: d('1') }, fees };
    expect(evaluateBreakEven(long, plan, d('100.99'), d('98'), grid)).toMatchObject({ triggered: false });
    expect(evaluateBreakEven(long, plan, d('100.99'), d('98'), grid).stopPrice?.toFixed()).toBe('98');
    const moved = evaluateBreakEven(long, plan, d('101'), d('98'), grid);
    expect(moved.triggered).toBe(true);
    expect(moved.stopPrice?.toFixed()).toBe('100.2');
    expect(evaluateBreakEven(short, plan, d('99'), d('102'), grid).stopPrice?.toFixed()).toBe('99.8');
  });

  it('R-multiple trigger: R is the initial stop distance', () => {
    const plan: BreakEvenPlan = { trigger: { kind: 'rMultiple', multiple: d('1'), initialStopPrice: d('98') }, fees };
    expect(evaluateBreakEven(long, plan, d('101.99'), d('98'), grid).triggered).toBe(false);
    expect(evaluateBreakEven(long, plan, d('102'), d('98'), grid).stopPrice?.toFixed()).toBe('100.2');
    expect(() => evaluateBreakEven(long, { ...plan, trigger: { kind: 'rMultiple', multiple: d('1'), initialStopPrice: d('100') } }, d('102'), undefined, grid)).toThrow(
      'stop price 100 must be below the entry 100 for a long',
    );
  });

  it('does not trigger while the price has not cleared the fees', () => {
    const plan: BreakEvenPlan = { trigger: { kind: 'percent', percent: d('0.1') }, fees: { kind: 'perUnit', amount: d('0.5') } };
    expect(evaluateBreakEven(long, plan, d('100.3'), undefined, grid)).toMatchObject({ triggered: false, stopPrice: undefined });
  });

  it('keeps a stop that is already tighter', () => {
    const plan: BreakEvenPlan = { trigger: { kind: 'percent', percent: d('1') }, fees };
    expect(evaluateBreakEven(long, plan, d('105'), d('103'), grid).stopPrice?.toFixed()).toBe('103');
    expect(evaluateBreakEven(short, plan, d('95'), d('97'), grid).stopPrice?.toFixed()).toBe('97');
  });

  it('property: break-even never loosens the current stop', () => {
    fc.assert(
      fc.property(sideArbitrary, decimalArbitrary(1, 20_000, 2), decimalArbitrary(1, 20_000, 2), decimalArbitrary(0, 300, 2), decimalArbitrary(1, 500, 2), (side, price, stop, feeAmount, percent) => {
        const plan: BreakEvenPlan = { trigger: { kind: 'percent', percent }, fees: { kind: 'perUnit', amount: feeAmount } };
        const entry = { side, entryPrice: d('100') };
        const decision = evaluateBreakEven(entry, plan, price, stop, grid);
        const next = decision.stopPrice as Decimal;
        expect(side === 'buy' ? next.gte(stop) : next.lte(stop)).toBe(true);
      }),
    );
  });
});

describe('trailing stop', () => {
  const plan = (distance: TrailingDistance, side: 'buy' | 'sell' = 'buy'): TrailingPlan => ({ side, entryPrice: d('100'), distance, grid });

  it('trails by offset, percent and ATR multiple', () => {
    expect(nextTrailingStop(undefined, d('105'), plan({ kind: 'offset', offset: d('2') }))?.toFixed()).toBe('103');
    // 105.5 × 1.5 % = 1.5825 -> 103.9175 -> rounded away from the watermark: 103.91
    expect(nextTrailingStop(undefined, d('105.5'), plan({ kind: 'percent', percent: d('1.5') }))?.toFixed()).toBe('103.91');
    expect(nextTrailingStop(undefined, d('94.5'), plan({ kind: 'percent', percent: d('1.5') }, 'sell'))?.toFixed()).toBe('95.92');
    expect(nextTrailingStop(undefined, d('105'), plan({ kind: 'atr', atr: d('0.8'), multiple: d('2.5') }))?.toFixed()).toBe('103');
  });

  it('never loosens', () => {
    const trailing = plan({ kind: 'offset', offset: d('2') });
    expect(nextTrailingStop(d('104'), d('105'), trailing)?.toFixed()).toBe('104');
    expect(nextTrailingStop(d('96'), d('95'), plan({ kind: 'offset', offset: d('2') }, 'sell'))?.toFixed()).toBe('96');
  });

  it('waits for the activation profit', () => {
    const byPercent = { ...plan({ kind: 'offset', offset: d('1') }), activation: { kind: 'percent', percent: d('2') } } as const;
    expect(nextTrailingStop(d('97'), d('101.99'), byPercent)?.toFixed()).toBe('97');
    expect(nextTrailingStop(undefined, d('101.99'), byPercent)).toBeUndefined();
    expect(nextTrailingStop(d('97'), d('102'), byPercent)?.toFixed()).toBe('101');
    const byPrice = { ...plan({ kind: 'offset', offset: d('1') }, 'sell'), activation: { kind: 'price', price: d('95') } } as const;
    expect(nextTrailingStop(d('103'), d('95.01'), byPrice)?.toFixed()).toBe('103');
    expect(nextTrailingStop(d('103'), d('95'), byPrice)?.toFixed()).toBe('96');
  });

  it('property: for any price path the stop sequence only moves in the position’s favour, stays on the tick and behind the watermark', () => {
    const distances = fc.oneof(
      decimalArbitrary(1, 2_000, 2).map((offset): TrailingDistance => ({ kind: 'offset', offset })),
      decimalArbitrary(1, 5_000, 2).map((percent): TrailingDistance => ({ kind: 'percent', percent })),
      fc.tuple(decimalArbitrary(1, 500, 3), decimalArbitrary(1, 40, 1)).map(([atr, multiple]): TrailingDistance => ({ kind: 'atr', atr, multiple })),
    );
    const activations = fc.option(
      fc.oneof(
        decimalArbitrary(1, 1_000, 2).map((percent) => ({ kind: 'percent' as const, percent })),
        decimalArbitrary(5_000, 20_000, 2).map((price) => ({ kind: 'price' as const, price })),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(sideArbitrary, distances, activations, fc.array(decimalArbitrary(1_000, 30_000, 2), { minLength: 1, maxLength: 60 }), (side, distance, activation, path) => {
        const trailing: TrailingPlan = { side, entryPrice: d('100'), distance, grid, ...(activation === undefined ? {} : { activation }) };
        let watermark: Decimal | undefined;
        let stop: Decimal | undefined;
        for (const price of path) {
          watermark = nextWatermark(watermark, price, side);
          const next = nextTrailingStop(stop, watermark, trailing);
          if (stop !== undefined) {
            expect(next).toBeDefined();
            expect(side === 'buy' ? next!.gte(stop) : next!.lte(stop)).toBe(true);
          }
          if (next !== undefined && next !== stop) {
            expect(isMultipleOf(next, grid.tickSize)).toBe(true);
            expect(side === 'buy' ? next.lt(watermark) : next.gt(watermark)).toBe(true);
          }
          stop = next;
        }
      }),
    );
  });

  it('property: break-even then trailing, over any path, never loosens', () => {
    fc.assert(
      fc.property(sideArbitrary, fc.array(decimalArbitrary(8_000, 12_000, 2), { minLength: 1, maxLength: 60 }), (side, path) => {
        const entry = { side, entryPrice: d('100') };
        const initial = side === 'buy' ? d('97') : d('103');
        const breakEven: BreakEvenPlan = { trigger: { kind: 'rMultiple', multiple: d('1'), initialStopPrice: initial }, fees: { kind: 'rate', entryRate: d('0.001'), exitRate: d('0.001') } };
        const trailing: TrailingPlan = { side, entryPrice: d('100'), distance: { kind: 'percent', percent: d('2') }, activation: { kind: 'percent', percent: d('5') }, grid };
        let stop: Decimal = initial;
        let watermark: Decimal | undefined;
        for (const price of path) {
          watermark = nextWatermark(watermark, price, side);
          const afterBreakEven = evaluateBreakEven(entry, breakEven, price, stop, grid).stopPrice as Decimal;
          const next = nextTrailingStop(afterBreakEven, watermark, trailing) as Decimal;
          expect(side === 'buy' ? next.gte(stop) : next.lte(stop)).toBe(true);
          stop = next;
        }
      }),
    );
  });
});
