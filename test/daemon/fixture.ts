// A daemon API in-process for tests: a paper venue on a simulated clock, the engine, and the real HTTP server
// on 127.0.0.1 (port 0). Requests go over real HTTP; `settle()` moves simulated time so venue reports arrive.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import type { QuoteTick } from '../../src/domain/market-data.ts';
import type { RiskLimits } from '../../src/risk/checks.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createServer, engineEventLog, type RunningServer, type ServerPlugin } from '../../src/daemon/server.ts';
import type { EventLog } from '../../src/daemon/stream.ts';

export const TOKEN = 'test-token-0123456789abcdef';
export const SYMBOL = 'BTC/USDT';
export const INSTRUMENT = createInstrument({
  symbol: SYMBOL, base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002',
});

export interface TestDaemon {
  readonly clock: SimulatedClock;
  readonly venue: PaperVenue;
  readonly engine: Engine;
  /** The engine's event history, as the stream reads it. */
  readonly events: EventLog;
  readonly server: RunningServer;
  readonly store?: Store;
  readonly url: string;
  /** A JSON request; `token: null` sends none. Returns status, parsed body and headers. */
  request(method: string, path: string, options?: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Puts a book around `mid` (one tick spread, 5 BTC a level) and moves time so reports are delivered. */
  quote(mid: string): void;
  /** Advances simulated time so queued venue reports are delivered. */
  settle(ms?: number): void;
  close(): Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

export interface TestDaemonOptions {
  readonly risk?: RiskLimits;
  readonly rateLimit?: { perSecond: number; burst: number } | false;
  readonly streamBufferEvents?: number;
  readonly bodyLimitBytes?: number;
  /** Events the store-less engine keeps for eventsSince (default 100,000). */
  readonly eventHistory?: number;
  /** Journal to a SQLite file in a fresh temporary directory. */
  readonly store?: boolean;
  readonly plugins?: readonly ServerPlugin[];
}

export function bookAround(mid: string, timestamp: number): QuoteTick {
  const center = decimal(mid);
  const level = (offset: string) => ({ price: center.plus(offset), quantity: decimal('5') });
  return {
    type: 'quote',
    symbol: SYMBOL,
    timestamp,
    bids: ['-0.1', '-0.2', '-0.3'].map(level),
    asks: ['0.1', '0.2', '0.3'].map(level),
  };
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new PaperVenue({ clock, instruments: [INSTRUMENT], balances: { USDT: '1000000', BTC: '10' } });
  const store = options.store === true ? openStore({ path: path.join(mkdtempSync(path.join(tmpdir(), 'fillstate-api-')), 'fillstate.db') }) : undefined;
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 't', risk: options.risk, eventHistory: options.eventHistory, store });
  await engine.start();
  const events = engineEventLog(engine);
  const server = await createServer({
    engine,
    token: TOKEN,
    rateLimit: options.rateLimit ?? false,
    streamBufferEvents: options.streamBufferEvents,
    bodyLimitBytes: options.bodyLimitBytes,
    journal: store,
    plugins: options.plugins,
  });
  const daemon: TestDaemon = {
    clock,
    venue,
    engine,
    events,
    server,
    store,
    url: server.url,
    async request(method, path, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      const token = requestOptions.token === undefined ? TOKEN : requestOptions.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (requestOptions.rawBody !== undefined) body = requestOptions.rawBody;
      else if (requestOptions.body !== undefined) body = JSON.stringify(requestOptions.body);
      if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON (metrics): the text stays.
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    quote(mid) {
      venue.onMarketData(bookAround(mid, clock.now()));
      clock.advanceBy(1);
    },
    settle(ms = 10) {
      clock.advanceBy(ms);
    },
    async close() {
      await server.close();
      await engine.stop();
      store?.close();
    },
  };
  daemon.quote('50000');
  return daemon;
}

/** A journal with no gaps: sequences 1..last, each once, in order. */
export function sequenceGaps(events: readonly { sequence: number }[]): number[] {
  const gaps: number[] = [];
  events.forEach((event, index) => {
    if (event.sequence !== index + 1) gaps.push(index + 1);
  });
  return gaps;
}
