// Crash recovery in one process: engine A journals to a SQLite file and "crashes" (its venue link is cut and
// its uncommitted turn dropped); engine B on the same file and the same, still running, paper venue must
// restore every actor, never resend, adopt what it did not know, and apply missed fills exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { NEVER_REACHED_VENUE } from '../../src/engine/recovery.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { BTC_USD, START, order, quote, trade } from '../adapters/paper-fixture.ts';
import { VenueLink } from './venue-link.ts';

let directory: string;
let path: string;
let clock: SimulatedClock;
let venue: PaperVenue;
const running: Array<{ engine: Engine; store: Store; link: VenueLink }> = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-recovery-'));
  path = join(directory, 'fillstate.db');
  clock = new SimulatedClock(START);
  venue = new PaperVenue({ clock, instruments: [BTC_USD], balances: { USD: '100000', BTC: '10' } });
});

afterEach(async () => {
  for (const { engine, store } of running.splice(0)) {
    if (store.isOpen) {
      await engine.stop();
      store.close();
    }
  }
  rmSync(directory, { recursive: true, force: true });
});

function market(bid: string, ask: string): void {
  venue.onMarketData(quote(clock.now(), [[bid, '50']], [[ask, '50']]));
}

/** Lets the venue act (zero-latency timers) and the engine's group commit run. */
async function settle(): Promise<void> {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  // Commit and release this turn's venue commands, let the venue act, then commit what its reports changed.
  await turn();
  clock.advanceBy(1);
  await turn();
  await turn();
}

async function boot(prefix: string, capabilities?: ConstructorParameters<typeof VenueLink>[1]) {
  const store = openStore({ path });
  const link = new VenueLink(venue, capabilities);
  const engine = createEngine({ venues: [link], clock, store, clientOrderIdPrefix: prefix, logger: pino({ level: 'silent' }) });
  running.push({ engine, store, link });
  await engine.start();
  // The paper venue does not repeat its last quote to a new subscriber: one tick gives the engine a market.
  market('100', '101');
  return { engine, store, link };
}

/** What a crash does to the engine: it hears and sends nothing more, and its uncommitted turn is lost. */
function crash(session: { engine: Engine; store: Store; link: VenueLink }): void {
  session.link.sever();
  session.store.abandon();
  // In one process the dead engine's timers would still fire on the shared clock: stop them (nothing is written).
  void session.engine.stop();
}

function byId<T extends { orderId: string }>(views: T[]): T[] {
  return [...views].sort((a, b) => a.orderId.localeCompare(b.orderId));
}

async function venueTotals(): Promise<Record<string, string>> {
  return Object.fromEntries((await venue.balances()).map((balance) => [balance.currency, balance.total]));
}

function ledgerTotals(engine: Engine): Record<string, string> {
  return Object.fromEntries(Object.entries(engine.account().balances).map(([currency, balance]) => [currency, balance.total]));
}

describe('restart after a crash', () => {
  it('restores orders, fills, positions, balances and the event stream exactly as they were', async () => {
    const a = await boot('a');
    a.engine.submitOrder({ clientOrderId: 'rest-buy', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.5', price: '99' });
    a.engine.submitOrder({ clientOrderId: 'take', symbol: BTC_USD.symbol, side: 'buy', type: 'market', quantity: '0.3' });
    a.engine.submitOrder({ clientOrderId: 'rest-sell', symbol: BTC_USD.symbol, side: 'sell', type: 'limit', quantity: '0.2', price: '105' });
    await settle();
    const orders = byId(a.engine.listOrders());
    const positions = a.engine.listPositions();
    const account = a.engine.account();
    const events = a.engine.eventsSince(0, 10_000);
    expect(orders.map((view) => view.status)).toEqual(['open', 'open', 'filled']);
    expect(positions).toHaveLength(1);
    crash(a);

    const b = await boot('b');
    expect(byId(b.engine.listOrders())).toEqual(orders);
    expect(b.engine.listPositions()).toEqual(positions);
    expect(b.engine.account().balances).toEqual(account.balances);
    expect(b.engine.eventsSince(0, 10_000)).toEqual(events);
    expect(b.engine.lastSequence()).toBe(events.length);
    // Only working orders come back as actors; the finished one ("take") is answered from its saved view.
    expect(b.engine.recoveryReport()).toMatchObject({ restoredOrders: 2, restoredPositions: 1, restoredPortfolio: true, balanceDifferences: {} });
    expect(b.engine.recoveryReport()!.venues[0]).toMatchObject({ adopted: [], unknownAtVenue: [], fillsApplied: 0, discrepancies: [] });
    // Nothing was sent again: the venue saw each order once, from A.
    expect(b.link.submitted).toEqual([]);
    expect(b.store.fills()).toHaveLength(1);

    // The restored orders keep working: the resting buy fills when the market trades through it.
    venue.onMarketData(trade(clock.now(), '98', '5', 'sell'));
    await settle();
    expect(b.engine.getOrder('rest-buy')?.status).toBe('filled');
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
    expect(b.store.journalGaps()).toEqual([]);
    expect(b.engine.eventsSince(events.length, 10)[0]?.sequence).toBe(events.length + 1);
  });

  it('a crash before the turn\'s commit loses the decision but sends nothing', async () => {
    const a = await boot('a');
    a.engine.submitOrder({ clientOrderId: 'undecided', symbol: BTC_USD.symbol, side: 'buy', type: 'market', quantity: '0.4' });
    // Crash in the same turn: nothing of it is on disk, and the order is still in the engine's outbox.
    crash(a);
    await settle();
    expect(a.link.submitted).toEqual([]);
    expect(await venue.queryOrder('undecided')).toBeUndefined();

    const b = await boot('b');
    expect(b.engine.getOrder('undecided')).toBeUndefined();
    expect(b.store.intents()).toEqual([]);
    expect(b.engine.recoveryReport()).toMatchObject({ restoredOrders: 0, restoredPortfolio: true });
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
  });

  it('an order committed as sent that never reached the venue is marked, not resent', async () => {
    const a = await boot('a');
    a.link.dropSubmits = true;
    a.engine.submitOrder({ clientOrderId: 'lost', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '1', price: '99' });
    // The turn commits (intent, events, snapshot); the process dies before the order is written to the venue.
    await settle();
    expect(a.store.intent('lost')?.status).toBe('sent');
    crash(a);

    const b = await boot('b');
    await settle();
    expect(b.engine.getOrder('lost')).toMatchObject({ status: 'canceled', reason: NEVER_REACHED_VENUE });
    expect(b.engine.recoveryReport()!.venues[0]!.unknownAtVenue).toEqual(['lost']);
    expect(b.link.submitted).toEqual([]);
    expect(await venue.queryOrder('lost')).toBeUndefined();
    expect(b.store.intent('lost')).toMatchObject({ status: 'unknownAtVenue', note: NEVER_REACHED_VENUE });
    expect(b.store.orders().find((row) => row.clientOrderId === 'lost')).toMatchObject({ status: 'canceled', flags: ['unknownAtVenue'] });
    // Its reservation came and went: the ledger is the venue's.
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
    expect(b.engine.account().balances.USD?.reserved).toBe('0');
  });

  it('an order that left just before the crash takes the venue\'s state, with the fill missed while down', async () => {
    const a = await boot('a');
    a.engine.submitOrder({ clientOrderId: 'left', symbol: BTC_USD.symbol, side: 'buy', type: 'market', quantity: '0.4' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.link.submitted).toEqual(['left']);
    crash(a);
    // The venue receives and fills it while nobody listens.
    await settle();
    expect((await venue.queryOrder('left'))?.status).toBe('filled');

    const b = await boot('b');
    await settle();
    expect(b.engine.getOrder('left')).toMatchObject({ status: 'filled', filledQuantity: '0.4' });
    expect(b.engine.recoveryReport()!.venues[0]).toMatchObject({ fillsApplied: 1, updated: ['left'] });
    expect(b.store.intent('left')?.status).toBe('acknowledged');
    expect(b.link.submitted).toEqual([]);
    expect(b.engine.listPositions()).toMatchObject([{ symbol: BTC_USD.symbol, direction: 'long', quantity: '0.4', status: 'open' }]);
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
    expect(b.store.fills({ clientOrderId: 'left' })).toHaveLength(1);
  });

  it('an intent on record with no order snapshot (an older file, a torn turn) is rebuilt from the intent', async () => {
    const a = await boot('a');
    await a.engine.stop();
    a.store.close();
    // The venue has the order; our file has only its intent.
    venue.submit(order({ clientOrderId: 'orphan', side: 'buy', quantity: '0.2', price: '99' }));
    const seed = openStore({ path });
    const request = { clientOrderId: 'orphan', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.2', price: '99', timeInForce: 'GTC', postOnly: false, reduceOnly: false };
    seed.recordIntent({ clientOrderId: 'orphan', venue: 'paper', request: { request, emulated: false, createdAt: clock.now(), sent: request }, createdAt: clock.now() });
    seed.recordIntent({ clientOrderId: 'orphan-lost', venue: 'paper', request: { request: { ...request, clientOrderId: 'orphan-lost' }, emulated: false, createdAt: clock.now(), sent: request }, createdAt: clock.now() });
    seed.close();
    await settle();

    const b = await boot('b');
    await settle();
    expect(b.engine.getOrder('orphan')).toMatchObject({ status: 'open', price: '99', quantity: '0.2' });
    expect(b.engine.getOrder('orphan-lost')).toMatchObject({ status: 'canceled', reason: NEVER_REACHED_VENUE });
    expect(b.store.intent('orphan')?.status).toBe('adopted');
    expect(b.store.intent('orphan-lost')?.status).toBe('unknownAtVenue');
    expect(b.link.submitted).toEqual([]);
    expect(b.engine.account().balances.USD?.reserved).toBe('19.8396');
  });

  it('adopts an order placed at the venue while down and applies a fill missed while down exactly once', async () => {
    const a = await boot('a');
    a.engine.submitOrder({ clientOrderId: 'resting', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.5', price: '99' });
    await settle();
    crash(a);
    // While down: someone places an order on the account, and the market trades through our resting buy.
    venue.submit(order({ clientOrderId: 'by-hand', side: 'sell', quantity: '0.1', price: '110' }));
    venue.onMarketData(trade(clock.now(), '98', '5', 'sell'));
    await settle();
    const missed = await venue.orderFills('resting');
    expect(missed).toHaveLength(1);

    const b = await boot('b');
    await settle();
    const reconciliation = b.engine.recoveryReport()!.venues[0]!;
    expect(reconciliation).toMatchObject({ adopted: ['by-hand'], fillsApplied: 1, unknownAtVenue: [], discrepancies: [] });
    expect(b.engine.getOrder('resting')).toMatchObject({ status: 'filled', filledQuantity: '0.5', averagePrice: '99' });
    expect(b.engine.getOrder('by-hand')).toMatchObject({ status: 'open', side: 'sell', price: '110' });
    expect(b.store.orders().find((row) => row.clientOrderId === 'by-hand')?.flags).toEqual(['adopted']);
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());

    // Another restart finds nothing new: the fill is not applied twice.
    await b.engine.stop();
    b.store.close();
    const c = await boot('c');
    expect(c.engine.recoveryReport()!.venues[0]).toMatchObject({ adopted: [], fillsApplied: 0, unknownAtVenue: [] });
    expect(c.store.fills({ clientOrderId: 'resting' }).map((fill) => fill.tradeId)).toEqual(missed.map((fill) => fill.tradeId));
    expect(c.store.stats().duplicateFillsRefused).toBe(0);
    expect(ledgerTotals(c.engine)).toEqual(await venueTotals());
    expect(c.store.journalGaps()).toEqual([]);
  });

  it('re-arms an emulated stop: a position\'s stop still fires after the restart', async () => {
    const a = await boot('a');
    const { positionId } = a.engine.openPosition({ symbol: BTC_USD.symbol, direction: 'long', quantity: '0.2', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    await settle();
    const opened = a.engine.getPosition(positionId)!;
    expect(opened).toMatchObject({ status: 'open', quantity: '0.2' });
    expect(a.engine.getOrder(opened.stopOrderId!)?.status).toBe('emulated');
    crash(a);

    const b = await boot('b');
    expect(b.engine.getOrder(opened.stopOrderId!)?.status).toBe('emulated');
    market('97', '98');
    await settle();
    await settle();
    expect(b.engine.getOrder(opened.stopOrderId!)?.status).toBe('filled');
    expect(b.engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'stop' });
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
  });
});

describe('restart: positions', () => {
  it('a position whose entry filled while down opens on recovery and places its stop then', async () => {
    const a = await boot('a');
    const { positionId, entryOrderId } = a.engine.openPosition({ symbol: BTC_USD.symbol, direction: 'long', quantity: '0.3', plan: { stopLoss: { method: 'percent', percent: '2' } } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.link.submitted).toEqual([entryOrderId]);
    crash(a);
    // The entry fills at the venue while the engine is down.
    await settle();
    expect((await venue.queryOrder(entryOrderId))?.status).toBe('filled');

    const b = await boot('b');
    await settle();
    const position = b.engine.getPosition(positionId)!;
    expect(position).toMatchObject({ status: 'open', quantity: '0.3' });
    expect(position.stopOrderId).toBeDefined();
    expect(b.engine.getOrder(position.stopOrderId!)).toMatchObject({ status: 'emulated', side: 'sell', quantity: '0.3' });
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
    // And the stop protects it: the market falls through it and the position closes.
    market('97', '98');
    await settle();
    await settle();
    expect(b.engine.getPosition(positionId)).toMatchObject({ status: 'closed', exitReason: 'stop' });
  });
  it('a position whose exit the book could not fill before the crash sends it again at the first market data after', async () => {
    const a = await boot('a');
    const { positionId } = a.engine.openPosition({ symbol: BTC_USD.symbol, direction: 'long', quantity: '0.3' });
    await settle();
    venue.onMarketData(quote(clock.now(), [['99', '0.1']], [['101', '50']])); // 0.1 BTC bid: the exit sells that much
    a.engine.closePosition(positionId);
    await settle();
    expect(a.engine.getPosition(positionId)).toMatchObject({ status: 'closing', quantity: '0.2' });
    crash(a);

    const b = await boot('b'); // its first quote holds 50 BTC bid
    await settle();
    await settle();
    expect(b.engine.getPosition(positionId)).toMatchObject({ status: 'closed', quantity: '0', exitReason: 'manual' });
    const exits = b.engine.listOrders().filter((order) => order.parentId === positionId && order.orderId.includes('.x'));
    expect(exits.map((order) => order.filledQuantity)).toEqual(['0.1', '0.2']);
    expect(ledgerTotals(b.engine)).toEqual(await venueTotals());
  });
});

describe('restart: deadlines and versions', () => {
  it('re-arms a deadline the engine holds: a GTD order the venue cannot expire still expires after a restart', async () => {
    const noGtd = { timeInForce: ['GTC', 'IOC', 'FOK'] as const };
    const a = await boot('a', { timeInForce: [...noGtd.timeInForce] });
    const expireAt = clock.now() + 60_000;
    a.engine.submitOrder({ clientOrderId: 'until', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.1', price: '95', timeInForce: 'GTD', expireAt });
    await settle();
    expect(a.engine.getOrder('until')?.status).toBe('open');
    crash(a);

    const b = await boot('b', { timeInForce: [...noGtd.timeInForce] });
    clock.advanceTo(expireAt - 2);
    await settle();
    expect(b.engine.getOrder('until')?.status).toBe('open');
    clock.advanceTo(expireAt);
    await settle();
    await settle();
    expect(b.engine.getOrder('until')?.status).toBe('expired');
    expect((await venue.queryOrder('until'))?.status).toBe('canceled');
  });

  it('refuses a snapshot written by another version of its machine, naming the file and the versions', async () => {
    const a = await boot('a');
    a.engine.submitOrder({ clientOrderId: 'old', symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.1', price: '95' });
    await settle();
    await a.engine.stop();
    const record = a.store.snapshot('order:old')!;
    a.store.putSnapshot({ ...record, machineVersion: record.machineVersion + 1 });
    a.store.close();

    const store = openStore({ path });
    const link = new VenueLink(venue);
    const engine = createEngine({ venues: [link], clock, store, logger: pino({ level: 'silent' }) });
    running.push({ engine, store, link });
    await expect(engine.start()).rejects.toThrow(new RegExp(`fillstate\\.db: snapshot of order:old was written by order machine version ${record.machineVersion + 1}, this fillstate runs version ${record.machineVersion}`));
  });
});

describe('event history', () => {
  it('without a store keeps a bounded ring and says when older events are gone', async () => {
    const link = new VenueLink(venue);
    const engine = createEngine({ venues: [link], clock, eventHistory: 4 });
    await engine.start();
    for (let index = 0; index < 3; index++) {
      engine.submitOrder({ clientOrderId: `r${index}`, symbol: BTC_USD.symbol, side: 'buy', type: 'limit', quantity: '0.1', price: '90' });
    }
    await settle();
    const last = engine.lastSequence();
    expect(last).toBeGreaterThan(4);
    expect(engine.eventsSince(last - 4).map((event) => event.sequence)).toEqual([last - 3, last - 2, last - 1, last]);
    expect(() => engine.eventsSince(last - 5)).toThrow(/no longer held/);
    expect(() => engine.eventsSince(-1)).toThrow(/non-negative integer/);
    await engine.stop();
  });
});
