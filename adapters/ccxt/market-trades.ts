// Public trades of the traded symbols through ccxt's watchTrades, read from the raw messages as exact decimals;
// a dropped market stream is resubscribed after a second, until the subscription is ended.
import { decimal } from '../../src/domain/decimal.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';
import type { VenueCore } from './order-writes.ts';

export function watchMarketTrades(core: Pick<VenueCore, 'id' | 'exchange' | 'profile' | 'clock' | 'logger'>, symbols: readonly string[], listener: MarketDataListener): () => void {
  let active = true;
  for (const symbol of symbols) {
    void (async () => {
      while (active) {
        try {
          const trades = await core.exchange.watchTrades(symbol);
          for (const trade of trades) {
            const raw = core.profile.marketTradeFromRaw(trade.info);
            if (!active || raw === undefined) continue;
            listener({ type: 'trade', symbol, timestamp: raw.timestamp || core.clock.now(), price: decimal(raw.price), quantity: decimal(raw.quantity), aggressor: raw.aggressor });
          }
        } catch (error) {
          if (!active) return;
          core.logger.debug({ err: error, symbol }, `venue ${core.id}: market stream for ${symbol} dropped; resubscribing`);
          await new Promise<void>((resolve) => core.clock.setTimeout(resolve, 1000));
        }
      }
    })();
  }
  return () => {
    active = false;
  };
}
