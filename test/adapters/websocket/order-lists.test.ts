// Native OCO lists over the WebSocket venue and the paper venue server on 127.0.0.1: the capability and the
// refusal rule reach the client, a list travels as one command, and however the link drops around it the
// venue gets it exactly once and whole.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { VenueOrder, VenueOrderList } from '../../../adapters/venue.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { SYMBOL, createClient, missHeartbeats, onCleanup, quote, reconnectUntil, startServer, trade, waitFor } from './fixture.ts';

const takeProfit: VenueOrder = { clientOrderId: 'tp', symbol: SYMBOL, side: 'sell', type: 'limit', quantity: '0.01', price: '51000', timeInForce: 'GTC', postOnly: false, reduceOnly: false };
const stopLoss: VenueOrder = { clientOrderId: 'sl', symbol: SYMBOL, side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '49000', timeInForce: 'GTC', postOnly: false, reduceOnly: false };
const protection: VenueOrderList = { listId: 'L1', kind: 'oco', symbol: SYMBOL, orders: [takeProfit, stopLoss] };

async function connected() {
  const server = await startServer({ nativeStops: true });
  const probe = createClient(server);
  await probe.venue.connect();
  server.host.publish(quote('49999.9', '50000.1'));
  return { server, probe };
}

const seen = (probe: { reports: readonly { type: string; clientOrderId: string }[] }) => probe.reports.map((report) => `${report.type} ${report.clientOrderId}`);

describe('WebSocketVenue order lists', () => {
  it('learns the venue holds OCO lists and answers the refusal exactly as the venue would', async () => {
    const { server, probe } = await connected();
    expect(probe.venue.capabilities.orderLists).toEqual(['oco']);
    expect(probe.venue.orderListRefusal(protection)).toBeUndefined();
    const withMarketLeg: VenueOrderList = { ...protection, orders: [takeProfit, { ...stopLoss, type: 'market', stopPrice: undefined, timeInForce: 'IOC' }] };
    const refusal = probe.venue.orderListRefusal(withMarketLeg);
    expect(refusal).toBe('leg sl is a market order: it fills at once, so there is nothing for it to cancel or be canceled by');
    expect(server.host.venue.orderListRefusal(withMarketLeg)).toBe(refusal);
  });

  it('sends an OCO as one list: both legs accepted under one hold, a fill of one cancels the other at the venue', async () => {
    const { server, probe } = await connected();
    probe.venue.submitList(protection);
    await waitFor(() => probe.reports.length === 2, 'both legs accepted');
    expect(seen(probe)).toEqual(['accepted tp', 'accepted sl']);
    expect(await probe.venue.balances()).toContainEqual({ currency: 'BTC', total: '10', reserved: '0.01' });

    server.host.publish(trade('51000.5', '1', 'buy'));
    await waitFor(() => probe.reports.length === 4, 'the fill and the cancel');
    expect(seen(probe)).toEqual(['accepted tp', 'accepted sl', 'filled tp', 'canceled sl']);
    expect(probe.reports[3]).toMatchObject({ reason: 'one-cancels-other list L1: leg tp filled 0.01 of 0.01' });
    expect(await probe.venue.balances()).toContainEqual({ currency: 'BTC', total: '9.99', reserved: '0' });
    const truth = await probe.venue.adminState();
    expect(truth.submitCounts).toEqual({ tp: 1, sl: 1 });
    expect(truth.duplicateSubmits).toBe(0);
  });

  it('queries, never resends, a list whose acknowledgement was lost: the venue holds it once', async () => {
    const { server, probe } = await connected();
    server.silenceAfterNextCommand();
    probe.venue.submitList(protection);

    await missHeartbeats(probe);
    await reconnectUntil(probe, () => probe.venue.connectionState() === 'live' && probe.reports.length === 2, 'the reconnect and the resumed acceptances');
    expect(seen(probe)).toEqual(['accepted tp', 'accepted sl']);
    const truth = await probe.venue.adminState();
    expect(truth.submitCounts).toEqual({ tp: 1, sl: 1 });
    expect(truth.duplicateSubmits).toBe(0);
    expect(truth.orders.map((order) => [order.clientOrderId, order.status])).toEqual([['tp', 'open'], ['sl', 'open']]);
    expect(probe.venue.pendingCommandCount()).toBe(0);
  });

  it('sends a list the venue never received once, whole, when the status queries show none of its legs there', async () => {
    const { server, probe } = await connected();
    server.silenceConnections();
    probe.venue.submitList(protection);

    await missHeartbeats(probe);
    await reconnectUntil(probe, () => probe.reports.length === 2, 'the list to be placed after the reconnect');
    expect(seen(probe)).toEqual(['accepted tp', 'accepted sl']);
    expect((await probe.venue.adminState()).submitCounts).toEqual({ tp: 1, sl: 1 });
    expect(probe.venue.pendingCommandCount()).toBe(0);
  });

  it('queues a list given while the link is down and sends it once resynced', async () => {
    const { server, probe } = await connected();
    server.setAccepting(false);
    server.dropConnections();
    await waitFor(() => probe.venue.connectionState() === 'reconnecting', 'the drop');
    probe.venue.submitList(protection);
    probe.venue.cancel('sl');
    expect(probe.venue.pendingCommandCount()).toBe(2);

    server.setAccepting(true);
    await reconnectUntil(probe, () => probe.reports.length === 4, 'the queued list and its cancel');
    expect(seen(probe)).toEqual(['accepted tp', 'accepted sl', 'canceled sl', 'canceled tp']);
    expect(probe.reports[3]).toMatchObject({ reason: 'one-cancels-other list L1: leg sl was canceled by client' });
    expect((await probe.venue.adminState()).submitCounts).toEqual({ tp: 1, sl: 1 });
    expect(await probe.venue.balances()).toContainEqual({ currency: 'BTC', total: '10', reserved: '0' });
  });

  it('turns a list the server refuses to read into a rejection of every leg', async () => {
    const { probe } = await connected();
    const tooLong = 'x'.repeat(200);
    probe.venue.submitList({ ...protection, orders: [takeProfit, { ...stopLoss, clientOrderId: tooLong }] });
    await waitFor(() => probe.reports.length === 2, 'the refusal of both legs');
    expect(seen(probe)).toEqual(['rejected tp', `rejected ${tooLong}`]);
    for (const report of probe.reports) expect(report).toMatchObject({ reason: expect.stringMatching(/^venue server refused the submitList: invalid list\.orders\.1\.clientOrderId: /) });
    expect((await probe.venue.adminState()).submitCounts).toEqual({});
    expect(probe.venue.pendingCommandCount()).toBe(0);
  });

  it('carries an engine OCO as one venue list through a lost acknowledgement: placed once, one leg filled, the other canceled by the venue', async () => {
    const { server, probe } = await connected();
    const engine = createEngine({ venues: [probe.venue], clientOrderIdPrefix: 'ws', logger: pino({ level: 'silent' }) });
    onCleanup(() => engine.stop());
    await engine.start();
    await waitFor(() => {
      server.host.publish(quote('49999.9', '50000.1'));
      return engine.marketPrice(SYMBOL) !== undefined;
    }, 'market data through the socket');

    server.silenceAfterNextCommand();
    const { listId } = engine.submitOrderList({
      kind: 'oco',
      symbol: SYMBOL,
      legs: [{ side: 'sell', type: 'limit', quantity: '0.01', price: '51000' }, { side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '49000' }],
    });
    expect(engine.getOrderList(listId)).toMatchObject({ heldBy: 'venue' });
    await missHeartbeats(probe);
    const working = () => engine.listOrders({ parentId: listId }).filter((order) => order.status === 'open').length;
    await reconnectUntil(probe, () => probe.venue.connectionState() === 'live' && working() === 2, 'both legs working after the reconnect');

    await waitFor(() => {
      server.host.publish(trade('51000.5', '1', 'buy'));
      return engine.getOrderList(listId)?.status === 'completed';
    }, 'the take-profit to fill');
    expect(engine.getOrderList(listId)!.legs.map((leg) => leg.filledQuantity)).toEqual(['0.01', '0']);
    expect(engine.listOrders({ parentId: listId }).map((order) => order.status)).toEqual(['filled', 'canceled']);
    const truth = await probe.venue.adminState();
    expect(Object.values(truth.submitCounts)).toEqual([1, 1]);
    expect(truth.duplicateSubmits).toBe(0);
  });
});
