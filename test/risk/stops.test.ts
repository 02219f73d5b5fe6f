import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ONE, ZERO, isMultipleOf, type Decimal } from '../../src/domain/decimal.ts';
import {
  confidenceStopPercent,
  stopLossDistance,
  stopLossPrice,
  takeProfitDistance,
  takeProfitLadder,
  takeProfitPrice,
  type StopLossMethod,
  type TakeProfitMethod,
} from '../../src/risk/stops.ts';
import { d, decimalArbitrary, grid, sideArbitrary, unitArbitrary } from './arbitraries.ts';

const long = { side: 'buy' as const, entryPrice: d('100') };
const short = { side: 'sell' as const, entryPrice: d('100') };

describe('stop-loss', () => {
  it('fixed price: kept on the tick, refused on the wrong side', () => {
    expect(stopLossPrice(long, { method: 'price', price: d('95') }, grid).toFixed()).toBe('95');
    expect(() => stopLossPrice(long, { method: 'price', price: d('101') }, grid)).toThrow('stop price 101 must be below the entry 100 for a long');
    expect(() => stopLossPrice(short, { method: 'price', price: d('99') }, grid)).toThrow('stop price 99 must be above the entry 100 for a short');
  });

  it('percent: rounds toward the entry (up for a long, down for a short)', () => {
    const entry = { side: 'buy' as const, entryPrice: d('123.45') };
    // 123.45 × 1.5 % = 1.85175 -> 121.59825 -> up to 121.6
    expect(stopLossPrice(entry, { method: 'percent', percent: d('1.5') }, grid).toFixed()).toBe('121.6');
    // short: 125.30175 -> down to 125.3
    expect(stopLossPrice({ ...entry, side: 'sell' }, { method: 'percent', percent: d('1.5') }, grid).toFixed()).toBe('125.3');
  });

  it('ATR multiple', () => {
    expect(stopLossPrice(long, { method: 'atr', atr: d('1.237'), multiple: d('2') }, grid).toFixed()).toBe('97.53');
    expect(stopLossPrice(short, { method: 'atr', atr: d('1.237'), multiple: d('2') }, grid).toFixed()).toBe('102.47');
  });

  it('refuses a stop under one tick from the entry, and invalid inputs', () => {
    expect(() => stopLossPrice(long, { method: 'atr', atr: d('0.001'), multiple: d('1') }, grid)).toThrow(/rounds to 100, which is not below the entry 100/);
    expect(() => stopLossPrice(long, { method: 'atr', atr: ZERO, multiple: d('1') }, grid)).toThrow('atr must be positive, got 0');
    expect(() => stopLossPrice(long, { method: 'percent', percent: d('100') }, grid)).toThrow('stop percent must be above 0 and below 100 (percent), got 100');
  });

  it('confidence: higher confidence, wider stop, between the bounds', () => {
    expect(confidenceStopPercent(d('0'), d('1'), d('3')).toFixed()).toBe('1');
    expect(confidenceStopPercent(d('0.5'), d('1'), d('3')).toFixed()).toBe('2');
    expect(confidenceStopPercent(d('1'), d('1'), d('3')).toFixed()).toBe('3');
    expect(stopLossPrice(long, { method: 'confidence', confidence: d('0.5'), minPercent: d('1'), maxPercent: d('3') }, grid).toFixed()).toBe('98');
    expect(() => confidenceStopPercent(d('2'), d('1'), d('3'))).toThrow('confidence must be between 0 and 1, got 2');
    expect(() => confidenceStopPercent(d('0.5'), d('3'), d('1'))).toThrow('maxPercent 1 must not be below minPercent 3');
  });

  it('property: confidence-based stop widens monotonically with confidence and stays within its bounds', () => {
    fc.assert(
      fc.property(sideArbitrary, unitArbitrary, unitArbitrary, decimalArbitrary(1, 4_000, 2), decimalArbitrary(1, 4_000, 2), (side, first, second, boundA, boundB) => {
        const [low, high] = first.lte(second) ? [first, second] : [second, first];
        const [minPercent, maxPercent] = boundA.lte(boundB) ? [boundA, boundB] : [boundB, boundA];
        const entry = { side, entryPrice: d('1000') };
        const method = (confidence: Decimal): StopLossMethod => ({ method: 'confidence', confidence, minPercent, maxPercent });
        const narrow = stopLossDistance(entry, method(low));
        const wide = stopLossDistance(entry, method(high));
        expect(narrow.lte(wide)).toBe(true);
        expect(narrow.gte(d('10').times(minPercent)) && wide.lte(d('10').times(maxPercent))).toBe(true);
        // Also once on the tick: the wider stop is never nearer the entry.
        expect(stopLossPrice(entry, method(high), grid).minus(entry.entryPrice).abs().gte(stopLossPrice(entry, method(low), grid).minus(entry.entryPrice).abs())).toBe(true);
      }),
    );
  });

  it('property: a long stop is below entry and its take-profit above; a short the reverse; stops never risk more than planned', () => {
    const methods = fc.oneof(
      decimalArbitrary(1, 9_900, 2).map((percent): [StopLossMethod, TakeProfitMethod] => [{ method: 'percent', percent }, { method: 'percent', percent }]),
      decimalArbitrary(1, 100_000, 3).map((atr): [StopLossMethod, TakeProfitMethod] => [{ method: 'atr', atr, multiple: d('1.5') }, { method: 'atr', atr, multiple: d('3') }]),
    );
    fc.assert(
      fc.property(sideArbitrary, decimalArbitrary(200_00, 10_000_000, 2), methods, (side, entryPrice, [stopMethod, profitMethod]) => {
        const entry = { side, entryPrice };
        fc.pre(stopLossDistance(entry, stopMethod).lt(entryPrice.minus(grid.tickSize)));
        fc.pre(stopLossDistance(entry, stopMethod).gte(grid.tickSize) && takeProfitDistance(entry, profitMethod).gte(grid.tickSize));
        fc.pre(side === 'buy' || takeProfitDistance(entry, profitMethod).lt(entryPrice.minus(grid.tickSize)));
        const stop = stopLossPrice(entry, stopMethod, grid);
        const target = takeProfitPrice(entry, profitMethod, grid);
        if (side === 'buy') expect(stop.lt(entryPrice) && target.gt(entryPrice)).toBe(true);
        else expect(stop.gt(entryPrice) && target.lt(entryPrice)).toBe(true);
        expect(isMultipleOf(stop, grid.tickSize) && isMultipleOf(target, grid.tickSize)).toBe(true);
        expect(stop.minus(entryPrice).abs().lte(stopLossDistance(entry, stopMethod))).toBe(true);
        expect(target.minus(entryPrice).abs().lte(takeProfitDistance(entry, profitMethod))).toBe(true);
      }),
    );
  });
});

describe('take-profit', () => {
  it('fixed, percent and ATR, rounded toward the entry', () => {
    expect(takeProfitPrice(long, { method: 'price', price: d('110.005') }, grid).toFixed()).toBe('110');
    expect(takeProfitPrice(short, { method: 'price', price: d('89.995') }, grid).toFixed()).toBe('90');
    expect(() => takeProfitPrice(long, { method: 'price', price: d('90') }, grid)).toThrow('take-profit price 90 must be above the entry 100 for a long');
    expect(takeProfitPrice(long, { method: 'percent', percent: d('3.333') }, grid).toFixed()).toBe('103.33');
    expect(takeProfitPrice(short, { method: 'percent', percent: d('3.333') }, grid).toFixed()).toBe('96.67');
    expect(takeProfitPrice(long, { method: 'atr', atr: d('2'), multiple: d('3') }, grid).toFixed()).toBe('106');
  });

  it('risk-reward: the distance is the multiple of the stop distance', () => {
    expect(takeProfitPrice(long, { method: 'riskReward', stopPrice: d('97.5'), multiple: d('2') }, grid).toFixed()).toBe('105');
    expect(takeProfitPrice(short, { method: 'riskReward', stopPrice: d('102.5'), multiple: d('2') }, grid).toFixed()).toBe('95');
    expect(() => takeProfitPrice(long, { method: 'riskReward', stopPrice: d('102.5'), multiple: d('2') }, grid)).toThrow('stop price 102.5 must be below the entry 100 for a long');
  });

  it('property: risk-reward distance = multiple × stop distance before tick rounding', () => {
    fc.assert(
      fc.property(sideArbitrary, decimalArbitrary(1_000, 1_000_000, 3), decimalArbitrary(1, 999, 3), decimalArbitrary(1, 10_000, 2), (side, entryPrice, stopShare, multiple) => {
        const entry = { side, entryPrice };
        const stopDistance = entryPrice.times(stopShare); // below the entry price: the stop stays positive
        const stopPrice = side === 'buy' ? entryPrice.minus(stopDistance) : entryPrice.plus(stopDistance);
        const distance = takeProfitDistance(entry, { method: 'riskReward', stopPrice, multiple });
        expect(distance.eq(stopDistance.times(multiple))).toBe(true);
      }),
    );
  });
});

describe('take-profit ladder', () => {
  const levels = [
    { target: { method: 'percent', percent: d('1') } as const, fraction: d('0.5') },
    { target: { method: 'percent', percent: d('2') } as const, fraction: d('0.3') },
    { target: { method: 'percent', percent: d('4') } as const, fraction: d('0.2') },
  ];

  it('splits by fraction, remainder on the last rung', () => {
    const rungs = takeProfitLadder(long, d('1.003'), levels, grid);
    expect(rungs.map((rung) => [rung.price.toFixed(), rung.quantity.toFixed()])).toEqual([
      ['101', '0.501'],
      ['102', '0.3'],
      ['104', '0.202'],
    ]);
  });

  it('mirrors for a short', () => {
    expect(takeProfitLadder(short, d('1'), levels, grid).map((rung) => rung.price.toFixed())).toEqual(['99', '98', '96']);
  });

  it('refuses fractions that do not sum to 1, out-of-order levels, and an off-lot quantity', () => {
    expect(() => takeProfitLadder(long, d('1'), [{ target: { method: 'percent', percent: d('1') }, fraction: d('0.5') }], grid)).toThrow('must sum to exactly 1, got 0.5');
    expect(() => takeProfitLadder(long, d('1'), [levels[1]!, levels[0]!, levels[2]!], grid)).toThrow('take-profit level 1 at 101 is not beyond level 0 at 102');
    expect(() => takeProfitLadder(long, d('1.0005'), levels, grid)).toThrow('total quantity must be a positive multiple of the lot size 0.001, got 1.0005');
  });

  it('property: ladder quantities sum exactly to the quantity, each a whole number of lots', () => {
    const fractionsArbitrary = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }).map((parts) => {
      const total = parts.reduce((sum, part) => sum + part, 0);
      // Fractions with an exact sum of 1: parts / total can repeat forever, so give the last one the rest.
      const fractions = parts.slice(0, -1).map((part) => d(String(part)).div(d(String(total))).round(6, 0));
      const used = fractions.reduce((sum, fraction) => sum.plus(fraction), ZERO);
      return [...fractions, ONE.minus(used)];
    });
    fc.assert(
      fc.property(sideArbitrary, fractionsArbitrary, fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('1', '0.1', '0.001', '0.25').map(d), (side, fractions, lots, lotSize) => {
        fc.pre(fractions.every((fraction) => fraction.gt(ZERO)));
        const quantity = lotSize.times(String(lots));
        const rungs = takeProfitLadder(
          { side, entryPrice: d('1000') },
          quantity,
          fractions.map((fraction, index) => ({ target: { method: 'percent', percent: d(String(index + 1)) }, fraction })),
          { tickSize: d('0.01'), lotSize },
        );
        expect(rungs.reduce((sum, rung) => sum.plus(rung.quantity), ZERO).eq(quantity)).toBe(true);
        expect(rungs.every((rung) => isMultipleOf(rung.quantity, lotSize) && rung.quantity.gte(ZERO))).toBe(true);
      }),
    );
  });
});
