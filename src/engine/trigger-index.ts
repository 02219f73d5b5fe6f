// Per-instrument index of locally held (emulated) stops, take-profits and trailing stops. Ticks are checked
// here in plain code, so an order actor is woken only when its trigger is crossed or its trailing level moves.
import { decimal, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { MarketData } from '../domain/market-data.ts';
import type { OrderSide, OrderType } from '../domain/order-request.ts';
import { advanceTrailing, isTriggeredAt, triggerFiresBelow, type TrailingPlan, type TrailingState } from '../domain/triggers.ts';

/**
 * What a trigger is for, as data: an order held locally (a stop, take-profit or trailing stop), or a level of a
 * position's plan (break-even, trailing activation) waiting like a take-profit on the exit side.
 */
export type TriggerTarget =
  | { readonly kind: 'order'; readonly orderId: string }
  | { readonly kind: 'breakEven' | 'trailingActivation'; readonly positionId: string };

type TriggerKind = TriggerTarget['kind'];

function idOf(target: TriggerTarget): string {
  return target.kind === 'order' ? target.orderId : target.positionId;
}

export interface TriggerEntry {
  readonly target: TriggerTarget;
  readonly side: OrderSide;
  readonly type: OrderType;
  triggerPrice: Decimal | undefined;
  /** Trailing stops only. */
  readonly trailing?: TrailingPlan;
  trailingState?: TrailingState;
  readonly sequence: number;
}

export interface TriggerSink {
  /** The market crossed the entry's trigger. */
  triggered(target: TriggerTarget, marketPrice: Decimal): void;
  /** A trailing stop's watermark improved, moving its trigger. */
  trailingAdvanced(orderId: string, state: TrailingState): void;
}

/** Sorted so the entry nearest to the market is first: ties keep insertion order. */
class SortedTriggers {
  readonly entries: TriggerEntry[] = [];
  constructor(private readonly nearestFirst: (a: Decimal, b: Decimal) => boolean) {}

  insert(entry: TriggerEntry): void {
    const price = entry.triggerPrice!;
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.entries[middle]!.triggerPrice!;
      if (this.nearestFirst(price, other)) high = middle;
      else low = middle + 1;
    }
    this.entries.splice(low, 0, entry);
  }

  remove(target: TriggerTarget): boolean {
    const index = this.entries.findIndex((entry) => entry.target.kind === target.kind && idOf(entry.target) === idOf(target));
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }
}

class InstrumentTriggers {
  // A stop that fires on a fall (sell stop, buy take-profit) is nearest when highest, and vice versa.
  readonly firesBelow = { sell: new SortedTriggers((a, b) => a.gt(b)), buy: new SortedTriggers((a, b) => a.gt(b)) };
  readonly firesAbove = { sell: new SortedTriggers((a, b) => a.lt(b)), buy: new SortedTriggers((a, b) => a.lt(b)) };
  readonly trailing: TriggerEntry[] = [];

  get size(): number {
    return (
      this.firesBelow.sell.entries.length +
      this.firesBelow.buy.entries.length +
      this.firesAbove.sell.entries.length +
      this.firesAbove.buy.entries.length +
      this.trailing.length
    );
  }
}

export class TriggerIndex {
  private readonly byInstrument = new Map<string, InstrumentTriggers>();
  /** The symbol each trigger waits on, per kind of target and its id. */
  private readonly symbolOf: Record<TriggerKind, Map<string, string>> = { order: new Map(), breakEven: new Map(), trailingActivation: new Map() };
  private sequence = 0;

  constructor(
    private readonly sink: TriggerSink,
    private readonly tickSizeOf: (symbol: string) => Decimal,
  ) {}

  get size(): number {
    return this.symbolOf.order.size + this.symbolOf.breakEven.size + this.symbolOf.trailingActivation.size;
  }

  has(target: TriggerTarget): boolean {
    return this.symbolOf[target.kind].has(idOf(target));
  }

  add(order: {
    target: TriggerTarget;
    symbol: string;
    side: OrderSide;
    type: OrderType;
    triggerPrice?: DecimalString;
    trailing?: TrailingPlan;
    trailingState?: TrailingState;
  }): void {
    this.remove(order.target);
    const entry: TriggerEntry = {
      target: order.target,
      side: order.side,
      type: order.type,
      triggerPrice: order.triggerPrice === undefined ? undefined : decimal(order.triggerPrice),
      trailing: order.trailing,
      trailingState: order.trailingState,
      sequence: this.sequence++,
    };
    const triggers = this.instrument(order.symbol);
    if (entry.trailing) triggers.trailing.push(entry);
    else this.sortedFor(triggers, entry).insert(entry);
    this.symbolOf[order.target.kind].set(idOf(order.target), order.symbol);
  }

  remove(target: TriggerTarget): void {
    const ids = this.symbolOf[target.kind];
    const symbol = ids.get(idOf(target));
    if (symbol === undefined) return;
    ids.delete(idOf(target));
    const triggers = this.byInstrument.get(symbol)!;
    const trailingIndex = target.kind === 'order' ? triggers.trailing.findIndex((entry) => entry.target.kind === 'order' && entry.target.orderId === target.orderId) : -1;
    if (trailingIndex >= 0) triggers.trailing.splice(trailingIndex, 1);
    else
      triggers.firesBelow.sell.remove(target) ||
        triggers.firesBelow.buy.remove(target) ||
        triggers.firesAbove.sell.remove(target) ||
        triggers.firesAbove.buy.remove(target);
    if (triggers.size === 0) this.byInstrument.delete(symbol);
  }

  /** Checks one tick. Sells are judged on the bid, buys on the ask; trades and bars on their price. */
  onMarketData(data: MarketData): void {
    const triggers = this.byInstrument.get(data.symbol);
    if (triggers === undefined) return;
    let sellPrice: Decimal | undefined;
    let buyPrice: Decimal | undefined;
    if (data.type === 'trade') sellPrice = buyPrice = data.price;
    else if (data.type === 'bar') sellPrice = buyPrice = data.close;
    else {
      sellPrice = data.bids[0]?.price;
      buyPrice = data.asks[0]?.price;
    }
    if (sellPrice !== undefined) this.check(triggers, 'sell', sellPrice, data.symbol);
    if (buyPrice !== undefined) this.check(triggers, 'buy', buyPrice, data.symbol);
  }

  private check(triggers: InstrumentTriggers, side: OrderSide, price: Decimal, symbol: string): void {
    const fired: TriggerEntry[] = [];
    const below = triggers.firesBelow[side].entries;
    while (below.length > 0 && price.lte(below[0]!.triggerPrice!)) fired.push(below.shift()!);
    const above = triggers.firesAbove[side].entries;
    while (above.length > 0 && price.gte(above[0]!.triggerPrice!)) fired.push(above.shift()!);
    if (triggers.trailing.length > 0) this.checkTrailing(triggers, side, price, symbol, fired);
    if (fired.length === 0) return;
    // Fire in the order the orders were placed, so replays are deterministic whatever the list they sat in.
    fired.sort((a, b) => a.sequence - b.sequence);
    for (const entry of fired) {
      this.symbolOf[entry.target.kind].delete(idOf(entry.target));
      this.sink.triggered(entry.target, price);
    }
    if (triggers.size === 0) this.byInstrument.delete(symbol);
  }

  private checkTrailing(triggers: InstrumentTriggers, side: OrderSide, price: Decimal, symbol: string, fired: TriggerEntry[]): void {
    const tickSize = this.tickSizeOf(symbol);
    for (let index = 0; index < triggers.trailing.length; ) {
      const entry = triggers.trailing[index]!;
      if (entry.side !== side) {
        index++;
        continue;
      }
      if (entry.triggerPrice !== undefined && isTriggeredAt(entry.side, entry.type, entry.triggerPrice, price)) {
        triggers.trailing.splice(index, 1);
        fired.push(entry);
        continue;
      }
      const next = advanceTrailing(entry.trailing!, entry.trailingState, price, tickSize);
      if (next !== undefined) {
        entry.trailingState = next;
        entry.triggerPrice = decimal(next.triggerPrice);
        if (entry.target.kind === 'order') this.sink.trailingAdvanced(entry.target.orderId, next);
      }
      index++;
    }
  }

  private instrument(symbol: string): InstrumentTriggers {
    let triggers = this.byInstrument.get(symbol);
    if (triggers === undefined) {
      triggers = new InstrumentTriggers();
      this.byInstrument.set(symbol, triggers);
    }
    return triggers;
  }

  private sortedFor(triggers: InstrumentTriggers, entry: TriggerEntry): SortedTriggers {
    return triggerFiresBelow(entry.side, entry.type) ? triggers.firesBelow[entry.side] : triggers.firesAbove[entry.side];
  }
}
