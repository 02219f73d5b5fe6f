// The paper venue's resting orders meeting market data: quotes that cross them or shrink their queues, trades
// at or through their price, shared by our orders in price-time priority under the fill model.
import { ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { QuoteTick, TradeTick } from '../../src/domain/market-data.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import type { BookSide } from './book.ts';
import { compareDecimals, isAtLeast, isAtMost } from './compare.ts';
import type { FillModel } from './fill-model.ts';
import { crossingQuantity, levelWithinLimit, passThroughQueue } from './matching.ts';
import { applyFill, fillableQuantity, triggerOrder } from './order-execution.ts';
import { isWorking, type PaperOrder } from './paper-order.ts';
import type { PaperCore, SymbolState } from './paper-core.ts';

/**
 * Each side costs one comparison when nothing is near: the best resting buy against the deepest displayed
 * bid. A buy below every displayed bid is outside the quote's depth (no queue to update) and cannot be
 * crossed by its asks, which sit above its bids. Only then is the best ask read. (A crossed quote, asks at
 * or below bids, is taken as it comes and only checked against orders within the displayed depth.)
 */
export function applyQuote(core: PaperCore, state: SymbolState, quote: QuoteTick): void {
  const book = state.book;
  book.bids.replace(quote.bids);
  book.asks.replace(quote.asks);
  const buys = state.resting.buys;
  if (buys.length > 0) {
    const deepestBid = quote.bids[quote.bids.length - 1];
    if (deepestBid === undefined || isAtLeast(buys[0]!.price!, deepestBid.price)) {
      const bestAsk = quote.asks[0];
      if (bestAsk !== undefined && isAtMost(bestAsk.price, buys[0]!.price!)) fillRestingFromQuote(core, state, 'buy');
      if (deepestBid !== undefined && buys.length > 0) shrinkQueues(buys, book.bids, deepestBid.price, core.fillModel);
    }
  }
  const sells = state.resting.sells;
  if (sells.length > 0) {
    const deepestAsk = quote.asks[quote.asks.length - 1];
    if (deepestAsk === undefined || isAtMost(sells[0]!.price!, deepestAsk.price)) {
      const bestBid = quote.bids[0];
      if (bestBid !== undefined && isAtLeast(bestBid.price, sells[0]!.price!)) fillRestingFromQuote(core, state, 'sell');
      if (deepestAsk !== undefined && sells.length > 0) shrinkQueues(sells, book.asks, deepestAsk.price, core.fillModel);
    }
  }
}

export function applyTrade(core: PaperCore, state: SymbolState, trade: TradeTick): void {
  const buys = state.resting.buys;
  if (buys.length > 0 && isAtMost(trade.price, buys[0]!.price!)) fillRestingFromTrade(core, state, 'buy', trade);
  const sells = state.resting.sells;
  if (sells.length > 0 && isAtLeast(trade.price, sells[0]!.price!)) fillRestingFromTrade(core, state, 'sell', trade);
  const { rising, falling } = state.triggers;
  if ((rising.length > 0 && isAtLeast(trade.price, rising[0]!.stopPrice!)) || (falling.length > 0 && isAtMost(trade.price, falling[0]!.stopPrice!))) {
    // A stop that fired with others may have been canceled by them (its list was decided): skipped.
    for (const order of state.triggers.takeTriggered(trade.price)) if (isWorking(order)) triggerOrder(core, state, order);
  }
}

/**
 * The quote's other side crosses resting orders: each fills as maker at its own price from the crossing
 * quantity, after its queue ahead, sharing that quantity with our better-placed orders first. What our
 * orders got is taken from the book so an aggressing order cannot get it again.
 */
export function fillRestingFromQuote(core: PaperCore, state: SymbolState, side: OrderSide): void {
  const opposite = side === 'buy' ? state.book.asks : state.book.bids;
  const bestOpposite = opposite.bestPrice();
  if (bestOpposite === undefined) return;
  const candidates = leadingOrders(side === 'buy' ? state.resting.buys : state.resting.sells, (order) =>
    levelWithinLimit(opposite, bestOpposite, order.price),
  );
  let filledByUs = ZERO;
  for (const order of candidates) {
    if (!isWorking(order)) continue;
    const passing = crossingQuantity(opposite, order.price!).minus(filledByUs);
    const pass = passThroughQueue(order.queueAhead, fillableQuantity(order, state.perpetual), passing);
    order.queueAhead = order.queueAhead.minus(pass.eaten);
    if (pass.filled.gt(ZERO)) {
      filledByUs = filledByUs.plus(pass.filled);
      applyFill(core, state, order, pass.filled, order.price!, 'maker');
    }
  }
  opposite.take(filledByUs);
}

/**
 * A trade at a resting order's price by the other side's aggressor passes the queue first; a trade
 * through its price means the whole level traded, so the queue is gone and the order fills up to the
 * trade's quantity. Our orders share one trade's quantity in price-time priority.
 */
export function fillRestingFromTrade(core: PaperCore, state: SymbolState, side: OrderSide, trade: TradeTick): void {
  const resting = side === 'buy' ? state.resting.buys : state.resting.sells;
  const candidates = leadingOrders(resting, (order) => (side === 'buy' ? order.price!.gte(trade.price) : order.price!.lte(trade.price)));
  // A 'sell' aggressor hits bids (our buys); a 'buy' aggressor lifts offers (our sells).
  const hitsThisSide = (side === 'buy') === (trade.aggressor === 'sell');
  const volume = core.fillModel.tradeVolume(state.instrument!, trade.quantity);
  let filledByUs = ZERO;
  for (const order of candidates) {
    if (!isWorking(order)) continue;
    const passing = volume.minus(filledByUs);
    if (!passing.gt(ZERO)) break;
    let filled: Decimal;
    if (order.price!.eq(trade.price)) {
      if (!hitsThisSide) continue;
      const pass = passThroughQueue(order.queueAhead, fillableQuantity(order, state.perpetual), passing);
      order.queueAhead = order.queueAhead.minus(pass.eaten);
      filled = pass.filled;
      // The displayed level lost what traded there except what filled us (we are not in the data).
      if (core.fillModel.tracksLevels) order.levelSeen = maxOf(ZERO, order.levelSeen.minus(passing.minus(pass.filled)));
    } else {
      order.queueAhead = ZERO;
      order.levelSeen = ZERO;
      const remaining = fillableQuantity(order, state.perpetual);
      filled = remaining.lt(passing) ? remaining : passing;
    }
    if (filled.gt(ZERO)) {
      filledByUs = filledByUs.plus(filled);
      applyFill(core, state, order, filled, order.price!, 'maker');
    }
  }
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

/**
 * Shrinks queue positions to what the new quote displays at each order's price: the market shows fewer
 * orders there than were ahead of ours, so some ahead were canceled. Only orders within the displayed
 * depth are looked at (beyond it the quote says nothing). No allocation unless a queue actually shrinks.
 */
function shrinkQueues(orders: readonly PaperOrder[], sameSide: BookSide, deepestPrice: Decimal, model: FillModel): void {
  for (let index = 0; index < orders.length; index++) {
    const order = orders[index]!;
    const withinDepth = sameSide.isBidSide ? isAtLeast(order.price!, deepestPrice) : isAtMost(order.price!, deepestPrice);
    if (!withinDepth) return;
    if (model.tracksLevels) {
      const level = sameSide.displayedAt(order.price!);
      order.queueAhead = model.queueAfterLevelChange(order.queueAhead, order.levelSeen, level);
      order.levelSeen = level;
      continue;
    }
    if (order.queueAhead === ZERO || compareDecimals(order.queueAhead, ZERO) <= 0) continue;
    const displayed = sameSide.displayedAt(order.price!);
    if (compareDecimals(displayed, order.queueAhead) < 0) order.queueAhead = displayed;
  }
}

/** The best-first prefix of `orders` that satisfies `qualifies`, copied so fills may edit the index. */
function leadingOrders(orders: readonly PaperOrder[], qualifies: (order: PaperOrder) => boolean): PaperOrder[] {
  let count = 0;
  while (count < orders.length && qualifies(orders[count]!)) count++;
  return orders.slice(0, count);
}
