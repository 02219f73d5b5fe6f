// The paper venue's native OCO lists: legs accepted or rejected together under one hold, the first fill (even
// partial, even on arrival) or trigger of a leg cancels the others, a cancel of one leg cancels the list, legs
// are not amended, and the linkage survives a restart from the saved state.
import { describe, expect, it } from 'vitest';
import { applyPaperVenueChanges } from '../../adapters/paper/paper-state.ts';
import type { VenueOrder, VenueOrderList } from '../../adapters/venue.ts';
import { BTC_USD, START, order, paperSetup, quote, trade, type PaperSetup } from './paper-fixture.ts';
import { BTC_PERP } from './paper-perpetual-fixture.ts';

const takeProfit = (fields: Partial<VenueOrder> = {}): VenueOrder => order({ clientOrderId: 'tp', side: 'sell', quantity: '1', price: '110', ...fields });
const stopLoss = (fields: Partial<VenueOrder> = {}): VenueOrder => order({ clientOrderId: 'sl', side: 'sell', type: 'stop', quantity: '1', stopPrice: '90', ...fields });

function oco(orders: readonly VenueOrder[], listId = 'L1'): VenueOrderList {
  return { listId, kind: 'oco', symbol: BTC_USD.symbol, orders };
}

/** A venue with native stops, a 100/101 market, and an OCO protecting 1 BTC: take-profit at 110, stop at 90. */
function protectedBitcoin(options: Parameters<typeof paperSetup>[0] = {}): PaperSetup {
  const setup = paperSetup({ nativeStops: true, ...options });
  setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
  setup.venue.submitList(oco([takeProfit(), stopLoss()]));
  setup.flush();
  return setup;
}

const summary = (setup: PaperSetup, ...ids: string[]) =>
  setup.reports.filter((report) => ids.includes(report.clientOrderId)).map((report) => `${report.type} ${report.clientOrderId}`);

describe('paper venue OCO lists', () => {
  it('accepts every leg and holds the protected bitcoin once, not once per leg', async () => {
    const setup = protectedBitcoin();
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted tp', 'accepted sl']);
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '1' });
    expect((await setup.venue.openOrders()).map((status) => [status.clientOrderId, status.status])).toEqual([['tp', 'open'], ['sl', 'open']]);
  });

  it('a leg that fills cancels the other, naming the list and the leg; balances move by the fill alone', async () => {
    const setup = protectedBitcoin();
    setup.venue.onMarketData(trade(START, '110.5', '2', 'buy'));
    setup.flush();
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted tp', 'accepted sl', 'filled tp', 'canceled sl']);
    expect(setup.reportsFor('sl')[1]).toMatchObject({ type: 'canceled', reason: 'one-cancels-other list L1: leg tp filled 1 of 1' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });
    // 110 received, 0.11 maker fee paid.
    expect(await setup.balance('USD')).toEqual({ currency: 'USD', total: '10109.89', reserved: '0' });
  });

  it('a partial fill cancels the other leg at once; the filling leg keeps working for the rest', async () => {
    const setup = protectedBitcoin();
    setup.venue.onMarketData(trade(START, '110.5', '0.4', 'buy'));
    setup.flush();
    expect(setup.reportsFor('sl')[1]).toMatchObject({ type: 'canceled', reason: 'one-cancels-other list L1: leg tp filled 0.4 of 1' });
    expect(await setup.venue.queryOrder('tp')).toMatchObject({ status: 'partial', filledQuantity: '0.4' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9.6', reserved: '0.6' });
    // The stop price trades: the canceled stop does not fire.
    setup.venue.onMarketData(quote(START, [['89', '5']], [['91', '5']]));
    setup.venue.onMarketData(trade(START, '89', '1', 'sell'));
    setup.venue.onMarketData(trade(START, '111', '1', 'buy'));
    setup.flush();
    expect(setup.fills('sl')).toEqual([]);
    expect(setup.fills('tp').map((fill) => fill.quantity)).toEqual(['0.4', '0.6']);
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });
  });

  it('a leg that crosses on arrival fills at once and the legs before it are canceled', async () => {
    const setup = paperSetup({ nativeStops: true });
    setup.venue.onMarketData(quote(START, [['111', '5']], [['112', '5']]));
    setup.venue.submitList(oco([stopLoss(), takeProfit()]));
    setup.flush();
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted sl', 'accepted tp', 'filled tp', 'canceled sl']);
    expect(setup.fills('tp')).toEqual([expect.objectContaining({ quantity: '1', price: '111', liquidity: 'taker', fee: '0.222' })]);
    expect(setup.reportsFor('sl')[1]).toMatchObject({ reason: 'one-cancels-other list L1: leg tp filled 1 of 1' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });
    expect(await setup.balance('USD')).toEqual({ currency: 'USD', total: '10110.778', reserved: '0' });
    // The canceled stop left the trigger index: a trade through 90 fires nothing.
    setup.venue.onMarketData(trade(START, '85', '1', 'sell'));
    setup.flush();
    expect(setup.reportsFor('sl')).toHaveLength(2);
  });

  it('a cancel of one leg cancels the whole list and releases its hold', async () => {
    const setup = protectedBitcoin();
    setup.venue.cancel('sl');
    setup.flush();
    expect(setup.reportsFor('sl')[1]).toMatchObject({ type: 'canceled', reason: 'canceled by client' });
    expect(setup.reportsFor('tp')[1]).toMatchObject({ type: 'canceled', reason: 'one-cancels-other list L1: leg sl was canceled by client' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '0' });
    setup.venue.cancel('tp');
    setup.flush();
    expect(setup.reportsFor('tp')[2]).toMatchObject({ type: 'cancelRejected', reason: 'order is already canceled' });
  });

  it('after a partial fill decided the list, a cancel of the canceled leg still cancels the leg working', async () => {
    const setup = protectedBitcoin();
    setup.venue.onMarketData(trade(START, '110.5', '0.4', 'buy'));
    setup.flush();
    setup.venue.cancel('sl');
    setup.flush();
    expect(setup.reportsFor('sl').at(-1)).toMatchObject({ type: 'cancelRejected', reason: 'order is already canceled' });
    expect(setup.reportsFor('tp').at(-1)).toMatchObject({ type: 'canceled', reason: 'canceled by client with its list L1 (cancel of leg sl)' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9.6', reserved: '0' });
  });

  it('a stop leg that triggers cancels the other leg before it trades', async () => {
    const setup = protectedBitcoin();
    setup.venue.onMarketData(quote(START, [['89.5', '5']], [['90.5', '5']]));
    setup.venue.onMarketData(trade(START, '90', '1', 'sell'));
    setup.flush();
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted tp', 'accepted sl', 'canceled tp', 'filled sl']);
    expect(setup.reportsFor('tp')[1]).toMatchObject({ reason: 'one-cancels-other list L1: leg sl triggered' });
    expect(setup.fills('sl')).toEqual([expect.objectContaining({ quantity: '1', price: '89.5', liquidity: 'taker' })]);
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });
  });

  it('a leg that expires cancels the others', async () => {
    const setup = paperSetup({ nativeStops: true });
    setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
    setup.venue.submitList(oco([takeProfit({ timeInForce: 'GTD', expireAt: START + 1_000 }), stopLoss()]));
    setup.clock.advanceBy(1_000);
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted tp', 'accepted sl', 'expired tp', 'canceled sl']);
    expect(setup.reportsFor('sl')[1]).toMatchObject({ reason: 'one-cancels-other list L1: leg tp expired' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '0' });
  });

  it('holds the largest leg per currency, so cash for one buy protects two; the leg that trades then holds all it needs', async () => {
    // 150 USD: a buy at 100 (100.2 with fee) or a stop buy at 120 (120.24): either alone fits, both would not.
    const setup = paperSetup({ nativeStops: true, balances: { USD: '150', BTC: '0' } });
    setup.venue.onMarketData(quote(START, [['99', '5']], [['101', '5']]));
    const dip = order({ clientOrderId: 'dip', side: 'buy', quantity: '1', price: '100' });
    const breakout = order({ clientOrderId: 'breakout', side: 'buy', type: 'stop', quantity: '1', stopPrice: '120' });
    setup.venue.submitList(oco([dip, breakout]));
    setup.flush();
    expect(summary(setup, 'dip', 'breakout')).toEqual(['accepted dip', 'accepted breakout']);
    expect(await setup.balance('USD')).toEqual({ currency: 'USD', total: '150', reserved: '120.24' });
    // The breakout leg (holding only its 20.04 share) triggers: the dip leg's share passes to it, then it walks the asks.
    setup.venue.onMarketData(quote(START, [['120', '5']], [['120.5', '5']]));
    setup.venue.onMarketData(trade(START, '120', '1', 'buy'));
    setup.flush();
    expect(summary(setup, 'dip', 'breakout')).toEqual(['accepted dip', 'accepted breakout', 'canceled dip', 'filled breakout']);
    expect(setup.fills('breakout')).toEqual([expect.objectContaining({ quantity: '1', price: '120.5', fee: '0.241' })]);
    expect(await setup.balance('USD')).toEqual({ currency: 'USD', total: '29.259', reserved: '0' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '1', reserved: '0' });
  });

  it('amending a leg is refused', () => {
    const setup = protectedBitcoin();
    setup.venue.amend('tp', { price: '111' });
    setup.flush();
    expect(setup.reportsFor('tp')[1]).toEqual(expect.objectContaining({ type: 'amendRejected', reason: 'legs of a venue list are not amended (tp is a leg of L1)' }));
  });
});

describe('paper venue OCO lists on a perpetual', () => {
  function perpetualVenue() {
    const setup = paperSetup({ nativeStops: true, instruments: [BTC_PERP], balances: { USDT: '1000' }, perpetuals: { 'BTC-PERP': { leverage: '10', marginMode: 'isolated', markPrice: 'last' } } });
    const perp = (fields: Parameters<typeof order>[0]) => order({ symbol: BTC_PERP.symbol, ...fields });
    const list = (orders: VenueOrder[]): VenueOrderList => ({ listId: 'P1', kind: 'oco', symbol: BTC_PERP.symbol, orders });
    setup.venue.onMarketData(quote(START, [['99.99', '100']], [['100', '100']], BTC_PERP.symbol));
    return { ...setup, perp, list };
  }

  it('reduce-only exits of a long hold nothing; the take-profit fills, the stop is canceled, the position is flat', async () => {
    const setup = perpetualVenue();
    setup.venue.submit(setup.perp({ clientOrderId: 'long', side: 'buy', quantity: '1' }));
    setup.flush();
    // Market buy 1 at 100: fee 0.05, isolated margin 10.
    expect(await setup.balance('USDT')).toEqual({ currency: 'USDT', total: '999.95', reserved: '10' });
    setup.venue.submitList(setup.list([
      setup.perp({ clientOrderId: 'tp', side: 'sell', quantity: '1', price: '110', reduceOnly: true }),
      setup.perp({ clientOrderId: 'sl', side: 'sell', type: 'stop', quantity: '1', stopPrice: '95', reduceOnly: true }),
    ]));
    setup.flush();
    expect(await setup.balance('USDT')).toEqual({ currency: 'USDT', total: '999.95', reserved: '10' });
    setup.venue.onMarketData(trade(START, '110.5', '1', 'buy', BTC_PERP.symbol));
    setup.flush();
    expect(summary(setup, 'tp', 'sl')).toEqual(['accepted tp', 'accepted sl', 'filled tp', 'canceled sl']);
    expect(setup.reportsFor('sl')[1]).toMatchObject({ reason: 'one-cancels-other list P1: leg tp filled 1 of 1' });
    expect(setup.venue.position('BTC-PERP')).toMatchObject({ direction: 'flat', quantity: '0' });
    // 999.95 + 10 realized - 0.022 maker fee (110 x 0.0002).
    expect(await setup.balance('USDT')).toEqual({ currency: 'USDT', total: '1009.928', reserved: '0' });
  });

  it('entry legs share one margin hold, the larger leg\'s; the leg that fills keeps only its position margin', async () => {
    const setup = perpetualVenue();
    setup.venue.submitList(setup.list([
      setup.perp({ clientOrderId: 'dip', side: 'buy', quantity: '1', price: '95' }),
      setup.perp({ clientOrderId: 'breakout', side: 'buy', type: 'stop', quantity: '1', stopPrice: '105' }),
    ]));
    setup.flush();
    // dip: 95 / 10 + 95 x 0.0005 = 9.5475; breakout: 105 / 10 + 105 x 0.0005 = 10.5525. Held once: 10.5525.
    expect(await setup.balance('USDT')).toEqual({ currency: 'USDT', total: '1000', reserved: '10.5525' });
    setup.venue.onMarketData(trade(START, '94.9', '1', 'sell', BTC_PERP.symbol));
    setup.flush();
    expect(summary(setup, 'dip', 'breakout')).toEqual(['accepted dip', 'accepted breakout', 'filled dip', 'canceled breakout']);
    // Position margin 95 / 10 = 9.5; maker fee 95 x 0.0002 = 0.019.
    expect(await setup.balance('USDT')).toEqual({ currency: 'USDT', total: '999.981', reserved: '9.5' });
  });
});

describe('paper venue OCO lists refused or rejected', () => {
  it('says why it cannot hold a list, in one specific sentence, and holds a valid one', () => {
    const { venue } = paperSetup({ nativeStops: true });
    const valid = oco([takeProfit(), stopLoss()]);
    expect(venue.capabilities.orderLists).toEqual(['oco']);
    expect(venue.orderListRefusal(valid)).toBeUndefined();
    expect(venue.orderListRefusal(oco([takeProfit()]))).toBe('a one-cancels-other list needs at least two legs, got 1');
    expect(venue.orderListRefusal(oco([takeProfit(), stopLoss({ symbol: 'ETH-USD' })]))).toBe('leg sl is on ETH-USD, not on the list\'s symbol BTC-USD');
    expect(venue.orderListRefusal(oco([takeProfit(), takeProfit()]))).toBe('leg tp appears twice in the list: every leg needs its own clientOrderId');
    expect(venue.orderListRefusal(oco([takeProfit(), order({ clientOrderId: 'now', side: 'sell', quantity: '1' })]))).toBe(
      'leg now is a market order: it fills at once, so there is nothing for it to cancel or be canceled by',
    );
    expect(venue.orderListRefusal(oco([takeProfit(), takeProfit({ clientOrderId: 'ioc', timeInForce: 'IOC' })]))).toBe('leg ioc is IOC: a leg must be able to rest until a sibling fills');
    const withoutStops = paperSetup().venue;
    expect(withoutStops.orderListRefusal(valid)).toBe('leg sl is a stop order, which paper does not hold itself');
  });

  it('a list the rule refuses is rejected whole on arrival, with the same sentence', () => {
    const setup = paperSetup();
    setup.venue.submitList(oco([takeProfit(), stopLoss()]));
    setup.flush();
    const reason = 'order list L1 rejected: leg sl is a stop order, which paper does not hold itself';
    expect(setup.reports).toEqual([expect.objectContaining({ type: 'rejected', clientOrderId: 'tp', reason }), expect.objectContaining({ type: 'rejected', clientOrderId: 'sl', reason })]);
  });

  it('when one leg cannot be held every leg is rejected and balances are exactly as before', async () => {
    const setup = paperSetup({ nativeStops: true });
    setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
    const before = await setup.venue.balances();
    // The first leg's 1 BTC is held, then the second leg's 100,200 USD is not there: the first is released.
    setup.venue.submitList(oco([takeProfit(), order({ clientOrderId: 'huge', side: 'buy', quantity: '1', price: '100000' })]));
    setup.flush();
    const reason = 'order list L1 rejected: leg huge: insufficient balance: needs 100200 USD, free 10000 USD';
    expect(setup.reports).toEqual([expect.objectContaining({ type: 'rejected', clientOrderId: 'tp', reason }), expect.objectContaining({ type: 'rejected', clientOrderId: 'huge', reason })]);
    expect(await setup.venue.balances()).toEqual(before);
    expect(await setup.venue.openOrders()).toEqual([]);
    expect(await setup.venue.queryOrder('tp')).toMatchObject({ status: 'rejected' });

    setup.venue.submitList(oco([takeProfit({ clientOrderId: 'maker', postOnly: true, price: '99' }), stopLoss()], 'L2'));
    setup.flush();
    expect(setup.reportsFor('sl')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'order list L2 rejected: leg maker: post-only order would take liquidity' })]);
    expect(await setup.venue.balances()).toEqual(before);
  });

  it('a leg whose clientOrderId is taken rejects the list and leaves the order that has it untouched', async () => {
    const setup = protectedBitcoin();
    setup.venue.submitList(oco([takeProfit({ clientOrderId: 'fresh' }), stopLoss()], 'L2'));
    setup.flush();
    expect(setup.reportsFor('fresh')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'order list L2 rejected: leg sl: duplicate clientOrderId' })]);
    expect(await setup.venue.queryOrder('sl')).toMatchObject({ status: 'open' });
    expect(await setup.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '1' });
  });
});

describe('paper venue OCO lists across a restart', () => {
  it('a venue restored from its saved state keeps the linkage and the one hold', async () => {
    const before = protectedBitcoin();
    const state = JSON.parse(JSON.stringify(before.venue.exportState()));
    const after = paperSetup({ nativeStops: true, state });
    expect(await after.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '1' });
    after.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
    after.venue.onMarketData(trade(START, '110.5', '2', 'buy'));
    after.flush();
    expect(summary(after, 'tp', 'sl')).toEqual(['filled tp', 'canceled sl']);
    expect(after.reportsFor('sl')[0]).toMatchObject({ reason: 'one-cancels-other list L1: leg tp filled 1 of 1' });
    expect(await after.balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });
  });

  it('the change records saved every turn carry the linkage too', async () => {
    const setup = paperSetup({ nativeStops: true });
    const empty = setup.venue.exportState();
    setup.venue.onMarketData(quote(START, [['100', '5']], [['101', '5']]));
    setup.venue.submitList(oco([takeProfit(), stopLoss()]));
    setup.flush();
    const state = applyPaperVenueChanges(empty, JSON.parse(JSON.stringify(setup.venue.takeChanges())));
    const after = paperSetup({ nativeStops: true, state });
    after.venue.cancel('tp');
    after.flush();
    expect(after.reportsFor('sl')).toEqual([expect.objectContaining({ type: 'canceled', reason: 'one-cancels-other list L1: leg tp was canceled by client' })]);
    expect(await after.balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '0' });
  });

  it('a list decided before the restart stays decided: the leg still working holds all it needs and cancels alone', async () => {
    const before = protectedBitcoin();
    before.venue.onMarketData(trade(START, '110.5', '0.4', 'buy'));
    before.flush();
    const after = paperSetup({ nativeStops: true, state: JSON.parse(JSON.stringify(before.venue.exportState())) });
    expect(await after.balance('BTC')).toEqual({ currency: 'BTC', total: '9.6', reserved: '0.6' });
    after.venue.cancel('sl');
    after.flush();
    expect(after.reportsFor('tp')).toEqual([expect.objectContaining({ type: 'canceled', reason: 'canceled by client with its list L1 (cancel of leg sl)' })]);
    expect(await after.balance('BTC')).toEqual({ currency: 'BTC', total: '9.6', reserved: '0' });
  });
});
