// A full-depth order book rebuilt from L2 data (snapshots and incremental level updates), for book replay on the paper venue.
import { ZERO } from '../../src/domain/decimal.ts';
import type { BookLevel, BookUpdate } from '../../src/domain/market-data.ts';
import { compareDecimals } from './compare.ts';

/** Bids best (highest) first, asks best (lowest) first; a level's quantity is what the latest update said. */
export class L2Book {
  readonly bids: BookLevel[] = [];
  readonly asks: BookLevel[] = [];

  /** A snapshot replaces the book; otherwise each level given sets its new quantity (0 removes it). */
  apply(update: BookUpdate): void {
    if (update.snapshot) {
      this.bids.length = 0;
      this.asks.length = 0;
    }
    for (const level of update.bids) setLevel(this.bids, level, true);
    for (const level of update.asks) setLevel(this.asks, level, false);
  }
}

function setLevel(side: BookLevel[], level: BookLevel, isBidSide: boolean): void {
  if (level.quantity.lt(ZERO)) throw new Error(`a book level cannot have a negative quantity, got ${level.quantity.toFixed()} at ${level.price.toFixed()}`);
  // Binary search for the level's place, best first.
  let low = 0;
  let high = side.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const comparison = compareDecimals(side[middle]!.price, level.price);
    if (comparison === 0) {
      if (level.quantity.eq(ZERO)) side.splice(middle, 1);
      else side[middle] = level;
      return;
    }
    if (isBidSide ? comparison > 0 : comparison < 0) low = middle + 1;
    else high = middle;
  }
  if (!level.quantity.eq(ZERO)) side.splice(low, 0, level);
}
