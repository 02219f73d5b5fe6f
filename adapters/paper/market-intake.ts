// The paper venue's market data intake: each tick (or L2 book update) updates the book, matches resting orders
// and moves the perpetuals' marks, then reaches subscribers after the market-data latency.
import type { BookUpdate, MarketData, QuoteTick } from '../../src/domain/market-data.ts';
import { L2Book } from './l2-book.ts';
import type { PaperCore, SymbolState } from './paper-core.ts';
import { updateMark } from './perpetual-margin.ts';
import { applyQuote, applyTrade } from './resting-fills.ts';

/**
 * The hot path: a replay driver or live feed hands every tick here. The book is updated and resting
 * orders matched first, then the tick goes to subscribers, so a strategy reacting to it sees the fills'
 * effects already under way. A tick that touches no resting order costs a few decimal comparisons.
 */
export function receiveMarketData(core: PaperCore, tick: MarketData): void {
  const state = core.symbols.get(tick.symbol);
  if (state === undefined) return;
  if (state.instrument !== undefined) {
    if (tick.type === 'quote') applyQuote(core, state, tick);
    else if (tick.type === 'trade') applyTrade(core, state, tick);
    const perpetual = state.perpetual;
    if (perpetual !== undefined) updateMark(core, perpetual, tick);
  }
  deliverMarketData(core, state, tick);
}

/**
 * L2 book replay: the update is applied to the symbol's full-depth book, which then meets resting orders
 * the way a quote does (a level that shrank ahead of an order moves its queue position, per the fill
 * model); subscribers get a quote of the top `bookReplayQuoteDepth` levels.
 */
export function receiveBookUpdate(core: PaperCore, update: BookUpdate): void {
  const state = core.symbols.get(update.symbol);
  if (state === undefined) return;
  let book = state.l2Book;
  if (book === undefined) {
    book = new L2Book();
    state.l2Book = book;
  }
  book.apply(update);
  if (state.instrument !== undefined) {
    applyQuote(core, state, { type: 'quote', symbol: update.symbol, timestamp: update.timestamp, bids: book.bids, asks: book.asks });
  }
  const view: QuoteTick = {
    type: 'quote',
    symbol: update.symbol,
    timestamp: update.timestamp,
    bids: book.bids.slice(0, core.bookReplayQuoteDepth),
    asks: book.asks.slice(0, core.bookReplayQuoteDepth),
  };
  if (state.perpetual !== undefined) updateMark(core, state.perpetual, view);
  deliverMarketData(core, state, view);
}

export function deliverMarketData(core: PaperCore, state: SymbolState, tick: MarketData): void {
  if (core.marketDataLatency.isZero) {
    const listeners = state.listeners;
    for (let index = 0; index < listeners.length; index++) listeners[index]!(tick);
    return;
  }
  core.clock.setTimeout(() => {
    const listeners = state.listeners;
    for (let index = 0; index < listeners.length; index++) listeners[index]!(tick);
  }, core.marketDataLatency.delayFrom(core.clock.now()));
}
