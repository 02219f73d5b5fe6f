// The daemon's real HTTP server in-process with the inspector mounted, on a hand-driven venue (the test decides
// every acknowledgement and fill) and a simulated engine clock.
import { pino } from 'pino';
import { ManualVenue } from '../../adapters/manual/manual-venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createServer, type RunningServer } from '../../src/daemon/server.ts';
import { registerInspector, type InspectorBridge, type InspectorOptions } from '../../src/inspector/index.ts';

export const TOKEN = 'inspector-token-0123456789abcdef';

export const BTC = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

export interface InspectedDaemon {
  readonly clock: SimulatedClock;
  readonly venue: ManualVenue;
  readonly engine: Engine;
  server: RunningServer;
  bridge: InspectorBridge;
  readonly url: string;
  /** Closes the server (pages see it go) and starts a new one, with a new bridge, on the same port. */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  /** A JSON request to the API with the token. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startInspectedDaemon(inspectorOptions: InspectorOptions = {}, engineOptions: { readonly risk?: Parameters<typeof createEngine>[0]['risk']; readonly finishedOrdersKept?: number } = {}): Promise<InspectedDaemon> {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const venue = new ManualVenue({ instruments: [BTC], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'i', logger: pino({ level: 'silent' }), ...engineOptions });
  await engine.start();
  venue.publishMarketData({ type: 'quote', symbol: 'BTC/USDT', timestamp: clock.now(), bids: [{ price: decimal('49999.9'), quantity: decimal('5') }], asks: [{ price: decimal('50000.1'), quantity: decimal('5') }] });
  let bridge: InspectorBridge | undefined;
  const serve = (port?: number) => createServer({
    engine,
    token: TOKEN,
    rateLimit: false,
    ...(port === undefined ? {} : { port }),
    plugins: [(app, mount) => {
      bridge = registerInspector(app, mount, { sessionSecret: TOKEN, ...inspectorOptions });
    }],
  });
  const server = await serve();
  const daemon: InspectedDaemon = {
    clock,
    venue,
    engine,
    server,
    bridge: bridge!,
    url: server.url,
    async restart({ downMs = 0 } = {}) {
      await daemon.server.close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      daemon.server = await serve(daemon.server.port);
      daemon.bridge = bridge!;
    },
    async request(method, path, body) {
      const response = await fetch(`${daemon.server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await daemon.server.close();
      await engine.stop();
    },
  };
  return daemon;
}

/**
 * Leaves `count` live (open) orders in the engine. They are sells against a long position, so they reduce
 * exposure and reserve nothing: the ledger's reservation map is copied per reservation (O(N) each), which would
 * make the set-up, not the inspector, the slow part.
 */
export function openLiveOrders(daemon: InspectedDaemon, count: number): void {
  const { orderId } = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: String(count * 2) });
  daemon.venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'seed', quantity: String(count * 2), price: '50000', fee: '0', feeCurrency: 'USDT', liquidity: 'taker' });
  for (let index = 0; index < count; index++) {
    const sell = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '1', price: '51000' });
    daemon.venue.report({ type: 'accepted', clientOrderId: sell.orderId, venueOrderId: `v${index}` });
  }
}
