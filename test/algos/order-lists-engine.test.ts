// Order lists through the engine on the paper venue, with a market the test moves by hand: a bracket's exits
// always equal the entry's fills (a partly filled entry is protected for what filled), OCO, OUO and OTO.
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { OrderListError } from '../../src/domain/order-list.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { BTC, START } from './engine-fixture.ts';

async function handMarket() {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC], balances: { USDT: '1000000', BTC: '10' }, orderLatencyMs: 5, reportLatencyMs: 5 });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'e' });
  await engine.start();
  const events: DomainEvent[] = [];
  engine.subscribe((event) => events.push(event));
  const level = (price: string, quantity: string) => ({ price: decimal(price), quantity: decimal(quantity) });
  /** A book: the best bid with 5 BTC, asks as given (price, size). */
  const quote = (bid: string, asks: Array<[string, string]>) => {
    clock.advanceBy(100);
    venue.onMarketData({ type: 'quote', symbol: BTC.symbol, timestamp: clock.now(), bids: [level(bid, '5')], asks: asks.map(([price, size]) => level(price, size)) });
    clock.advanceBy(100);
  };
  const trade = (price: string, quantity: string, aggressor: 'buy' | 'sell') => {
    clock.advanceBy(100);
    venue.onMarketData({ type: 'trade', symbol: BTC.symbol, timestamp: clock.now(), price: decimal(price), quantity: decimal(quantity), aggressor });
    clock.advanceBy(100);
  };
  quote('49999.9', [['50000', '5']]);
  return { clock, venue, engine, events, quote, trade };
}

function legOrders(engine: Awaited<ReturnType<typeof handMarket>>['engine'], listId: string, role: string) {
  const view = engine.getOrderList(listId)!;
  return view.children.filter((child) => child.role === role && child.standing === 'working').map((child) => engine.getOrder(child.childId)!);
}

describe('brackets through the engine', () => {
  it("protects a partly filled entry for what filled, and its exits follow the entry's fills", async () => {
    const { engine, quote, trade } = await handMarket();
    quote('49999.9', [['50000', '0.4'], ['50001', '5']]);
    const bracket = engine.submitOrderList({
      kind: 'bracket', symbol: 'BTC/USDT',
      entry: { side: 'buy', type: 'limit', quantity: '1', price: '50000' },
      takeProfit: { side: 'sell', type: 'limit', price: '50500' },
      stopLoss: { side: 'sell', type: 'stop', stopPrice: '49500' },
    });
    expect(bracket.listId.startsWith('fs-')).toBe(true);
    quote('49999.9', [['50001', '5']]);
    let view = engine.getOrderList(bracket.listId)!;
    expect(view).toMatchObject({ status: 'active', released: true, triggerFilledQuantity: '0.4', position: '0.4' });
    expect(legOrders(engine, bracket.listId, 'takeProfit').map((order) => order.quantity)).toEqual(['0.4']);
    expect(legOrders(engine, bracket.listId, 'stopLoss').map((order) => [order.quantity, order.status])).toEqual([['0.4', 'emulated']]);
    // The rest of the entry fills: the exits grow to the whole entry (amended in place).
    trade('50000', '2', 'sell');
    quote('49999.9', [['50001', '5']]);
    view = engine.getOrderList(bracket.listId)!;
    expect(view.triggerFilledQuantity).toBe('1');
    const exits = [...legOrders(engine, bracket.listId, 'takeProfit'), ...legOrders(engine, bracket.listId, 'stopLoss')];
    expect(exits.map((order) => decimal(order.quantity).minus(order.filledQuantity).toFixed())).toEqual(['1', '1']);
    // The take-profit fills: the stop is canceled, the position is flat, the list completes.
    quote('50600', [['50601', '5']]);
    trade('50600', '3', 'buy');
    quote('50600', [['50601', '5']]);
    view = engine.getOrderList(bracket.listId)!;
    expect(view).toMatchObject({ status: 'completed', position: '0', workingQuantity: '0' });
    expect(view.legs.find((leg) => leg.role === 'takeProfit')!.filledQuantity).toBe('1');
    expect(view.legs.find((leg) => leg.role === 'stopLoss')!.filledQuantity).toBe('0');
    expect(engine.listOrders({ parentId: bracket.listId, live: true })).toEqual([]);
  });

  it('an entry filled in several pieces at once: the exits wait for their own acknowledgement, then grow to the whole entry', async () => {
    const { engine, quote } = await handMarket();
    quote('49999.9', [['50000', '0.007'], ['50000.1', '0.378'], ['50000.2', '5']]);
    const bracket = engine.submitOrderList({
      kind: 'bracket', symbol: 'BTC/USDT',
      entry: { side: 'buy', type: 'market', quantity: '0.5' },
      takeProfit: { side: 'sell', type: 'limit', price: '50500' },
      stopLoss: { side: 'sell', type: 'stop', stopPrice: '49500' },
    });
    quote('49999.9', [['50000.2', '5']]);
    quote('49999.9', [['50000.2', '5']]);
    const view = engine.getOrderList(bracket.listId)!;
    expect(view).toMatchObject({ status: 'active', triggerFilledQuantity: '0.5', position: '0.5' });
    const exits = [...legOrders(engine, bracket.listId, 'takeProfit'), ...legOrders(engine, bracket.listId, 'stopLoss')];
    expect(exits.map((order) => order.quantity)).toEqual(['0.5', '0.5']);
    // The entry and one child per exit: no replacement churn while the exits were in flight.
    expect(view.childrenSent).toBe(3);
  });

  it('is refused whole, with every reason, before anything is sent', async () => {
    const { engine, events } = await handMarket();
    const before = events.length;
    let issues: readonly string[] = [];
    try {
      engine.submitOrderList({
        kind: 'bracket', symbol: 'BTC/USDT',
        entry: { side: 'buy', type: 'limit', quantity: '1', price: '50000' },
        takeProfit: { side: 'sell', type: 'limit', price: '49000' },
        stopLoss: { side: 'sell', type: 'stop', stopPrice: '51000.05' },
      });
    } catch (error) {
      expect(error).toBeInstanceOf(OrderListError);
      issues = (error as OrderListError).issues;
    }
    expect(issues).toEqual(expect.arrayContaining([expect.stringContaining('take-profit 49000 must be above'), expect.stringContaining('tick size')]));
    expect(events.length).toBe(before);
    expect(engine.listOrderLists()).toEqual([]);
  });
});

describe('OCO, OUO and OTO through the engine', () => {
  it('OCO: the stop fires and fills, the take-profit is canceled', async () => {
    const { engine, quote } = await handMarket();
    const oco = engine.submitOrderList({ kind: 'oco', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '50500' }, { side: 'sell', type: 'stop', quantity: '1', stopPrice: '49500' }] });
    expect(engine.listOrders({ parentId: oco.listId, live: true }).length).toBe(2);
    quote('49400', [['49400.1', '5']]);
    quote('49400', [['49400.1', '5']]);
    const view = engine.getOrderList(oco.listId)!;
    expect(view.status).toBe('completed');
    expect(view.legs.map((leg) => leg.filledQuantity)).toEqual(['0', '1']);
    expect(engine.listOrders({ parentId: oco.listId }).map((order) => order.status).sort()).toEqual(['canceled', 'filled']);
  });

  it('OUO: a partial fill of one leg reduces the other to what is still open', async () => {
    const { engine, quote, trade } = await handMarket();
    const ouo = engine.submitOrderList({ kind: 'ouo', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '50100' }, { side: 'sell', type: 'limit', quantity: '1', price: '50200' }] });
    quote('50099.9', [['50100', '0.3'], ['50300', '5']]);
    trade('50100', '0.3', 'buy');
    quote('50099.9', [['50300', '5']]);
    const view = engine.getOrderList(ouo.listId)!;
    const first = view.legs[0]!.filledQuantity;
    expect(decimal(first).gt('0') && decimal(first).lt('1'), first).toBe(true);
    const open = (role: string) => legOrders(engine, ouo.listId, role).map((order) => decimal(order.quantity).minus(order.filledQuantity).toFixed());
    const rest = decimal('1').minus(first).toFixed();
    expect(open('leg1')).toEqual([rest]);
    expect(open('leg2')).toEqual([rest]);
  });

  it('OTO: the contingent leg is released on the first fill, sized to what filled, and follows later fills', async () => {
    const { engine, quote, trade } = await handMarket();
    quote('49999.9', [['50000', '0.25'], ['50001', '5']]);
    const oto = engine.submitOrderList({ kind: 'oto', symbol: 'BTC/USDT', trigger: { side: 'buy', type: 'limit', quantity: '1', price: '50000' }, legs: [{ side: 'sell', type: 'limit', price: '50800' }] });
    quote('49999.9', [['50001', '5']]);
    expect(legOrders(engine, oto.listId, 'leg1').map((order) => order.quantity)).toEqual(['0.25']);
    trade('50000', '3', 'sell');
    quote('49999.9', [['50001', '5']]);
    expect(engine.getOrderList(oto.listId)!.triggerFilledQuantity).toBe('1');
    expect(legOrders(engine, oto.listId, 'leg1').map((order) => decimal(order.quantity).minus(order.filledQuantity).toFixed())).toEqual(['1']);
    // Canceling the list cancels the leg; the fills stay.
    const canceled = engine.cancelOrderList(oto.listId, 'done');
    quote('49999.9', [['50001', '5']]);
    expect(engine.getOrderList(oto.listId)).toMatchObject({ status: 'canceled', triggerFilledQuantity: '1', reason: 'done' });
    expect(canceled.listId).toBe(oto.listId);
    expect(engine.listOrders({ parentId: oto.listId, live: true })).toEqual([]);
  });
});
