// Order lifecycles through the engine beside bare XState and a hand-written reducer; spawn cost and heap per
// open order as the number of orders grows.
import { createActor, createMachine } from 'xstate';
import { ManualVenue } from '../adapters/manual/manual-venue.ts';
import { orderMachine } from '../machines/order.ts';
import { portfolioMachine } from '../machines/portfolio.ts';
import { positionMachine } from '../machines/position.ts';
import { decimal, type DecimalString } from '../src/domain/decimal.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { heapUsedAfterGc, opsPerSecond, settledHeapUsed, type BenchRow } from './harness.ts';

const instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

/** Three partial fills, then the fill that completes the order. */
const FILLS = [
  { quantity: '0.25', price: '50000' },
  { quantity: '0.25', price: '49999.9' },
  { quantity: '0.25', price: '49999.8' },
  { quantity: '0.25', price: '49999.7' },
] as const;

async function startedEngine(): Promise<{ engine: Engine; venue: ManualVenue }> {
  const clock = new SimulatedClock();
  const venue = new ManualVenue({ instruments: [instrument], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'b' });
  await engine.start();
  return { engine, venue };
}

const limitBuy = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '50000' } as const;

function engineLifecycles(engine: Engine, venue: ManualVenue, count: number): void {
  for (let index = 0; index < count; index++) {
    const { orderId } = engine.submitOrder(limitBuy);
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: orderId });
    for (let fill = 0; fill < FILLS.length; fill++) {
      const { quantity, price } = FILLS[fill]!;
      venue.report({ type: 'filled', clientOrderId: orderId, tradeId: `${orderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    }
  }
}

function bareXStateLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const clientOrderId = `x${index}`;
    const actor = createActor(orderMachine, {
      input: { request: { ...limitBuy, clientOrderId, timeInForce: 'GTC', postOnly: false, reduceOnly: false }, venue: 'manual', emulated: false, createdAt: 0 },
    });
    actor.start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: clientOrderId });
    for (let fill = 0; fill < FILLS.length; fill++) {
      const { quantity, price } = FILLS[fill]!;
      actor.send({ type: 'venue.filled', tradeId: `${clientOrderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    }
  }
}

/**
 * The three actors the engine drives per lifecycle, bare: the order chart; the portfolio's ledger (a reservation,
 * each fill, the release); and the instrument's netted position, which every fill changes. The floor for the
 * engine's actor topology, before any of its own work (gate, routing, events, reactions).
 */
function bareEngineActorsLifecycles(count: number): void {
  const portfolio = createActor(portfolioMachine);
  portfolio.start();
  portfolio.send({ type: 'ledger.load', balances: { USDT: '1000000000000', BTC: '0' } });
  const position = createActor(positionMachine, {
    input: { positionId: 'p', venue: 'manual', symbol: 'BTC/USDT', direction: 'long', createdAt: 0, tickSize: '0.1', lotSize: '0.001', feeRate: '0.001' },
  });
  position.start();
  for (let index = 0; index < count; index++) {
    const clientOrderId = `t${index}`;
    const order = createActor(orderMachine, {
      input: { request: { ...limitBuy, clientOrderId, timeInForce: 'GTC', postOnly: false, reduceOnly: false }, venue: 'manual', emulated: false, createdAt: 0 },
    });
    order.start();
    portfolio.send({ type: 'ledger.reserve', orderId: clientOrderId, currency: 'USDT', amount: '50050' });
    order.send({ type: 'submit' });
    order.send({ type: 'venue.accepted', venueOrderId: clientOrderId });
    for (let fill = 0; fill < FILLS.length; fill++) {
      const { quantity, price } = FILLS[fill]!;
      order.send({ type: 'venue.filled', tradeId: `${clientOrderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
      portfolio.send({ type: 'ledger.fill', orderId: clientOrderId, side: 'buy', base: 'BTC', quote: 'USDT', quantity, price, fee: '0.01', feeCurrency: 'USDT' });
      position.send({ type: 'fill', orderId: clientOrderId, timestamp: 0, side: 'buy', quantity, price, fee: '0.01' });
      if (index === 0 && fill === 0) position.send({ type: 'entryComplete' });
    }
    portfolio.send({ type: 'ledger.release', orderId: clientOrderId });
  }
  if (position.getSnapshot().context.quantity !== decimal(count).toFixed()) throw new Error('bare position missed fills');
}

/**
 * The floor for any XState runtime: a machine with the order chart's states on the same events and no
 * actions, guards or context (the last fill is flagged on the event).
 */
const minimalOrderMachine = createMachine({
  initial: 'pending',
  states: {
    pending: { on: { submit: 'submitted' } },
    submitted: { on: { 'venue.accepted': 'open' } },
    open: { on: { 'venue.filled': [{ guard: ({ event }) => event.last === true, target: 'filled' }, { target: 'partial' }] } },
    partial: { on: { 'venue.filled': [{ guard: ({ event }) => event.last === true, target: 'filled' }, { target: 'partial' }] } },
    filled: { type: 'final' },
  },
});

function minimalXStateLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    const actor = createActor(minimalOrderMachine);
    actor.start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted' });
    for (let fill = 0; fill < FILLS.length; fill++) actor.send({ type: 'venue.filled', last: fill === FILLS.length - 1 });
    if (actor.getSnapshot().value !== 'filled') throw new Error('minimal lifecycle did not fill');
  }
}

/**
 * Heap after `small` and after `large` finished lifecycles through one engine (finished orders leave memory
 * a grace period after they end; the clock moves a second per 1,000 lifecycles).
 */
async function heapAfterFinished(small: number, large: number): Promise<{ small: number; large: number }> {
  const clock = new SimulatedClock();
  const venue = new ManualVenue({ instruments: [instrument], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'h', finishedGraceMs: 1_000 });
  await engine.start();
  const runTo = (total: number, done: number) => {
    for (let count = done; count < total; count += 1_000) {
      engineLifecycles(engine, venue, Math.min(1_000, total - count));
      clock.advanceBy(1_000);
    }
  };
  runTo(small, 0);
  clock.advanceBy(2_000);
  const atSmall = await settledHeapUsed();
  runTo(large, small);
  clock.advanceBy(2_000);
  const atLarge = await settledHeapUsed();
  await engine.stop();
  return { small: atSmall, large: atLarge };
}

interface ReducerOrder {
  status: 'submitted' | 'open' | 'partial' | 'filled';
  quantity: DecimalString;
  filled: DecimalString;
  notional: DecimalString;
  fee: DecimalString;
  tradeIds: string[];
}

/** The same lifecycle with no statechart at all: the floor any runtime is measured against. */
function reduce(order: ReducerOrder, event: { type: 'accepted' } | { type: 'filled'; tradeId: string; quantity: string; price: string; fee: string }): ReducerOrder {
  if (event.type === 'accepted') return order.status === 'submitted' ? { ...order, status: 'open' } : order;
  if (order.tradeIds.includes(event.tradeId)) return order;
  const filled = decimal(order.filled).plus(event.quantity);
  if (filled.gt(order.quantity)) return order;
  return {
    status: filled.eq(order.quantity) ? 'filled' : 'partial',
    quantity: order.quantity,
    filled: filled.toFixed(),
    notional: decimal(order.notional).plus(decimal(event.quantity).times(event.price)).toFixed(),
    fee: decimal(order.fee).plus(event.fee).toFixed(),
    tradeIds: [...order.tradeIds, event.tradeId],
  };
}

function reducerLifecycles(count: number): void {
  for (let index = 0; index < count; index++) {
    let order: ReducerOrder = { status: 'submitted', quantity: '1', filled: '0', notional: '0', fee: '0', tradeIds: [] };
    order = reduce(order, { type: 'accepted' });
    for (let fill = 0; fill < FILLS.length; fill++) {
      order = reduce(order, { type: 'filled', tradeId: `r${index}-${fill}`, ...FILLS[fill]!, fee: '0.01' });
    }
    if (order.status !== 'filled') throw new Error('reducer lifecycle did not fill');
  }
}

/**
 * Seconds per order to submit a batch of open orders once `existing` are already open. A full collection
 * runs first, so a major GC of the big heap landing inside a 100-order batch does not decide the figure:
 * what is measured is the spawn path itself (XState's O(N) children-map copy is the regression to catch).
 */
async function spawnCostAt(existing: number, batch: number): Promise<number> {
  const { engine } = await startedEngine();
  for (let index = 0; index < existing - batch; index++) engine.submitOrder(limitBuy);
  heapUsedAfterGc();
  const started = process.hrtime.bigint();
  for (let index = 0; index < batch; index++) engine.submitOrder(limitBuy);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9 / batch;
  await engine.stop();
  return seconds;
}

async function heapPerOpenOrder(count: number): Promise<number> {
  const { engine, venue } = await startedEngine();
  // Engines of earlier measurements are let go only after their queued callbacks have run: without settling
  // first, their heap was freed during this measurement and the figure came out negative.
  const before = await settledHeapUsed();
  for (let index = 0; index < count; index++) {
    const { orderId } = engine.submitOrder(limitBuy);
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: orderId });
  }
  const after = heapUsedAfterGc();
  if (engine.orderCount !== count) throw new Error('orders went missing');
  await engine.stop();
  return (after - before) / count;
}

export async function run(): Promise<BenchRow[]> {
  const lifecycles = 20_000;
  const { engine, venue } = await startedEngine();
  const engineRate = opsPerSecond(lifecycles, (count) => engineLifecycles(engine, venue, count));
  await engine.stop();
  const bareRate = opsPerSecond(lifecycles, bareXStateLifecycles);
  const bareActorsRate = opsPerSecond(lifecycles, bareEngineActorsLifecycles);
  const minimalRate = opsPerSecond(lifecycles, minimalXStateLifecycles);
  const reducerRate = opsPerSecond(lifecycles, reducerLifecycles);

  // Warm the JIT on a throwaway engine so the early batch is not charged for compilation; best of three.
  await spawnCostAt(2_000, 100);
  const spawnEarly = Math.min(await spawnCostAt(100, 100), await spawnCostAt(100, 100), await spawnCostAt(100, 100));
  const spawnLate = Math.min(await spawnCostAt(100_000, 100), await spawnCostAt(100_000, 100), await spawnCostAt(100_000, 100));

  const heap10k = await heapPerOpenOrder(10_000);
  const heap100k = await heapPerOpenOrder(100_000);
  const bareHeap = await bareActorHeap(10_000);
  const finishedLarge = Number(process.env.FILLSTATE_BENCH_FINISHED ?? 1_000_000);
  const finished = await heapAfterFinished(10_000, finishedLarge);

  return [
    { name: 'order lifecycles/s through the engine (submit, accept, 3 partial fills, filled)', value: engineRate, unit: 'lifecycles/s', baselineName: 'bare XState actor', baselineValue: bareRate, goal: '>= 50% of bare XState', met: engineRate >= bareRate * 0.5 },
    { name: 'order lifecycles/s through the engine, beside the three actors it drives bare', value: engineRate, unit: 'lifecycles/s', baselineName: 'order + portfolio ledger + netted position actors, no engine', baselineValue: bareActorsRate, goal: 'reference', met: true },
    { name: 'bare order actor lifecycles/s (the order chart alone)', value: bareRate, unit: 'lifecycles/s', baselineName: 'minimal XState machine, same states, no actions', baselineValue: minimalRate, goal: '>= 33% of the minimal machine', met: bareRate >= minimalRate * 0.33 },
    { name: `heap after ${finishedLarge.toLocaleString('en-US')} finished order lifecycles`, value: finished.large / 1_048_576, unit: 'MiB', baselineName: 'after 10,000', baselineValue: finished.small / 1_048_576, goal: '<= 1.2x after 10,000', met: finished.large <= finished.small * 1.2 },
    { name: 'order lifecycles/s, hand-written reducer', value: reducerRate, unit: 'lifecycles/s', baselineName: 'bare XState actor', baselineValue: bareRate, goal: 'reference', met: true },
    { name: 'cost to start the 100,000th open order', value: spawnLate * 1e6, unit: 'µs/order', baselineName: 'the 100th', baselineValue: spawnEarly * 1e6, goal: '<= 2x the 100th', met: spawnLate <= spawnEarly * 2 },
    { name: 'heap per open order at 10,000', value: heap10k, unit: 'bytes', baselineName: 'bare XState actor, same machine', baselineValue: bareHeap, goal: '<= 4096 bytes', met: heap10k > 0 && heap10k <= 4096 },
    { name: 'heap per open order at 100,000', value: heap100k, unit: 'bytes', baselineName: 'bare XState actor, same machine', baselineValue: bareHeap, goal: '<= 4096 bytes', met: heap100k > 0 && heap100k <= 4096 },
  ];
}

async function bareActorHeap(count: number): Promise<number> {
  const actors: unknown[] = [];
  const before = await settledHeapUsed();
  for (let index = 0; index < count; index++) {
    const clientOrderId = `h${index}`;
    const actor = createActor(orderMachine, {
      input: { request: { ...limitBuy, clientOrderId, timeInForce: 'GTC', postOnly: false, reduceOnly: false }, venue: 'manual', emulated: false, createdAt: 0 },
    });
    actor.start();
    actor.send({ type: 'submit' });
    actor.send({ type: 'venue.accepted', venueOrderId: clientOrderId });
    actors.push(actor);
  }
  const after = heapUsedAfterGc();
  if (actors.length !== count) throw new Error('unreachable');
  return (after - before) / count;
}
