// The ccxt venue on OKX (spot) against an OKX-protocol simulator on 127.0.0.1: submit, partial fills on the
// user stream, cancel, native amend, the clOrdId rule, and an engine restart with one order open and one
// filled while it was down (reconciled: fills applied once, nothing sent twice).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CcxtVenue, type CcxtVenueOptions } from '../../../adapters/ccxt/index.ts';
import { OkxProfile } from '../../../adapters/ccxt/okx-profile.ts';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { createEngine, type Engine } from '../../../src/engine/engine.ts';
import { openStore } from '../../../src/store/index.ts';
import { OkxSimulator } from '../../fixtures/okx-simulator/simulator.ts';
import { eventually, limitOrder, reportsOf } from './support.ts';

const API_KEY = 'okx-test-key-0123456789';
const SECRET = 'okx-test-secret-abcdefghijkl';
const PASSPHRASE = 'okx-test-passphrase';
const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSimulator(): Promise<OkxSimulator> {
  const simulator = await new OkxSimulator({ apiKey: API_KEY, secret: SECRET, passphrase: PASSPHRASE }).start();
  cleanups.push(() => simulator.stop());
  return simulator;
}

function createVenue(simulator: OkxSimulator, options: Partial<CcxtVenueOptions> = {}): CcxtVenue {
  return new CcxtVenue({
    id: 'okx',
    profile: new OkxProfile('spot', { passphrase: PASSPHRASE }),
    apiKey: API_KEY,
    secret: SECRET,
    urls: { rest: simulator.restUrl, ws: simulator.wsUrl },
    logger: silent,
    quietBackfillMs: 60_000,
    resolveDelayMs: 100,
    initialRetryDelayMs: 50,
    maxRetryDelayMs: 400,
    symbols: ['BTC/USDT'],
    ...options,
  });
}

async function connectedVenue(simulator: OkxSimulator): Promise<{ venue: CcxtVenue; reports: ExecutionReport[] }> {
  const venue = createVenue(simulator);
  const reports: ExecutionReport[] = [];
  venue.onExecutionReport((report) => reports.push(report));
  cleanups.push(() => venue.disconnect());
  await venue.connect();
  return { venue, reports };
}

const fillsOf = (reports: readonly ExecutionReport[], clientOrderId: string) =>
  reportsOf(reports, clientOrderId).filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled');

describe('ccxt venue (OKX spot) against the OKX simulator', () => {
  it('submits, reports partial fills from the orders channel with exact decimals, amends in place, cancels', async () => {
    const simulator = await startSimulator();
    const { venue, reports } = await connectedVenue(simulator);
    // Instruments from the exchange's own tickSz / lotSz / minSz.
    expect(venue.instruments().map((instrument) => instrument.spec)).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', tickSize: '0.1', lotSize: '0.00000001', minQuantity: '0.00001' })]);
    expect(venue.capabilities).toMatchObject({ orderTypes: ['market', 'limit'], amend: true, reduceOnly: false });

    venue.submit(limitOrder('okxPartial1', { quantity: '0.01', price: '50000.1' }));
    await eventually(() => reportsOf(reports, 'okxPartial1').some((report) => report.type === 'accepted'), 'accepted');
    expect(simulator.orderByClientId('okxPartial1')).toMatchObject({ origQty: '0.01', price: '50000.1' });
    simulator.fill('okxPartial1', '0.003', undefined, true);
    simulator.fill('okxPartial1', '0.00201001', '50000', false);
    await eventually(() => fillsOf(reports, 'okxPartial1').length === 2, 'two fills');
    const [first, second] = fillsOf(reports, 'okxPartial1');
    expect(first).toMatchObject({ quantity: '0.003', price: '50000.1', fee: '0.000003', feeCurrency: 'BTC', liquidity: 'maker' });
    expect(second).toMatchObject({ quantity: '0.00201001', price: '50000', fee: '0.00000201001', feeCurrency: 'BTC', liquidity: 'taker' });
    expect(first!.tradeId).not.toBe(second!.tradeId);

    // OKX amends in place (amend-order): same ids, new price and size.
    venue.amend('okxPartial1', { price: '49999.9', quantity: '0.02' });
    await eventually(() => reportsOf(reports, 'okxPartial1').some((report) => report.type === 'amended'), 'amended');
    expect(reportsOf(reports, 'okxPartial1').find((report) => report.type === 'amended')).toMatchObject({ price: '49999.9', quantity: '0.02' });
    expect(simulator.orderByClientId('okxPartial1')).toMatchObject({ origQty: '0.02', price: '49999.9' });

    // An amendment OKX takes but then fails to apply is reported as refused; the order keeps its terms.
    simulator.failNextAmendLater();
    venue.amend('okxPartial1', { price: '49000' });
    await eventually(() => reportsOf(reports, 'okxPartial1').some((report) => report.type === 'amendRejected'), 'amend refused later');
    expect(reportsOf(reports, 'okxPartial1').find((report) => report.type === 'amendRejected')).toMatchObject({ reason: expect.stringContaining('51503') });
    expect(reportsOf(reports, 'okxPartial1').filter((report) => report.type === 'amended')).toHaveLength(1);

    venue.cancel('okxPartial1');
    await eventually(() => reportsOf(reports, 'okxPartial1').some((report) => report.type === 'canceled'), 'canceled');
    expect(reportsOf(reports, 'okxPartial1').find((report) => report.type === 'canceled')).toMatchObject({ reason: 'canceled by client' });
    expect(simulator.orderByClientId('okxPartial1')?.status).toBe('CANCELED');
    // Status and fills answer from the exchange's REST payloads, exact.
    expect(await venue.queryOrder('okxPartial1')).toMatchObject({ status: 'canceled', quantity: '0.02', filledQuantity: '0.00501001', price: '49999.9' });
    expect((await venue.orderFills('okxPartial1')).map((fill) => [fill.quantity, fill.fee])).toEqual([
      ['0.003', '0.000003'],
      ['0.00201001', '0.00000201001'],
    ]);
    expect(simulator.book.submitCounts.get('okxPartial1')).toBe(1);
  });

  it('delivers the public trades channel with exact decimals and the taker side', async () => {
    const simulator = await startSimulator();
    const { venue } = await connectedVenue(simulator);
    const trades: string[] = [];
    const stop = venue.subscribeMarketData(['BTC/USDT'], (data) => {
      if (data.type === 'trade') trades.push(`${data.symbol} ${data.price.toFixed()} ${data.quantity.toFixed()} ${data.aggressor}`);
    });
    cleanups.push(stop);
    await eventually(() => {
      simulator.publishTrade('BTC-USDT', '50123.4', '0.00012345', 'sell');
      return trades.length > 0;
    }, 'a trade');
    expect(trades[0]).toBe('BTC/USDT 50123.4 0.00012345 sell');
  });

  it("an order's fills are fetched by its ordId, however many fills other orders had since", async () => {
    const simulator = await startSimulator();
    const { venue, reports } = await connectedVenue(simulator);
    venue.submit(limitOrder('okxOld1', { quantity: '0.01' }));
    venue.submit(limitOrder('okxBusy1', { quantity: '1', price: '40000' }));
    await eventually(() => ['okxOld1', 'okxBusy1'].every((id) => reportsOf(reports, id).some((report) => report.type === 'accepted')), 'both accepted');
    simulator.fill('okxOld1', '0.004');
    // More than OKX's default page (100) of later fills on another order.
    for (let index = 0; index < 101; index++) simulator.fill('okxBusy1', '0.001');
    expect((await venue.orderFills('okxOld1')).map((fill) => fill.quantity)).toEqual(['0.004']);
    expect(simulator.requests.filter((request) => request === 'GET /api/v5/trade/fills-history').length).toBeGreaterThan(0);
  });

  it('an order whose answer is lost although it was placed is found by clOrdId and never sent again', async () => {
    const simulator = await startSimulator();
    const { venue, reports } = await connectedVenue(simulator);
    simulator.loseNextAnswer('POST', '/api/v5/trade/order');
    venue.submit(limitOrder('okxLost1'));
    await eventually(() => reportsOf(reports, 'okxLost1').some((report) => report.type === 'accepted'), 'accepted');
    expect(simulator.book.submitCounts.get('okxLost1')).toBe(1);
    expect(reportsOf(reports, 'okxLost1').some((report) => report.type === 'rejected')).toBe(false);
  });

  it('a write that reaches OKX after its expTime is not processed, and is reported never placed, not resent', async () => {
    const simulator = await startSimulator();
    const venue = createVenue(simulator, { recvWindowMs: 300 });
    const reports: ExecutionReport[] = [];
    venue.onExecutionReport((report) => reports.push(report));
    cleanups.push(() => venue.disconnect());
    await venue.connect();
    simulator.delayInbound(500);
    venue.submit(limitOrder('okxLate1'));
    await eventually(() => reportsOf(reports, 'okxLate1').some((report) => report.type === 'rejected'), 'refused');
    simulator.delayInbound(0);
    expect(simulator.orderByClientId('okxLate1')).toBeUndefined();
    expect(simulator.requests.filter((request) => request === 'POST /api/v5/trade/order')).toHaveLength(1);
  });

  it('refuses, without sending, a client order id that cannot be encoded for OKX, and an off-grid price', async () => {
    const simulator = await startSimulator();
    const { venue, reports } = await connectedVenue(simulator);
    const ordersBefore = simulator.requests.filter((request) => request === 'POST /api/v5/trade/order').length;
    const tooLong = `fs-${'x'.repeat(33)}`;
    venue.submit(limitOrder(tooLong));
    venue.submit(limitOrder('has space'));
    venue.submit(limitOrder('okxGrid1', { price: '50000.05' }));
    expect(reportsOf(reports, tooLong)).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('too long to encode within 32 characters') })]);
    expect(reportsOf(reports, 'has space')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('1 to 32 letters and digits') })]);
    expect(reportsOf(reports, 'okxGrid1')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('refused before sending') })]);
    expect(simulator.requests.filter((request) => request === 'POST /api/v5/trade/order').length).toBe(ordersBefore);
  });

  it('a reused clOrdId (51016) is not placed twice: the same order is taken over', async () => {
    const simulator = await startSimulator();
    const first = await connectedVenue(simulator);
    first.venue.submit(limitOrder('okxDup1'));
    await eventually(() => reportsOf(first.reports, 'okxDup1').some((report) => report.type === 'accepted'), 'accepted');
    // A second process (no memory of the first) sends the same id with the same terms.
    const second = await connectedVenue(simulator);
    second.venue.submit(limitOrder('okxDup1'));
    await eventually(() => reportsOf(second.reports, 'okxDup1').some((report) => report.type === 'accepted'), 'taken over');
    expect(reportsOf(second.reports, 'okxDup1').some((report) => report.type === 'rejected')).toBe(false);
    expect([...simulator.book.orders.values()].filter((order) => order.clientOrderId === 'okxDup1')).toHaveLength(1);
  });

  it('fills made while the private socket is down are each applied once after it is redialled and backfilled', async () => {
    const simulator = await startSimulator();
    const { venue, reports } = await connectedVenue(simulator);
    venue.submit(limitOrder('okxDrop1', { quantity: '0.01' }));
    await eventually(() => reportsOf(reports, 'okxDrop1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('okxDrop1', '0.001');
    await eventually(() => fillsOf(reports, 'okxDrop1').length === 1, 'first fill on the stream');
    const states: string[] = [];
    venue.onLinkStatus((status) => states.push(status.state));
    simulator.dropPrivateSockets();
    // Pushed to no one: only REST can tell of these.
    simulator.fill('okxDrop1', '0.002');
    simulator.fill('okxDrop1', '0.003');
    await eventually(() => states.includes('reconnecting') && venue.linkStatus().state === 'live', 'reconnected');
    await eventually(() => fillsOf(reports, 'okxDrop1').length === 3, 'backfilled fills');
    simulator.fill('okxDrop1', '0.004');
    await eventually(() => fillsOf(reports, 'okxDrop1').length === 4, 'the stream again');
    await venue.backfill();
    const tradeIds = fillsOf(reports, 'okxDrop1').map((fill) => fill.tradeId);
    expect(new Set(tradeIds).size).toBe(4);
    expect(fillsOf(reports, 'okxDrop1').map((fill) => fill.quantity).sort()).toEqual(['0.001', '0.002', '0.003', '0.004']);
    expect(reportsOf(reports, 'okxDrop1').at(-1)).toMatchObject({ type: 'filled', quantity: '0.004' });
  });

  it('a wrong passphrase fails connect() with the exchange reason and sends no order', async () => {
    const simulator = await startSimulator();
    const venue = new CcxtVenue({
      id: 'okx',
      profile: new OkxProfile('spot', { passphrase: 'not-the-passphrase' }),
      apiKey: API_KEY,
      secret: SECRET,
      urls: { rest: simulator.restUrl, ws: simulator.wsUrl },
      logger: silent,
      initialRetryDelayMs: 50,
      maxRetryDelayMs: 100,
      maxReconnectAttempts: 1,
    });
    cleanups.push(() => venue.disconnect());
    await expect(venue.connect()).rejects.toThrow(/refused the API key.*OK-ACCESS-PASSPHRASE/);
    expect(simulator.requests.some((request) => request.startsWith('POST'))).toBe(false);
  });

  it('after an engine restart, an order open and one filled while it was down are reconciled: fills once, nothing resent', async () => {
    const simulator = await startSimulator();
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-okx-restart-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const path = join(directory, 'fillstate.db');
    const startEngine = async (): Promise<{ engine: Engine; venue: CcxtVenue; close(): Promise<void> }> => {
      const store = openStore({ path, logger: silent });
      const venue = createVenue(simulator);
      const engine = createEngine({ venues: [venue], logger: silent, store });
      await engine.start();
      return {
        engine,
        venue,
        async close() {
          await engine.stop();
          await venue.disconnect();
          store.close();
        },
      };
    };

    let running = await startEngine();
    for (const id of ['okxOpen1', 'okxFilled1']) running.engine.submitOrder({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '50000' });
    await eventually(() => ['okxOpen1', 'okxFilled1'].every((id) => running.engine.getOrder(id)?.status === 'open'), 'both open');
    simulator.fill('okxFilled1', '0.002');
    await eventually(() => running.engine.getOrder('okxFilled1')?.status === 'partial', 'partial before the stop');
    await running.close();

    // While the engine is down the market fills one order (in two trades).
    simulator.fill('okxFilled1', '0.003');
    simulator.fill('okxFilled1', '0.005', '49999.9');

    running = await startEngine();
    const restarted = running;
    cleanups.push(() => restarted.close());
    const { engine } = running;
    expect(engine.getOrder('okxOpen1')).toMatchObject({ status: 'open', filledQuantity: '0' });
    expect(engine.getOrder('okxFilled1')).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
    const reconciliation = engine.recoveryReport()!.venues[0]!;
    expect(reconciliation.fillsApplied).toBe(2);
    expect(reconciliation.unknownAtVenue).toEqual([]);
    for (const id of ['okxOpen1', 'okxFilled1']) expect(simulator.book.submitCounts.get(id)).toBe(1);
    // The new session's stream carries on: a fill of the open order arrives once.
    simulator.fill('okxOpen1', '0.01');
    await eventually(() => engine.getOrder('okxOpen1')?.status === 'filled', 'filled after the restart');
    expect(engine.getOrder('okxOpen1')).toMatchObject({ filledQuantity: '0.01' });
  });
});

describe('engine-made ids on OKX (clOrdId: 32 letters and digits)', () => {
  it("a position's orders keep the engine's ids through OKX: encoded on the way out, mapped back after a restart", async () => {
    const simulator = await startSimulator();
    const first = await connectedVenue(simulator);
    const ids = { stop: 'fs-mi0x2k3c-p12.sl1', takeProfit: 'fs-mi0x2k3c-p12.tp0', entry: 'fs-mi0x2k3c-p12.e1' };
    first.venue.submit(limitOrder(ids.stop, { side: 'sell', quantity: '0.01', price: '60000' }));
    first.venue.submit(limitOrder(ids.takeProfit, { side: 'sell', quantity: '0.01', price: '61000' }));
    first.venue.submit(limitOrder(ids.entry, { quantity: '0.01', price: '50000' }));
    await eventually(() => Object.values(ids).every((id) => reportsOf(first.reports, id).some((report) => report.type === 'accepted')), 'all three accepted under their engine ids');
    // OKX holds them under encoded clOrdIds only.
    const clOrdIds = [...simulator.book.orders.values()].map((order) => order.clientOrderId);
    expect(clOrdIds).toHaveLength(3);
    for (const clOrdId of clOrdIds) expect(clOrdId).toMatch(/^[A-Za-z0-9]{1,32}$/);
    const profile = new OkxProfile('spot', { passphrase: PASSPHRASE });
    const stopAtOkx = clOrdIds.find((clOrdId) => profile.engineClientOrderId(clOrdId) === ids.stop)!;
    simulator.fill(stopAtOkx, '0.004');
    await eventually(() => fillsOf(first.reports, ids.stop).length === 1, "the stop's fill reported under its engine id");
    await first.venue.disconnect();

    // While this process is gone: more fills and a cancel at the exchange.
    simulator.fill(stopAtOkx, '0.002');
    simulator.fill((profile.exchangeClientOrderId(ids.entry) as { id: string }).id, '0.01');

    // A new process, with no memory: every answer names the engine's ids.
    const second = await connectedVenue(simulator);
    expect(await second.venue.queryOrder(ids.stop)).toMatchObject({ clientOrderId: ids.stop, status: 'partial', filledQuantity: '0.006' });
    expect(await second.venue.queryOrder(ids.entry)).toMatchObject({ clientOrderId: ids.entry, status: 'filled' });
    expect((await second.venue.openOrders()).map((order) => order.clientOrderId).sort()).toEqual([ids.stop, ids.takeProfit].sort());
    expect((await second.venue.orderFills(ids.stop)).map((fill) => [fill.clientOrderId, fill.quantity])).toEqual([
      [ids.stop, '0.004'],
      [ids.stop, '0.002'],
    ]);
    // Reports on the new stream and a cancel by the engine's id.
    simulator.fill(stopAtOkx, '0.001');
    await eventually(() => fillsOf(second.reports, ids.stop).some((fill) => fill.quantity === '0.001'), 'a stream fill under the engine id');
    second.venue.cancel(ids.takeProfit);
    await eventually(() => reportsOf(second.reports, ids.takeProfit).some((report) => report.type === 'canceled'), 'canceled by engine id');
    for (const clOrdId of clOrdIds) expect(simulator.book.submitCounts.get(clOrdId)).toBe(1);
  });

  it("an engine's own orders and a position's entry and take-profit reconcile by their engine ids after a restart", async () => {
    const simulator = await startSimulator();
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-okx-ids-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const path = join(directory, 'fillstate.db');
    const startEngine = async () => {
      const store = openStore({ path, logger: silent });
      const venue = createVenue(simulator);
      const engine = createEngine({ venues: [venue], logger: silent, store });
      await engine.start();
      return { engine, venue, close: async () => { await engine.stop(); await venue.disconnect(); store.close(); } };
    };
    let running = await startEngine();
    const order = running.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '49000' });
    const { positionId, entryOrderId } = running.engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '0.01', entry: { type: 'limit', price: '50000' },
      plan: { stopLoss: { method: 'price', price: '45000' }, takeProfit: [{ target: { method: 'price', price: '60000' }, fraction: '1' }] },
    });
    expect(order.orderId).toMatch(/^fs-/);
    expect(entryOrderId).toMatch(/\.e1$/);
    await eventually(() => running.engine.getOrder(entryOrderId)?.status === 'open' && running.engine.getOrder(order.orderId)?.status === 'open', 'both working at OKX');
    const profile = new OkxProfile('spot', { passphrase: PASSPHRASE });
    const atOkx = (engineId: string) => (profile.exchangeClientOrderId(engineId) as { id: string }).id;
    simulator.fill(atOkx(entryOrderId), '0.01');
    await eventually(() => running.engine.getPosition(positionId)?.takeProfitOrderIds.some((id) => running.engine.getOrder(id)?.status === 'open') === true, 'take-profit working');
    const takeProfitId = running.engine.getPosition(positionId)!.takeProfitOrderIds[0]!;
    const stopId = running.engine.getPosition(positionId)!.stopOrderId!;
    expect(stopId).toMatch(/\.sl1$/);
    await running.close();

    // While the engine is down the market fills part of the take-profit and all of the plain order.
    simulator.fill(atOkx(takeProfitId), '0.004', '60000');
    simulator.fill(atOkx(order.orderId), '0.01');

    running = await startEngine();
    const restarted = running;
    cleanups.push(() => restarted.close());
    const reconciliation = running.engine.recoveryReport()!.venues[0]!;
    expect(reconciliation.adopted).toEqual([]);
    expect(reconciliation.unknownAtVenue).toEqual([]);
    expect(reconciliation.fillsApplied).toBe(2);
    expect(running.engine.getOrder(takeProfitId)).toMatchObject({ status: 'partial', filledQuantity: '0.004' });
    expect(running.engine.getOrder(order.orderId)).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
    for (const id of [entryOrderId, takeProfitId, order.orderId]) expect(simulator.book.submitCounts.get(atOkx(id)), id).toBe(1);
  });
});
