// The engine (public API only) placing OCO lists through the ccxt venue against the Binance simulator: a
// shape Binance takes goes out as one orderList request and Binance cancels the other leg; a shape it would
// refuse is held by the engine (its legs sent one by one), with the venue's reason on the list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import type { BinanceSimulator } from '../../fixtures/binance-simulator/simulator.ts';
import { requestsTo, writesSeen } from './binance-oco-support.ts';
import { createVenue, eventually, startSimulator } from './support.ts';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const silent = pino({ level: 'silent' });

async function startEngine(existing?: BinanceSimulator, store?: Store): Promise<{ engine: Engine; simulator: BinanceSimulator }> {
  const simulator = existing ?? (await startSimulator('spot'));
  if (existing === undefined) {
    cleanups.push(() => simulator.stop());
    simulator.setMarkPrice('BTCUSDT', '50000');
  }
  const venue = createVenue(simulator, { symbols: ['BTC/USDT'] });
  const engine = createEngine({ venues: [venue], logger: silent, ...(store !== undefined ? { store } : {}) });
  await engine.start();
  cleanups.push(async () => {
    await engine.stop();
    await venue.disconnect();
  });
  return { engine, simulator };
}

const legStatuses = (engine: Engine, listId: string) => Object.fromEntries(engine.listOrders({ parentId: listId }).map((order) => [order.orderId, order.status]));

describe('the engine placing OCO lists through the ccxt venue (Binance spot)', () => {
  it('sends a take-profit/stop OCO as one Binance list; the take-profit fills and Binance cancels the stop', async () => {
    const { engine, simulator } = await startEngine();
    const writesBefore = writesSeen(simulator).length;
    const view = engine.submitOrderList({
      kind: 'oco',
      symbol: 'BTC/USDT',
      legs: [
        { side: 'sell', type: 'limit', quantity: '0.01', price: '52000', postOnly: true },
        { side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '48000' },
      ],
    });
    expect(view.heldBy).toBe('venue');
    const [tpId, slId] = [`${view.listId}-E1`, `${view.listId}-E2`];
    await eventually(() => engine.listOrders({ parentId: view.listId }).every((order) => order.status === 'open') && engine.listOrders({ parentId: view.listId }).length === 2, 'both legs open');
    expect(writesSeen(simulator).slice(writesBefore)).toEqual(['POST /api/v3/orderList/oco']);
    expect(simulator.orderByClientId(tpId)).toMatchObject({ type: 'LIMIT_MAKER', price: '52000' });
    expect(simulator.orderByClientId(slId)).toMatchObject({ type: 'STOP_LOSS', stopPrice: '48000' });
    expect(simulator.book.lists.get(simulator.orderByClientId(tpId)!.orderListId!)).toMatchObject({ listClientOrderId: view.listId });

    simulator.fill(tpId, '0.004', '52000');
    await eventually(() => legStatuses(engine, view.listId)[slId] === 'canceled', 'stop canceled by Binance');
    simulator.fill(tpId, '0.006', '52000');
    await eventually(() => engine.getOrderList(view.listId)?.status === 'completed', 'list completed');
    expect(legStatuses(engine, view.listId)).toEqual({ [tpId]: 'filled', [slId]: 'canceled' });
    expect(engine.getOrderList(view.listId)).toMatchObject({ filledQuantity: '0.01' });
    // Binance ended the stop itself: the engine sent no cancel.
    expect(writesSeen(simulator).slice(writesBefore)).toEqual(['POST /api/v3/orderList/oco']);
  });

  it('canceling the list sends one Binance list cancel; both legs end canceled', async () => {
    const { engine, simulator } = await startEngine();
    const view = engine.submitOrderList({
      kind: 'oco',
      symbol: 'BTC/USDT',
      legs: [
        { side: 'buy', type: 'limit', quantity: '0.02', price: '48000', postOnly: true },
        { side: 'buy', type: 'stopLimit', quantity: '0.02', stopPrice: '52000', price: '52100' },
      ],
    });
    expect(view.heldBy).toBe('venue');
    await eventually(() => engine.listOrders({ parentId: view.listId }).filter((order) => order.status === 'open').length === 2, 'both legs open');
    engine.cancelOrderList(view.listId);
    await eventually(() => engine.getOrderList(view.listId)?.status === 'canceled', 'list canceled');
    expect(Object.values(legStatuses(engine, view.listId))).toEqual(['canceled', 'canceled']);
    expect(requestsTo(simulator, 'DELETE /api/v3/orderList')).toBe(1);
    expect(requestsTo(simulator, 'DELETE /api/v3/order')).toBe(0);
    expect(simulator.book.balance('USDT').locked.toFixed()).toBe('0');
  });

  it('holds an OCO itself when Binance would take its limit leg as a different order, and says why', async () => {
    const { engine, simulator } = await startEngine();
    const view = engine.submitOrderList({
      kind: 'oco',
      symbol: 'BTC/USDT',
      legs: [
        { side: 'sell', type: 'limit', quantity: '0.01', price: '52000' },
        { side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '48000' },
      ],
    });
    expect(view.heldBy).toBe('engine');
    expect(view.heldByEngineBecause).toContain('LIMIT_MAKER (post-only)');
    await eventually(() => engine.listOrders({ parentId: view.listId }).filter((order) => order.status === 'open').length === 2, 'both legs open');
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(0);
    expect(requestsTo(simulator, 'POST /api/v3/order')).toBe(2);
    // The engine's own one-cancels-other: a fill of the limit leg cancels the stop at the exchange.
    simulator.fill(`${view.listId}-E1`, '0.01', '52000');
    await eventually(() => engine.getOrderList(view.listId)?.status === 'completed', 'list completed');
    expect(legStatuses(engine, view.listId)).toEqual({ [`${view.listId}-E1`]: 'filled', [`${view.listId}-E2`]: 'canceled' });
    expect(requestsTo(simulator, 'DELETE /api/v3/order')).toBe(1);
  });

  it('after a restart, a list whose take-profit filled in part while the engine was down: the fill applied once, the stop canceled', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-oco-restart-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const path = join(directory, 'fillstate.db');
    let store = openStore({ path, logger: silent });
    const first = await startEngine(undefined, store);
    const { simulator } = first;
    const view = first.engine.submitOrderList({
      kind: 'oco',
      symbol: 'BTC/USDT',
      legs: [
        { side: 'sell', type: 'limit', quantity: '0.01', price: '52000', postOnly: true },
        { side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '48000' },
      ],
    });
    const [tpId, slId] = [`${view.listId}-E1`, `${view.listId}-E2`];
    await eventually(() => openLegs(first.engine, view.listId) === 2, 'both legs open');
    await first.engine.stop();
    store.close();

    simulator.fill(tpId, '0.004', '52000');
    store = openStore({ path, logger: silent });
    const second = await startEngine(simulator, store);
    cleanups.push(() => store.close());
    const { engine } = second;
    await eventually(() => engine.getOrder(slId)?.status === 'canceled' && engine.getOrder(tpId)?.filledQuantity === '0.004', 'reconciled');
    expect(engine.getOrder(tpId)).toMatchObject({ status: 'partial', filledQuantity: '0.004' });
    expect(engine.getOrderList(view.listId)).toMatchObject({ heldBy: 'venue', filledQuantity: '0.004' });
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(1);
    expect(requestsTo(simulator, 'POST /api/v3/order')).toBe(0);
    simulator.fill(tpId, '0.006', '52000');
    await eventually(() => engine.getOrderList(view.listId)?.status === 'completed', 'list completed after the restart');
    expect(engine.getOrder(tpId)).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
  });
});

function openLegs(engine: Engine, listId: string): number {
  return engine.listOrders({ parentId: listId }).filter((order) => order.status === 'open').length;
}
