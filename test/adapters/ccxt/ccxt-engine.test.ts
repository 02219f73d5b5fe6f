// The engine (createEngine, public API only) trading through the ccxt venue against the Binance simulator:
// the order lifecycle end to end, and a restart with orders open, filled and canceled while it was down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CcxtVenue } from '../../../adapters/ccxt/index.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { createEngine, type Engine } from '../../../src/engine/engine.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import type { BinanceSimulator } from '../../fixtures/binance-simulator/simulator.ts';
import { createVenue, eventually, startSimulator } from './support.ts';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startEngine(simulator: BinanceSimulator, store?: Store): Promise<{ engine: Engine; venue: CcxtVenue; events: DomainEvent[] }> {
  const venue = createVenue(simulator, { symbols: ['BTC/USDT'] });
  const engine = createEngine({ venues: [venue], logger: silent, ...(store !== undefined ? { store } : {}) });
  const events: DomainEvent[] = [];
  engine.subscribe((event) => events.push(event));
  await engine.start();
  return { engine, venue, events };
}

describe('the engine through the ccxt venue (Binance simulator)', () => {
  it('submit -> partial -> fill on one order, submit -> partial -> cancel on another', async () => {
    const simulator = await startSimulator('spot');
    cleanups.push(() => simulator.stop());
    const { engine, events } = await startEngine(simulator);
    cleanups.push(() => engine.stop());

    const first = engine.submitOrder({ clientOrderId: 'e2e-fill', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.02', price: '50000' });
    await eventually(() => engine.getOrder(first.orderId)?.status === 'open', 'open');
    simulator.fill('e2e-fill', '0.005');
    await eventually(() => engine.getOrder(first.orderId)?.status === 'partial', 'partial');
    expect(engine.getOrder(first.orderId)).toMatchObject({ filledQuantity: '0.005', remainingQuantity: '0.015' });
    simulator.fill('e2e-fill', '0.015', '49999.5');
    await eventually(() => engine.getOrder(first.orderId)?.status === 'filled', 'filled');
    expect(engine.getOrder(first.orderId)).toMatchObject({ filledQuantity: '0.02', fees: { BTC: '0.00002' } });

    const second = engine.submitOrder({ clientOrderId: 'e2e-cancel', symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.01', price: '60000' });
    await eventually(() => engine.getOrder(second.orderId)?.status === 'open', 'open');
    simulator.fill('e2e-cancel', '0.004');
    await eventually(() => engine.getOrder(second.orderId)?.status === 'partial', 'partial');
    engine.cancelOrder(second.orderId);
    await eventually(() => engine.getOrder(second.orderId)?.status === 'canceled', 'canceled');
    expect(engine.getOrder(second.orderId)).toMatchObject({ filledQuantity: '0.004' });
    expect(simulator.orderByClientId('e2e-cancel')?.status).toBe('CANCELED');

    const fillEvents = events.filter((event) => event.type === 'OrderFilled');
    expect(fillEvents).toHaveLength(3);
    expect(simulator.book.submitCounts.get('e2e-fill')).toBe(1);
    expect(simulator.book.submitCounts.get('e2e-cancel')).toBe(1);
  });

  it('after a restart, orders open, filled and canceled while the engine was down are reconciled, fills applied once', async () => {
    const simulator = await startSimulator('spot');
    cleanups.push(() => simulator.stop());
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-ccxt-restart-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const path = join(directory, 'fillstate.db');

    let store = openStore({ path, logger: silent });
    let running = await startEngine(simulator, store);
    for (const id of ['r-open', 'r-filled', 'r-partial', 'r-canceled']) {
      running.engine.submitOrder({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '50000' });
    }
    await eventually(() => ['r-open', 'r-filled', 'r-partial', 'r-canceled'].every((id) => running.engine.getOrder(id)?.status === 'open'), 'all open');
    simulator.fill('r-partial', '0.002');
    await eventually(() => running.engine.getOrder('r-partial')?.status === 'partial', 'partial before the stop');
    await running.engine.stop();
    await running.venue.disconnect();
    store.close();

    // While the engine is down the market trades and someone cancels at the exchange.
    simulator.fill('r-filled', '0.004');
    simulator.fill('r-filled', '0.006');
    simulator.fill('r-partial', '0.003');
    simulator.book.cancel(simulator.orderByClientId('r-canceled')!);

    store = openStore({ path, logger: silent });
    running = await startEngine(simulator, store);
    cleanups.push(async () => {
      await running.engine.stop();
      store.close();
    });
    const { engine } = running;
    expect(engine.getOrder('r-open')).toMatchObject({ status: 'open', filledQuantity: '0' });
    expect(engine.getOrder('r-filled')).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
    expect(engine.getOrder('r-partial')).toMatchObject({ status: 'partial', filledQuantity: '0.005' });
    expect(engine.getOrder('r-canceled')).toMatchObject({ status: 'canceled' });
    const reconciliation = engine.recoveryReport()!.venues[0]!;
    expect(reconciliation.fillsApplied).toBe(3);
    expect(reconciliation.unknownAtVenue).toEqual([]);
    // Nothing was sent twice.
    for (const id of ['r-open', 'r-filled', 'r-partial', 'r-canceled']) expect(simulator.book.submitCounts.get(id)).toBe(1);
    // The reconnected stream carries on: a new fill on the open order arrives once.
    simulator.fill('r-open', '0.01');
    await eventually(() => engine.getOrder('r-open')?.status === 'filled', 'filled after the restart');
  });
});
