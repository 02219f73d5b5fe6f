// The market data a WebSocket venue client's callers subscribed to: by symbol, handed to each matching
// listener, and named again to the server after every reconnect.
import type { MarketData, MarketDataListener } from '../../src/domain/market-data.ts';

interface MarketSubscription {
  readonly symbols: ReadonlySet<string>;
  readonly listener: MarketDataListener;
}

export class MarketSubscriptions {
  private readonly subscriptions = new Set<MarketSubscription>();

  /** Returns the unsubscribe function. */
  add(symbols: readonly string[], listener: MarketDataListener): () => void {
    const subscription: MarketSubscription = { symbols: new Set(symbols), listener };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  publish(data: MarketData): void {
    for (const subscription of this.subscriptions) {
      if (subscription.symbols.has(data.symbol)) subscription.listener(data);
    }
  }

  /** Every symbol someone subscribed to, once each. */
  symbols(): string[] {
    const symbols = new Set<string>();
    for (const subscription of this.subscriptions) for (const symbol of subscription.symbols) symbols.add(symbol);
    return [...symbols];
  }
}
