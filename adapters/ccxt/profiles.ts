// The exchanges the ccxt adapter has a profile for, by configuration name and market. A new exchange's
// profile (see profile.ts for the seam) is added here and nowhere else.
import { BinanceProfile } from './binance-profile.ts';
import type { ExchangeProfile, MarketKind } from './profile.ts';

const PROFILES: Record<string, (market: MarketKind) => ExchangeProfile> = {
  binance: (market) => new BinanceProfile(market),
};

export const SUPPORTED_EXCHANGES: readonly string[] = Object.keys(PROFILES);

export function profileFor(exchange: string, market: MarketKind): ExchangeProfile {
  const create = PROFILES[exchange];
  if (create === undefined) throw new Error(`unknown exchange "${exchange}": the ccxt venue supports ${SUPPORTED_EXCHANGES.join(', ')}`);
  return create(market);
}
