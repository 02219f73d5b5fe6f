// Per-symbol indexes of the paper venue: resting limit orders best first, and native stops waiting for a trigger.
import type { Decimal } from '../../src/domain/decimal.ts';
import type { PaperOrder } from './paper-order.ts';

/** Orders sorted by `comesFirst`; the best is at index 0 so the hot path reads one element. */
class SortedOrders {
  readonly orders: PaperOrder[] = [];

  constructor(private readonly comesFirst: (a: PaperOrder, b: PaperOrder) => boolean) {}

  insert(order: PaperOrder): void {
    // Binary search for the first order that `order` comes before; equal keys keep arrival order.
    let low = 0;
    let high = this.orders.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.comesFirst(order, this.orders[middle]!)) high = middle;
      else low = middle + 1;
    }
    this.orders.splice(low, 0, order);
  }

  remove(order: PaperOrder): boolean {
    const index = this.orders.indexOf(order);
    if (index < 0) return false;
    this.orders.splice(index, 1);
    return true;
  }
}

/** Price-time priority; `price` is always set for resting orders (only limit orders rest). */
function buyComesFirst(a: PaperOrder, b: PaperOrder): boolean {
  const comparison = a.price!.cmp(b.price!);
  return comparison > 0 || (comparison === 0 && a.priority < b.priority);
}

function sellComesFirst(a: PaperOrder, b: PaperOrder): boolean {
  const comparison = a.price!.cmp(b.price!);
  return comparison < 0 || (comparison === 0 && a.priority < b.priority);
}

/** Resting limit orders of one symbol: buys highest price first, sells lowest first, then by time priority. */
export class RestingOrders {
  private readonly buySide = new SortedOrders(buyComesFirst);
  private readonly sellSide = new SortedOrders(sellComesFirst);

  /** Best first. Read-only for callers: change it through insert/remove. */
  get buys(): readonly PaperOrder[] {
    return this.buySide.orders;
  }

  get sells(): readonly PaperOrder[] {
    return this.sellSide.orders;
  }

  insert(order: PaperOrder): void {
    (order.side === 'buy' ? this.buySide : this.sellSide).insert(order);
    order.resting = true;
  }

  remove(order: PaperOrder): void {
    (order.side === 'buy' ? this.buySide : this.sellSide).remove(order);
    order.resting = false;
  }

  get size(): number {
    return this.buySide.orders.length + this.sellSide.orders.length;
  }
}

/**
 * Whether a native stop fires when the market rises to its stop price (buy stops, sell take-profits) or
 * falls to it (sell stops, buy take-profits).
 */
export function triggersOnRise(order: Pick<PaperOrder, 'side' | 'type'>): boolean {
  const isTakeProfit = order.type === 'takeProfit' || order.type === 'takeProfitLimit';
  return (order.side === 'buy') !== isTakeProfit;
}

function risingComesFirst(a: PaperOrder, b: PaperOrder): boolean {
  const comparison = a.stopPrice!.cmp(b.stopPrice!);
  return comparison < 0 || (comparison === 0 && a.priority < b.priority);
}

function fallingComesFirst(a: PaperOrder, b: PaperOrder): boolean {
  const comparison = a.stopPrice!.cmp(b.stopPrice!);
  return comparison > 0 || (comparison === 0 && a.priority < b.priority);
}

/** Native stops of one symbol waiting for a trade price, nearest trigger first on each side. */
export class TriggerIndex {
  private readonly risingSide = new SortedOrders(risingComesFirst);
  private readonly fallingSide = new SortedOrders(fallingComesFirst);

  /** Fire when a trade prints at or above the stop price; lowest stop price first. */
  get rising(): readonly PaperOrder[] {
    return this.risingSide.orders;
  }

  /** Fire when a trade prints at or below the stop price; highest stop price first. */
  get falling(): readonly PaperOrder[] {
    return this.fallingSide.orders;
  }

  insert(order: PaperOrder): void {
    (triggersOnRise(order) ? this.risingSide : this.fallingSide).insert(order);
    order.awaitingTrigger = true;
  }

  remove(order: PaperOrder): void {
    (triggersOnRise(order) ? this.risingSide : this.fallingSide).remove(order);
    order.awaitingTrigger = false;
  }

  /** Removes and returns, nearest first, every stop that a trade at `price` fires. */
  takeTriggered(price: Decimal): PaperOrder[] {
    const fired: PaperOrder[] = [];
    const rising = this.risingSide.orders;
    while (rising.length > 0 && price.gte(rising[0]!.stopPrice!)) fired.push(rising.shift()!);
    const falling = this.fallingSide.orders;
    while (falling.length > 0 && price.lte(falling[0]!.stopPrice!)) fired.push(falling.shift()!);
    for (const order of fired) order.awaitingTrigger = false;
    // Stops that fire on the same trade run in the order they were placed.
    if (fired.length > 1) fired.sort((a, b) => a.priority - b.priority);
    return fired;
  }
}
