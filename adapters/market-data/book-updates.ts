// Quotes as L2 data: the first quote of a symbol becomes a book snapshot, each later one the incremental level
// updates that turn the previous book into it (a level gone is sent with quantity 0), as an L2 feed sends them.
import type { BookLevel, BookUpdate, QuoteTick } from '../../src/domain/market-data.ts';
import { ZERO } from '../../src/domain/decimal.ts';

export class QuoteToBookUpdates {
  private readonly previous = new Map<string, QuoteTick>();

  next(quote: QuoteTick): BookUpdate {
    const before = this.previous.get(quote.symbol);
    this.previous.set(quote.symbol, quote);
    if (before === undefined) return { type: 'bookUpdate', symbol: quote.symbol, timestamp: quote.timestamp, snapshot: true, bids: quote.bids, asks: quote.asks };
    return { type: 'bookUpdate', symbol: quote.symbol, timestamp: quote.timestamp, snapshot: false, bids: levelChanges(before.bids, quote.bids), asks: levelChanges(before.asks, quote.asks) };
  }
}

/** The levels that differ from `before` to `after`: new or resized ones as they are now, removed ones at 0. */
export function levelChanges(before: readonly BookLevel[], after: readonly BookLevel[]): BookLevel[] {
  const now = new Map(after.map((level) => [level.price.toFixed(), level]));
  const changes: BookLevel[] = [];
  for (const level of before) {
    if (!now.has(level.price.toFixed())) changes.push({ price: level.price, quantity: ZERO });
  }
  const was = new Map(before.map((level) => [level.price.toFixed(), level.quantity]));
  for (const level of after) {
    const quantity = was.get(level.price.toFixed());
    if (quantity === undefined || !quantity.eq(level.quantity)) changes.push(level);
  }
  return changes;
}
