// API order submissions over loopback HTTP, from a load generator in its own process (keep-alive connections),
// with p50/p99 latency, beside the same submissions made in-process through engine.submitOrder; then the same
// API with the SQLite journal, answering after each turn's group commit. Each order is acknowledged and filled
// by the venue, so every run measures whole lifecycles at a flat number of live orders.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ManualVenue } from '../adapters/manual/manual-venue.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { createServer } from '../src/daemon/server.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { BenchRow } from './harness.ts';

const instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});
const TOKEN = 'bench-token-0123456789abcdef';
const REQUESTS = 10_000;
const WARMUP = 1_000;
const CONNECTIONS = 16;

/**
 * A venue that acknowledges and fills each order in full right after it arrives (a microtask later, as a
 * report would come), so every submission is a whole lifecycle and the number of working orders stays flat:
 * the figure is the submission path, not the cost of an ever larger book of resting orders.
 */
function fillingVenue(clock: SimulatedClock): ManualVenue {
  const venue = new ManualVenue({ instruments: [instrument], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  let trade = 0;
  const submit = venue.submit.bind(venue);
  venue.submit = (order) => {
    submit(order);
    queueMicrotask(() => {
      venue.report({ type: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: order.clientOrderId });
      venue.report({ type: 'filled', clientOrderId: order.clientOrderId, tradeId: `t${++trade}`, quantity: order.quantity, price: order.price ?? '49000', fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    });
  };
  return venue;
}

async function startedEngine(store?: Store): Promise<{ engine: Engine }> {
  const clock = new SimulatedClock();
  const venue = fillingVenue(clock);
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'b', logger: pino({ level: 'silent' }), store });
  await engine.start();
  return { engine };
}

/** The whole API path under load: a fresh engine (with the store if given), the server, the load generator. */
async function throughApi(store?: Store): Promise<LoadResult> {
  const { engine } = await startedEngine(store);
  // No rate limit: the bench measures the API path itself, not the protection in front of it.
  const server = await createServer({ engine, token: TOKEN, rateLimit: false, journal: store });
  try {
    const loaded = await loadGenerator(server.url);
    if (engine.orderCount !== REQUESTS + WARMUP) throw new Error(`the engine holds ${engine.orderCount} orders, expected ${REQUESTS + WARMUP}`);
    if (engine.listOrders({ live: true }).length !== 0) throw new Error('orders were left working: the venue did not fill them all');
    if (store !== undefined && store.journalGaps().length > 0) throw new Error('the journal has gaps');
    return loaded;
  } finally {
    await server.close();
    await engine.stop();
    store?.close();
  }
}

interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function loadGenerator(url: string): Promise<LoadResult> {
  const script = path.join(import.meta.dirname, 'api-load-generator.mjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, url, TOKEN, String(REQUESTS), String(CONNECTIONS), String(WARMUP)], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`load generator failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as LoadResult);
    });
  });
}

/** The same orders through engine.submitOrder, one at a time: rate and per-call latency percentiles. */
async function inProcess(): Promise<LoadResult> {
  const { engine } = await startedEngine();
  const order = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '49000' } as const;
  for (let index = 0; index < WARMUP; index++) {
    engine.submitOrder(order);
    await null;
  }
  const latencies = new Float64Array(REQUESTS);
  const started = process.hrtime.bigint();
  for (let index = 0; index < REQUESTS; index++) {
    const before = process.hrtime.bigint();
    engine.submitOrder(order);
    // The venue's acknowledgement and fill arrive, as they do between two HTTP requests.
    await null;
    latencies[index] = Number(process.hrtime.bigint() - before) / 1e6;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  await engine.stop();
  return { requests: REQUESTS, seconds, perSecond: REQUESTS / seconds, p50Ms: latencies[Math.floor(REQUESTS * 0.5)]!, p99Ms: latencies[Math.floor(REQUESTS * 0.99)]! };
}

export async function run(): Promise<BenchRow[]> {
  const baseline = await inProcess();
  const loaded = await throughApi();
  // The daemon's own setting: every answer waits for the group commit (fsync) of its turn.
  const durable = await throughApi(openStore({ path: path.join(mkdtempSync(path.join(tmpdir(), 'fillstate-api-bench-')), 'fillstate.db') }));
  return [
    {
      name: `API order submissions/s (HTTP keep-alive, ${CONNECTIONS} connections, separate process; each acknowledged and filled)`,
      value: loaded.perSecond, unit: 'orders/s',
      baselineName: 'engine.submitOrder in-process', baselineValue: baseline.perSecond,
      // The HTTP layer (parsing, auth, validation, JSON, sockets) may at most double the engine's own cost.
      goal: '>= 33% of in-process', met: loaded.perSecond >= baseline.perSecond / 3,
    },
    {
      name: 'API submission latency p50', value: loaded.p50Ms, unit: 'ms',
      baselineName: 'engine.submitOrder p50', baselineValue: baseline.p50Ms,
      // With 16 requests in flight, p50 is about 16 service times: this bounds the service time to ~1.5 ms.
      goal: `<= 25 ms (${CONNECTIONS} in flight)`, met: loaded.p50Ms <= 25,
    },
    {
      name: 'API submission latency p99', value: loaded.p99Ms, unit: 'ms',
      baselineName: 'engine.submitOrder p99', baselineValue: baseline.p99Ms,
      goal: '<= 100 ms', met: loaded.p99Ms <= 100,
    },
    {
      name: 'API order submissions/s, durable (SQLite journal, each answer after its group commit)',
      value: durable.perSecond, unit: 'orders/s',
      baselineName: 'the same API without a store', baselineValue: loaded.perSecond,
      // Group commit shares one fsync among the requests of a turn, so durability must not cost one per order.
      goal: '>= 50% of without a store', met: durable.perSecond >= loaded.perSecond / 2,
    },
    {
      name: 'API durable submission latency p99', value: durable.p99Ms, unit: 'ms',
      baselineName: 'the same API without a store', baselineValue: loaded.p99Ms,
      goal: '<= 150 ms', met: durable.p99Ms <= 150,
    },
  ];
}
