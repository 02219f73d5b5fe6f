// The holes a user or an attacker found in the engine's promises, each closed: positions whose entry never
// filled, the engine's id namespace and its protective orders, deadlines that pass mid-request, released held
// orders passing the gate again, denials that leave no actor, and finished orders leaving memory.
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualVenue } from '../../adapters/manual/manual-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { OrderRequestError } from '../../src/domain/order-request.ts';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { OrderStateError } from '../../src/engine/errors.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

let clock: SimulatedClock;
let venue: ManualVenue;
let engine: Engine;
let events: DomainEvent[];

async function setUp(options: Partial<EngineOptions> = {}, capabilities?: ConstructorParameters<typeof ManualVenue>[0]['capabilities']) {
  clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  venue = new ManualVenue({ instruments: [btc], now: () => clock.now(), capabilities, balances: { USDT: '1000000', BTC: '100' } });
  engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 't', logger: pino({ level: 'silent' }), ...options });
  await engine.start();
  events = [];
  engine.subscribe((event) => events.push(event));
  market('49999.9', '50000.1');
}

function market(bid: string, ask: string): void {
  venue.publishMarketData({
    type: 'quote', symbol: 'BTC/USDT', timestamp: clock.now(),
    bids: [{ price: decimal(bid), quantity: decimal('1') }],
    asks: [{ price: decimal(ask), quantity: decimal('1') }],
  });
}

function submits(): string[] {
  return venue.commands.flatMap((command) => (command.type === 'submit' ? [command.order.clientOrderId] : []));
}

function fill(clientOrderId: string, quantity: string, price: string, tradeId: string): void {
  venue.report({ type: 'filled', clientOrderId, tradeId, quantity, price, fee: '0', feeCurrency: 'USDT', liquidity: 'taker' });
}

describe('a position whose entry never filled', () => {
  beforeEach(() => setUp());

  it('ends when its entry is canceled, so exposure, open positions and the next position agree with the balances', () => {
    const first = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', entry: { type: 'limit', price: '49000' } });
    venue.report({ type: 'accepted', clientOrderId: first.entryOrderId, venueOrderId: 'v1' });
    engine.closePosition(first.positionId);
    venue.report({ type: 'canceled', clientOrderId: first.entryOrderId, reason: 'canceled by client' });
    expect(engine.getPosition(first.positionId)?.status).toBe('closed');
    expect(engine.account()).toMatchObject({ openPositions: 0, exposure: '0' });
    // Not "already open": the symbol has no current position any more.
    const second = engine.openPosition({ symbol: 'BTC/USDT', direction: 'short', quantity: '0.5' });
    venue.report({ type: 'accepted', clientOrderId: second.entryOrderId, venueOrderId: 'v2' });
    fill(second.entryOrderId, '0.5', '49999.9', 'f1');
    expect(engine.listPositions({ open: true })).toEqual([expect.objectContaining({ positionId: second.positionId, direction: 'short', quantity: '0.5' })]);
    expect(engine.account().exposureBySymbol).toEqual({ 'BTC/USDT': '25000' });
  });

  it('ends when its entry is rejected by the venue or denied by the gate', async () => {
    const rejected = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1' });
    venue.report({ type: 'rejected', clientOrderId: rejected.entryOrderId, reason: 'insufficient margin' });
    expect(engine.getPosition(rejected.positionId)?.status).toBe('closed');
    await setUp({ risk: { maxNotional: '1000' } });
    const denied = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1' });
    expect(denied.denial?.reason).toBe('notionalAboveMaximum');
    expect(engine.getPosition(denied.positionId)?.status).toBe('closed');
    expect(engine.account().openPositions).toBe(0);
    expect(() => engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '0.01' })).not.toThrow();
  });
});

describe("the engine's own orders", () => {
  beforeEach(() => setUp());

  it('refuses a client order id in the namespace of the engine, so a position stop id cannot be squatted', () => {
    expect(() => engine.submitOrder({ clientOrderId: 'fs-t-p1.sl1', symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '1', price: '60000' }))
      .toThrow(OrderRequestError);
    expect(venue.commands).toEqual([]);
    expect(events).toEqual([]);
  });

  it("refuses to amend or cancel a position's protective order through the order commands", () => {
    const { positionId, entryOrderId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    venue.report({ type: 'accepted', clientOrderId: entryOrderId, venueOrderId: 'v1' });
    fill(entryOrderId, '1', '50000.1', 'f1');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    expect(engine.getOrder(stopOrderId)?.live).toBe(true);
    expect(() => engine.cancelOrder(stopOrderId)).toThrow(new OrderStateError(stopOrderId, 'emulated', `order ${stopOrderId} belongs to position ${positionId} and cannot be canceled through the order routes: use the position's close, stop and take-profit commands`));
    expect(() => engine.amendOrder(stopOrderId, { stopPrice: '1' })).toThrow(/belongs to position .* cannot be amended/);
    expect(engine.getOrder(stopOrderId)).toMatchObject({ live: true, stopPrice: '49000.1' });
    // The position's own command still moves it.
    engine.updateStop(positionId, '49500');
    expect(engine.getOrder(stopOrderId)?.stopPrice).toBe('49500');
  });
});

describe('deadlines', () => {
  it('a GTD order whose deadline passes while an amendment is in flight expires once the amendment is answered', async () => {
    await setUp({}, { timeInForce: ['GTC', 'IOC', 'FOK'] });
    const expireAt = clock.now() + 60_000;
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000', timeInForce: 'GTD', expireAt });
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    engine.amendOrder(orderId, { price: '49100' });
    clock.advanceTo(expireAt + 1);
    expect(engine.getOrder(orderId)?.status).toBe('pendingUpdate');
    venue.report({ type: 'amendRejected', clientOrderId: orderId, reason: 'too late' });
    expect(engine.getOrder(orderId)?.status).toBe('pendingCancel');
    expect(venue.commands.at(-1)).toEqual({ type: 'cancel', clientOrderId: orderId });
    venue.report({ type: 'canceled', clientOrderId: orderId, reason: 'canceled by client' });
    expect(engine.getOrder(orderId)?.status).toBe('expired');
  });

  it('a held GTD stop keeps its deadline after it is released to a venue that cannot hold GTD', async () => {
    await setUp({}, { timeInForce: ['GTC', 'IOC', 'FOK'] });
    const expireAt = clock.now() + 60_000;
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'stopLimit', quantity: '1', stopPrice: '50100', price: '50200', timeInForce: 'GTD', expireAt });
    expect(engine.getOrder(orderId)?.status).toBe('emulated');
    market('50100', '50100.2');
    expect(engine.getOrder(orderId)?.status).toBe('triggered');
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    clock.advanceTo(expireAt);
    expect(venue.commands.at(-1)).toEqual({ type: 'cancel', clientOrderId: orderId });
    venue.report({ type: 'canceled', clientOrderId: orderId, reason: 'canceled by client' });
    expect(engine.getOrder(orderId)?.status).toBe('expired');
  });
});

describe('held orders released later', () => {
  beforeEach(() => setUp());

  it('pass the risk gate again: a held entry stop is not released into a halted account', () => {
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'stop', quantity: '1', stopPrice: '50100' });
    expect(engine.getOrder(orderId)?.status).toBe('emulated');
    engine.halt('desk closed');
    market('50100', '50100.2');
    expect(engine.getOrder(orderId)?.status).toBe('canceled');
    expect(submits()).not.toContain(orderId);
    expect(engine.account().balances.USDT).toMatchObject({ reserved: '0' });
  });

  it('a position stop held locally always passes, even halted', () => {
    const { positionId, entryOrderId } = engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    venue.report({ type: 'accepted', clientOrderId: entryOrderId, venueOrderId: 'v1' });
    fill(entryOrderId, '1', '50000.1', 'f1');
    engine.halt('desk closed');
    const stopOrderId = engine.getPosition(positionId)!.stopOrderId!;
    market('48000', '48000.2');
    expect(engine.getOrder(stopOrderId)?.status).toBe('triggered');
    expect(submits()).toContain(stopOrderId);
  });
});

describe('denials', () => {
  beforeEach(() => setUp({ risk: { maxNotional: '1000' } }));

  it('keep their audit events, leave no actor, and answer a retry of the same clientOrderId with the denial', () => {
    const before = engine.orderCount;
    const first = engine.submitOrder({ clientOrderId: 'big-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' });
    expect(first).toMatchObject({ created: true, denial: { reason: 'notionalAboveMaximum' } });
    expect(first.actor).toBeUndefined();
    expect(engine.orderCount).toBe(before);
    expect(engine.getOrderActor('big-1')).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual(['OrderInitialized', 'OrderDenied']);
    expect(engine.getOrder('big-1')).toMatchObject({ status: 'denied', live: false });
    const retry = engine.submitOrder({ clientOrderId: 'big-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1' });
    expect(retry).toMatchObject({ created: false, denial: { reason: 'notionalAboveMaximum' } });
    expect(events).toHaveLength(2);
    expect(venue.commands).toEqual([]);
  });
});

describe('memory', () => {
  it('finished orders leave memory after the grace period and are still answered', async () => {
    await setUp({ finishedGraceMs: 1_000, finishedOrdersKept: 2 });
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const { orderId } = engine.submitOrder({ clientOrderId: `m${index}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
      venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: `v${index}` });
      fill(orderId, '0.01', '50000.1', `f${index}`);
      ids.push(orderId);
    }
    const working = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '49000' });
    expect(engine.orderCount).toBe(4);
    clock.advanceBy(1_000);
    // Only the working order stays in memory; the two newest finished ones are still answered.
    expect(engine.orderCount).toBe(1);
    expect(engine.getOrderActor(working.orderId)).toBeDefined();
    expect(engine.getOrder(ids[0]!)).toBeUndefined();
    expect(engine.getOrder(ids[2]!)).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
    expect(engine.listOrders({ live: false }).map((view) => view.orderId)).toEqual([ids[1], ids[2]]);
    // A retried clientOrderId of a finished order never makes a second one.
    expect(engine.submitOrder({ clientOrderId: ids[2]!, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' }).created).toBe(false);
  });
});

describe('position plans', () => {
  beforeEach(() => setUp());

  it.each([
    ['a stop on the wrong side of the entry', { stopLoss: { method: 'price', price: '51000' } }, undefined],
    ['a percent stop of 0', { stopLoss: { method: 'percent', percent: '0' } }, undefined],
    ['a percent stop of 100', { stopLoss: { method: 'percent', percent: '100' } }, undefined],
    ['an ATR stop without an ATR', { stopLoss: { method: 'atr', multiple: '2' } }, undefined],
    ['a take-profit on the wrong side', { stopLoss: { method: 'percent', percent: '2' }, takeProfit: [{ target: { method: 'price', price: '49000' }, fraction: '1' }] }, undefined],
    ['take-profit fractions summing above 1', { stopLoss: { method: 'percent', percent: '2' }, takeProfit: [{ target: { method: 'percent', percent: '1' }, fraction: '0.6' }, { target: { method: 'percent', percent: '2' }, fraction: '0.6' }] }, undefined],
    ['a negative trailing offset', { stopLoss: { method: 'percent', percent: '2' }, trailing: { distance: { kind: 'offset', offset: '-5' } } }, undefined],
    ['a negative ATR', { stopLoss: { method: 'atr', multiple: '2' } }, { atr: '-10' }],
  ])('refuses %s whole, before anything is sent or started', (_, plan, inputs) => {
    const positionsBefore = engine.listPositions().length;
    expect(() => engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', plan: plan as never, inputs })).toThrow(OrderRequestError);
    expect(engine.listPositions()).toHaveLength(positionsBefore);
    expect(venue.commands).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses a signal whose ATR is negative', () => {
    expect(engine.submitSignal({ symbol: 'BTC/USDT', action: 'buy', confidence: '0.5', atr: '-1' })).toMatchObject({ status: 'refused' });
    expect(venue.commands).toEqual([]);
  });
});
