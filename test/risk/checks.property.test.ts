// Properties of the pre-trade checks: exact inclusive boundaries, reduction, and the rate window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, type Decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { CHECKS_SKIPPED_WHEN_REDUCING, checkOrder, orderReducesExposure, type OrderRiskInput } from '../../src/risk/checks.ts';
import { RecentTimes, countInWindow } from '../../src/risk/rate-limit.ts';
import { decimalArbitrary, sideArbitrary } from './arbitraries.ts';

const instrument = createInstrument({
  symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', lotSize: '0.001', minQuantity: '0.001', minNotional: '5', makerFee: '0', takerFee: '0',
});

const quantities = decimalArbitrary(1, 100_000, 3);
const prices = decimalArbitrary(1, 1_000_000, 2);
const positions = decimalArbitrary(-100_000, 100_000, 3);

function input(overrides: Partial<OrderRiskInput>): OrderRiskInput {
  return {
    tradingState: 'active', instrument, side: 'buy', quantity: '1', price: '100', reduceOnly: false, positionQuantity: '0',
    freeBalance: '0', requiredBalance: '0', balanceCurrency: 'USDT', equity: '1000', totalExposure: '0', openPositions: 0, recentSubmits: [], now: 0,
    ...overrides,
  };
}

const sign = (value: Decimal): number => (value.gt(ZERO) ? 1 : value.lt(ZERO) ? -1 : 0);

describe('risk check properties', () => {
  it('maxNotional denies exactly when quantity × price is above it', () => {
    fc.assert(
      fc.property(quantities, prices, decimalArbitrary(0, 10_000_000_000, 5), (quantity, price, limit) => {
        const denial = checkOrder(input({ quantity: quantity.toFixed(), price: price.toFixed() }), { maxNotional: limit.toFixed() });
        expect(denial?.reason === 'notionalAboveMaximum').toBe(quantity.times(price).gt(limit));
      }),
    );
  });

  it('orderReducesExposure: the position shrinks toward zero and keeps its sign (or closes)', () => {
    fc.assert(
      fc.property(sideArbitrary, quantities, positions, (side, quantity, position) => {
        const resulting = position.plus(side === 'buy' ? quantity : quantity.neg());
        const expected = !position.eq(ZERO) && resulting.abs().lt(position.abs()) && sign(resulting) !== -sign(position);
        expect(orderReducesExposure(side, quantity.toFixed(), position.toFixed())).toBe(expected);
      }),
    );
  });

  it('an order that reduces exposure is never denied for balance, position value, leverage or open positions', () => {
    fc.assert(
      fc.property(quantities, positions, prices, fc.constantFrom('-1000', '0', '1'), (size, position, price, equity) => {
        fc.pre(!position.eq(ZERO));
        // The opposite side, at most the whole position.
        const side = position.gt(ZERO) ? 'sell' : 'buy';
        const quantity = size.gt(position.abs()) ? position.abs() : size;
        expect(orderReducesExposure(side, quantity.toFixed(), position.toFixed())).toBe(true);
        const denial = checkOrder(
          input({ side, quantity: quantity.toFixed(), positionQuantity: position.toFixed(), price: price.toFixed(), equity, freeBalance: '0', requiredBalance: '5', totalExposure: '1000000000', openPositions: 50, reduceOnly: true, tradingState: 'reducing' }),
          { maxPositionValuePercentOfEquity: '0', maxLeverage: '0', maxOpenPositions: 0 },
        );
        expect(denial === undefined || !CHECKS_SKIPPED_WHEN_REDUCING.includes(denial.reason)).toBe(true);
        expect(denial).toBeUndefined();
      }),
    );
  });

  it('countInWindow counts (now - window, now], and keeping only recent times never changes the count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 30 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 3000 }), (times, now, windowMs) => {
        const inWindow = times.filter((time) => time > now - windowMs && time <= now).length;
        expect(countInWindow(times, now, windowMs)).toBe(inWindow);
        // Recorded as a clock gives them (in order), then asked at and after the last: the same answers.
        const sorted = [...times].sort((a, b) => a - b);
        const recent = new RecentTimes(windowMs);
        for (const time of sorted) recent.record(time);
        const last = sorted.at(-1) ?? 0;
        for (const at of [last, last + Math.floor(windowMs / 2), last + windowMs]) {
          expect(countInWindow(recent.inWindow(at), at, windowMs)).toBe(countInWindow(sorted, at, windowMs));
        }
        expect(recent.inWindow(last).length).toBeLessThanOrEqual(sorted.filter((time) => time > last - windowMs).length);
      }),
    );
  });
});
