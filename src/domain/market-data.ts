// Market data as the runtime sees it: quotes (book levels), trades and bars, with exact decimals.
import type { Decimal } from './decimal.ts';

export interface BookLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** A book snapshot: bids best (highest) first, asks best (lowest) first. */
export interface QuoteTick {
  readonly type: 'quote';
  readonly symbol: string;
  readonly timestamp: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export interface TradeTick {
  readonly type: 'trade';
  readonly symbol: string;
  readonly timestamp: number;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The side that took liquidity: a 'sell' aggressor traded against bids. */
  readonly aggressor: 'buy' | 'sell';
}

export interface BarTick {
  readonly type: 'bar';
  readonly symbol: string;
  /** Open time of the bar; the bar is complete at timestamp + intervalMs. */
  readonly timestamp: number;
  readonly intervalMs: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

export type MarketData = QuoteTick | TradeTick | BarTick;

/**
 * L2 book data (e.g. Tardis incremental_book_L2): the new quantity of each level given, 0 removing it; a
 * snapshot replaces the whole book. Not part of MarketData: a venue replaying L2 turns it into quotes.
 */
export interface BookUpdate {
  readonly type: 'bookUpdate';
  readonly symbol: string;
  readonly timestamp: number;
  readonly snapshot: boolean;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export type MarketDataListener = (data: MarketData) => void;
