// Synthetic market: deterministic per seed, prices on the tick grid, sizes on the lot grid, a sane book.
import { describe, expect, it } from 'vitest';
import { ZERO, isMultipleOf, toDecimalString } from '../../src/domain/decimal.ts';
import type { MarketData } from '../../src/domain/market-data.ts';
import { createSyntheticMarket, mulberry32 } from '../../adapters/market-data/synthetic.ts';
import { BTC_USD, START } from './paper-fixture.ts';

function serialize(ticks: readonly MarketData[]): string {
  return JSON.stringify(ticks, (_key, value: unknown) => (value !== null && typeof value === 'object' && 'c' in value && 'e' in value ? toDecimalString(value as never) : value));
}

const options = { instrument: BTC_USD, startPrice: '50000', startTime: START, intervalMs: 100, levels: 5 } as const;

describe('synthetic market', () => {
  it('is deterministic per seed: same seed, identical sequence; another seed, another sequence', () => {
    const first = serialize(createSyntheticMarket({ ...options, seed: 7 }).take(500));
    const again = serialize(createSyntheticMarket({ ...options, seed: 7 }).take(500));
    const other = serialize(createSyntheticMarket({ ...options, seed: 8 }).take(500));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    const iterated: MarketData[] = [];
    for (const tick of createSyntheticMarket({ ...options, seed: 7 })) {
      iterated.push(tick);
      if (iterated.length === 500) break;
    }
    expect(serialize(iterated)).toBe(first);
  });

  it('mulberry32 gives the same numbers for the same seed, all in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let index = 0; index < 1000; index++) {
      const value = a();
      expect(value).toBe(b());
      expect(value >= 0 && value < 1).toBe(true);
    }
  });

  it('respects the tick and lot grids, keeps bids below asks, and steps time by the interval', () => {
    const ticks = createSyntheticMarket({ ...options, seed: 3, maxStepTicks: 3, spreadTicks: 2 }).take(2000);
    expect(ticks[0]!.type).toBe('quote');
    let quotes = 0;
    let trades = 0;
    ticks.forEach((tick, index) => {
      expect(tick.timestamp).toBe(START + index * 100);
      expect(tick.symbol).toBe(BTC_USD.symbol);
      if (tick.type === 'quote') {
        quotes++;
        expect(tick.bids).toHaveLength(5);
        expect(tick.asks).toHaveLength(5);
        for (const level of [...tick.bids, ...tick.asks]) {
          expect(isMultipleOf(level.price, BTC_USD.tickSize)).toBe(true);
          expect(isMultipleOf(level.quantity, BTC_USD.lotSize)).toBe(true);
          expect(level.quantity.gt(ZERO)).toBe(true);
        }
        expect(tick.asks[0]!.price.minus(tick.bids[0]!.price).eq(BTC_USD.tickSize.times('2'))).toBe(true);
        for (let level = 1; level < 5; level++) {
          expect(tick.bids[level]!.price.lt(tick.bids[level - 1]!.price)).toBe(true);
          expect(tick.asks[level]!.price.gt(tick.asks[level - 1]!.price)).toBe(true);
        }
      } else if (tick.type === 'trade') {
        trades++;
        expect(isMultipleOf(tick.price, BTC_USD.tickSize)).toBe(true);
        expect(isMultipleOf(tick.quantity, BTC_USD.lotSize)).toBe(true);
        expect(tick.quantity.gt(ZERO)).toBe(true);
      }
    });
    // Default trade share is 0.3.
    expect(trades / (quotes + trades)).toBeGreaterThan(0.25);
    expect(trades / (quotes + trades)).toBeLessThan(0.35);
  });

  it('prints trades at the touch of the latest quote: buyers at the best ask, sellers at the best bid', () => {
    const ticks = createSyntheticMarket({ ...options, seed: 11 }).take(1000);
    let latestQuote: Extract<MarketData, { type: 'quote' }> | undefined;
    for (const tick of ticks) {
      if (tick.type === 'quote') latestQuote = tick;
      if (tick.type === 'trade') {
        const touch = tick.aggressor === 'buy' ? latestQuote!.asks[0]! : latestQuote!.bids[0]!;
        expect(tick.price.eq(touch.price)).toBe(true);
      }
    }
  });

  it('refuses options that make no market', () => {
    expect(() => createSyntheticMarket({ ...options, seed: 1, levels: 0 })).toThrow(/levels/);
    expect(() => createSyntheticMarket({ ...options, seed: 1, tradeShare: 2 })).toThrow(/tradeShare/);
    expect(() => createSyntheticMarket({ ...options, seed: 1, startPrice: '0.001' })).toThrow(/startPrice/);
  });
});
