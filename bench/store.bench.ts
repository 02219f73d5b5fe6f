// The durable store: journal throughput with group commit beside one transaction per event, the engine with
// a store beside the engine without, and restart-and-recover with 10,000 open orders beside creating them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualVenue } from '../adapters/manual/manual-venue.ts';
import { PaperVenue } from '../adapters/paper/paper-venue.ts';
import { decimal } from '../src/domain/decimal.ts';
import type { DomainEvent } from '../src/domain/events.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { BenchRow } from './harness.ts';

const instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '0', makerFee: '0.001', takerFee: '0.001',
});
const silent = pino({ level: 'silent' });

function filled(sequence: number): DomainEvent {
  return {
    type: 'OrderFilled', side: 'buy', orderType: 'limit', orderId: `o${sequence >> 2}`, venue: 'paper', symbol: 'BTC/USDT', tradeId: `t${sequence}`,
    fillQuantity: '0.25', fillPrice: '50000.1', fee: '0.0125', feeCurrency: 'USDT', liquidity: 'maker',
    filledQuantity: '0.5', remainingQuantity: '0.5', averagePrice: '50000.05', late: false, sequence, timestamp: 1_767_225_600_000 + sequence,
  };
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Durable events/s when each turn of the event loop appends `perTurn` events (one transaction per turn). */
async function journalRate(directory: string, name: string, total: number, perTurn: number): Promise<number> {
  const store = openStore({ path: join(directory, `${name}.db`) });
  let sequence = 0;
  const started = process.hrtime.bigint();
  while (sequence < total) {
    for (let index = 0; index < perTurn && sequence < total; index++) store.append(filled(++sequence));
    await turn();
  }
  store.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (store.lastCommittedSequence() !== total) throw new Error(`expected ${total} committed events, got ${store.lastCommittedSequence()}`);
  store.close();
  return total / seconds;
}

/** Order lifecycles/s (submit, accept, 4 fills) with the engine's group commit running between turns. */
async function engineRate(store: Store | undefined, lifecycles: number, perTurn: number): Promise<number> {
  const clock = new SimulatedClock();
  const venue = new ManualVenue({ instruments: [instrument], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, store, logger: silent, clientOrderIdPrefix: `r${Math.random().toString(36).slice(2, 6)}` });
  await engine.start();
  const started = process.hrtime.bigint();
  for (let done = 0; done < lifecycles; done += perTurn) {
    const ids: string[] = [];
    for (let index = 0; index < perTurn; index++) ids.push(engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '50000' }).orderId);
    // With a store the orders leave after this turn's commit; the venue answers in the next turn.
    await turn();
    for (const orderId of ids) {
      venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: orderId });
      for (let fill = 0; fill < 4; fill++) {
        venue.report({ type: 'filled', clientOrderId: orderId, tradeId: `${orderId}-${fill}`, quantity: '0.25', price: '50000', fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
      }
    }
    await turn();
  }
  store?.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await engine.stop();
  return lifecycles / seconds;
}

/** Creates `count` resting orders at a paper venue through an engine with a store; returns the seconds taken. */
async function createOpenOrders(path: string, clock: SimulatedClock, venue: PaperVenue, count: number): Promise<number> {
  const store = openStore({ path });
  const engine = createEngine({ venues: [venue], clock, store, logger: silent, clientOrderIdPrefix: 'open' });
  await engine.start();
  venue.onMarketData({ type: 'quote', symbol: 'BTC/USDT', timestamp: clock.now(), bids: [{ price: decimal('50000'), quantity: decimal('10') }], asks: [{ price: decimal('50000.1'), quantity: decimal('10') }] });
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index += 500) {
    for (let inTurn = 0; inTurn < 500; inTurn++) {
      engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: (40000 + ((index + inTurn) % 1000) / 10).toFixed(1) });
    }
    await turn();
    clock.advanceBy(0);
    await turn();
  }
  store.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const open = engine.listOrders({ status: 'open' }).length;
  if (open !== count) throw new Error(`expected ${count} open orders, got ${open}`);
  await engine.stop();
  store.close();
  return seconds;
}

async function recoverOpenOrders(path: string, clock: SimulatedClock, venue: PaperVenue, count: number): Promise<{ seconds: number; engine: Engine; store: Store }> {
  const started = process.hrtime.bigint();
  const store = openStore({ path });
  const engine = createEngine({ venues: [venue], clock, store, logger: silent, clientOrderIdPrefix: 'again' });
  await engine.start();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const open = engine.listOrders({ status: 'open' }).length;
  const report = engine.recoveryReport()!;
  if (open !== count || report.venues[0]!.checked !== count || report.venues[0]!.discrepancies.length > 0) {
    throw new Error(`recovery found ${open} open orders (checked ${report.venues[0]!.checked}), expected ${count}`);
  }
  return { seconds, engine, store };
}

export async function run(): Promise<BenchRow[]> {
  const directory = mkdtempSync(join(tmpdir(), 'fillstate-bench-store-'));
  try {
    await journalRate(directory, 'warm', 5_000, 500);
    const grouped = await journalRate(directory, 'grouped', 200_000, 1_000);
    const single = await journalRate(directory, 'single', 2_000, 1);

    await engineRate(undefined, 1_000, 100);
    const withoutStore = await engineRate(undefined, 5_000, 100);
    const engineStore = openStore({ path: join(directory, 'engine.db'), logger: silent });
    const withStore = await engineRate(engineStore, 5_000, 100);
    engineStore.close();

    const count = 10_000;
    const clock = new SimulatedClock();
    const venue = new PaperVenue({ clock, instruments: [instrument], balances: { USDT: '100000000', BTC: '0' } });
    const path = join(directory, 'open-orders.db');
    const createSeconds = await createOpenOrders(path, clock, venue, count);
    const recovered = await recoverOpenOrders(path, clock, venue, count);
    await recovered.engine.stop();
    recovered.store.close();

    return [
      { name: 'durable journal events/s, group commit (1,000 events per turn, synchronous=FULL)', value: grouped, unit: 'events/s', baselineName: 'one transaction per event', baselineValue: single, goal: '>= 20,000 events/s', met: grouped >= 20_000 },
      { name: 'order lifecycles/s through the engine with the store (6 events, snapshots, intent each)', value: withStore, unit: 'lifecycles/s', baselineName: 'same engine, no store', baselineValue: withoutStore, goal: '>= 25% of no store', met: withStore >= withoutStore * 0.25 },
      { name: 'restart and recover 10,000 open orders (restore + reconcile each with the venue)', value: recovered.seconds, unit: 's', baselineName: 'creating them fresh', baselineValue: createSeconds, goal: '< 2 s', met: recovered.seconds < 2 },
    ];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
