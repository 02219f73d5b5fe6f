// Shared setup for the WebSocket venue tests: a real paper venue server on 127.0.0.1, clients with short
// heartbeats and backoff, and a bounded wait for conditions that arrive over the network.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { decimal } from '../../../src/domain/decimal.ts';
import type { QuoteTick, TradeTick } from '../../../src/domain/market-data.ts';
import { startPaperVenueServer, type PaperVenueServer, type PaperVenueServerOptions } from '../../../adapters/paper-server/index.ts';
import { WebSocketVenue, type WebSocketVenueOptions } from '../../../adapters/websocket-venue/index.ts';
import type { VenueConnectionStateName } from '../../../machines/venue-connection.ts';
import type { ExecutionReport, VenueOrder } from '../../../adapters/venue.ts';

export const TOKEN = 'test-token-0123456789';
export const SYMBOL = 'BTC/USDT';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A server torn down after the test. `market: false` unless given: ticks then come only from the test. */
export async function startServer(options: Partial<PaperVenueServerOptions> = {}): Promise<PaperVenueServer> {
  const server = await startPaperVenueServer({ token: TOKEN, market: false, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 2_000, ...options });
  onCleanup(() => server.close());
  return server;
}

export interface ClientProbe {
  readonly venue: WebSocketVenue;
  readonly reports: ExecutionReport[];
  /** Every connection state entered, in order. */
  readonly states: VenueConnectionStateName[];
  /** The connection state at the moment each report was delivered. */
  readonly deliveredIn: VenueConnectionStateName[];
}

/** A client with 50 ms heartbeats (dead after 500 ms of silence) and 20 ms first backoff, recording what it sees. */
export function createClient(server: { readonly url: string }, options: Partial<WebSocketVenueOptions> = {}): ClientProbe {
  const venue = new WebSocketVenue({
    id: 'paper',
    url: server.url,
    token: TOKEN,
    heartbeatIntervalMs: 50,
    heartbeatTimeoutMs: 500,
    requestTimeoutMs: 5_000,
    initialRetryDelayMs: 20,
    maxRetryDelayMs: 200,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  onCleanup(() => venue.disconnect());
  const probe: ClientProbe = { venue, reports: [], states: [], deliveredIn: [] };
  venue.onExecutionReport((report) => {
    probe.reports.push(report);
    probe.deliveredIn.push(venue.connectionState());
  });
  venue.onConnectionState((status) => probe.states.push(status.state));
  return probe;
}

/** Polls until `condition` holds; a generous bound only turns a hang into a clear failure. */
export async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function quote(bid: string, ask: string, size = '5'): QuoteTick {
  return {
    type: 'quote',
    symbol: SYMBOL,
    timestamp: Date.now(),
    bids: [{ price: decimal(bid), quantity: decimal(size) }],
    asks: [{ price: decimal(ask), quantity: decimal(size) }],
  };
}

export function trade(price: string, quantity: string, aggressor: 'buy' | 'sell'): TradeTick {
  return { type: 'trade', symbol: SYMBOL, timestamp: Date.now(), price: decimal(price), quantity: decimal(quantity), aggressor };
}

export function limitBuy(clientOrderId: string, price: string, quantity = '0.01'): VenueOrder {
  return { clientOrderId, symbol: SYMBOL, side: 'buy', type: 'limit', quantity, price, timeInForce: 'GTC', postOnly: false, reduceOnly: false };
}

export function marketBuy(clientOrderId: string, quantity = '0.01'): VenueOrder {
  return { clientOrderId, symbol: SYMBOL, side: 'buy', type: 'market', quantity, timeInForce: 'IOC', postOnly: false, reduceOnly: false };
}
