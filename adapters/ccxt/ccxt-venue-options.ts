// The ccxt venue's configuration: which exchange and profile, credentials (from the environment), base URL
// overrides, timings of the stream checks and the unknown-outcome queries, rate limits and futures settings.
import type { Logger } from 'pino';
import type { Clock } from '../../src/domain/clock.ts';
import type { ExchangeProfile, UrlOverride } from './profile.ts';

export interface CcxtVenueOptions {
  /** The venue id orders name. */
  readonly id: string;
  readonly profile: ExchangeProfile;
  /** Credentials (from the environment; never logged). */
  readonly apiKey: string;
  readonly secret: string;
  readonly testnet?: boolean;
  readonly urls?: UrlOverride;
  /** Connects, loads instruments and balances, and refuses every order with the reason. */
  readonly dryRun?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Only these symbols are traded (default: every active market with usable filters). */
  readonly symbols?: readonly string[];
  /** Binance recvWindow; also how long an order not found after an unknown outcome may still appear. Default 5000 ms. */
  readonly recvWindowMs?: number;
  /** With no stream message for this long, REST backfill checks the working orders. Default 15000 ms. */
  readonly quietBackfillMs?: number;
  /** ccxt's WebSocket ping interval: no pong for two intervals closes the socket. Default 10000 ms. */
  readonly keepAliveMs?: number;
  /** After an unknown outcome, the first status query comes after this; default 500 ms. */
  readonly resolveDelayMs?: number;
  /** Request weight per minute (default: what the exchange states, else its documented limit). */
  readonly weightLimitPerMinute?: number;
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly maxReconnectAttempts?: number;
  /** Futures: leverage and margin mode set per symbol at connect. */
  readonly leverage?: Readonly<Record<string, number>>;
  readonly marginMode?: Readonly<Record<string, 'isolated' | 'cross'>>;
}
