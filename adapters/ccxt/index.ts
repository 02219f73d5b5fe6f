// Live exchanges through ccxt: the venue, the per-exchange profile seam, and the profiles there are.
export { CcxtVenue, type CcxtVenueOptions } from './ccxt-venue.ts';
export { CcxtVenueError } from './errors.ts';
export type { ExchangeProfile, MarketKind, UrlOverride } from './profile.ts';
export { BinanceProfile } from './binance-profile.ts';
export { OkxProfile, type OkxProfileOptions } from './okx-profile.ts';
export { profileFor, SUPPORTED_EXCHANGES, type ProfileCredentials } from './profiles.ts';
