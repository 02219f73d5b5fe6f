// Bench: execution quality per algorithm on the same synthetic session (implementation shortfall against the
// arrival price, beside one market order of the same size, all through the engine on the paper venue), and
// the engine's cost per TWAP slice beside the chart's own cost per slice in the same run.
import { createActor } from 'xstate';
import { createSyntheticMarket } from '../adapters/market-data/synthetic.ts';
import { PaperVenue } from '../adapters/paper/paper-venue.ts';
import { twapMachine } from '../machines/algos/twap.ts';
import type { ChildSubmission } from '../machines/algos/algo-contract.ts';
import { orderMachine } from '../machines/order.ts';
import { parseAlgoSpec } from '../src/domain/algo-params.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { decimal, ZERO, type Decimal } from '../src/domain/decimal.ts';
import { createInstrument, roundPriceToTick } from '../src/domain/instrument.ts';
import { createEngine, type AlgoRequest } from '../src/engine/engine.ts';
import { opsPerSecond, timeSeconds, type BenchRow } from './harness.ts';
import { pino } from 'pino';

const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '0', makerFee: '0', takerFee: '0' });
const START = Date.UTC(2026, 0, 1);
const SLICES = 2_000;
const INTERVAL = 1_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/**
 * The session every algorithm trades: the same seed, so the same book and trades until our own orders act (a
 * whole-tick random walk: over an hour its drift outweighs the spread, so shortfalls are of one session, not
 * an expectation). The book is deep enough (up to 1 BTC a level) for the market order to fill whole.
 */
const SESSION = { seed: 42, tickMs: 500, hours: 3 };
const QUANTITY = '2';

/** Runs TWAPs of SLICES slices, each slice filled in full and ended, for `slices` slices in all. */
function twapSlices(slices: number): void {
  let done = 0;
  while (done < slices) {
    const submitted: ChildSubmission[] = [];
    const machine = twapMachine.provide({ actions: { submitChild: (_, params) => submitted.push(params), cancelChild: () => {} } });
    const spec = parseAlgoSpec({ kind: 'twap', parentId: 'bench', symbol: 'BTC/USDT', side: 'buy', quantity: '20', horizonMs: SLICES * INTERVAL, intervalMs: INTERVAL }, BTC, START);
    const actor = createActor(machine, { input: { spec, grid: { tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001' }, createdAt: START, randomSeed: 1 } }).start();
    actor.send({ type: 'start', at: START });
    for (let index = 0; index < SLICES && done < slices; index++) {
      if (index > 0) actor.send({ type: 'timer.due', at: START + index * INTERVAL });
      const child = submitted.pop()!;
      actor.send({ type: 'child.filled', at: START + index * INTERVAL, childId: child.childId, tradeId: `t${index}`, quantity: child.quantity, price: '100' });
      actor.send({ type: 'child.ended', at: START + index * INTERVAL, childId: child.childId, status: 'filled', remaining: '0' });
      done += 1;
    }
    actor.stop();
  }
}

function orderLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const actor = createActor(orderMachine, {
      input: { request: { clientOrderId: `o${index}`, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '100', timeInForce: 'GTC', postOnly: false, reduceOnly: false }, venue: 'bench', emulated: false, createdAt: START },
    }).start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: `v${index}` });
    actor.send({ type: 'venue.filled', tradeId: `t${index}`, quantity: '0.01', price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    actor.stop();
  }
}

async function engineOn(seed: number, tickMs: number, maxLevelLots: number) {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC], balances: { USDT: '100000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'b', logger: pino({ level: 'silent' }) });
  await engine.start();
  const market = createSyntheticMarket({ instrument: BTC, seed, startPrice: '50000', startTime: START + tickMs, intervalMs: tickMs, tradeShare: 0.4, maxLevelLots });
  /** Feeds ticks until `until`, or until `stop` holds (asked every 100 ticks: a view costs more than a tick). */
  const feed = (until: number, stop?: () => boolean) => {
    for (let count = 0; ; count++) {
      if (count % 100 === 0 && stop?.()) return;
      const tick = market.next();
      clock.advanceTo(tick.timestamp);
      venue.onMarketData(tick);
      if (tick.timestamp >= until) return;
    }
  };
  feed(START + 10 * tickMs);
  return { clock, venue, engine, feed };
}

interface Execution {
  /** Average fill price less the arrival price (the mid when the decision was made), in USDT per BTC bought. */
  readonly shortfall: number;
  readonly filled: Decimal;
}

/** One buy of QUANTITY on the session: an algorithm, or a single market order (`request` undefined). */
async function execute(request: ((arrival: Decimal) => AlgoRequest) | undefined): Promise<Execution> {
  const { clock, engine, feed } = await engineOn(SESSION.seed, SESSION.tickMs, 1_000);
  const arrival = engine.marketPrice('BTC/USDT')!;
  let notional = ZERO;
  let filled = ZERO;
  let parentId: string | undefined;
  let orderId: string | undefined;
  engine.subscribe((event) => {
    if (event.type !== 'OrderFilled') return;
    if (event.parentId !== undefined ? event.parentId !== parentId : event.orderId !== orderId) return;
    notional = notional.plus(decimal(event.fillQuantity).times(event.fillPrice));
    filled = filled.plus(event.fillQuantity);
  });
  if (request === undefined) orderId = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: QUANTITY }).orderId;
  else parentId = engine.submitAlgo(request(arrival)).algoId;
  feed(clock.now() + SESSION.hours * HOUR, () => (parentId !== undefined ? !engine.getAlgo(parentId)!.live : engine.getOrder(orderId!)!.live === false));
  await engine.stop();
  const average = filled.gt(ZERO) ? notional.div(filled) : arrival;
  return { shortfall: Number(average.minus(arrival).toFixed(4)), filled };
}

const ALGORITHMS: Array<[string, (arrival: Decimal) => AlgoRequest]> = [
  ['TWAP 1 h, 1-min taker slices', () => ({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: QUANTITY, horizonMs: HOUR, intervalMs: MINUTE })],
  ['VWAP 1 h, U-shaped profile', () => ({ kind: 'vwap', symbol: 'BTC/USDT', side: 'buy', quantity: QUANTITY, horizonMs: HOUR, intervalMs: 5 * MINUTE, profile: ['3', '2', '1.5', '1', '1', '1', '1', '1', '1', '1.5', '2', '3'] })],
  ['POV 10 %', () => ({ kind: 'pov', symbol: 'BTC/USDT', side: 'buy', quantity: QUANTITY, targetRate: '0.1', minSlice: '0.005', maxSlice: '0.05' })],
  ['iceberg, limit at arrival + 5 ticks (rests at the touch), 0.05 shown', (arrival) => ({ kind: 'iceberg', symbol: 'BTC/USDT', side: 'buy', quantity: QUANTITY, limitPrice: roundPriceToTick(BTC, arrival.plus('0.5')).toFixed(), displayQuantity: '0.05' })],
  ['chase at the bid, crosses after 10 min', () => ({ kind: 'chase', symbol: 'BTC/USDT', side: 'buy', quantity: QUANTITY, crossAfterMs: 10 * MINUTE, repriceTicks: 2 })],
];

/** Engine slices/s: a TWAP of SLICES one-second slices on the paper venue, one quote per second. */
async function engineSlicesPerSecond(): Promise<number> {
  const { engine, feed, clock } = await engineOn(7, INTERVAL, 2_000);
  const algo = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '20', horizonMs: SLICES * INTERVAL, intervalMs: INTERVAL });
  const seconds = timeSeconds(() => feed(clock.now() + SLICES * INTERVAL + 5 * INTERVAL, () => !engine.getAlgo(algo.algoId)!.live));
  const sent = engine.getAlgo(algo.algoId)!.childrenSent;
  await engine.stop();
  return sent / seconds;
}

export async function run(): Promise<BenchRow[]> {
  const market = await execute(undefined);
  const rows: BenchRow[] = [];
  for (const [name, request] of ALGORITHMS) {
    const result = await execute(request);
    rows.push({
      name: `${name}: implementation shortfall, buying ${QUANTITY} BTC (filled ${result.filled.toFixed()})`,
      value: result.shortfall,
      unit: 'USDT/BTC',
      baselineName: `one market order of ${QUANTITY} BTC (filled ${market.filled.toFixed()})`,
      baselineValue: market.shortfall,
      goal: 'below the market order (less impact), on this session',
      met: result.shortfall < market.shortfall && result.filled.eq(QUANTITY),
    });
  }
  const chart = opsPerSecond(4_000, twapSlices);
  const lifecycles = opsPerSecond(4_000, orderLifecycles);
  const engine = Math.max(await engineSlicesPerSecond(), await engineSlicesPerSecond());
  rows.push(
    {
      name: 'TWAP slices/s (chart only: timer, submit, fill, end)',
      value: chart,
      unit: '/s',
      baselineName: 'order chart lifecycles/s (submit, accept, fill)',
      baselineValue: lifecycles,
      goal: '>= 50% of an order lifecycle: a slice costs no more than its child order twice',
      met: chart >= lifecycles * 0.5,
    },
    {
      name: 'TWAP slices/s through the engine (timer, risk gate, child order, paper venue, fill, end, one quote a second)',
      value: engine,
      unit: '/s',
      baselineName: 'the TWAP chart alone',
      baselineValue: chart,
      goal: ">= 10% of the chart alone: the engine's overhead per slice is at most 9 charts' worth",
      met: engine >= chart * 0.1,
    },
  );
  return rows;
}
