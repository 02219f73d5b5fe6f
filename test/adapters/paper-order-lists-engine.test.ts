// The engine's OCO held natively by the paper venue: the venue takes the legs as one list under one hold (1 BTC
// protected by a take-profit and a stop holds 1 BTC), cancels the other leg itself, and the engine's list ends
// with exactly one leg filled.
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { createEngine } from '../../src/engine/engine.ts';

const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002' });
const START = Date.UTC(2026, 0, 1);

async function protectedBitcoin() {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC], balances: { USDT: '1000', BTC: '2' }, orderLatencyMs: 5, reportLatencyMs: 5, nativeStops: true });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e' });
  await engine.start();
  const level = (price: string) => ({ price: decimal(price), quantity: decimal('5') });
  const tick = (data: Parameters<PaperVenue['onMarketData']>[0]) => {
    clock.advanceBy(100);
    venue.onMarketData(data);
    clock.advanceBy(100);
  };
  const quote = (bid: string, ask: string) => tick({ type: 'quote', symbol: BTC.symbol, timestamp: clock.now(), bids: [level(bid)], asks: [level(ask)] });
  const trade = (price: string, aggressor: 'buy' | 'sell') => tick({ type: 'trade', symbol: BTC.symbol, timestamp: clock.now(), price: decimal(price), quantity: decimal('2'), aggressor });
  quote('49999.9', '50000');
  const oco = engine.submitOrderList({
    kind: 'oco',
    symbol: 'BTC/USDT',
    legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '50500' }, { side: 'sell', type: 'stop', quantity: '1', stopPrice: '49500' }],
  });
  clock.advanceBy(100);
  return { clock, venue, engine, oco, quote, trade };
}

describe('an engine OCO held by the paper venue', () => {
  it('goes to the venue as one list holding the 1 BTC once; the take-profit fills and the venue cancels the stop', async () => {
    const { venue, engine, oco, trade } = await protectedBitcoin();
    expect(engine.getOrderList(oco.listId)).toMatchObject({ heldBy: 'venue' });
    expect((await venue.balances()).find((balance) => balance.currency === 'BTC')).toEqual({ currency: 'BTC', total: '2', reserved: '1' });
    expect((await venue.openOrders()).length).toBe(2);

    trade('50500.5', 'buy');
    const view = engine.getOrderList(oco.listId)!;
    expect(view.status).toBe('completed');
    expect(view.legs.map((leg) => leg.filledQuantity)).toEqual(['1', '0']);
    expect(engine.listOrders({ parentId: oco.listId }).map((order) => order.status)).toEqual(['filled', 'canceled']);
    expect(await venue.openOrders()).toEqual([]);
    expect((await venue.balances()).find((balance) => balance.currency === 'BTC')).toEqual({ currency: 'BTC', total: '1', reserved: '0' });
  });

  it('the stop triggers at the venue, which cancels the take-profit; the stop sells the 1 BTC', async () => {
    const { venue, engine, oco, quote, trade } = await protectedBitcoin();
    quote('49400', '49400.1');
    trade('49400', 'sell');
    const view = engine.getOrderList(oco.listId)!;
    expect(view.status).toBe('completed');
    expect(view.legs.map((leg) => leg.filledQuantity)).toEqual(['0', '1']);
    expect(engine.listOrders({ parentId: oco.listId }).map((order) => order.status)).toEqual(['canceled', 'filled']);
    expect((await venue.balances()).find((balance) => balance.currency === 'BTC')).toEqual({ currency: 'BTC', total: '1', reserved: '0' });
  });

  it('is sent whole or not at all: a leg the risk gate denies keeps the other from leaving, and the list fails with why', async () => {
    const { clock, venue, engine } = await protectedBitcoin();
    const before = await venue.balances();
    // 1,000 USDT pays for one 0.02 BTC buy at 40,000 (800 USDT), not for two: the engine reserves each leg.
    const list = engine.submitOrderList({
      kind: 'oco',
      symbol: 'BTC/USDT',
      legs: [{ side: 'buy', type: 'limit', quantity: '0.02', price: '40000' }, { side: 'buy', type: 'limit', quantity: '0.02', price: '39000' }],
    });
    clock.advanceBy(100);
    const view = engine.getOrderList(list.listId)!;
    expect(view).toMatchObject({ heldBy: 'venue', status: 'failed' });
    // Children are listed newest first.
    const [second, first] = view.children.map((child) => engine.getOrder(child.childId)!);
    expect(second).toMatchObject({ status: 'denied' });
    expect(first).toMatchObject({ status: 'rejected', reason: `not sent: ${second!.orderId} of list ${list.listId} was refused, and a list the venue holds is sent whole or not at all` });
    expect(view.reason).toContain('denied');
    // Nothing reached the venue: only the first test list's two legs rest there, and its balances are as they were.
    expect((await venue.openOrders()).map((order) => order.clientOrderId).sort()).toEqual(engine.listOrders().filter((order) => order.parentId !== list.listId).map((order) => order.orderId).sort());
    expect(await venue.balances()).toEqual(before);
  });
});
