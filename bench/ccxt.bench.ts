// Bench: the ccxt venue against the Binance simulator on loopback, beside raw ccxt calls to the same
// simulator: order round trips/s (submit -> accepted, cancel -> canceled), fills/s over the user stream, and
// the time from a dropped user stream to a reconciled live link with 1,000 open orders.
import { pino } from 'pino';
import { BinanceProfile } from '../adapters/ccxt/binance-profile.ts';
import { CcxtVenue } from '../adapters/ccxt/index.ts';
import type { ExecutionReport, VenueOrder } from '../adapters/venue.ts';
import { BinanceSimulator } from '../test/fixtures/binance-simulator/simulator.ts';
import type { BenchRow } from './harness.ts';

const API_KEY = 'bench-key';
const SECRET = 'bench-secret';
const ROUND_TRIPS = 150;
const FILLS = 1_000;
const OPEN_ORDERS = 1_000;
/** The bench measures throughput, not Binance's order-count limits (100 per 10 s on spot): both sides lifted. */
const UNBOUNDED_ORDERS = [{ interval: 'SECOND' as const, intervalNum: 10, limit: 1_000_000 }];

function order(clientOrderId: string): VenueOrder {
  return { clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '25000', timeInForce: 'GTC', postOnly: false, reduceOnly: false };
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function waitFor(venue: CcxtVenue, predicate: (report: ExecutionReport) => boolean, count = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = venue.onExecutionReport((report) => {
      if (predicate(report) && ++seen === count) {
        stop();
        resolve();
      }
    });
  });
}

async function startVenue(simulator: BinanceSimulator): Promise<CcxtVenue> {
  const venue = new CcxtVenue({
    id: 'binance',
    profile: new BinanceProfile('spot'),
    apiKey: API_KEY,
    secret: SECRET,
    urls: { rest: simulator.restUrl, ws: simulator.wsUrl },
    logger: pino({ level: 'silent' }),
    quietBackfillMs: 600_000,
    initialRetryDelayMs: 1,
    maxRetryDelayMs: 1,
  });
  await venue.connect();
  return venue;
}

function rawExchange(simulator: BinanceSimulator) {
  // The same ccxt set-up the adapter's profile makes, used directly.
  return new BinanceProfile('spot').createExchange({ apiKey: API_KEY, secret: SECRET, testnet: false, urls: { rest: simulator.restUrl, ws: simulator.wsUrl }, recvWindowMs: 5000 });
}

async function roundTrips(): Promise<{ adapter: number; raw: number }> {
  const simulator = await new BinanceSimulator({ market: 'spot', apiKey: API_KEY, secret: SECRET, balances: { USDT: '1000000000', BTC: '1000' }, weightLimitPerMinute: 1_000_000, orderLimits: UNBOUNDED_ORDERS }).start();
  const venue = await startVenue(simulator);
  const raw = rawExchange(simulator);
  await raw.loadMarkets();
  try {
    const viaAdapter = async (count: number, prefix: string) => {
      for (let index = 0; index < count; index++) {
        const id = `${prefix}${index}`;
        const accepted = waitFor(venue, (report) => report.clientOrderId === id && report.type === 'accepted');
        venue.submit(order(id));
        await accepted;
        const canceled = waitFor(venue, (report) => report.clientOrderId === id && report.type === 'canceled');
        venue.cancel(id);
        await canceled;
      }
    };
    const viaRaw = async (count: number, prefix: string) => {
      for (let index = 0; index < count; index++) {
        const id = `${prefix}${index}`;
        await raw.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 25000, { clientOrderId: id });
        await raw.cancelOrder(undefined as unknown as string, 'BTC/USDT', { origClientOrderId: id });
      }
    };
    await viaAdapter(15, 'wa');
    await viaRaw(15, 'wr');
    // Alternated, best of three each, so neither side gains from going second on a busy machine.
    let adapterRate = 0;
    let rawRate = 0;
    for (let round = 0; round < 3; round++) {
      let started = process.hrtime.bigint();
      await viaRaw(ROUND_TRIPS, `r${round}-`);
      rawRate = Math.max(rawRate, ROUND_TRIPS / secondsSince(started));
      started = process.hrtime.bigint();
      await viaAdapter(ROUND_TRIPS, `a${round}-`);
      adapterRate = Math.max(adapterRate, ROUND_TRIPS / secondsSince(started));
    }
    return { adapter: adapterRate, raw: rawRate };
  } finally {
    await venue.disconnect();
    await raw.close();
    await simulator.stop();
  }
}

async function fillRate(): Promise<{ adapter: number; raw: number }> {
  const simulator = await new BinanceSimulator({ market: 'spot', apiKey: API_KEY, secret: SECRET, balances: { USDT: '1000000000', BTC: '1000' }, weightLimitPerMinute: 1_000_000, orderLimits: UNBOUNDED_ORDERS }).start();
  const WARM = 200;
  try {
    // Raw ccxt alone on the account's stream first, then the adapter alone: neither parses the other's traffic.
    const raw = rawExchange(simulator);
    await raw.loadHttpProxyAgent();
    await raw.loadMarkets();
    simulator.book.place({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '100', price: '25000', timeInForce: 'GTC', clientOrderId: 'fills-raw', reduceOnly: false });
    let rawSeen = 0;
    let watching = true;
    let target = WARM;
    let reached: () => void = () => {};
    let reaching = new Promise<void>((resolve) => (reached = resolve));
    const watcher = (async () => {
      while (watching) {
        const trades = await raw.watchMyTrades().catch(() => []);
        for (const trade of trades) if ((trade.info as { c?: string }).c === 'fills-raw' && ++rawSeen === target) reached();
      }
    })();
    while (simulator.userStreamCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let index = 0; index < WARM; index++) simulator.fill('fills-raw', '0.001');
    await reaching;
    target = WARM + FILLS;
    reaching = new Promise<void>((resolve) => (reached = resolve));
    let started = process.hrtime.bigint();
    for (let index = 0; index < FILLS; index++) simulator.fill('fills-raw', '0.001');
    await reaching;
    const rawRate = FILLS / secondsSince(started);
    watching = false;
    await raw.close();
    await watcher;

    const venue = await startVenue(simulator);
    try {
      venue.submit({ ...order('fills-adapter'), quantity: '100' });
      await waitFor(venue, (report) => report.type === 'accepted');
      const warm = waitFor(venue, (report) => report.type === 'filled', WARM);
      for (let index = 0; index < WARM; index++) simulator.fill('fills-adapter', '0.001');
      await warm;
      const fills = waitFor(venue, (report) => report.type === 'filled', FILLS);
      started = process.hrtime.bigint();
      for (let index = 0; index < FILLS; index++) simulator.fill('fills-adapter', '0.001');
      await fills;
      return { adapter: FILLS / secondsSince(started), raw: rawRate };
    } finally {
      await venue.disconnect();
    }
  } finally {
    await simulator.stop();
  }
}

async function reconnectToReconciled(): Promise<{ adapterSeconds: number; rawFetchSeconds: number }> {
  const simulator = await new BinanceSimulator({ market: 'spot', apiKey: API_KEY, secret: SECRET, balances: { USDT: '1000000000', BTC: '1000' }, weightLimitPerMinute: 1_000_000, orderLimits: UNBOUNDED_ORDERS }).start();
  for (let index = 0; index < OPEN_ORDERS; index++) {
    simulator.book.place({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '25000', timeInForce: 'GTC', clientOrderId: `open${index}`, reduceOnly: false });
  }
  const venue = await startVenue(simulator);
  const raw = rawExchange(simulator);
  await raw.loadMarkets();
  try {
    // The adapter takes the 1,000 orders over (as after a restart), then loses its stream.
    if ((await venue.openOrders()).length !== OPEN_ORDERS) throw new Error('expected 1,000 open orders');
    let started = process.hrtime.bigint();
    await raw.fetchOpenOrders('BTC/USDT');
    const rawFetchSeconds = secondsSince(started);
    // Fills missed while the link is down, for the backfill to find.
    simulator.silenceUserStreams(true);
    for (let index = 0; index < 10; index++) simulator.fill(`open${index * 100}`, '0.001');
    const fills = waitFor(venue, (report) => report.type === 'filled', 10);
    const live = new Promise<void>((resolve) => {
      let dropped = false;
      const stop = venue.onLinkStatus((status) => {
        if (status.state !== 'live') dropped = true;
        else if (dropped) {
          stop();
          resolve();
        }
      });
    });
    started = process.hrtime.bigint();
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await Promise.all([live, fills]);
    return { adapterSeconds: secondsSince(started), rawFetchSeconds };
  } finally {
    await venue.disconnect();
    await raw.close();
    await simulator.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const trips = await roundTrips();
  const fills = await fillRate();
  const reconnect = await reconnectToReconciled();
  return [
    {
      name: 'order round trips/s (submit+cancel, ccxt venue)',
      value: trips.adapter,
      unit: 'trips/s',
      baselineName: 'raw ccxt createOrder+cancelOrder',
      baselineValue: trips.raw,
      goal: '>= 80% of raw ccxt',
      met: trips.adapter >= trips.raw * 0.8,
    },
    {
      name: 'fills/s over the user stream (ccxt venue)',
      value: fills.adapter,
      unit: 'fills/s',
      baselineName: 'raw ccxt watchMyTrades',
      baselineValue: fills.raw,
      goal: '>= 80% of raw ccxt',
      met: fills.adapter >= fills.raw * 0.8,
    },
    {
      name: `stream drop -> reconciled and live, ${OPEN_ORDERS} open orders`,
      value: reconnect.adapterSeconds * 1000,
      unit: 'ms',
      baselineName: `raw ccxt fetchOpenOrders of ${OPEN_ORDERS}`,
      baselineValue: reconnect.rawFetchSeconds * 1000,
      goal: '< 5,000 ms',
      met: reconnect.adapterSeconds < 5,
    },
  ];
}
