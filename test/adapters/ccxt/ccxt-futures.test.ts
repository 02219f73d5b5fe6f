// The ccxt venue on Binance USDⓈ-M futures (simulated): leverage and margin mode per symbol, positions with
// the exchange's liquidation price, reduce-only exits, funding payments, and amends in place.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountReport, ExecutionReport } from '../../../adapters/venue.ts';
import { eventually, limitOrder, reportsOf, startSession, type Session } from './support.ts';

const SYMBOL = 'BTC/USDT:USDT';
let session: Session | undefined;

afterEach(async () => {
  await session?.close();
  session = undefined;
});

const future = (clientOrderId: string, overrides: Parameters<typeof limitOrder>[1] = {}) => limitOrder(clientOrderId, { symbol: SYMBOL, ...overrides });

describe('ccxt venue (Binance USDⓈ-M futures) against the simulator', () => {
  it('sets leverage and margin mode per symbol, reports positions with the liquidation price, and exits reduce-only', async () => {
    session = await startSession('future', { leverage: { [SYMBOL]: 5 }, marginMode: { [SYMBOL]: 'isolated' } }, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    const accountReports: AccountReport[] = [];
    venue.onAccountReport((report) => accountReports.push(report));
    expect(simulator.book.position('BTCUSDT')).toMatchObject({ leverage: 5, marginType: 'isolated' });
    expect(venue.capabilities.reduceOnly).toBe(true);
    expect(venue.instruments().map((instrument) => instrument.symbol)).toContain(SYMBOL);

    venue.submit(future('long-1', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'long-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.fill('long-1', '0.01');
    await eventually(() => reportsOf(reports, 'long-1').some((report) => report.type === 'filled'), 'filled');
    expect(reportsOf(reports, 'long-1').find((report) => report.type === 'filled')).toMatchObject({ quantity: '0.01', price: '50000', fee: '0.5', feeCurrency: 'USDT' });

    const [position] = (await venue.positions()).filter((candidate) => candidate.symbol === SYMBOL);
    expect(position).toMatchObject({ symbol: SYMBOL, direction: 'long', quantity: '0.01', entryPrice: '50000', liquidationPrice: '40000', leverage: '5', marginMode: 'isolated' });
    await eventually(() => accountReports.some((report) => report.type === 'position' && report.symbol === SYMBOL && report.liquidationPrice === '40000'), 'a position report after the fill');

    // A reduce-only order larger than the position is refused by the exchange; one that reduces it is placed.
    venue.submit(future('exit-too-big', { side: 'sell', quantity: '0.02', price: '51000', reduceOnly: true }));
    await eventually(() => reportsOf(reports, 'exit-too-big').length > 0, 'refused');
    expect(reportsOf(reports, 'exit-too-big')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('ReduceOnly') });
    venue.submit(future('exit-1', { side: 'sell', quantity: '0.01', price: '51000', reduceOnly: true }));
    await eventually(() => reportsOf(reports, 'exit-1').some((report) => report.type === 'accepted'), 'exit accepted');
    expect(simulator.orderByClientId('exit-1')?.reduceOnly).toBe(true);
    simulator.fill('exit-1', '0.01');
    await eventually(() => reportsOf(reports, 'exit-1').some((report) => report.type === 'filled'), 'exit filled');
    // ccxt lists only open positions: a flat one is absent (or flat).
    expect((await venue.positions()).filter((candidate) => candidate.symbol === SYMBOL && candidate.direction !== 'flat')).toEqual([]);
    expect(simulator.book.position('BTCUSDT').amount.toFixed()).toBe('0');
    // Wallet: 10000 + 10 realized - 0.5 - 0.51 fees.
    expect(await venue.balances()).toContainEqual({ currency: 'USDT', total: '10008.99', reserved: '0' });
  });

  it('records funding payments once each, with amount and rate, as account reports', async () => {
    session = await startSession('future', {}, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    const funding: Extract<AccountReport, { type: 'funding' }>[] = [];
    venue.onAccountReport((report) => {
      if (report.type === 'funding') funding.push(report);
    });
    venue.submit(future('fund-1', { quantity: '0.1', price: '40000' }));
    await eventually(() => reportsOf(reports, 'fund-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('fund-1', '0.1');
    simulator.setMarkPrice('BTCUSDT', '40000');
    simulator.book.payFunding('BTCUSDT', '0.0001');
    expect(await venue.pollFunding()).toBe(1);
    expect(await venue.pollFunding()).toBe(0);
    expect(funding).toEqual([expect.objectContaining({ symbol: SYMBOL, amount: '-0.4', currency: 'USDT', rate: '0.0001' })]);
  });

  it('reports funding from the stream at once, and funding paid while the stream was down after the reconnect, each once', async () => {
    session = await startSession('future', {}, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    const funding: Extract<AccountReport, { type: 'funding' }>[] = [];
    venue.onAccountReport((report) => {
      if (report.type === 'funding') funding.push(report);
    });
    venue.submit(future('fund-s', { quantity: '0.1', price: '40000' }));
    await eventually(() => reportsOf(reports, 'fund-s').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('fund-s', '0.1');
    simulator.setMarkPrice('BTCUSDT', '40000');
    // ACCOUNT_UPDATE (FUNDING_FEE) on the user stream: the payment is read with its id, no poll asked for.
    const first = simulator.book.payFunding('BTCUSDT', '0.0001')!;
    await eventually(() => funding.length === 1, 'funding from the stream');
    expect(funding[0]).toMatchObject({ symbol: SYMBOL, amount: '-0.4', currency: 'USDT', rate: '0.0001', fundingId: String(first.tranId) });

    // Paid while the user stream is down: the message is lost; the resync after the reconnect reads it.
    simulator.silenceUserStreams(true);
    const second = simulator.book.payFunding('BTCUSDT', '-0.0002')!;
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await eventually(() => funding.length === 2, 'funding backfilled after the reconnect');
    expect(funding[1]).toMatchObject({ amount: '0.8', rate: '-0.0002', fundingId: String(second.tranId) });
    await eventually(() => venue.linkStatus().state === 'live', 'live');
    expect(await venue.pollFunding()).toBe(0);
    expect(new Set(funding.map((report) => report.fundingId)).size).toBe(2);
  });

  it("reports the exchange's liquidation of a position as a liquidation, then the flat position, and no order of ours", async () => {
    session = await startSession('future', { leverage: { [SYMBOL]: 10 } }, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    const account: AccountReport[] = [];
    venue.onAccountReport((report) => account.push(report));
    venue.submit(future('liq-1', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'liq-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.fill('liq-1', '0.01');
    await eventually(() => account.some((report) => report.type === 'position' && report.direction === 'long' && report.liquidationPrice === '45000'), 'the long with its liquidation price');
    const reportsBefore = reports.length;
    const trade = simulator.liquidate('BTCUSDT', '45000');
    await eventually(() => account.some((report) => report.type === 'liquidation'), 'liquidation reported');
    expect(account.filter((report) => report.type === 'liquidation')).toEqual([
      { type: 'liquidation', venue: 'binance', symbol: SYMBOL, side: 'sell', quantity: '0.01', price: '45000', fee: '0.45', feeCurrency: 'USDT', timestamp: trade.time, tradeId: String(trade.id) },
    ]);
    await eventually(() => account.some((report) => report.type === 'position' && report.symbol === SYMBOL && report.direction === 'flat'), 'flat after the liquidation');
    // The exchange's own order is no order of ours: no execution report names it.
    expect(reports.slice(reportsBefore).filter((report) => report.clientOrderId.startsWith('autoclose-'))).toEqual([]);
  });

  it('a liquidation while the user stream was down is read from the forced-close list after the reconnect, reported once', async () => {
    session = await startSession('future', { leverage: { [SYMBOL]: 10 } }, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    const account: AccountReport[] = [];
    venue.onAccountReport((report) => account.push(report));
    const liquidations = () => account.filter((report): report is Extract<AccountReport, { type: 'liquidation' }> => report.type === 'liquidation');
    venue.submit(future('liq-down', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'liq-down').some((report) => report.type === 'accepted'), 'accepted');
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.fill('liq-down', '0.01');
    await eventually(() => reportsOf(reports, 'liq-down').some((report) => report.type === 'filled'), 'filled');
    await eventually(() => account.some((report) => report.type === 'position' && report.direction === 'long'), 'the long reported');

    // The stream is silent, then dropped: the exchange's liquidation message is lost with it.
    const forcedCloseLooks = () => simulator.requests.filter((request) => request === 'GET /fapi/v1/forceOrders').length;
    const looksBefore = forcedCloseLooks();
    simulator.silenceUserStreams(true);
    const trade = simulator.liquidate('BTCUSDT', '45000');
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await eventually(() => liquidations().length === 1, 'the liquidation backfilled after the reconnect');
    await eventually(() => venue.linkStatus().state === 'live', 'live again');
    expect(liquidations()).toEqual([{ type: 'liquidation', venue: 'binance', symbol: SYMBOL, side: 'sell', quantity: '0.01', price: '45000', fee: '0.45', feeCurrency: 'USDT', timestamp: trade.time, tradeId: String(trade.id) }]);
    expect(forcedCloseLooks()).toBeGreaterThan(looksBefore);
    await eventually(() => account.some((report) => report.type === 'position' && report.symbol === SYMBOL && report.direction === 'flat'), 'flat after the liquidation');

    // A liquidation the stream delivers is not repeated by the next reconnect's look at the list.
    venue.submit(future('liq-up', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'liq-up').some((report) => report.type === 'accepted'), 'second long accepted');
    simulator.fill('liq-up', '0.01');
    const second = simulator.liquidate('BTCUSDT', '45100');
    await eventually(() => liquidations().length === 2, 'the second liquidation from the stream');
    const looksBeforeSecondDrop = forcedCloseLooks();
    simulator.dropUserStreams();
    await eventually(() => forcedCloseLooks() > looksBeforeSecondDrop && venue.linkStatus().state === 'live', 'reconnected and looked again');
    expect(liquidations().map((report) => report.tradeId)).toEqual([String(trade.id), String(second.id)]);
  });

  it('amends price and quantity in place, keeping the order and its id', async () => {
    session = await startSession('future', {}, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    venue.submit(future('mod-1', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'mod-1').some((report) => report.type === 'accepted'), 'accepted');
    const orderId = simulator.orderByClientId('mod-1')!.orderId;
    venue.amend('mod-1', { price: '49000.5', quantity: '0.02' });
    await eventually(() => reportsOf(reports, 'mod-1').some((report) => report.type === 'amended'), 'amended');
    const amended = reportsOf(reports, 'mod-1').filter((report): report is Extract<ExecutionReport, { type: 'amended' }> => report.type === 'amended');
    expect(amended[0]).toMatchObject({ price: '49000.5', quantity: '0.02' });
    expect(simulator.orderByClientId('mod-1')).toMatchObject({ orderId, price: '49000.5', origQty: '0.02', status: 'NEW' });
    venue.amend('mod-1', { price: '49000.505' });
    await eventually(() => reportsOf(reports, 'mod-1').some((report) => report.type === 'amendRejected'), 'refused before sending');
    expect(reportsOf(reports, 'mod-1').find((report) => report.type === 'amendRejected')).toMatchObject({ reason: expect.stringContaining('tick size') });
  });

  it('redials the listen-key stream after a drop and backfills the fills it missed, each once', async () => {
    session = await startSession('future', {}, { balances: { USDT: '10000' } });
    const { venue, simulator, reports } = session;
    venue.submit(future('drop-f', { quantity: '0.03', price: '50000' }));
    await eventually(() => reportsOf(reports, 'drop-f').some((report) => report.type === 'accepted'), 'accepted');
    const listenKeysBefore = simulator.requests.filter((request) => request === 'POST /fapi/v1/listenKey').length;
    simulator.silenceUserStreams(true);
    simulator.fill('drop-f', '0.01');
    simulator.fill('drop-f', '0.01');
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await eventually(() => reportsOf(reports, 'drop-f').filter((report) => report.type === 'filled').length === 2, 'backfilled');
    await eventually(() => venue.linkStatus().state === 'live', 'live');
    expect(simulator.requests.filter((request) => request === 'POST /fapi/v1/listenKey').length).toBeGreaterThan(listenKeysBefore);
    simulator.fill('drop-f', '0.01');
    await eventually(() => reportsOf(reports, 'drop-f').filter((report) => report.type === 'filled').length === 3, 'on the new stream');
    await venue.backfill();
    expect(new Set(reportsOf(reports, 'drop-f').filter((report) => report.type === 'filled').map((report) => (report as { tradeId: string }).tradeId)).size).toBe(3);
  });

  it('a leverage the exchange refuses stops connect() with the reason', async () => {
    await expect(startSession('future', { leverage: { [SYMBOL]: 500 } })).rejects.toThrow(/the exchange refused leverage 500 on BTC\/USDT:USDT: .*between 1 and 125/);
  });
});
