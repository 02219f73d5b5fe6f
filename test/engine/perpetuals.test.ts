// Perpetual futures through the engine on the paper venue: real shorts, longs that reserve margin only, funding
// into the position's PnL and the wallet, liquidation as a trade with its reason, and the engine's ledger equal to
// the venue's balances throughout. Every figure is worked out by hand in the comments.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import type { PerpetualSettings } from '../../adapters/paper/perpetual-account.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { RiskLimits } from '../../src/risk/checks.ts';

const START = Date.UTC(2026, 0, 1);
const HOUR = 60 * 60 * 1000;

/** Taker 0.05 %, maker 0.02 %; the engine assumes leverage 10 unless a position asks for another. */
const PERP = createInstrument({
  symbol: 'BTC-PERP', kind: 'perpetual', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '0', makerFee: '0.0002', takerFee: '0.0005', leverage: '10',
});

async function session(usdt: string, settings: PerpetualSettings, options: { nativeStops?: boolean; risk?: RiskLimits } = {}) {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [PERP], balances: { USDT: usdt }, perpetuals: { [PERP.symbol]: settings }, nativeStops: options.nativeStops ?? false });
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (line, _encoding, done) => { warnings.push(JSON.parse(String(line)).msg); done(); } }));
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e', logger, ...(options.risk !== undefined ? { risk: options.risk } : {}) });
  await engine.start();
  const events: DomainEvent[] = [];
  engine.subscribe((event) => events.push(event));
  /** A book of 100 each side at `bid` / `ask`, then every timer due is run. */
  const book = (bid: string, ask: string) => {
    venue.onMarketData({ type: 'quote', symbol: PERP.symbol, timestamp: clock.now(), bids: [{ price: decimal(bid), quantity: decimal('100') }], asks: [{ price: decimal(ask), quantity: decimal('100') }] });
    clock.advanceBy(0);
  };
  const venueBalance = async () => {
    const found = (await venue.balances()).find((balance) => balance.currency === 'USDT')!;
    return { total: found.total, reserved: found.reserved };
  };
  const ledgerBalance = () => engine.account('USDT').balances.USDT;
  return { clock, venue, engine, events, warnings, book, venueBalance, ledgerBalance };
}

describe('perpetuals through the engine', () => {
  it('a short is a real short: no base needed, its margin reserved in quote, closed with the PnL worked out by hand', async () => {
    const { venue, engine, book, venueBalance, ledgerBalance } = await session('1000', { leverage: '10', marginMode: 'isolated' });
    book('99.99', '100');
    const handle = engine.openPosition({ symbol: PERP.symbol, direction: 'short', quantity: '2' });
    expect(handle.denial).toBeUndefined();
    book('99.99', '100');
    // Sold 2 at the bid 99.99: notional 199.98, fee 199.98 x 0.0005 = 0.09999, margin 199.98 / 10 = 19.998.
    expect(engine.getPosition(handle.positionId)).toMatchObject({ status: 'open', direction: 'short', quantity: '2', averageEntryPrice: '99.99' });
    expect(venue.position(PERP.symbol)).toMatchObject({ direction: 'short', quantity: '2' });
    expect(ledgerBalance()).toEqual({ total: '999.90001', reserved: '19.998' });
    expect(await venueBalance()).toEqual(ledgerBalance());
    expect(engine.account('USDT').balances.BTC).toBeUndefined();
    // Equity is the wallet plus unrealized PnL at the mark (the mid 99.995): 999.90001 - (2 x 99.995 - 199.98) = 999.89001.
    expect(engine.account('USDT')).toMatchObject({ equity: '999.89001', exposure: '199.99' });

    book('94.99', '95');
    engine.closePosition(handle.positionId);
    book('94.99', '95');
    // Bought back 2 at 95: fee 190 x 0.0005 = 0.095; realized 199.98 - 190 = 9.98.
    // Wallet 999.90001 + 9.98 - 0.095 = 1009.78501; net PnL 9.98 - 0.09999 - 0.095 = 9.78501.
    expect(engine.getPosition(handle.positionId)).toMatchObject({ status: 'closed', realizedPnl: '9.98', fees: '0.19499', exitReason: 'manual' });
    expect(engine.trades()).toEqual([expect.objectContaining({ id: handle.positionId, side: 'sell', entryPrice: '99.99', exitPrice: '95', quantity: '2', fees: '0.19499', realizedPnl: '9.78501', exitReason: 'manual' })]);
    expect(ledgerBalance()).toEqual({ total: '1009.78501', reserved: '0' });
    expect(await venueBalance()).toEqual(ledgerBalance());
  });

  it('a long reserves its margin and fee, not its notional; a short order too; an order beyond the margin is denied with the numbers', async () => {
    const { venue, engine, book, venueBalance, ledgerBalance } = await session('100', { leverage: '10' });
    book('99.99', '100');
    // 5 at 99 is 495 of notional: spot would need 495.2475 USDT. On margin: 495 / 10 + 495 x 0.0005 = 49.7475.
    const long = engine.submitOrder({ symbol: PERP.symbol, side: 'buy', type: 'limit', quantity: '5', price: '99' });
    expect(long.denial).toBeUndefined();
    book('99.99', '100');
    expect(engine.getOrder(long.orderId)).toMatchObject({ status: 'open' });
    expect(ledgerBalance()).toEqual({ total: '100', reserved: '49.7475' });
    expect(await venueBalance()).toEqual(ledgerBalance());
    // A resting sell opens a short: 1 at 101 holds 101 / 10 + 101 x 0.0005 = 10.1505 USDT, no BTC.
    const short = engine.submitOrder({ symbol: PERP.symbol, side: 'sell', type: 'limit', quantity: '1', price: '101' });
    expect(short.denial).toBeUndefined();
    book('99.99', '100');
    expect(ledgerBalance()).toEqual({ total: '100', reserved: '59.898' });
    expect(await venueBalance()).toEqual(ledgerBalance());
    // 4 more at 99 needs 39.798; available 100 - 59.898 = 40.102: passes. 5 more would need 49.7475: denied.
    const denied = engine.submitOrder({ symbol: PERP.symbol, side: 'buy', type: 'limit', quantity: '5', price: '99' });
    expect(denied.denial).toEqual({
      reason: 'insufficientBalance',
      limit: '40.102',
      actual: '49.7475',
      message: 'available margin 40.102 USDT is below the 49.7475 USDT of margin and fee this order needs',
    });
    engine.cancelOrder(long.orderId);
    engine.cancelOrder(short.orderId);
    book('99.99', '100');
    expect(ledgerBalance()).toEqual({ total: '100', reserved: '0' });
    expect(await venueBalance()).toEqual(ledgerBalance());
  });

  it('the leverage and position-value limits count a perpetual at its notional, not its margin', async () => {
    const { engine, book } = await session('1000', { leverage: '10' }, { risk: { maxLeverage: '2', maxPositionValuePercentOfEquity: '300' } });
    book('99.99', '100');
    // 25 at 100 takes 250 of margin (and 1.25 of fee), well within 1000, but is 2500 of exposure: 2.5x equity 1000.
    const denied = engine.openPosition({ symbol: PERP.symbol, direction: 'long', quantity: '25', entry: { type: 'limit', price: '100' } });
    expect(denied.denial).toMatchObject({ reason: 'leverageAboveLimit', limit: '2', actual: '2.5' });
    const passed = engine.openPosition({ symbol: PERP.symbol, direction: 'short', quantity: '20', entry: { type: 'limit', price: '100' } });
    expect(passed.denial).toBeUndefined();
  });

  it('a position holds its margin; an order that closes it reserves nothing; a flip reserves only what opens', async () => {
    const { engine, book, venueBalance, ledgerBalance } = await session('1000', { leverage: '10' });
    book('99.99', '100');
    const handle = engine.openPosition({ symbol: PERP.symbol, direction: 'long', quantity: '1' });
    book('99.99', '100');
    // Bought 1 at 100: fee 0.05, margin 10.
    expect(ledgerBalance()).toEqual({ total: '999.95', reserved: '10' });
    const take = engine.submitOrder({ symbol: PERP.symbol, side: 'sell', type: 'limit', quantity: '1', price: '110' });
    book('99.99', '100');
    expect(engine.getOrder(take.orderId)).toMatchObject({ status: 'open' });
    expect(ledgerBalance()).toEqual({ total: '999.95', reserved: '10' });
    engine.cancelOrder(take.orderId);
    // A sell of 3 closes 1 and opens 2: only 2 x 110 / 10 + 2 x 110 x 0.0005 = 22.11 is reserved.
    const flip = engine.submitOrder({ symbol: PERP.symbol, side: 'sell', type: 'limit', quantity: '3', price: '110' });
    book('99.99', '100');
    expect(ledgerBalance()).toEqual({ total: '999.95', reserved: '32.11' });
    engine.cancelOrder(flip.orderId);
    book('99.99', '100');
    expect(ledgerBalance()).toEqual({ total: '999.95', reserved: '10' });
    expect(await venueBalance()).toEqual(ledgerBalance());
    expect(engine.getPosition(handle.positionId)).toMatchObject({ status: 'open', quantity: '1' });
  });

  it('funding paid and received across two funding times: the position\'s funding, its trade record and the wallet, equal to the venue', async () => {
    const { clock, venue, engine, events, book, venueBalance, ledgerBalance } = await session('1000', { leverage: '5', fundingRate: '0.0002', fundingIntervalMs: 4 * HOUR });
    book('199.99', '200.01');
    const handle = engine.openPosition({ symbol: PERP.symbol, direction: 'short', quantity: '0.5', margin: { leverage: '5', maintenanceMarginRate: '0.005' } });
    book('199.99', '200.01');
    // Sold 0.5 at 199.99: notional 99.995, fee 0.0499975, margin 99.995 / 5 = 19.999.
    expect(ledgerBalance()).toEqual({ total: '999.9500025', reserved: '19.999' });

    // 04:00, mark 200 (the mid), rate 0.0002: the short receives 0.5 x 200 x 0.0002 = 0.02.
    clock.advanceTo(START + 4 * HOUR);
    expect(engine.getPosition(handle.positionId)).toMatchObject({ funding: '0.02' });
    expect(ledgerBalance()).toEqual({ total: '999.9700025', reserved: '19.999' });
    expect(await venueBalance()).toEqual(ledgerBalance());

    // 08:00, mark 210, rate -0.0003: the short pays 0.5 x 210 x 0.0003 = 0.0315.
    book('209.99', '210.01');
    venue.setFundingRate(PERP.symbol, '-0.0003');
    clock.advanceTo(START + 8 * HOUR);
    expect(engine.getPosition(handle.positionId)).toMatchObject({ funding: '-0.0115' });
    expect(ledgerBalance()).toEqual({ total: '999.9385025', reserved: '19.999' });
    expect(await venueBalance()).toEqual(ledgerBalance());
    const funding = events.filter((event) => event.type === 'FundingSettled');
    expect(funding).toEqual([
      expect.objectContaining({ positionId: handle.positionId, amount: '0.02', rate: '0.0002', currency: 'USDT', fundingTime: START + 4 * HOUR }),
      expect.objectContaining({ positionId: handle.positionId, amount: '-0.0315', rate: '-0.0003', currency: 'USDT', fundingTime: START + 8 * HOUR }),
    ]);

    engine.closePosition(handle.positionId);
    book('209.99', '210.01');
    // Bought back at 210.01: fee 105.005 x 0.0005 = 0.0525025; realized 99.995 - 105.005 = -5.01.
    // Net: -5.01 - (0.0499975 + 0.0525025) - 0.0115 = -5.124. Wallet 1000 - 5.124 = 994.876.
    expect(engine.trades()).toEqual([expect.objectContaining({ fees: '0.1025', funding: '-0.0115', realizedPnl: '-5.124', exitReason: 'manual' })]);
    expect(engine.performance('1000')).toMatchObject({ totalPnl: '-5.124' });
    expect(events.find((event) => event.type === 'PositionClosed')).toMatchObject({ funding: '-0.0115', realizedPnl: '-5.01', fees: '0.1025' });
    expect(ledgerBalance()).toEqual({ total: '994.876', reserved: '0' });
    expect(await venueBalance()).toEqual(ledgerBalance());
  });

  it('a liquidation ends the position with reason liquidation: its stop ended, the trade recorded, the ledger equal to the venue', async () => {
    const { clock, venue, engine, events, book, venueBalance, ledgerBalance } = await session(
      '1000',
      { leverage: '10', marginMode: 'isolated', maintenanceMarginRate: '0.05', liquidationFeeRate: '0.01', markPrice: 'feed' },
      { nativeStops: true },
    );
    book('99.99', '100');
    venue.onMarkPrice(PERP.symbol, decimal('100'));
    // The request's maintenance rate (1 %) is the engine's estimate; the venue's (5 %) decides.
    const handle = engine.openPosition({ symbol: PERP.symbol, direction: 'long', quantity: '1', plan: { stopLoss: { method: 'price', price: '96' } }, margin: { leverage: '10', maintenanceMarginRate: '0.01' } });
    book('99.99', '100');
    const open = engine.getPosition(handle.positionId)!;
    // Bought 1 at 100: fee 0.05, isolated margin 10. The venue liquidates at (100 x 1.05 - 10) / 1 = 95; the estimate said 100 x (1 - 0.1 + 0.01) = 91.
    expect(open).toMatchObject({ status: 'open', quantity: '1', margin: { leverage: '10', marginMode: 'isolated', liquidationPrice: '95', liquidationPriceSource: 'venue' } });
    expect(engine.getOrder(open.stopOrderId!)).toMatchObject({ status: 'open', type: 'stop', stopPrice: '96' });
    // The venue's mark (its feed, 100) wins over the engine's last price (the mid, 99.995).
    expect(open).toMatchObject({ markPrice: '100', unrealizedPnl: '0' });
    expect(ledgerBalance()).toEqual({ total: '999.95', reserved: '10' });

    // The mark wicks to 94 with no trade: equity 10 - 6 = 4 <= maintenance 5. Closed at 94, fee 94 x 0.01 = 0.94 (4 left: covered).
    venue.onMarkPrice(PERP.symbol, decimal('94'));
    clock.advanceBy(0);
    clock.advanceBy(10);
    const closed = engine.getPosition(handle.positionId)!;
    expect(closed).toMatchObject({ status: 'closed', quantity: '0', exitReason: 'liquidation', realizedPnl: '-6', fees: '0.99' });
    // Net -6 - 0.05 - 0.94 = -6.99; wallet 1000 - 6.99 = 993.01.
    expect(engine.trades()).toEqual([expect.objectContaining({ id: handle.positionId, side: 'buy', entryPrice: '100', exitPrice: '94', quantity: '1', fees: '0.99', realizedPnl: '-6.99', exitReason: 'liquidation' })]);
    expect(events.find((event) => event.type === 'PositionLiquidated')).toMatchObject({ positionId: handle.positionId, side: 'sell', quantity: '1', price: '94', fee: '0.94', feeCurrency: 'USDT' });
    expect(events.find((event) => event.type === 'PositionClosed')).toMatchObject({ positionId: handle.positionId, exitReason: 'liquidation' });
    // Its stop was canceled by the venue and ended here; nothing of the position is left working.
    expect(engine.getOrder(open.stopOrderId!)).toMatchObject({ status: 'canceled', reason: 'position liquidated: BTC-PERP margin fell to maintenance' });
    expect(engine.listOrders({ parentId: handle.positionId, live: true })).toEqual([]);
    expect(engine.listPositions({ open: true })).toEqual([]);
    expect(ledgerBalance()).toEqual({ total: '993.01', reserved: '0' });
    expect(await venueBalance()).toEqual(ledgerBalance());
  });

  it('a liquidation cancels the stop the engine holds itself (emulated): the position never left half-open', async () => {
    const { venue, engine, book, clock, venueBalance, ledgerBalance } = await session('1000', { leverage: '10', marginMode: 'isolated', maintenanceMarginRate: '0.05', liquidationFeeRate: '0.01', markPrice: 'feed' });
    book('99.99', '100');
    venue.onMarkPrice(PERP.symbol, decimal('100'));
    const handle = engine.openPosition({ symbol: PERP.symbol, direction: 'long', quantity: '1', plan: { stopLoss: { method: 'price', price: '96' }, takeProfit: [{ target: { method: 'price', price: '110' }, fraction: '1' }] } });
    book('99.99', '100');
    const open = engine.getPosition(handle.positionId)!;
    expect(engine.getOrder(open.stopOrderId!)).toMatchObject({ status: 'emulated' });
    expect(engine.getOrder(open.takeProfitOrderIds[0]!)).toMatchObject({ status: 'open' });
    venue.onMarkPrice(PERP.symbol, decimal('94'));
    clock.advanceBy(0);
    clock.advanceBy(10);
    expect(engine.getPosition(handle.positionId)).toMatchObject({ status: 'closed', exitReason: 'liquidation' });
    // The take-profit was canceled by the venue, the emulated stop by the engine; nothing was replaced or sent after.
    expect(engine.listOrders({ parentId: handle.positionId }).map((view) => [view.orderId, view.status])).toEqual([
      [`${handle.positionId}.e1`, 'filled'],
      [open.stopOrderId, 'canceled'],
      [open.takeProfitOrderIds[0], 'canceled'],
    ]);
    expect(ledgerBalance()).toEqual({ total: '993.01', reserved: '0' });
    expect(await venueBalance()).toEqual(ledgerBalance());
  });

  it('funding on a symbol where the engine holds no position reaches the ledger only, with a warning', async () => {
    const { clock, venue, engine, warnings, book, venueBalance, ledgerBalance } = await session('1000', { leverage: '5', fundingRate: '0.001', markPrice: 'last' });
    book('99.99', '100');
    // A position the engine does not know of (opened at the venue directly), short 1 at 99.99.
    venue.submit({ clientOrderId: 'outside', symbol: PERP.symbol, side: 'sell', type: 'market', quantity: '1', timeInForce: 'IOC', postOnly: false, reduceOnly: false });
    clock.advanceTo(START + 8 * HOUR);
    // Entry fee 0.049995 (the venue's own books); funding at mark 99.99 (no trade yet: the entry), 99.99 x 0.001 = 0.09999 received.
    expect(engine.listPositions({ open: true })).toEqual([]);
    expect(warnings.some((message) => message.includes('where the engine holds no position: applied to the ledger only'))).toBe(true);
    expect(ledgerBalance()).toEqual({ total: '1000.09999', reserved: '0' });
    expect((await venueBalance()).total).toBe('1000.049995');
  });
});

describe('perpetuals: reconciliation at start', () => {
  it('a venue position the engine does not hold is reported in the recovery report and at warn, and nothing is traded', async () => {
    const clock = new SimulatedClock(START);
    const venue = new PaperVenue({ clock, instruments: [PERP], balances: { USDT: '1000' }, perpetuals: { [PERP.symbol]: { leverage: '10' } } });
    venue.onMarketData({ type: 'quote', symbol: PERP.symbol, timestamp: clock.now(), bids: [{ price: decimal('99.99'), quantity: decimal('100') }], asks: [{ price: decimal('100'), quantity: decimal('100') }] });
    venue.submit({ clientOrderId: 'before', symbol: PERP.symbol, side: 'buy', type: 'market', quantity: '2', timeInForce: 'IOC', postOnly: false, reduceOnly: false });
    clock.advanceBy(0);
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (line, _encoding, done) => { warnings.push(JSON.parse(String(line)).msg); done(); } }));
    const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e', logger });
    await engine.start();
    clock.advanceBy(0);
    const difference = 'position BTC-PERP on paper: the venue holds long 2, the engine nothing';
    expect(engine.recoveryReport()?.venues).toEqual([expect.objectContaining({ venue: 'paper', discrepancies: [difference] })]);
    expect(warnings).toContain(`reconciliation: ${difference}; nothing was traded to change it`);
    expect(engine.listOrders()).toEqual([]);
    expect(venue.position(PERP.symbol)).toMatchObject({ direction: 'long', quantity: '2' });
  });
});
