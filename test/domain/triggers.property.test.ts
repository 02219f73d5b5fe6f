// The one trailing-stop implementation (src/domain/triggers.ts): over any price path the trigger only moves in
// the order's favour, stays on the tick and at least the trailing distance behind the best price; a trailing
// stop that replaces a fixed one is activated where it can never be looser than it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, isMultipleOf, type Decimal } from '../../src/domain/decimal.ts';
import { advanceTrailing, isTriggeredAt, nonLooseningActivation, trailingTriggerPrice, type TrailingPlan, type TrailingState } from '../../src/domain/triggers.ts';

const tickSize = decimal('0.01');
const priceOf = (units: number): Decimal => decimal(units).div('100');
const side = fc.constantFrom('buy' as const, 'sell' as const);
type Distance = { readonly trailingOffset?: string; readonly trailingPercent?: string };
const distance = fc.oneof(
  fc.integer({ min: 1, max: 2_000 }).map((units): Distance => ({ trailingOffset: priceOf(units).toFixed() })),
  fc.integer({ min: 1, max: 5_000 }).map((units): Distance => ({ trailingPercent: decimal(units).div('1000').toFixed() })),
);
const path = fc.array(fc.integer({ min: 5_000, max: 30_000 }).map(priceOf), { minLength: 1, maxLength: 60 });

describe('trailing stops', () => {
  it('property: the trigger only moves in the order\'s favour, on the tick, at least the distance behind the watermark', () => {
    fc.assert(
      fc.property(side, distance, fc.option(fc.integer({ min: 5_000, max: 30_000 }).map(priceOf), { nil: undefined }), path, (orderSide, trailing, activation, prices) => {
        const plan: TrailingPlan = { side: orderSide, ...trailing, ...(activation === undefined ? {} : { activationPrice: activation.toFixed() }) };
        let state: TrailingState | undefined;
        for (const price of prices) {
          const next = advanceTrailing(plan, state, price, tickSize);
          if (next === undefined) continue;
          const trigger = decimal(next.triggerPrice);
          const watermark = decimal(next.watermark);
          expect(isMultipleOf(trigger, tickSize)).toBe(true);
          const gap = orderSide === 'sell' ? watermark.minus(trigger) : trigger.minus(watermark);
          const wanted = trailing.trailingOffset !== undefined ? decimal(trailing.trailingOffset) : watermark.times(trailing.trailingPercent!).div('100');
          expect(gap.gte(wanted)).toBe(true);
          if (state !== undefined) {
            const previous = decimal(state.triggerPrice);
            expect(orderSide === 'sell' ? trigger.gte(previous) : trigger.lte(previous)).toBe(true);
          }
          state = next;
        }
      }),
    );
  });

  it('property: activated at nonLooseningActivation, the trailing trigger is never looser than the stop it replaces', () => {
    fc.assert(
      fc.property(side, distance, fc.integer({ min: 5_000, max: 30_000 }).map(priceOf), (orderSide, trailing, stop) => {
        const activation = decimal(nonLooseningActivation(orderSide, stop.toFixed(), trailing, tickSize));
        const trigger = trailingTriggerPrice({ side: orderSide, ...trailing }, activation, tickSize);
        expect(orderSide === 'sell' ? trigger.gte(stop) : trigger.lte(stop)).toBe(true);
      }),
    );
  });

  it('a sell trailing stop follows a rise and fires on the fall through its trigger', () => {
    const plan: TrailingPlan = { side: 'sell', trailingOffset: '2' };
    const first = advanceTrailing(plan, undefined, decimal('100'), tickSize)!;
    expect(first).toEqual({ watermark: '100', triggerPrice: '98' });
    expect(advanceTrailing(plan, first, decimal('99'), tickSize)).toBeUndefined();
    const raised = advanceTrailing(plan, first, decimal('105.5'), tickSize)!;
    expect(raised).toEqual({ watermark: '105.5', triggerPrice: '103.5' });
    expect(isTriggeredAt('sell', 'trailingStop', decimal(raised.triggerPrice), decimal('103.6'))).toBe(false);
    expect(isTriggeredAt('sell', 'trailingStop', decimal(raised.triggerPrice), decimal('103.5'))).toBe(true);
  });
});
