// Binance USDⓈ-M conditional orders held at the exchange by its Algo Service, through the ccxt venue against
// the simulator: a position's stop fires and its fill is applied once, a lost answer is resolved by query, an
// algo order survives a restart, reduce-only is kept to the trigger, and trailing stops trail at the exchange
// with exactly the callback rate asked (or are refused before sending).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { createVenue, eventually, limitOrder, reportsOf, startSession, startSimulator, type Session } from './support.ts';

const SYMBOL = 'BTC/USDT:USDT';
let session: Session | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await session?.close();
  session = undefined;
});

const future = (clientOrderId: string, overrides: Parameters<typeof limitOrder>[1] = {}) => limitOrder(clientOrderId, { symbol: SYMBOL, ...overrides });
const typesOf = (reports: readonly ExecutionReport[], clientOrderId: string) => reportsOf(reports, clientOrderId).map((report) => report.type);
const fillsOf = (reports: readonly ExecutionReport[], clientOrderId: string) => reportsOf(reports, clientOrderId).filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled');

/** A futures session holding a long of 0.01 BTC bought at 50000. */
async function withLong(simulatorOptions: Parameters<typeof startSession>[2] = {}): Promise<Session> {
  const opened = await startSession('future', {}, { balances: { USDT: '10000' }, ...simulatorOptions });
  opened.venue.submit(future('long-1', { quantity: '0.01', price: '50000' }));
  await eventually(() => typesOf(opened.reports, 'long-1').includes('accepted'), 'long accepted');
  opened.simulator.setMarkPrice('BTCUSDT', '50000');
  opened.simulator.fill('long-1', '0.01');
  await eventually(() => typesOf(opened.reports, 'long-1').includes('filled'), 'long filled');
  return opened;
}

describe('Binance USDⓈ-M conditional orders in the Algo Service', () => {
  it("holds a position's reduce-only stop at the exchange: it fires, is reported triggered, and its fill is applied once", async () => {
    session = await withLong();
    const { venue, simulator, reports } = session;
    expect(venue.capabilities.orderTypes).toEqual(['market', 'limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit', 'trailingStop']);

    venue.submit(future('stop-1', { side: 'sell', type: 'stop', stopPrice: '49000', price: undefined, reduceOnly: true }));
    await eventually(() => typesOf(reports, 'stop-1').includes('accepted'), 'stop accepted');
    expect(simulator.algoByClientId('stop-1')).toMatchObject({ orderType: 'STOP_MARKET', triggerPrice: '49000', quantity: '0.01', reduceOnly: true, algoStatus: 'NEW' });
    // Placed through the Algo Service, never as a regular order.
    expect(simulator.orderByClientId('stop-1')).toBeUndefined();
    expect(await venue.queryOrder('stop-1')).toMatchObject({ status: 'open', type: 'stop', quantity: '0.01', filledQuantity: '0' });

    simulator.setMarkPrice('BTCUSDT', '49000.5');
    simulator.setMarkPrice('BTCUSDT', '48990');
    await eventually(() => fillsOf(reports, 'stop-1').length === 1, 'stop filled');
    expect(typesOf(reports, 'stop-1')).toEqual(['accepted', 'triggered', 'filled']);
    expect(reportsOf(reports, 'stop-1')[1]).toMatchObject({ type: 'triggered', triggerPrice: '49000' });
    expect(fillsOf(reports, 'stop-1')[0]).toMatchObject({ quantity: '0.01', price: '48990', fee: '0.4899', feeCurrency: 'USDT', liquidity: 'taker' });
    // The order it became kept reduce-only; the algo order finished; the position is closed.
    expect(simulator.orderByClientId('stop-1')).toMatchObject({ type: 'MARKET', reduceOnly: true, status: 'FILLED' });
    await eventually(() => simulator.algoByClientId('stop-1')?.algoStatus === 'FINISHED', 'algo order finished');
    expect(simulator.book.position('BTCUSDT').amount.toFixed()).toBe('0');

    // Backfill (after a quiet stream or a reconnect) finds nothing new: the fill counts once.
    expect(await venue.backfill()).toBe(0);
    expect(fillsOf(reports, 'stop-1')).toHaveLength(1);
    expect(await venue.queryOrder('stop-1')).toMatchObject({ status: 'filled', type: 'stop', filledQuantity: '0.01' });
    expect(await venue.orderFills('stop-1')).toEqual([expect.objectContaining({ quantity: '0.01', price: '48990' })]);
  });

  it('follows a triggered order that carries a client id of its own by the actual order id the algo record names', async () => {
    session = await withLong({ triggeredClientIds: 'own' });
    const { venue, simulator, reports } = session;
    venue.submit(future('sl-own', { side: 'sell', type: 'stopLimit', stopPrice: '49000', price: '48900', reduceOnly: true }));
    await eventually(() => typesOf(reports, 'sl-own').includes('accepted'), 'accepted');
    simulator.setMarkPrice('BTCUSDT', '48950');
    await eventually(() => simulator.algoByClientId('sl-own')?.algoStatus === 'TRIGGERED', 'triggered at the exchange');
    const actual = simulator.book.orders.get(Number(simulator.algoByClientId('sl-own')!.actualOrderId))!;
    expect(actual.clientOrderId).not.toBe('sl-own');
    await eventually(() => typesOf(reports, 'sl-own').includes('triggered'), 'triggered reported');
    simulator.book.fill(actual.orderId, '0.004', '48900');
    await eventually(() => fillsOf(reports, 'sl-own').length === 1, 'first fill under the engine order');
    // Missed while the stream is silent: the backfill asks the Algo Service, then the order it became.
    simulator.silenceUserStreams(true);
    simulator.book.fill(actual.orderId, '0.006', '48900');
    expect(await venue.backfill()).toBeGreaterThan(0);
    simulator.silenceUserStreams(false);
    expect(fillsOf(reports, 'sl-own').map((fill) => fill.quantity)).toEqual(['0.004', '0.006']);
    expect(await venue.queryOrder('sl-own')).toMatchObject({ status: 'filled', type: 'stopLimit', filledQuantity: '0.01' });
    venue.submit(future('stop-own', { side: 'buy', type: 'stop', stopPrice: '51000', price: undefined, quantity: '0.002' }));
    await eventually(() => typesOf(reports, 'stop-own').includes('accepted'), 'a second stop accepted');
    simulator.setMarkPrice('BTCUSDT', '51000');
    await eventually(() => fillsOf(reports, 'stop-own').length === 1, 'second stop filled from the stream');
    expect(typesOf(reports, 'stop-own')).toEqual(['accepted', 'triggered', 'filled']);
  });

  it('a stop-limit triggers into a resting limit order, whose partial fills come under the same engine order', async () => {
    session = await withLong();
    const { venue, simulator, reports } = session;
    venue.submit(future('sl-1', { side: 'sell', type: 'stopLimit', stopPrice: '49000', price: '48900', reduceOnly: true }));
    await eventually(() => typesOf(reports, 'sl-1').includes('accepted'), 'accepted');
    expect(simulator.algoByClientId('sl-1')).toMatchObject({ orderType: 'STOP', triggerPrice: '49000', price: '48900', timeInForce: 'GTC' });
    simulator.setMarkPrice('BTCUSDT', '48950');
    await eventually(() => typesOf(reports, 'sl-1').includes('triggered'), 'triggered');
    simulator.fill('sl-1', '0.004', '48900');
    simulator.fill('sl-1', '0.006', '48900');
    await eventually(() => fillsOf(reports, 'sl-1').length === 2, 'both fills');
    expect(typesOf(reports, 'sl-1')).toEqual(['accepted', 'triggered', 'filled', 'filled']);
    expect(await venue.backfill()).toBe(0);
    expect(fillsOf(reports, 'sl-1').map((fill) => fill.quantity)).toEqual(['0.004', '0.006']);
  });

  it('a reduce-only stop whose trigger finds no position to reduce is rejected with the exchange\'s reason', async () => {
    session = await startSession('future', {}, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submit(future('orphan-stop', { side: 'sell', type: 'stop', stopPrice: '49000', price: undefined, reduceOnly: true }));
    await eventually(() => typesOf(reports, 'orphan-stop').includes('accepted'), 'accepted');
    simulator.setMarkPrice('BTCUSDT', '48000');
    await eventually(() => typesOf(reports, 'orphan-stop').includes('rejected'), 'rejected at its trigger');
    expect(reportsOf(reports, 'orphan-stop').at(-1)).toMatchObject({ type: 'rejected', reason: expect.stringContaining('Reduce Only reject') });
    expect(simulator.orderByClientId('orphan-stop')).toBeUndefined();
  });

  it('resolves a lost answer to an algo order by query, never placing it twice', async () => {
    session = await withLong();
    const { venue, simulator, reports } = session;
    simulator.loseNextAnswer('POST', '/fapi/v1/algoOrder');
    venue.submit(future('tp-lost', { side: 'sell', type: 'takeProfit', stopPrice: '52000', price: undefined, reduceOnly: true }));
    await eventually(() => typesOf(reports, 'tp-lost').includes('accepted'), 'accepted after the query');
    await eventually(() => venue.inFlightCount() === 0, 'the lost answer resolved by query');
    expect(simulator.requests.filter((request) => request === 'GET /fapi/v1/algoOrder').length).toBeGreaterThan(0);
    expect(simulator.requests.filter((request) => request === 'POST /fapi/v1/algoOrder')).toHaveLength(1);
    expect(typesOf(reports, 'tp-lost')).toEqual(['accepted']);
    simulator.setMarkPrice('BTCUSDT', '52000');
    await eventually(() => fillsOf(reports, 'tp-lost').length === 1, 'take-profit filled');
    expect(typesOf(reports, 'tp-lost')).toEqual(['accepted', 'triggered', 'filled']);
  });

  it('after a restart, an open algo order is listed, followed through its trigger, and canceled in the Algo Service', async () => {
    session = await withLong();
    const { simulator } = session;
    session.venue.submit(future('tp-r', { side: 'sell', type: 'takeProfit', stopPrice: '52000', price: undefined, reduceOnly: true, quantity: '0.004' }));
    session.venue.submit(future('stop-r', { side: 'sell', type: 'stop', stopPrice: '48000', price: undefined, reduceOnly: true, quantity: '0.006' }));
    await eventually(() => ['tp-r', 'stop-r'].every((id) => typesOf(session!.reports, id).includes('accepted')), 'both accepted');
    await session.venue.disconnect();

    // A new process: it knows nothing of these orders but what the exchange says.
    const venue = createVenue(simulator);
    const reports: ExecutionReport[] = [];
    venue.onExecutionReport((report) => reports.push(report));
    await venue.connect();
    cleanups.push(() => venue.disconnect());
    const open = await venue.openOrders();
    expect(open.filter((order) => order.clientOrderId.endsWith('-r'))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ clientOrderId: 'tp-r', type: 'takeProfit', status: 'open', quantity: '0.004' }),
        expect.objectContaining({ clientOrderId: 'stop-r', type: 'stop', status: 'open', quantity: '0.006' }),
      ]),
    );
    simulator.setMarkPrice('BTCUSDT', '52000');
    await eventually(() => fillsOf(reports, 'tp-r').length === 1, 'take-profit filled after the restart');
    expect(typesOf(reports, 'tp-r')).toEqual(['triggered', 'filled']);

    const deletes = () => simulator.requests.filter((request) => request === 'DELETE /fapi/v1/algoOrder').length;
    venue.cancel('stop-r');
    await eventually(() => typesOf(reports, 'stop-r').includes('canceled'), 'stop canceled');
    expect(reportsOf(reports, 'stop-r').at(-1)).toMatchObject({ type: 'canceled', reason: 'canceled by client' });
    expect(deletes()).toBe(1);
    expect(simulator.algoByClientId('stop-r')?.algoStatus).toBe('CANCELED');
  });

  it('refuses to amend an algo order (the Algo Service has no amend) without sending anything', async () => {
    session = await withLong();
    const { venue, reports } = session;
    venue.submit(future('stop-a', { side: 'sell', type: 'stop', stopPrice: '49000', price: undefined, reduceOnly: true }));
    await eventually(() => typesOf(reports, 'stop-a').includes('accepted'), 'accepted');
    venue.amend('stop-a', { quantity: '0.005' });
    expect(reportsOf(reports, 'stop-a').at(-1)).toMatchObject({ type: 'amendRejected', reason: expect.stringContaining('no amend') });
  });
});

describe('the engine with Binance USDⓈ-M conditional orders', () => {
  it('places a perpetual stop and a reduce-only trailing stop in the Algo Service (not emulated) and follows each to its fill', async () => {
    const simulator = await startSimulator('future', { balances: { USDT: '10000' } });
    cleanups.push(() => simulator.stop());
    const venue = createVenue(simulator, { symbols: [SYMBOL] });
    const engine = createEngine({ venues: [venue], logger: pino({ level: 'silent' }) });
    await engine.start();
    cleanups.push(() => engine.stop());
    simulator.setMarkPrice('BTCUSDT', '50000');
    const stop = engine.submitOrder({ symbol: SYMBOL, side: 'buy', type: 'stop', quantity: '0.01', stopPrice: '51000' });
    await eventually(() => engine.getOrder(stop.orderId)?.status === 'open', 'working at the exchange');
    expect(simulator.algoByClientId(stop.orderId)).toMatchObject({ orderType: 'STOP_MARKET', triggerPrice: '51000', algoStatus: 'NEW' });
    simulator.setMarkPrice('BTCUSDT', '51000.5');
    await eventually(() => engine.getOrder(stop.orderId)?.status === 'filled', 'triggered and filled');
    expect(engine.getOrder(stop.orderId)).toMatchObject({ filledQuantity: '0.01' });
    expect(simulator.requests.filter((request) => request === 'POST /fapi/v1/algoOrder')).toHaveLength(1);
    expect(simulator.book.position('BTCUSDT').amount.toFixed()).toBe('0.01');

    // The long's reduce-only trailing stop is trailed by the exchange, 1% from the highest price.
    const trail = engine.submitOrder({ symbol: SYMBOL, side: 'sell', type: 'trailingStop', quantity: '0.01', trailingPercent: '1', reduceOnly: true });
    await eventually(() => engine.getOrder(trail.orderId)?.status === 'open', 'trailing stop working at the exchange');
    expect(simulator.algoByClientId(trail.orderId)).toMatchObject({ orderType: 'TRAILING_STOP_MARKET', callbackRate: '1', reduceOnly: true });
    simulator.setMarkPrice('BTCUSDT', '52000');
    simulator.setMarkPrice('BTCUSDT', '51480');
    await eventually(() => engine.getOrder(trail.orderId)?.status === 'filled', 'trailing stop filled');
    expect(simulator.book.position('BTCUSDT').amount.toFixed()).toBe('0');
  });
});

describe('Binance USDⓈ-M trailing stops held at the exchange', () => {
  it('sends the callback rate and activation price exactly; the exchange trails from the activation and fires once', async () => {
    session = await withLong();
    const { venue, simulator, reports } = session;
    venue.submit(future('trail-1', { side: 'sell', type: 'trailingStop', trailingPercent: '1', activationPrice: '51000', price: undefined, reduceOnly: true }));
    await eventually(() => typesOf(reports, 'trail-1').includes('accepted'), 'accepted');
    expect(simulator.algoByClientId('trail-1')).toMatchObject({ orderType: 'TRAILING_STOP_MARKET', callbackRate: '1', activatePrice: '51000', reduceOnly: true });

    // Below the activation price the stop does not trail: a 1% fall from 50500 does not fire it.
    simulator.setMarkPrice('BTCUSDT', '50500');
    simulator.setMarkPrice('BTCUSDT', '49900');
    // Activated at 51000, the highest price 52000: it fires at 1% below it, 51480, not before.
    simulator.setMarkPrice('BTCUSDT', '51000');
    simulator.setMarkPrice('BTCUSDT', '52000');
    simulator.setMarkPrice('BTCUSDT', '51500');
    expect(simulator.algoByClientId('trail-1')?.algoStatus).toBe('NEW');
    simulator.setMarkPrice('BTCUSDT', '51480');
    await eventually(() => fillsOf(reports, 'trail-1').length === 1, 'trailing stop filled');
    expect(typesOf(reports, 'trail-1')).toEqual(['accepted', 'triggered', 'filled']);
    expect(simulator.algoByClientId('trail-1')).toMatchObject({ triggerPrice: '51480' });
    expect(fillsOf(reports, 'trail-1')[0]).toMatchObject({ quantity: '0.01', price: '51480' });
  });

  it('refuses before sending a trailing distance Binance cannot take exactly', async () => {
    session = await withLong();
    const { venue, simulator, reports } = session;
    const sent = () => simulator.requests.filter((request) => request === 'POST /fapi/v1/algoOrder').length;
    const cases: Array<[string, Parameters<typeof future>[1], RegExp]> = [
      ['trail-offset', { trailingOffset: '500' }, /percent only; a trailingOffset of 500 cannot be sent exactly/],
      ['trail-small', { trailingPercent: '0.05' }, /from 0\.1 to 10 percent; trailingPercent 0\.05/],
      ['trail-large', { trailingPercent: '12' }, /from 0\.1 to 10 percent; trailingPercent 12/],
      ['trail-step', { trailingPercent: '1.25' }, /steps of 0\.1 percent; trailingPercent 1\.25 would be changed/],
      ['trail-grid', { trailingPercent: '1', activationPrice: '51000.005' }, /activationPrice 51000\.005 is not a multiple of the tick size/],
    ];
    for (const [id, terms, reason] of cases) {
      venue.submit(future(id, { side: 'sell', type: 'trailingStop', price: undefined, reduceOnly: true, ...terms }));
      expect(reportsOf(reports, id)).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringMatching(reason) })]);
    }
    expect(sent()).toBe(0);
  });
});
