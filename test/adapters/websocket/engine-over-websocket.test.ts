// The engine trading through a WebSocketVenue against a paper venue server with a live synthetic market:
// submit, fill and cancel round trips, and the venue's own record agreeing with the engine's.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { roundToStep } from '../../../src/domain/decimal.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { createClient, missHeartbeats, onCleanup, reconnectUntil, startServer, waitFor } from './fixture.ts';

describe('engine over a WebSocket venue', () => {
  it('submits, fills and cancels through the server, and the venue agrees with the engine', async () => {
    const server = await startServer({ market: { seed: 7, intervalMs: 20 } });
    const { venue } = createClient(server);
    const engine = createEngine({ venues: [venue], clientOrderIdPrefix: 'ws', logger: pino({ level: 'silent' }) });
    onCleanup(() => engine.stop());
    await engine.start();
    const events: DomainEvent[] = [];
    engine.subscribe((event) => events.push(event));
    await waitFor(() => engine.marketPrice('BTC/USDT') !== undefined, 'market data through the socket');

    const { orderId: marketId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
    await waitFor(() => engine.getOrder(marketId)?.status === 'filled', 'the market order to fill');

    const farBelow = roundToStep(engine.marketPrice('BTC/USDT')!.div('2'), venue.instruments()[0]!.tickSize, 'down').toFixed();
    const { orderId: limitId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.02', price: farBelow });
    await waitFor(() => engine.getOrder(limitId)?.status === 'open', 'the limit order to rest');
    engine.cancelOrder(limitId);
    await waitFor(() => engine.getOrder(limitId)?.status === 'canceled', 'the cancel');

    const truth = await venue.adminState();
    expect(truth.submitCounts).toEqual({ [marketId]: 1, [limitId]: 1 });
    expect(truth.orders).toEqual([
      expect.objectContaining({ clientOrderId: marketId, status: 'filled', filledQuantity: '0.01' }),
      expect.objectContaining({ clientOrderId: limitId, status: 'canceled', filledQuantity: '0', price: farBelow }),
    ]);
    // Every fill the venue booked reached the engine, with the same trade ids, prices and fees.
    const engineFills = events.filter((event) => event.type === 'OrderFilled');
    expect(engineFills.map((event) => event.type === 'OrderFilled' && [event.tradeId, event.fillQuantity, event.fillPrice, event.fee])).toEqual(
      truth.fills.map((fill) => [fill.tradeId, fill.quantity, fill.price, fill.fee]),
    );
    const btc = truth.balances.find((balance) => balance.currency === 'BTC');
    expect(btc).toEqual({ currency: 'BTC', total: '10.01', reserved: '0' });
  });

  it('keeps an order whose acknowledgement was lost in flight until the venue says what happened, then fills it once', async () => {
    const server = await startServer({ market: { seed: 11, intervalMs: 20 } });
    const probe = createClient(server);
    const engine = createEngine({ venues: [probe.venue], clientOrderIdPrefix: 'lost', logger: pino({ level: 'silent' }) });
    onCleanup(() => engine.stop());
    await engine.start();
    const statuses: string[] = [];
    engine.subscribe((event) => {
      if ('orderId' in event) statuses.push(event.type);
    });
    await waitFor(() => engine.marketPrice('BTC/USDT') !== undefined, 'market data');

    server.silenceAfterNextCommand();
    const { orderId } = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.005' });
    expect(engine.getOrder(orderId)?.status).toBe('submitted');
    await missHeartbeats(probe);
    await reconnectUntil(probe, () => engine.getOrder(orderId)?.status === 'filled', 'the order to fill after the reconnect');

    expect(probe.states).toContain('reconnecting');
    expect(statuses).not.toContain('OrderRejected');
    const truth = await probe.venue.adminState();
    expect(truth.submitCounts).toEqual({ [orderId]: 1 });
    expect(engine.getOrder(orderId)?.filledQuantity).toBe('0.005');
    expect(truth.fills.map((fill) => fill.clientOrderId)).toEqual(truth.fills.map(() => orderId));
  });
});
