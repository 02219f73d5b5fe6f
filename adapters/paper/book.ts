// The paper venue's view of one symbol's book: the latest quote, minus the liquidity our own orders took since.
import { ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { BookLevel } from '../../src/domain/market-data.ts';
import { compareDecimals } from './compare.ts';

const NO_LEVELS: readonly BookLevel[] = [];

/**
 * One side of the book (bids or asks), best level first, exactly as the latest quote showed it, plus an
 * overlay of what our orders have taken since. The quote's levels are never copied or mutated: a new quote
 * just swaps the reference and resets the overlay, so the hot path allocates nothing.
 */
export class BookSide {
  /** The quote's levels, best first. */
  levels: readonly BookLevel[] = NO_LEVELS;
  /** Levels before this index were taken in full by our orders since the quote arrived. */
  takenLevels = 0;
  /** Quantity already taken from `levels[takenLevels]`. */
  takenAtLevel: Decimal = ZERO;

  /** True for the bid side: better prices are higher. */
  constructor(readonly isBidSide: boolean) {}

  /** A new quote replaces the side: the market shows its liquidity again, our earlier takes are forgotten. */
  replace(levels: readonly BookLevel[]): void {
    this.levels = levels;
    this.takenLevels = 0;
    this.takenAtLevel = ZERO;
  }

  /** Quantity still available at level `index` (which must be at or after `takenLevels`). */
  availableAt(index: number): Decimal {
    const level = this.levels[index]!;
    // Identity check against the ZERO constant: the untouched case (every quote-only tick) allocates nothing.
    if (index !== this.takenLevels || this.takenAtLevel === ZERO) return level.quantity;
    return level.quantity.minus(this.takenAtLevel);
  }

  /** The best level still holding liquidity, or undefined when the side is empty or taken. */
  bestPrice(): Decimal | undefined {
    return this.levels[this.takenLevels]?.price;
  }

  /** Quantity still displayed at exactly `price` (0 when no level shows that price). */
  displayedAt(price: Decimal): Decimal {
    for (let index = this.takenLevels; index < this.levels.length; index++) {
      const comparison = compareDecimals(this.levels[index]!.price, price);
      if (comparison === 0) return this.availableAt(index);
      // Levels are best first: once a level is worse than `price`, no later level can equal it.
      if (this.isBidSide ? comparison < 0 : comparison > 0) return ZERO;
    }
    return ZERO;
  }

  /** Removes `quantity` from the best levels, as an aggressing order of ours just took it. */
  take(quantity: Decimal): void {
    let left = quantity;
    while (left.gt(ZERO) && this.takenLevels < this.levels.length) {
      const available = this.availableAt(this.takenLevels);
      if (left.gte(available)) {
        left = left.minus(available);
        this.takenLevels++;
        this.takenAtLevel = ZERO;
      } else {
        this.takenAtLevel = this.takenAtLevel.plus(left);
        left = ZERO;
      }
    }
  }
}

/** The book of one symbol as the paper venue sees it. */
export class PaperBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
}
