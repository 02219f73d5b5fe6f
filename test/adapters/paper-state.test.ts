// A paper venue saved with exportState and restored from it is the same venue: the same orders, balances,
// fills and ids, and the same fills from the same market data afterwards (queue positions included).
import { describe, expect, it } from 'vitest';
import { PAPER_VENUE_STATE_VERSION } from '../../adapters/paper/paper-state.ts';
import { order, paperSetup, quote, trade } from './paper-fixture.ts';

/** A venue with a partly filled resting buy (with orders queued ahead of it), a resting sell, a native stop, a GTD order and a rejection. */
function busyVenue() {
  const setup = paperSetup({ nativeStops: true });
  const { venue, clock, flush } = setup;
  venue.onMarketData(quote(clock.now(), [['99', '5']], [['101', '5']]));
  venue.submit(order({ clientOrderId: 'bid', side: 'buy', quantity: '2', price: '99' }));
  venue.submit(order({ clientOrderId: 'ask', side: 'sell', quantity: '1', price: '102' }));
  venue.submit(order({ clientOrderId: 'stop', side: 'sell', type: 'stop', quantity: '0.5', stopPrice: '95' }));
  venue.submit(order({ clientOrderId: 'gtd', side: 'buy', quantity: '0.1', price: '90', timeInForce: 'GTD', expireAt: clock.now() + 60_000 }));
  venue.submit(order({ clientOrderId: 'too-big', side: 'buy', quantity: '1000', price: '99' }));
  flush();
  // 5.5 trades at 99: 5 pass the queue ahead of `bid`, 0.5 fill it.
  venue.onMarketData(trade(clock.now(), '99', '5.5', 'sell'));
  flush();
  return setup;
}

describe('paper venue state', () => {
  it('restores orders, balances, fills and ids exactly, through JSON', async () => {
    const before = busyVenue();
    expect(before.fills('bid').map((fill) => fill.quantity)).toEqual(['0.5']);
    const state = JSON.parse(JSON.stringify(before.venue.exportState()));
    expect(state.version).toBe(PAPER_VENUE_STATE_VERSION);

    const after = paperSetup({ nativeStops: true, state, balances: { USD: '1', BTC: '0' } });
    expect(await after.venue.balances()).toEqual(await before.venue.balances());
    expect(await after.venue.openOrders()).toEqual(await before.venue.openOrders());
    for (const id of ['bid', 'ask', 'stop', 'gtd', 'too-big']) expect(await after.venue.queryOrder(id)).toEqual(await before.venue.queryOrder(id));
    expect(await after.venue.orderFills('bid')).toEqual(await before.venue.orderFills('bid'));
    expect(after.venue.queuePosition('bid')).toBe(before.venue.queuePosition('bid'));
  });

  it('fills, triggers, expires and numbers the same afterwards as the venue it was saved from', async () => {
    const original = busyVenue();
    const restored = paperSetup({ nativeStops: true, state: original.venue.exportState() });
    restored.clock.advanceBy(original.clock.now() - restored.clock.now());
    const reportsFrom = (setup: ReturnType<typeof busyVenue>, from: number) => setup.reports.slice(from).map(({ timestamp: _timestamp, ...report }) => report);
    const [originalFrom, restoredFrom] = [original.reports.length, restored.reports.length];
    for (const setup of [original, restored]) {
      // The rest of the bid fills, the stop fires and sells into the book, the ask is taken, a new order gets the next id.
      setup.venue.onMarketData(trade(setup.clock.now(), '99', '3', 'sell'));
      setup.venue.onMarketData(quote(setup.clock.now(), [['94', '5']], [['103', '5']]));
      setup.venue.onMarketData(trade(setup.clock.now(), '94', '1', 'sell'));
      setup.venue.onMarketData(trade(setup.clock.now(), '102', '2', 'buy'));
      setup.venue.submit(order({ clientOrderId: 'after', side: 'buy', quantity: '0.2', price: '93' }));
      setup.flush();
      setup.clock.advanceBy(61_000); // past the GTD order's expiry
    }
    const expected = reportsFrom(original, originalFrom);
    expect(expected.map((report) => `${report.type} ${report.clientOrderId}`)).toEqual(expect.arrayContaining(['filled bid', 'filled stop', 'filled ask', 'accepted after', 'expired gtd']));
    expect(reportsFrom(restored, restoredFrom)).toEqual(expected);
    expect(await restored.venue.balances()).toEqual(await original.venue.balances());
  });

  it('keeps every working order and only the latest finished ones, with their fills', () => {
    const { venue, clock, flush } = busyVenue(); // working: bid (partly filled), ask, stop, gtd; rejected: too-big
    venue.onMarketData(trade(clock.now(), '99', '10', 'sell')); // fills the rest of the bid
    venue.cancel('ask');
    flush();
    venue.cancel('gtd');
    flush();
    const state = venue.exportState(2);
    // Finished in placing order: bid, ask, gtd; the latest two are kept, the working stop always.
    expect(state.orders.map((order) => `${order.clientOrderId} ${order.status}`)).toEqual(['ask canceled', 'stop open', 'gtd canceled']);
    expect(Object.keys(state.fills)).toEqual([]); // the bid's fills went with it
    expect(state.rejectedOrders.map((order) => order.clientOrderId)).toEqual(['too-big']);
    expect(Object.keys(venue.exportState().fills)).toEqual(['bid']);
    expect(venue.exportState().orders).toHaveLength(4);
  });

  it('refuses a state of another venue or version, naming it', () => {
    const state = busyVenue().venue.exportState();
    expect(() => paperSetup({ state: { ...state, venue: 'other' } })).toThrow('the saved paper venue state is venue "other", not "paper"');
    expect(() => paperSetup({ state: { ...state, version: 99 as never } })).toThrow(`paper venue state version 99 is not ${PAPER_VENUE_STATE_VERSION}`);
  });
});
