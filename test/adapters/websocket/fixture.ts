// Shared setup for the WebSocket venue tests: a real paper venue server on 127.0.0.1, and clients whose timers
// (heartbeats, retry backoff, request timeouts) run on a simulated clock that only the test moves. So a busy
// machine never makes a client miss heartbeats or retry early: tests wait for events, and move time on purpose.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { decimal } from '../../../src/domain/decimal.ts';
import { SimulatedClock } from '../../../src/domain/clock.ts';
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
  // The server's own heartbeat check runs on wall time; its timeout is far beyond any stall of a busy machine.
  const server = await startPaperVenueServer({ token: TOKEN, market: false, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 20_000, ...options });
  onCleanup(() => server.close());
  return server;
}

export interface ClientProbe {
  readonly venue: WebSocketVenue;
  /** The client's clock: it moves only when the test moves it (missHeartbeats, reconnectUntil). */
  readonly clock: SimulatedClock;
  readonly reports: ExecutionReport[];
  /** Every connection state entered, in order. */
  readonly states: VenueConnectionStateName[];
  /** The connection state at the moment each report was delivered. */
  readonly deliveredIn: VenueConnectionStateName[];
}

const HEARTBEAT_INTERVAL_MS = 50;
const MAX_RETRY_DELAY_MS = 200;

/**
 * A client with 50 ms heartbeats (dead after 500 ms of silence) and 20 to 200 ms backoff, on its own simulated
 * clock, recording what it sees.
 */
export function createClient(server: { readonly url: string }, options: Partial<WebSocketVenueOptions> = {}): ClientProbe {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new WebSocketVenue({
    clock,
    id: 'paper',
    url: server.url,
    token: TOKEN,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: 500,
    requestTimeoutMs: 5_000,
    initialRetryDelayMs: 20,
    maxRetryDelayMs: MAX_RETRY_DELAY_MS,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  onCleanup(() => venue.disconnect());
  const probe: ClientProbe = { venue, clock, reports: [], states: [], deliveredIn: [] };
  venue.onExecutionReport((report) => {
    probe.reports.push(report);
    probe.deliveredIn.push(venue.connectionState());
  });
  venue.onConnectionState((status) => probe.states.push(status.state));
  return probe;
}

/** Lets network I/O and the event loop run. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * Waits until `condition` holds, as events arrive. The number of polls is bounded only so that a hang fails
 * with what it waited for rather than as a bare test timeout; no test depends on how long anything takes.
 */
export async function waitFor(condition: () => boolean, what: string, step: () => void = () => {}): Promise<void> {
  for (let polls = 0; !condition(); polls++) {
    if (polls > 5_000) throw new Error(`gave up waiting for ${what}`);
    step();
    await yieldToIo();
  }
}

/**
 * Waits for `condition` while letting the client reconnect: whenever it is waiting to retry, its clock moves to
 * the retry; nothing else moves it.
 */
export function reconnectUntil(probe: ClientProbe, condition: () => boolean, what: string): Promise<void> {
  return waitFor(condition, what, () => {
    if (probe.venue.connectionState() === 'reconnecting') probe.clock.advanceBy(MAX_RETRY_DELAY_MS);
  });
}

/** Moves the client's clock on one heartbeat at a time until it declares a silent stream dead. */
export function missHeartbeats(probe: ClientProbe): Promise<void> {
  return waitFor(() => probe.venue.connectionState() !== 'live', 'the client to declare the stream dead', () => probe.clock.advanceBy(HEARTBEAT_INTERVAL_MS));
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
