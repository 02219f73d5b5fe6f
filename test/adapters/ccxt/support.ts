// Shared set-up for the ccxt venue tests: a Binance simulator on 127.0.0.1 and a CcxtVenue pointed at it.
import { pino } from 'pino';
import { CcxtVenue, type CcxtVenueOptions } from '../../../adapters/ccxt/index.ts';
import { BinanceProfile } from '../../../adapters/ccxt/binance-profile.ts';
import type { ExecutionReport, VenueOrder } from '../../../adapters/venue.ts';
import { BinanceSimulator, type BinanceSimulatorOptions } from '../../fixtures/binance-simulator/simulator.ts';

export const API_KEY = 'test-api-key-0123456789';
export const SECRET = 'test-secret-abcdefghijklmnop';

export interface Session {
  readonly simulator: BinanceSimulator;
  readonly venue: CcxtVenue;
  readonly reports: ExecutionReport[];
  close(): Promise<void>;
}

export async function startSimulator(market: 'spot' | 'future', options: Partial<BinanceSimulatorOptions> = {}): Promise<BinanceSimulator> {
  return new BinanceSimulator({ market, apiKey: API_KEY, secret: SECRET, ...options }).start();
}

export function createVenue(simulator: BinanceSimulator, options: Partial<CcxtVenueOptions> = {}): CcxtVenue {
  return new CcxtVenue({
    id: 'binance',
    profile: new BinanceProfile(simulator.options.market),
    apiKey: API_KEY,
    secret: SECRET,
    urls: { rest: simulator.restUrl, ws: simulator.wsUrl },
    logger: pino({ level: 'silent' }),
    quietBackfillMs: 60_000,
    resolveDelayMs: 100,
    initialRetryDelayMs: 50,
    maxRetryDelayMs: 400,
    ...options,
  });
}

export async function startSession(market: 'spot' | 'future', venueOptions: Partial<CcxtVenueOptions> = {}, simulatorOptions: Partial<BinanceSimulatorOptions> = {}): Promise<Session> {
  const simulator = await startSimulator(market, simulatorOptions);
  const venue = createVenue(simulator, venueOptions);
  const reports: ExecutionReport[] = [];
  venue.onExecutionReport((report) => reports.push(report));
  try {
    await venue.connect();
  } catch (error) {
    await venue.disconnect();
    await simulator.stop();
    throw error;
  }
  return {
    simulator,
    venue,
    reports,
    async close() {
      await venue.disconnect();
      await simulator.stop();
    },
  };
}

export function limitOrder(clientOrderId: string, overrides: Partial<VenueOrder> = {}): VenueOrder {
  return { clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '50000', timeInForce: 'GTC', postOnly: false, reduceOnly: false, ...overrides };
}

/** Waits (polling, bounded by a generous limit) until `condition` holds. */
export async function eventually(condition: () => boolean, what: string, limitMs = 8000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function reportsOf(reports: readonly ExecutionReport[], clientOrderId: string): ExecutionReport[] {
  return reports.filter((report) => report.clientOrderId === clientOrderId);
}
