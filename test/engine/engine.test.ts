// The engine end to end over a hand-driven venue: validation before any actor exists, routing of reports,
// emulated stops and trailing stops, deadlines, refusals, and the domain-event stream.
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualVenue } from '../../adapters/manual/manual-venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import type { QuoteTick } from '../../src/domain/market-data.ts';
import { OrderRequestError } from '../../src/domain/order-request.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { OrderStateError, UnknownInstrumentError, UnknownOrderError } from '../../src/engine/errors.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

function quote(clock: SimulatedClock, bid: string, ask: string): QuoteTick {
  return {
    type: 'quote', symbol: 'BTC/USDT', timestamp: clock.now(),
    bids: [{ price: decimal(bid), quantity: decimal('1') }],
    asks: [{ price: decimal(ask), quantity: decimal('1') }],
  };
}

let clock: SimulatedClock;
let venue: ManualVenue;
let engine: Engine;
let events: DomainEvent[];

async function setUp(capabilities?: ConstructorParameters<typeof ManualVenue>[0]['capabilities']) {
  clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  venue = new ManualVenue({ instruments: [btc], now: () => clock.now(), capabilities, balances: { USDT: '1000000', BTC: '100' } });
  engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 't' });
  await engine.start();
  events = [];
  engine.subscribe((event) => events.push(event));
  venue.publishMarketData(quote(clock, '49999.9', '50000.1'));
}

const limitBuy = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' } as const;

describe('engine', () => {
  beforeEach(() => setUp());

  it.each([
    ['zero quantity', { ...limitBuy, quantity: '0' }, OrderRequestError, 'quantity must be a positive multiple of 0.001, got 0'],
    ['negative quantity', { ...limitBuy, quantity: '-2' }, OrderRequestError, 'quantity must be a positive multiple of 0.001, got -2'],
    ['NaN quantity', { ...limitBuy, quantity: Number.NaN }, OrderRequestError, 'quantity must be a finite number, got NaN'],
    ['non-numeric quantity', { ...limitBuy, quantity: 'ten' }, OrderRequestError, 'quantity must be a decimal number, got "ten"'],
    ['price off tick', { ...limitBuy, price: '49000.05' }, OrderRequestError, 'price 49000.05 is not a multiple of the tick size 0.1'],
    ['unknown symbol', { ...limitBuy, symbol: 'DOGE/USDT' }, UnknownInstrumentError, 'unknown symbol "DOGE/USDT" on venue manual'],
    [
      'sell stop above the market',
      { symbol: 'BTC/USDT', side: 'sell', type: 'stop', quantity: '1', stopPrice: '51000' },
      OrderRequestError,
      'stop price 51000 is above the market (50000) for a sell stop',
    ],
  ])('refuses %s with a specific error, starting no actor and emitting no event', (_, input, errorClass, message) => {
    expect(() => engine.submitOrder(input as never)).toThrow(errorClass);
    expect(() => engine.submitOrder(input as never)).toThrow(message);
    expect(engine.orderCount).toBe(0);
    expect(events).toEqual([]);
    expect(venue.commands).toEqual([]);
  });

  it('refuses to cancel an unknown order id, changing nothing', () => {
    expect(() => engine.cancelOrder('nope')).toThrow(UnknownOrderError);
    expect(() => engine.cancelOrder('nope')).toThrow('no order with id "nope"');
    expect(events).toEqual([]);
  });

  it('walks a limit order through accepted, partial and filled, with sequenced events', () => {
    const { orderId } = engine.submitOrder(limitBuy);
    expect(engine.getOrder(orderId)?.status).toBe('submitted');
    expect(venue.commands).toEqual([{ type: 'submit', order: expect.objectContaining({ clientOrderId: orderId, type: 'limit', quantity: '1', price: '49000' }) }]);
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'a', quantity: '0.25', price: '49000', fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'partial', filledQuantity: '0.25', remainingQuantity: '0.75' });
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'b', quantity: '0.75', price: '48999.9', fee: '0.03', feeCurrency: 'USDT', liquidity: 'maker' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'filled', filledQuantity: '1', averagePrice: '48999.925', fees: { USDT: '0.04' }, live: false });
    expect(events.map((event) => event.type)).toEqual([
      'OrderInitialized', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'PositionOpened', 'OrderFilled', 'PositionChanged',
    ]);
    expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(events.map((event) => event.timestamp))).toEqual(new Set([clock.now()]));
  });

  it('returns the existing order for a repeated clientOrderId instead of placing a second', () => {
    const first = engine.submitOrder({ ...limitBuy, clientOrderId: 'mine-1' });
    const again = engine.submitOrder({ ...limitBuy, clientOrderId: 'mine-1' });
    expect(again.created).toBe(false);
    expect(again.actor).toBe(first.actor);
    expect(venue.commands.filter((command) => command.type === 'submit')).toHaveLength(1);
  });

  it('returns to where it was when the venue refuses a cancel or an amendment', () => {
    const { orderId } = engine.submitOrder(limitBuy);
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    engine.cancelOrder(orderId);
    expect(engine.getOrder(orderId)?.status).toBe('pendingCancel');
    expect(() => engine.cancelOrder(orderId)).toThrow('a cancel is already in flight');
    venue.report({ type: 'cancelRejected', clientOrderId: orderId, reason: 'too late' });
    expect(engine.getOrder(orderId)?.status).toBe('open');
    engine.amendOrder(orderId, { price: '48500' });
    expect(venue.commands.at(-1)).toEqual({ type: 'amend', clientOrderId: orderId, amendment: { price: '48500' } });
    venue.report({ type: 'amendRejected', clientOrderId: orderId, reason: 'price band' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'open', price: '49000' });
    engine.amendOrder(orderId, { price: '48500' });
    venue.report({ type: 'amended', clientOrderId: orderId, price: '48500' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'open', price: '48500' });
    expect(() => engine.amendOrder(orderId, { price: '48500.05' })).toThrow('price 48500.05 is not a multiple of the tick size 0.1');
    expect(() => engine.amendOrder(orderId, {})).toThrow('an amendment needs at least one of price, quantity or stopPrice');
  });

  it('applies a late fill after cancel, ignores a duplicate and refuses an overfill', () => {
    const { orderId } = engine.submitOrder(limitBuy);
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    engine.cancelOrder(orderId);
    venue.report({ type: 'canceled', clientOrderId: orderId, reason: 'canceled by client' });
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'late', quantity: '0.4', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'late', quantity: '0.4', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'over', quantity: '0.7', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'canceled', filledQuantity: '0.4' });
    const tail = events.filter((event) => event.type.startsWith('Order')).slice(-2);
    expect(tail[0]).toMatchObject({ type: 'OrderFilled', tradeId: 'late', late: true });
    expect(tail[1]).toMatchObject({ type: 'OrderFillRefused', tradeId: 'over' });
    expect(() => engine.cancelOrder(orderId)).toThrow(OrderStateError);
    expect(() => engine.cancelOrder(orderId)).toThrow('it is canceled, and a finished order accepts no commands');
  });

  it('holds a stop the venue cannot hold, triggers it from market data and releases it as a market order', () => {
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'stop', quantity: '1', stopPrice: '49500' });
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'emulated', emulated: true, triggerPrice: '49500' });
    expect(venue.commands).toEqual([]);
    venue.publishMarketData(quote(clock, '49600', '49600.2'));
    expect(engine.getOrder(orderId)?.status).toBe('emulated');
    engine.amendOrder(orderId, { stopPrice: '49400' });
    venue.publishMarketData(quote(clock, '49450', '49450.2'));
    expect(engine.getOrder(orderId)?.status).toBe('emulated');
    venue.publishMarketData(quote(clock, '49399.9', '49400.1'));
    expect(engine.getOrder(orderId)).toMatchObject({ status: 'triggered', releasedAs: 'market' });
    expect(venue.commands).toEqual([{ type: 'submit', order: expect.objectContaining({ clientOrderId: orderId, type: 'market', timeInForce: 'IOC', quantity: '1' }) }]);
    expect(events.filter((event) => 'orderId' in event && event.orderId === orderId).map((event) => event.type)).toEqual([
      'OrderInitialized', 'OrderEmulated', 'OrderUpdated', 'OrderTriggered', 'OrderSubmitted',
    ]);
    venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'x', quantity: '1', price: '49399.9', fee: '0.05', feeCurrency: 'USDT', liquidity: 'taker' });
    expect(engine.getOrder(orderId)?.status).toBe('filled');
  });

  it('trails a stop only in the order’s favour and triggers it on the reversal', () => {
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'trailingStop', quantity: '1', trailingOffset: '100' });
    expect(engine.getOrder(orderId)?.triggerPrice).toBe('49899.9');
    const bids = ['50100', '50050', '50300', '50250', '50201'];
    const triggers: Array<string | undefined> = [];
    for (const bid of bids) {
      venue.publishMarketData(quote(clock, bid, decimal(bid).plus('0.2').toFixed()));
      triggers.push(engine.getOrder(orderId)?.triggerPrice);
    }
    expect(triggers).toEqual(['50000', '50000', '50200', '50200', '50200']);
    expect(engine.getOrder(orderId)?.status).toBe('emulated');
    venue.publishMarketData(quote(clock, '50200', '50200.2'));
    expect(engine.getOrder(orderId)?.status).toBe('triggered');
  });

  it('cancels a GTD order at its deadline when the venue cannot hold GTD, ending expired', async () => {
    await setUp({ timeInForce: ['GTC', 'IOC', 'FOK'] });
    const expireAt = clock.now() + 60_000;
    const { orderId } = engine.submitOrder({ ...limitBuy, timeInForce: 'GTD', expireAt });
    expect(venue.commands[0]).toMatchObject({ order: { timeInForce: 'GTC' } });
    venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: 'v1' });
    clock.advanceTo(expireAt - 1);
    expect(engine.getOrder(orderId)?.status).toBe('open');
    clock.advanceTo(expireAt);
    expect(engine.getOrder(orderId)?.status).toBe('pendingCancel');
    venue.report({ type: 'canceled', clientOrderId: orderId, reason: 'canceled by client' });
    expect(engine.getOrder(orderId)?.status).toBe('expired');
  });

  it('lists orders by status, symbol and liveness', () => {
    const first = engine.submitOrder(limitBuy).orderId;
    const second = engine.submitOrder(limitBuy).orderId;
    venue.report({ type: 'rejected', clientOrderId: second, reason: 'insufficient balance' });
    expect(engine.listOrders({ live: true }).map((order) => order.orderId)).toEqual([first]);
    expect(engine.listOrders({ status: 'rejected' })).toMatchObject([{ orderId: second, reason: 'insufficient balance' }]);
    expect(engine.listOrders({ symbol: 'ETH/USDT' })).toEqual([]);
  });
});
