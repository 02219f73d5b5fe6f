// Binance spot's own stop and take-profit orders through the ccxt venue: advertised from the symbols'
// exchangeInfo orderTypes, sent with their exact trigger price, triggered by the simulator's market price and
// reported as `triggered` before their fills; the engine then places them at the exchange instead of emulating.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { createVenue, eventually, limitOrder, reportsOf, startSession, startSimulator, type Session } from './support.ts';

let session: Session | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await session?.close();
  session = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const typesOf = (reports: readonly ExecutionReport[], clientOrderId: string) => reportsOf(reports, clientOrderId).map((report) => report.type);

describe('Binance spot conditional orders held at the exchange', () => {
  it('advertises stop and take-profit types every traded symbol lists, and sends each with its exact trigger', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    expect(venue.capabilities.orderTypes).toEqual(['market', 'limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit', 'trailingStop']);
    simulator.setMarkPrice('BTCUSDT', '50000');

    venue.submit(limitOrder('sl-limit', { side: 'sell', type: 'stopLimit', stopPrice: '49000', price: '48900.5' }));
    venue.submit(limitOrder('sl-market', { side: 'sell', type: 'stop', stopPrice: '48000', price: undefined }));
    venue.submit(limitOrder('tp-limit', { side: 'sell', type: 'takeProfitLimit', stopPrice: '52000', price: '52100' }));
    await eventually(() => ['sl-limit', 'sl-market', 'tp-limit'].every((id) => typesOf(reports, id).includes('accepted')), 'all accepted');
    expect(simulator.orderByClientId('sl-limit')).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '49000', price: '48900.5', working: false });
    expect(simulator.orderByClientId('sl-market')).toMatchObject({ type: 'STOP_LOSS', stopPrice: '48000', working: false });
    expect(simulator.orderByClientId('tp-limit')).toMatchObject({ type: 'TAKE_PROFIT_LIMIT', stopPrice: '52000' });

    // The market falls through the stop-limit's trigger: it now rests at its limit price, reported triggered.
    simulator.setMarkPrice('BTCUSDT', '48950');
    await eventually(() => typesOf(reports, 'sl-limit').includes('triggered'), 'stop-limit triggered');
    expect(reportsOf(reports, 'sl-limit').find((report) => report.type === 'triggered')).toMatchObject({ triggerPrice: '49000' });
    expect(typesOf(reports, 'sl-market')).toEqual(['accepted']);
    simulator.fill('sl-limit', '0.01', '48900.5');
    await eventually(() => typesOf(reports, 'sl-limit').includes('filled'), 'stop-limit filled');
    expect(typesOf(reports, 'sl-limit')).toEqual(['accepted', 'triggered', 'filled']);

    // Through the stop market order's trigger: triggered, then filled at the market in one trade.
    simulator.setMarkPrice('BTCUSDT', '47990.01');
    await eventually(() => typesOf(reports, 'sl-market').includes('filled'), 'stop market filled');
    expect(typesOf(reports, 'sl-market')).toEqual(['accepted', 'triggered', 'filled']);
    expect(reportsOf(reports, 'sl-market').at(-1)).toMatchObject({ quantity: '0.01', price: '47990.01', liquidity: 'taker' });
    expect(typesOf(reports, 'tp-limit')).toEqual(['accepted']);
    expect(await venue.queryOrder('tp-limit')).toMatchObject({ status: 'open', type: 'takeProfitLimit' });
  });

  it('refuses before sending a trigger off the tick grid, and reports the exchange refusing one that would fire at once', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    const sent = () => simulator.requests.filter((request) => request === 'POST /api/v3/order').length;
    const before = sent();
    venue.submit(limitOrder('off-grid', { side: 'sell', type: 'stop', stopPrice: '49000.005', price: undefined }));
    expect(reportsOf(reports, 'off-grid')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringMatching(/refused before sending: .*stopPrice/) })]);
    expect(sent()).toBe(before);
    venue.submit(limitOrder('at-once', { side: 'sell', type: 'stop', stopPrice: '50100', price: undefined }));
    await eventually(() => reportsOf(reports, 'at-once').length > 0, 'refused by the exchange');
    expect(reportsOf(reports, 'at-once')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('Stop price would trigger immediately.') })]);
  });

  it('trails a sell stop at the exchange by trailingDelta (basis points), from the market at once or from an activation price', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    const fills = (id: string) => reportsOf(reports, id).filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled');
    venue.submit(limitOrder('trail-now', { side: 'sell', type: 'trailingStop', trailingPercent: '1', price: undefined }));
    venue.submit(limitOrder('trail-act', { side: 'sell', type: 'trailingStop', trailingPercent: '1.5', activationPrice: '52000', price: undefined }));
    await eventually(() => ['trail-now', 'trail-act'].every((id) => typesOf(reports, id).includes('accepted')), 'both accepted');
    expect(simulator.orderByClientId('trail-now')).toMatchObject({ type: 'STOP_LOSS', trailingDelta: 100, stopPrice: '0', working: false });
    expect(simulator.orderByClientId('trail-act')).toMatchObject({ type: 'TAKE_PROFIT', trailingDelta: 150, stopPrice: '52000', working: false });
    expect(await venue.queryOrder('trail-act')).toMatchObject({ type: 'trailingStop', status: 'open' });

    // Highest 51000: the first fires 1% below it (50490), not at 50500; the second is not yet active.
    simulator.setMarkPrice('BTCUSDT', '51000');
    simulator.setMarkPrice('BTCUSDT', '50500');
    expect(simulator.orderByClientId('trail-now')?.working).toBe(false);
    simulator.setMarkPrice('BTCUSDT', '50490');
    await eventually(() => fills('trail-now').length === 1, 'first trailing stop filled');
    expect(typesOf(reports, 'trail-now')).toEqual(['accepted', 'triggered', 'filled']);
    expect(fills('trail-now')[0]).toMatchObject({ quantity: '0.01', price: '50490' });

    // Activated at 52000, highest 53000: fires 1.5% below it, at 52205.
    simulator.setMarkPrice('BTCUSDT', '52000');
    simulator.setMarkPrice('BTCUSDT', '53000');
    simulator.setMarkPrice('BTCUSDT', '52300');
    expect(simulator.orderByClientId('trail-act')?.working).toBe(false);
    simulator.setMarkPrice('BTCUSDT', '52205');
    await eventually(() => fills('trail-act').length === 1, 'activated trailing stop filled');
    expect(typesOf(reports, 'trail-act')).toEqual(['accepted', 'triggered', 'filled']);
    expect(fills('trail-act')[0]).toMatchObject({ price: '52205' });
  });

  it('refuses before sending a spot trailing distance Binance cannot take exactly', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    const sent = () => simulator.requests.filter((request) => request === 'POST /api/v3/order').length;
    const before = sent();
    const cases: Array<[string, Parameters<typeof limitOrder>[1], RegExp]> = [
      ['ts-offset', { trailingOffset: '500' }, /percentage \(trailingDelta, basis points\) only; a trailingOffset of 500/],
      ['ts-fraction', { trailingPercent: '1.005' }, /whole basis points .*trailingPercent 1\.005 would be changed/],
      ['ts-small', { trailingPercent: '0.05' }, /from 10 to 2000 basis points .*trailingPercent 0\.05 is 5/],
      ['ts-large', { trailingPercent: '25' }, /from 10 to 2000 basis points .*trailingPercent 25 is 2500/],
    ];
    for (const [id, terms, reason] of cases) {
      venue.submit(limitOrder(id, { side: 'sell', type: 'trailingStop', price: undefined, ...terms }));
      expect(reportsOf(reports, id)).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringMatching(reason) })]);
    }
    expect(sent()).toBe(before);
  });

  it('the engine places a stop at the exchange (not emulated) and follows it through its trigger to the fill', async () => {
    const simulator = await startSimulator('spot');
    cleanups.push(() => simulator.stop());
    const venue = createVenue(simulator, { symbols: ['BTC/USDT'] });
    const engine = createEngine({ venues: [venue], logger: pino({ level: 'silent' }) });
    await engine.start();
    cleanups.push(() => engine.stop());
    simulator.setMarkPrice('BTCUSDT', '50000');
    const stop = engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '49500' });
    await eventually(() => engine.getOrder(stop.orderId)?.status === 'open', 'working at the exchange');
    expect(simulator.orderByClientId(stop.orderId)).toMatchObject({ type: 'STOP_LOSS', stopPrice: '49500' });
    simulator.setMarkPrice('BTCUSDT', '49400');
    await eventually(() => engine.getOrder(stop.orderId)?.status === 'filled', 'triggered and filled');
    expect(engine.getOrder(stop.orderId)).toMatchObject({ filledQuantity: '0.01' });
    expect(simulator.book.submitCounts.get(stop.orderId)).toBe(1);
  });
});
