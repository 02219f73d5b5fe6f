// Perpetual futures on the paper venue: margin with leverage, isolated and cross, funding at its times, liquidation
// at maintenance, real shorts. The PnL figures are worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import type { AccountReport } from '../../adapters/venue.ts';
import { BTC_USD, START, order, paperSetup, quote } from './paper-fixture.ts';
import { BTC_PERP, perpetualSetup } from './paper-perpetual-fixture.ts';

const HOUR = 60 * 60 * 1000;

describe('paper perpetuals: funding and liquidation give the PnL worked out by hand', () => {
  it('isolated long: entry fee, one funding payment, liquidation at maintenance with its fee', async () => {
    const setup = perpetualSetup('1000', { leverage: '10', marginMode: 'isolated', maintenanceMarginRate: '0.05', liquidationFeeRate: '0.01', fundingRate: '0.001', markPrice: 'last' });
    const { venue, clock, flush, perp, book, print, accountReports, balance } = setup;
    venue.onMarketData(book('99.99', '100'));
    venue.onMarketData(print('100', 'buy')); // mark 100
    venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    flush();
    // Market buy 1 at 100: fee 100 x 0.0005 = 0.05; isolated margin 100 / 10 = 10.
    // Wallet 1000 - 0.05 = 999.95, of which 10 is held as margin.
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '999.95', reserved: '10' });
    // Liquidation price (C(1 + mmr) - margin) / q = (105 - 10) / 1 = 95.
    expect(venue.position('BTC-PERP')).toMatchObject({ direction: 'long', quantity: '1', entryPrice: '100', liquidationPrice: '95', leverage: '10', marginMode: 'isolated' });

    // 08:00 UTC: funding at mark 100, rate 0.001: the long pays 1 x 100 x 0.001 = 0.1, out of its isolated margin.
    clock.advanceTo(START + 8 * HOUR);
    const funding = accountReports.filter((report) => report.type === 'funding');
    expect(funding).toEqual([expect.objectContaining({ type: 'funding', symbol: 'BTC-PERP', amount: '-0.1', currency: 'USDT', rate: '0.001', timestamp: START + 8 * HOUR, fundingId: 'paper-f1' })]);
    // Wallet 999.95 - 0.1 = 999.85; margin 10 - 0.1 = 9.9; liquidation price (105 - 9.9) / 1 = 95.1.
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '999.85', reserved: '9.9' });
    expect(venue.position('BTC-PERP')?.liquidationPrice).toBe('95.1');

    // A trade at 95.11: equity 9.9 - 4.89 = 5.01 > maintenance 100 x 0.05 = 5: still open.
    venue.onMarketData(print('95.11'));
    flush();
    expect(accountReports.some((report) => report.type === 'liquidation')).toBe(false);
    // At 95.1: equity 9.9 - 4.9 = 5.0 <= 5: liquidated at 95.1, fee 95.1 x 0.01 = 0.951 (the margin has 5.0 left: covered).
    venue.onMarketData(print('95.1'));
    flush();
    const liquidation = accountReports.find((report) => report.type === 'liquidation');
    expect(liquidation).toMatchObject({ type: 'liquidation', symbol: 'BTC-PERP', side: 'sell', quantity: '1', price: '95.1', fee: '0.951', feeCurrency: 'USDT' });
    // Wallet 999.85 - 4.9 (realized) - 0.951 = 993.999. Total PnL -6.001 = -(0.05 entry fee + 0.1 funding + 4.9 loss + 0.951 liquidation fee).
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '993.999', reserved: '0' });
    expect(venue.position('BTC-PERP')).toMatchObject({ direction: 'flat', quantity: '0' });
    expect(await venue.positions()).toEqual([]);
  });

  it('isolated short that gaps past bankruptcy loses exactly its margin, never more', async () => {
    const { venue, flush, perp, book, print, accountReports, balance } = perpetualSetup('100', { leverage: '5', marginMode: 'isolated', maintenanceMarginRate: '0.01', markPrice: 'last' });
    venue.onMarketData(book('50', '50.01'));
    // A real short: no BTC held, sells 2 at 50. Fee 100 x 0.0005 = 0.05; margin 100 / 5 = 20. Wallet 99.95.
    venue.submit(perp({ clientOrderId: 'short', side: 'sell', quantity: '2' }));
    flush();
    expect(venue.position('BTC-PERP')).toMatchObject({ direction: 'short', quantity: '2', entryPrice: '50' });
    // Liquidation price (C(1 - mmr) + margin) / q = (99 + 20) / 2 = 59.5.
    expect(venue.position('BTC-PERP')?.liquidationPrice).toBe('59.5');
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '99.95', reserved: '20' });
    // The price gaps to 70: the loss there (2 x 70 - 100 = 40) exceeds the margin (20), so the close is at the
    // bankruptcy price (100 + 20) / 2 = 60 with no fee: realized -20. Wallet 99.95 - 20 = 79.95.
    venue.onMarketData(print('70', 'buy'));
    flush();
    expect(accountReports.find((report) => report.type === 'liquidation')).toMatchObject({ side: 'buy', quantity: '2', price: '60', fee: '0' });
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '79.95', reserved: '0' });
  });

  it('cross margin: the whole wallet backs the position, so it survives a move that liquidates the isolated one', async () => {
    const isolated = perpetualSetup('20', { leverage: '10', marginMode: 'isolated', maintenanceMarginRate: '0.05', liquidationFeeRate: '0.01', markPrice: 'last' });
    const cross = perpetualSetup('20', { leverage: '10', marginMode: 'cross', maintenanceMarginRate: '0.05', liquidationFeeRate: '0.01', markPrice: 'last' });
    for (const { venue, flush, perp, book } of [isolated, cross]) {
      venue.onMarketData(book('99.99', '100'));
      venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
      flush();
    }
    // Isolated: margin 10, liquidation (105 - 10) = 95. Cross: wallet 20 - 0.05 = 19.95 backs it:
    // 19.95 + (P - 100) <= 5 at P <= 85.05.
    expect(isolated.venue.position('BTC-PERP')?.liquidationPrice).toBe('95');
    expect(cross.venue.position('BTC-PERP')?.liquidationPrice).toBe('85.05');
    for (const { venue, flush, print } of [isolated, cross]) {
      venue.onMarketData(print('90'));
      flush();
    }
    expect(isolated.accountReports.find((report) => report.type === 'liquidation')).toMatchObject({ price: '90' });
    expect(cross.accountReports.some((report) => report.type === 'liquidation')).toBe(false);
    cross.venue.onMarketData(cross.print('85.06'));
    cross.venue.onMarketData(cross.print('85.05'));
    cross.flush();
    // Liquidated at 85.05, fee 0.8505: wallet 19.95 - 14.95 - 0.8505 = 4.1495.
    expect(cross.accountReports.filter((report) => report.type === 'liquidation')).toEqual([expect.objectContaining({ price: '85.05', fee: '0.8505' })]);
    expect(await cross.balance('USDT')).toEqual({ currency: 'USDT', total: '4.1495', reserved: '0' });
  });

  it('funding: with a positive rate longs pay and shorts receive, at every interval on the clock, at the mark then', async () => {
    const { venue, clock, flush, perp, book, accountReports, balance } = perpetualSetup('1000', { leverage: '2', fundingRate: '0.0002', fundingIntervalMs: 4 * HOUR });
    venue.onMarketData(book('199.99', '200.01')); // mid mark 200
    venue.submit(perp({ clientOrderId: 'short', side: 'sell', quantity: '0.5' }));
    flush();
    // Sold 0.5 at 199.99: fee 99.995 x 0.0005 = 0.0499975. Wallet 999.9500025.
    clock.advanceTo(START + 4 * HOUR);
    venue.onMarketData(book('209.99', '210.01')); // mark 210
    clock.advanceTo(START + 8 * HOUR);
    // 04:00: 0.5 x 200 x 0.0002 = 0.02 received; 08:00: 0.5 x 210 x 0.0002 = 0.021 received.
    expect(accountReports.filter((report) => report.type === 'funding').map((report) => [report.type === 'funding' && report.amount, report.timestamp])).toEqual([
      ['0.02', START + 4 * HOUR],
      ['0.021', START + 8 * HOUR],
    ]);
    expect((await balance('USDT')).total).toBe('999.9910025');
  });
});

describe('paper perpetuals: distinct from spot', () => {
  it('a sell on a perpetual opens a short with no inventory; the same sell on spot needs the base it sells', async () => {
    const spot = paperSetup({ instruments: [BTC_USD, BTC_PERP], balances: { USD: '1000', BTC: '0', USDT: '1000' } });
    spot.venue.onMarketData(quote(START, [['100', '10']], [['100.01', '10']]));
    spot.venue.onMarketData(quote(START, [['100', '10']], [['100.01', '10']], BTC_PERP.symbol));
    spot.venue.submit(order({ clientOrderId: 'spot-sell', side: 'sell', quantity: '1' }));
    spot.venue.submit(order({ clientOrderId: 'perp-sell', symbol: BTC_PERP.symbol, side: 'sell', quantity: '1' }));
    spot.flush();
    expect(spot.reportsFor('spot-sell')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient balance: needs 1 BTC, free 0 BTC' })]);
    expect(spot.reportsFor('perp-sell').map((report) => report.type)).toEqual(['accepted', 'filled']);
    expect(spot.venue.position(BTC_PERP.symbol)).toMatchObject({ direction: 'short', quantity: '1' });
    // No BTC moved: a perpetual settles in USDT only.
    expect(await spot.balance('BTC')).toEqual({ currency: 'BTC', total: '0', reserved: '0' });
  });

  it('a limit order holds margin (notional / leverage + fee), refused when the margin is not there', async () => {
    const { venue, flush, perp, book, reportsFor, balance } = perpetualSetup('100', { leverage: '20' });
    venue.onMarketData(book('99.99', '100'));
    // 10 at 99: 990 / 20 = 49.5 margin + 990 x 0.0005 = 0.495 fee -> 49.995 held.
    venue.submit(perp({ clientOrderId: 'fits', side: 'buy', quantity: '10', price: '99' }));
    venue.submit(perp({ clientOrderId: 'too-big', side: 'sell', quantity: '11', price: '101' }));
    flush();
    expect(reportsFor('fits').map((report) => report.type)).toEqual(['accepted']);
    expect(await balance('USDT')).toEqual({ currency: 'USDT', total: '100', reserved: '49.995' });
    expect(reportsFor('too-big')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient margin: needs 56.1055 USDT, available 50.005 USDT' })]);
  });

  it('reduce-only: refused when it would open, capped at the position, canceled when the position is gone', async () => {
    const { venue, flush, perp, book, reportsFor } = perpetualSetup('1000', { leverage: '5' });
    expect(venue.capabilities.reduceOnly).toBe(true);
    venue.onMarketData(book('99.99', '100'));
    venue.submit(perp({ clientOrderId: 'opens', side: 'sell', quantity: '1', reduceOnly: true }));
    flush();
    expect(reportsFor('opens')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'reduce-only sell would open or add to a position (BTC-PERP is flat)' })]);
    venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    venue.submit(perp({ clientOrderId: 'take-profit', side: 'sell', quantity: '1', price: '110', reduceOnly: true }));
    venue.submit(perp({ clientOrderId: 'close', side: 'sell', quantity: '3', reduceOnly: true }));
    flush();
    // The market close is capped at the 1 held; the position is flat, so the resting reduce-only order goes too.
    expect(reportsFor('close').filter((report) => report.type === 'filled').map((report) => report.type === 'filled' && report.quantity)).toEqual(['1']);
    expect(venue.position('BTC-PERP')?.direction).toBe('flat');
    expect(reportsFor('take-profit').at(-1)).toMatchObject({ type: 'canceled', reason: 'reduce-only: no long position left to reduce' });
  });

  it('with cross losses beyond the free balance, new orders are refused but a reduce-only close always passes', () => {
    const { venue, flush, perp, book, print, reportsFor } = perpetualSetup('20', { leverage: '10', marginMode: 'cross', maintenanceMarginRate: '0.05', markPrice: 'last' });
    venue.onMarketData(book('99.99', '100'));
    venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    flush();
    // Wallet 19.95, margin 10, free 9.95; at mark 88 the loss is 12 (liquidation only at 85.05): available -2.05.
    venue.onMarketData(print('88'));
    venue.onMarketData(book('87.99', '88'));
    venue.submit(perp({ clientOrderId: 'more', side: 'buy', quantity: '0.001', price: '80' }));
    venue.submit(perp({ clientOrderId: 'close', side: 'sell', quantity: '1', reduceOnly: true }));
    flush();
    expect(reportsFor('more')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient margin: needs 0.00804 USDT, available -2.05 USDT' })]);
    expect(reportsFor('close').map((report) => report.type)).toEqual(['accepted', 'filled']);
    expect(venue.position('BTC-PERP')?.direction).toBe('flat');
  });

  it('a mark and funding-rate feed: quotes and trades do not move a fed mark; the fed mark and rate decide funding and liquidation', () => {
    const { venue, clock, flush, perp, book, print, accountReports } = perpetualSetup('1000', { leverage: '10', marginMode: 'isolated', maintenanceMarginRate: '0.05', markPrice: 'feed', fundingRate: '0.001' });
    venue.onMarketData(book('99.99', '100'));
    venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    flush();
    // Liquidation price 95 (entry 100, leverage 10, maintenance 5 %); a trade far below does not liquidate a fed mark.
    venue.onMarketData(print('50'));
    venue.onMarketData(book('49.99', '50'));
    flush();
    expect(accountReports.some((report) => report.type === 'liquidation')).toBe(false);
    venue.onMarkPrice('BTC-PERP', decimal('101'));
    venue.setFundingRate('BTC-PERP', '-0.002');
    clock.advanceTo(START + 8 * HOUR);
    // A negative rate: the long receives 1 x 101 x 0.002 = 0.202.
    expect(accountReports.find((report) => report.type === 'funding')).toMatchObject({ amount: '0.202', rate: '-0.002' });
    // Margin 10.202: liquidated at or below (105 - 10.202) = 94.798.
    venue.onMarkPrice('BTC-PERP', decimal('94.8'));
    flush();
    expect(accountReports.some((report) => report.type === 'liquidation')).toBe(false);
    venue.onMarkPrice('BTC-PERP', decimal('94.79'));
    flush();
    expect(accountReports.find((report) => report.type === 'liquidation')).toMatchObject({ price: '94.79', side: 'sell' });
  });

  it('leverage and margin mode change only while flat with no working order', () => {
    const { venue, flush, perp, book } = perpetualSetup('1000', { leverage: '5' });
    venue.setMarginTerms('BTC-PERP', { leverage: '10', marginMode: 'isolated' });
    expect(venue.position('BTC-PERP')).toMatchObject({ leverage: '10', marginMode: 'isolated' });
    expect(() => venue.setMarginTerms('BTC-PERP', { leverage: '0.5' })).toThrow('BTC-PERP: leverage must be at least 1, got 0.5');
    venue.onMarketData(book('99.99', '100'));
    venue.submit(perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    flush();
    expect(() => venue.setMarginTerms('BTC-PERP', { leverage: '20' })).toThrow('BTC-PERP: leverage and margin mode cannot change while a position is open');
  });

  it('settings that cannot be honoured are refused when the venue is made', () => {
    expect(() => perpetualSetup('1', { leverage: '10', maintenanceMarginRate: '0.1' })).toThrow('BTC-PERP: maintenanceMarginRate 0.1 must be at least 0 and below 1 / leverage (0.1)');
    expect(() => paperSetup({ perpetuals: { 'BTC-USD': {} } })).toThrow('perpetual settings for BTC-USD, which is not a perpetual instrument of this venue');
  });

  it('a restored venue holds the same position, margin and funding schedule', async () => {
    const original = perpetualSetup('1000', { leverage: '4', marginMode: 'isolated', fundingRate: '0.0003', markPrice: 'last' });
    original.venue.onMarketData(original.book('99.99', '100'));
    original.venue.onMarketData(original.print('100'));
    original.venue.submit(original.perp({ clientOrderId: 'long', side: 'buy', quantity: '2' }));
    original.flush();
    const state = JSON.parse(JSON.stringify(original.venue.exportState()));
    const restored = paperSetup({ instruments: [BTC_PERP], balances: { USDT: '0' }, perpetuals: { 'BTC-PERP': { leverage: '1', markPrice: 'last' } }, state });
    expect(restored.venue.position('BTC-PERP')).toEqual(original.venue.position('BTC-PERP'));
    const funded: AccountReport[] = [];
    restored.venue.onAccountReport((report) => funded.push(report));
    restored.clock.advanceTo(START + 8 * HOUR);
    original.clock.advanceTo(START + 8 * HOUR);
    expect(funded.find((report) => report.type === 'funding')).toEqual(original.accountReports.find((report) => report.type === 'funding'));
    expect(await restored.venue.balances()).toEqual(await original.venue.balances());
  });
});
