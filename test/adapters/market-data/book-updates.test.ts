// Quotes sent as L2 data (a snapshot, then level updates): a full-depth book rebuilt from the updates is, after
// every update, the quote it came from, for any seeded synthetic market.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { levelChanges, QuoteToBookUpdates } from '../../../adapters/market-data/book-updates.ts';
import { createSyntheticMarket } from '../../../adapters/market-data/synthetic.ts';
import { L2Book } from '../../../adapters/paper/l2-book.ts';
import { decimal } from '../../../src/domain/decimal.ts';
import { createInstrument } from '../../../src/domain/instrument.ts';
import type { BookLevel } from '../../../src/domain/market-data.ts';

const INSTRUMENT = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001' });
const text = (levels: readonly BookLevel[]) => levels.map((level) => `${level.price.toFixed()}@${level.quantity.toFixed()}`);

describe('quotes as L2 book updates', () => {
  it('send only what changed: a resized or new level as it is, a level gone at 0', () => {
    const level = (price: string, quantity: string) => ({ price: decimal(price), quantity: decimal(quantity) });
    expect(text(levelChanges([level('100', '1'), level('99', '2'), level('98', '3')], [level('100', '1'), level('99', '5'), level('97', '4')]))).toEqual(['98@0', '99@5', '97@4']);
  });

  it('rebuild every quote of a synthetic market exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 8 }), (seed, levels) => {
        const market = createSyntheticMarket({ instrument: INSTRUMENT, seed, startPrice: '50000', startTime: 0, intervalMs: 100, levels, maxStepTicks: 3, tradeShare: 0.2 });
        const updates = new QuoteToBookUpdates();
        const book = new L2Book();
        let first = true;
        for (const tick of market.take(300)) {
          if (tick.type !== 'quote') continue;
          const update = updates.next(tick);
          expect(update.snapshot).toBe(first);
          first = false;
          book.apply(update);
          expect(text(book.bids)).toEqual(text(tick.bids));
          expect(text(book.asks)).toEqual(text(tick.asks));
        }
      }),
      { numRuns: 40 },
    );
  });
});
