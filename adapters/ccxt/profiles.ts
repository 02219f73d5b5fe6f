// The exchanges the ccxt adapter has a profile for, by configuration name and market. A new exchange's
// profile (see profile.ts for the seam) is added here and nowhere else.
import { BinanceProfile } from './binance-profile.ts';
import { OkxProfile } from './okx-profile.ts';
import type { ExchangeProfile, MarketKind } from './profile.ts';

/** What some exchanges need beyond key and secret (OKX: the key's passphrase), from the environment. */
export interface ProfileCredentials {
  readonly passphrase?: string;
}

const PROFILES: Record<string, (market: MarketKind, credentials: ProfileCredentials) => ExchangeProfile> = {
  binance: (market) => new BinanceProfile(market),
  okx: (market, credentials) => new OkxProfile(market, credentials),
};

export const SUPPORTED_EXCHANGES: readonly string[] = Object.keys(PROFILES);

export function profileFor(exchange: string, market: MarketKind, credentials: ProfileCredentials = {}): ExchangeProfile {
  const create = PROFILES[exchange];
  if (create === undefined) throw new Error(`unknown exchange "${exchange}": the ccxt venue supports ${SUPPORTED_EXCHANGES.join(', ')}`);
  return create(market, credentials);
}
