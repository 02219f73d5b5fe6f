// PaperVenue behaviour: queue positions, book walking, time in force, latency, balances, amend and cancel, stops.
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/domain/market-data.ts';
import type { VenueOrderStatus } from '../../adapters/venue.ts';
import { BTC_USD, START, order, paperSetup, quote, trade } from './paper-fixture.ts';

describe('PaperVenue queue position', () => {
  it('a limit buy with 5 units queued ahead at its price fills only after more than 5 units trade there', async () => {
    const { venue, clock, flush, fills, reportsFor } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'queued', side: 'buy', quantity: '2', price: '100' }));
    flush();
    expect(reportsFor('queued').map((report) => report.type)).toEqual(['accepted']);
    expect(venue.queuePosition('queued')).toBe('5');

    clock.advanceBy(1);
    venue.onMarketData(trade(clock.now(), '100', '3', 'sell'));
    flush();
    expect(fills('queued')).toEqual([]);
    venue.onMarketData(trade(clock.now(), '100', '2', 'sell'));
    flush();
    expect(fills('queued')).toEqual([]);
    expect(venue.queuePosition('queued')).toBe('0');

    venue.onMarketData(trade(clock.now(), '100', '1.5', 'sell'));
    flush();
    const [fill] = fills('queued');
    expect(fills('queued')).toHaveLength(1);
    expect(fill).toMatchObject({ quantity: '1.5', price: '100', fee: '0.15', feeCurrency: 'USD', liquidity: 'maker' });
    expect(await venue.queryOrder('queued')).toMatchObject({ status: 'partial', filledQuantity: '1.5', quantity: '2' });
  });

  it('a trade at its price by a buy aggressor does not fill a resting buy', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['99', '5']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '1', price: '100' }));
    flush();
    venue.onMarketData(trade(START, '100', '10', 'buy'));
    flush();
    expect(fills('b')).toEqual([]);
  });

  it('a trade strictly through a resting price fills it up to the trade quantity, ignoring the queue', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    flush();
    venue.onMarketData(trade(START, '99.5', '1.25', 'sell'));
    flush();
    expect(fills('b').map((fill) => [fill.quantity, fill.price, fill.liquidity])).toEqual([['1.25', '100', 'maker']]);
  });

  it('a quote showing less size at its price than the queue ahead shrinks the queue', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    flush();
    venue.onMarketData(quote(START, [['100', '2'], ['99', '4']], [['101', '3']]));
    expect(venue.queuePosition('b')).toBe('2');
    venue.onMarketData(trade(START, '100', '2.5', 'sell'));
    flush();
    expect(fills('b').map((fill) => fill.quantity)).toEqual(['0.5']);
  });

  it('a quote whose asks cross a resting buy fills it as maker after the queue ahead', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '1']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    flush();
    // The ask drops onto our price: 2 offered at 100, the 1 ahead of us takes the first unit.
    venue.onMarketData(quote(START, [['99.99', '3']], [['100', '2']]));
    flush();
    expect(fills('b').map((fill) => [fill.quantity, fill.price, fill.liquidity, fill.fee])).toEqual([['1', '100', 'maker', '0.1']]);
    // The level at 100 is gone from the bids, so nobody is ahead any more.
    expect(venue.queuePosition('b')).toBe('0');
  });

  it('several resting orders at one price share the passing volume in time priority', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['99', '5']], [['101', '3']]));
    venue.submit(order({ clientOrderId: 'first', side: 'buy', quantity: '1', price: '100' }));
    venue.submit(order({ clientOrderId: 'second', side: 'buy', quantity: '1', price: '100' }));
    flush();
    venue.onMarketData(trade(START, '100', '1.5', 'sell'));
    flush();
    expect(fills('first').map((fill) => fill.quantity)).toEqual(['1']);
    expect(fills('second').map((fill) => fill.quantity)).toEqual(['0.5']);
  });
});

describe('PaperVenue aggressing orders', () => {
  it('a market buy larger than the best ask level fills at a worse average price than the best ask, with exact taker fees', async () => {
    const { venue, flush, fills, reportsFor, balance } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1'], ['102', '1'], ['103', '5']]));
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '3' }));
    flush();
    expect(reportsFor('m').map((report) => report.type)).toEqual(['accepted', 'filled', 'filled', 'filled']);
    expect(fills('m').map((fill) => [fill.quantity, fill.price, fill.fee, fill.liquidity])).toEqual([
      ['1', '101', '0.202', 'taker'],
      ['1', '102', '0.204', 'taker'],
      ['1', '103', '0.206', 'taker'],
    ]);
    // Average 102 against a best ask of 101.
    expect(new Set(fills('m').map((fill) => fill.tradeId)).size).toBe(3);
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '9693.388', reserved: '0' });
    expect(await balance('BTC')).toEqual({ currency: 'BTC', total: '13', reserved: '0' });
    expect(await venue.queryOrder('m')).toMatchObject({ status: 'filled', filledQuantity: '3' });
  });

  it('a market order consumes the displayed liquidity it took until the next quote', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1.5'], ['102', '10']]));
    venue.submit(order({ clientOrderId: 'one', side: 'buy', quantity: '1' }));
    venue.submit(order({ clientOrderId: 'two', side: 'buy', quantity: '1' }));
    flush();
    expect(fills('one').map((fill) => [fill.quantity, fill.price])).toEqual([['1', '101']]);
    expect(fills('two').map((fill) => [fill.quantity, fill.price])).toEqual([
      ['0.5', '101'],
      ['0.5', '102'],
    ]);
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1.5'], ['102', '10']]));
    venue.submit(order({ clientOrderId: 'three', side: 'buy', quantity: '1' }));
    flush();
    expect(fills('three').map((fill) => [fill.quantity, fill.price])).toEqual([['1', '101']]);
  });

  it('a market sell walks the bids and credits the quote currency minus the fee', async () => {
    const { venue, flush, fills, balance } = paperSetup();
    venue.onMarketData(quote(START, [['100', '1'], ['99', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 's', side: 'sell', quantity: '2' }));
    flush();
    expect(fills('s').map((fill) => [fill.quantity, fill.price, fill.fee])).toEqual([
      ['1', '100', '0.2'],
      ['1', '99', '0.198'],
    ]);
    // 10000 + 199 - 0.398
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10198.602', reserved: '0' });
    expect(await balance('BTC')).toEqual({ currency: 'BTC', total: '8', reserved: '0' });
  });

  it('a market order with too little depth fills what there is and cancels the rest for insufficient liquidity', () => {
    const { venue, flush, reportsFor } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '3' }));
    flush();
    const reports = reportsFor('m');
    expect(reports.map((report) => report.type)).toEqual(['accepted', 'filled', 'canceled']);
    expect(reports[2]).toMatchObject({ reason: expect.stringContaining('insufficient liquidity') });
  });

  it('an FOK that cannot fill entirely is canceled with nothing filled and balances unchanged', async () => {
    const { venue, flush, reportsFor, balance } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1'], ['102', '2']]));
    const before = await venue.balances();
    venue.submit(order({ clientOrderId: 'fok-market', side: 'buy', quantity: '5', timeInForce: 'FOK' }));
    venue.submit(order({ clientOrderId: 'fok-limit', side: 'buy', quantity: '2', price: '101', timeInForce: 'FOK' }));
    flush();
    for (const clientOrderId of ['fok-market', 'fok-limit']) {
      const reports = reportsFor(clientOrderId);
      expect(reports.map((report) => report.type)).toEqual(['accepted', 'canceled']);
      expect(reports[1]).toMatchObject({ reason: expect.stringContaining('fill-or-kill') });
      expect(await venue.queryOrder(clientOrderId)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    }
    expect(await venue.balances()).toEqual(before);
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10000', reserved: '0' });
    // The liquidity is still there: a FOK that can fill does.
    venue.submit(order({ clientOrderId: 'fok-ok', side: 'buy', quantity: '3', timeInForce: 'FOK' }));
    flush();
    expect(reportsFor('fok-ok').map((report) => report.type)).toEqual(['accepted', 'filled', 'filled']);
  });

  it('an IOC limit fills what it can up to its price, then the rest is canceled', async () => {
    const { venue, flush, reportsFor, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1'], ['102', '1'], ['103', '5']]));
    venue.submit(order({ clientOrderId: 'ioc', side: 'buy', quantity: '5', price: '102', timeInForce: 'IOC' }));
    flush();
    expect(reportsFor('ioc').map((report) => report.type)).toEqual(['accepted', 'filled', 'filled', 'canceled']);
    expect(fills('ioc').map((fill) => [fill.quantity, fill.price])).toEqual([
      ['1', '101'],
      ['1', '102'],
    ]);
    expect(await venue.queryOrder('ioc')).toMatchObject({ status: 'canceled', filledQuantity: '2' });
    expect(await venue.openOrders()).toEqual([]);
  });

  it('a marketable GTC limit takes up to its price as taker and rests the rest at the front of its level', () => {
    const { venue, flush, fills } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1'], ['102', '1']]));
    venue.submit(order({ clientOrderId: 'l', side: 'buy', quantity: '3', price: '101' }));
    flush();
    expect(fills('l').map((fill) => [fill.quantity, fill.price, fill.liquidity])).toEqual([['1', '101', 'taker']]);
    expect(venue.queuePosition('l')).toBe('0');
  });

  it('a post-only order that would take liquidity is rejected', async () => {
    const { venue, flush, reportsFor } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'po', side: 'buy', quantity: '1', price: '101', postOnly: true }));
    venue.submit(order({ clientOrderId: 'po-ok', side: 'buy', quantity: '1', price: '100.5', postOnly: true }));
    flush();
    expect(reportsFor('po')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('post-only') })]);
    expect(await venue.queryOrder('po')).toMatchObject({ status: 'rejected' });
    expect(reportsFor('po-ok').map((report) => report.type)).toEqual(['accepted']);
  });
});

describe('PaperVenue time', () => {
  it('a GTD order expires at its time on the simulated clock, not a millisecond earlier', async () => {
    const { venue, clock, flush, reportsFor, deliveredAt, reports, balance } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    const expireAt = START + 60_000;
    venue.submit(order({ clientOrderId: 'gtd', side: 'buy', quantity: '1', price: '99', timeInForce: 'GTD', expireAt }));
    flush();
    expect((await balance('USD')).reserved).toBe('99.198');
    clock.advanceTo(expireAt - 1);
    expect(reportsFor('gtd').map((report) => report.type)).toEqual(['accepted']);
    expect(await venue.queryOrder('gtd')).toMatchObject({ status: 'open' });
    clock.advanceTo(expireAt);
    expect(reportsFor('gtd').map((report) => report.type)).toEqual(['accepted', 'expired']);
    expect(reportsFor('gtd')[1]!.timestamp).toBe(expireAt);
    expect(deliveredAt[reports.length - 1]).toBe(expireAt);
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10000', reserved: '0' });
    expect(await venue.openOrders()).toEqual([]);
  });

  it('a GTD order whose expiry is already past when it arrives is rejected', () => {
    const { venue, clock, reportsFor } = paperSetup({ orderLatencyMs: 100 });
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'late', side: 'buy', quantity: '1', price: '99', timeInForce: 'GTD', expireAt: START + 50 }));
    clock.advanceBy(99);
    expect(reportsFor('late')).toEqual([]);
    clock.advanceBy(1);
    expect(reportsFor('late')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('expireAt') })]);
  });

  it('latency delays orders and reports by exactly the configured milliseconds', () => {
    const { venue, clock, reports, deliveredAt, fills } = paperSetup({ orderLatencyMs: 50, reportLatencyMs: 20 });
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '1' }));
    // The book moves while the order travels: it meets the book as it is on arrival.
    clock.advanceTo(START + 30);
    venue.onMarketData(quote(START + 30, [['100', '5']], [['105', '1']]));
    clock.advanceTo(START + 69);
    expect(reports).toEqual([]);
    clock.advanceTo(START + 70);
    expect(reports.map((report) => report.type)).toEqual(['accepted', 'filled']);
    expect(deliveredAt).toEqual([START + 70, START + 70]);
    expect(reports.map((report) => report.timestamp)).toEqual([START + 50, START + 50]);
    expect(fills('m')[0]!.price).toBe('105');
  });

  it('reports are delivered on the clock, never inside submit, amend or cancel', () => {
    const { venue, reports } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '1' }));
    venue.cancel('m');
    venue.amend('m', { quantity: '2' });
    expect(reports).toEqual([]);
  });
});

describe('PaperVenue balances', () => {
  it('balances move exactly on fills and reservations are released on cancel', async () => {
    const { venue, flush, balance, reportsFor } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'buy', side: 'buy', quantity: '2', price: '100' }));
    venue.submit(order({ clientOrderId: 'sell', side: 'sell', quantity: '1.5', price: '102' }));
    flush();
    // Buy holds 2 x 100 x 1.002; sell holds its base quantity.
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10000', reserved: '200.4' });
    expect(await balance('BTC')).toEqual({ currency: 'BTC', total: '10', reserved: '1.5' });

    // 5 ahead, then 5.5 trade: 0.5 fills as maker: 50 + 0.05 fee.
    venue.onMarketData(trade(START, '100', '5.5', 'sell'));
    flush();
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '9949.95', reserved: '150.3' });
    expect(await balance('BTC')).toEqual({ currency: 'BTC', total: '10.5', reserved: '1.5' });

    // A trade through 102 fills the sell: +153 - 0.153 fee.
    venue.onMarketData(trade(START, '102.5', '3', 'buy'));
    flush();
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10102.797', reserved: '150.3' });
    expect(await balance('BTC')).toEqual({ currency: 'BTC', total: '9', reserved: '0' });

    venue.cancel('buy');
    flush();
    expect(reportsFor('buy').at(-1)).toMatchObject({ type: 'canceled', reason: 'canceled by client' });
    expect(await balance('USD')).toEqual({ currency: 'USD', total: '10102.797', reserved: '0' });
  });

  it('an order the balance cannot cover is rejected and balances stay unchanged', async () => {
    const { venue, flush, reportsFor } = paperSetup({ balances: { USD: '1000', BTC: '0.5' } });
    venue.onMarketData(quote(START, [['100', '5']], [['101', '50']]));
    const before = await venue.balances();
    venue.submit(order({ clientOrderId: 'big-buy', side: 'buy', quantity: '10', price: '500' }));
    venue.submit(order({ clientOrderId: 'big-market', side: 'buy', quantity: '20' }));
    venue.submit(order({ clientOrderId: 'big-sell', side: 'sell', quantity: '1', price: '100' }));
    flush();
    expect(reportsFor('big-buy')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient balance: needs 5010 USD, free 1000 USD' })]);
    expect(reportsFor('big-market')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient balance: needs 2024.04 USD, free 1000 USD' })]);
    expect(reportsFor('big-sell')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'insufficient balance: needs 1 BTC, free 0.5 BTC' })]);
    expect(await venue.balances()).toEqual(before);
    expect(await venue.openOrders()).toEqual([]);
  });
});

describe('PaperVenue amend and cancel', () => {
  async function restingBuyWithQueue() {
    const setup = paperSetup();
    setup.venue.onMarketData(quote(START, [['100', '5'], ['99', '7']], [['101', '1']]));
    setup.venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '2', price: '100' }));
    setup.flush();
    // 3 of the 5 ahead trade away.
    setup.venue.onMarketData(trade(START, '100', '3', 'sell'));
    setup.flush();
    expect(setup.venue.queuePosition('b')).toBe('2');
    return setup;
  }

  it('amend to a smaller quantity keeps queue priority', async () => {
    const { venue, flush, reportsFor, fills, balance } = await restingBuyWithQueue();
    venue.amend('b', { quantity: '1' });
    flush();
    expect(reportsFor('b').at(-1)).toMatchObject({ type: 'amended', quantity: '1', price: '100' });
    expect(venue.queuePosition('b')).toBe('2');
    expect((await balance('USD')).reserved).toBe('100.2');
    venue.onMarketData(trade(START, '100', '2.5', 'sell'));
    flush();
    expect(fills('b').map((fill) => fill.quantity)).toEqual(['0.5']);
  });

  it('amend to a larger quantity loses queue priority: the queue is recomputed from the displayed book', async () => {
    const { venue, flush, reportsFor, balance } = await restingBuyWithQueue();
    venue.amend('b', { quantity: '3' });
    flush();
    expect(reportsFor('b').at(-1)).toMatchObject({ type: 'amended', quantity: '3' });
    expect(venue.queuePosition('b')).toBe('5');
    expect((await balance('USD')).reserved).toBe('300.6');
  });

  it('amend to a new price loses queue priority: the queue is what is displayed at the new price', async () => {
    const { venue, flush, reportsFor } = await restingBuyWithQueue();
    venue.amend('b', { price: '99' });
    flush();
    expect(reportsFor('b').at(-1)).toMatchObject({ type: 'amended', price: '99', quantity: '2' });
    expect(venue.queuePosition('b')).toBe('7');
    expect(await venue.queryOrder('b')).toMatchObject({ price: '99', status: 'open' });
  });

  it('amend at or below the filled quantity, or of an unknown or closed order, is amendRejected', async () => {
    const { venue, flush, reportsFor } = await restingBuyWithQueue();
    venue.onMarketData(trade(START, '100', '3', 'sell'));
    flush();
    expect(await venue.queryOrder('b')).toMatchObject({ filledQuantity: '1' });
    venue.amend('b', { quantity: '1' });
    venue.amend('nobody', { quantity: '1' });
    flush();
    expect(reportsFor('b').at(-1)).toMatchObject({ type: 'amendRejected', reason: expect.stringContaining('at or below the filled quantity') });
    expect(reportsFor('nobody')).toEqual([expect.objectContaining({ type: 'amendRejected', reason: 'unknown clientOrderId' })]);
    venue.cancel('b');
    venue.amend('b', { quantity: '5' });
    flush();
    expect(reportsFor('b').at(-1)).toMatchObject({ type: 'amendRejected', reason: 'order is already canceled' });
  });

  it('cancel of a filled order is cancelRejected', async () => {
    const { venue, flush, reportsFor } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'm', side: 'buy', quantity: '1' }));
    flush();
    venue.cancel('m');
    venue.cancel('ghost');
    flush();
    expect(reportsFor('m').map((report) => report.type)).toEqual(['accepted', 'filled', 'cancelRejected']);
    expect(reportsFor('m').at(-1)).toMatchObject({ reason: 'order is already filled' });
    expect(reportsFor('ghost')).toEqual([expect.objectContaining({ type: 'cancelRejected', reason: 'unknown clientOrderId' })]);
  });

  it('a duplicate clientOrderId is rejected and never creates a second order', async () => {
    const { venue, flush, reportsFor, balance } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'dup', side: 'buy', quantity: '1', price: '99' }));
    venue.submit(order({ clientOrderId: 'dup', side: 'buy', quantity: '3', price: '98' }));
    flush();
    expect(reportsFor('dup').map((report) => report.type)).toEqual(['accepted', 'rejected']);
    expect(reportsFor('dup')[1]).toMatchObject({ reason: 'duplicate clientOrderId' });
    const open = await venue.openOrders();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ clientOrderId: 'dup', quantity: '1', price: '99', status: 'open' });
    expect((await balance('USD')).reserved).toBe('99.198');
  });
});

describe('PaperVenue native stops and capabilities', () => {
  it('default capabilities hold only market and limit orders and reject a stop', () => {
    const { venue, flush, reportsFor } = paperSetup();
    expect(venue.capabilities).toEqual({ orderTypes: ['market', 'limit'], timeInForce: ['GTC', 'IOC', 'FOK', 'GTD'], postOnly: true, reduceOnly: false, amend: true, orderLists: ['oco'] });
    venue.submit(order({ clientOrderId: 's', side: 'sell', quantity: '1', type: 'stop', stopPrice: '95', timeInForce: 'GTC' }));
    flush();
    expect(reportsFor('s')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('not held natively') })]);
  });

  it('native stops trigger on trade prices when enabled, then behave as market or limit orders', async () => {
    const { venue, flush, reportsFor, fills } = paperSetup({ nativeStops: true });
    expect(venue.capabilities.orderTypes).toEqual(['market', 'limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit']);
    venue.onMarketData(quote(START, [['100', '1'], ['94', '5']], [['101', '5']]));
    venue.submit(order({ clientOrderId: 'stop', side: 'sell', quantity: '2', type: 'stop', stopPrice: '95', timeInForce: 'GTC' }));
    venue.submit(order({ clientOrderId: 'take', side: 'sell', quantity: '1', type: 'takeProfitLimit', stopPrice: '110', price: '109', timeInForce: 'GTC' }));
    venue.submit(order({ clientOrderId: 'trailing', side: 'sell', quantity: '1', type: 'trailingStop', trailingOffset: '1', timeInForce: 'GTC' }));
    flush();
    expect(reportsFor('stop').map((report) => report.type)).toEqual(['accepted']);
    expect(reportsFor('trailing')).toEqual([expect.objectContaining({ type: 'rejected' })]);

    venue.onMarketData(trade(START, '95.01', '1', 'sell'));
    flush();
    expect(fills('stop')).toEqual([]);
    venue.onMarketData(trade(START, '95', '1', 'sell'));
    flush();
    // Triggered: a market sell walks the bids as taker.
    expect(fills('stop').map((fill) => [fill.quantity, fill.price, fill.liquidity])).toEqual([
      ['1', '100', 'taker'],
      ['1', '94', 'taker'],
    ]);
    expect(await venue.queryOrder('stop')).toMatchObject({ status: 'filled' });

    // The take-profit becomes a resting limit sell at 109 once a trade prints at 110.
    venue.onMarketData(trade(START, '110', '1', 'buy'));
    flush();
    expect(fills('take')).toEqual([]);
    expect(venue.queuePosition('take')).toBe('0');
    venue.onMarketData(trade(START, '109.5', '2', 'buy'));
    flush();
    expect(fills('take').map((fill) => [fill.quantity, fill.price, fill.liquidity])).toEqual([['1', '109', 'maker']]);
  });
});

describe('PaperVenue market data', () => {
  it('matches first, then forwards each tick to the subscribers of its symbol only', async () => {
    const { venue, flush } = paperSetup();
    venue.onMarketData(quote(START, [['100', '5']], [['101', '1']]));
    venue.submit(order({ clientOrderId: 'b', side: 'buy', quantity: '1', price: '100' }));
    flush();
    const seen: MarketData[] = [];
    const statusAtDelivery: Promise<VenueOrderStatus | undefined>[] = [];
    const unsubscribe = venue.subscribeMarketData([BTC_USD.symbol], (tick) => {
      seen.push(tick);
      statusAtDelivery.push(venue.queryOrder('b'));
    });
    const other: MarketData[] = [];
    venue.subscribeMarketData(['ETH-USD'], (tick) => other.push(tick));
    const print = trade(START, '99', '1', 'sell');
    venue.onMarketData(print);
    venue.onMarketData(trade(START, '50', '1', 'sell', 'ETH-USD'));
    expect(seen).toEqual([print]);
    expect(other).toHaveLength(1);
    expect(await statusAtDelivery[0]).toMatchObject({ status: 'filled' });
    unsubscribe();
    venue.onMarketData(print);
    expect(seen).toHaveLength(1);
  });
});
