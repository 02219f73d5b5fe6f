// Binance spot OCO lists at their edges: shapes Binance would refuse are refused with the reason before
// anything is sent; a list the exchange rejects rejects both legs; a lost answer is resolved by asking for
// each leg, never by sending the list again; after a restart the open legs are adopted as ordinary orders.
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport, VenueOrderList } from '../../../adapters/venue.ts';
import { sellOco, requestsTo, typesOf, writesSeen } from './binance-oco-support.ts';
import { createVenue, eventually, limitOrder, reportsOf, startSession, type Session } from './support.ts';

let session: Session | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await session?.close();
  session = undefined;
});

const reasonOf = (reports: readonly ExecutionReport[], id: string, type: ExecutionReport['type']) => (reportsOf(reports, id).find((report) => report.type === type) as { reason?: string } | undefined)?.reason;

/** The sell OCO with its legs changed. */
function reshaped(listId: string, change: (orders: VenueOrderList['orders']) => VenueOrderList['orders']): VenueOrderList {
  const list = sellOco(listId);
  return { ...list, orders: change(list.orders) };
}

describe('Binance spot OCO at its edges', () => {
  it('refuses each shape Binance would refuse with its own reason, and sends nothing', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    const [tp, sl] = sellOco('x').orders as [VenueOrderList['orders'][number], VenueOrderList['orders'][number]];
    const cases: Array<[VenueOrderList, RegExp]> = [
      [reshaped('fs-r1', (orders) => [...orders, limitOrder('fs-r1-x', { side: 'sell', type: 'stop', stopPrice: '47000', price: undefined })]), /exactly 2 legs; this list has 3/],
      [reshaped('fs-r2', ([first]) => [first!]), /exactly 2 legs; this list has 1/],
      [reshaped('fs-r3', ([first, second]) => [first!, { ...second!, side: 'buy' }]), /one side; .* are sell and buy/],
      [reshaped('fs-r4', ([first, second]) => [first!, { ...second!, quantity: '0.02' }]), /one quantity; .* have 0.01 and 0.02/],
      [reshaped('fs-r5', ([first]) => [first!, { ...tp, clientOrderId: 'fs-r5-tp2', price: '53000' }]), /pairs one limit, takeProfit or takeProfitLimit leg with one stop or stopLimit leg; these legs are limit and limit/],
      [reshaped('fs-r6', ([first, second]) => [{ ...first!, type: 'market', price: undefined, postOnly: false }, second!]), /these legs are market and stop/],
      [reshaped('fs-r7', ([first, second]) => [{ ...first!, postOnly: false }, second!]), /LIMIT_MAKER \(post-only\): limit leg fs-r7-tp is not postOnly/],
      [reshaped('fs-r8', ([first, second]) => [{ ...first!, price: '47000' }, second!]), /sell OCO at Binance needs its limit leg's price 47000 above its stop leg's stop price 48000/],
      [reshaped('fs-r9', ([first, second]) => [{ ...first!, quantity: '0.000015' }, { ...second!, quantity: '0.000015' }]), /leg fs-r9-tp: refused before sending: .*quantity/],
      [{ ...sellOco('fs-r10'), orders: [{ ...tp, clientOrderId: 'fs-r10' }, { ...sl, clientOrderId: 'fs-r10-sl' }] }, /list id fs-r10 is also a leg's client order id/],
    ];
    const writesBefore = writesSeen(simulator).length;
    for (const [list, reason] of cases) {
      expect(venue.orderListRefusal(list), list.listId).toMatch(reason);
      venue.submitList(list);
      for (const leg of list.orders) expect(reasonOf(reports, leg.clientOrderId, 'rejected'), leg.clientOrderId).toMatch(reason);
    }
    expect(writesSeen(simulator).slice(writesBefore)).toEqual([]);
    expect(simulator.book.orders.size).toBe(0);
  });

  it('a list the exchange rejects (prices not around the last price) rejects both legs with its reason', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '52500');
    const list = sellOco('fs-rej');
    // The shape is Binance's; only the exchange knows the last price is already past the take-profit.
    expect(venue.orderListRefusal(list)).toBeUndefined();
    venue.submitList(list);
    await eventually(() => ['fs-rej-tp', 'fs-rej-sl'].every((id) => typesOf(reports, id).includes('rejected')), 'both legs rejected');
    for (const id of ['fs-rej-tp', 'fs-rej-sl']) {
      expect(typesOf(reports, id)).toEqual(['rejected']);
      expect(reasonOf(reports, id, 'rejected')).toContain('The relationship of the prices for the orders is not correct.');
    }
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(1);
    expect(simulator.book.orders.size).toBe(0);
    expect(simulator.book.balance('BTC').locked.toFixed()).toBe('0');
  });

  it('a list placed whose answer is lost is found leg by leg by clientOrderId, never sent again', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.loseNextAnswer('POST', '/api/v3/orderList/oco');
    // The stream says nothing meanwhile: only the status queries can tell.
    simulator.silenceUserStreams(true);
    venue.submitList(sellOco('fs-lost'));
    expect(venue.inFlightCount()).toBe(2);
    await eventually(() => ['fs-lost-tp', 'fs-lost-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs found and accepted');
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(1);
    expect(requestsTo(simulator, 'GET /api/v3/order')).toBeGreaterThanOrEqual(2);
    expect(simulator.book.orders.size).toBe(2);
    expect(venue.inFlightCount()).toBe(0);
    expect(reportsOf(reports, 'fs-lost-tp')).toEqual([expect.objectContaining({ type: 'accepted', venueOrderId: String(simulator.orderByClientId('fs-lost-tp')!.orderId) })]);
    simulator.silenceUserStreams(false);
    // Found, the legs are still one list at the exchange: a fill of one cancels the other.
    simulator.fill('fs-lost-tp', '0.01', '52000');
    await eventually(() => typesOf(reports, 'fs-lost-sl').includes('canceled'), 'stop canceled by its list');
    expect(reasonOf(reports, 'fs-lost-sl', 'canceled')).toContain('OCO list fs-lost');
  });

  it('a list whose answer is lost and that was never placed is rejected leg by leg once the receive window has passed', async () => {
    session = await startSession('spot', { recvWindowMs: 300 });
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.failNext('POST', '/api/v3/orderList/oco', { status: 503, processed: false });
    venue.submitList(sellOco('fs-gone'));
    await eventually(() => ['fs-gone-tp', 'fs-gone-sl'].every((id) => typesOf(reports, id).includes('rejected')), 'both legs never placed');
    for (const id of ['fs-gone-tp', 'fs-gone-sl']) expect(reasonOf(reports, id, 'rejected')).toMatch(/never placed: not found at the exchange by clientOrderId/);
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(1);
    expect(simulator.book.orders.size).toBe(0);
  });

  it('after a restart the open legs are adopted as ordinary orders; the exchange still ends one when the other fills', async () => {
    session = await startSession('spot');
    const { simulator } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    session.venue.submitList(sellOco('fs-adopt'));
    await eventually(() => ['fs-adopt-tp', 'fs-adopt-sl'].every((id) => typesOf(session!.reports, id).includes('accepted')), 'both legs accepted');
    await session.venue.disconnect();

    const restarted = createVenue(simulator);
    const reports: ExecutionReport[] = [];
    restarted.onExecutionReport((report) => reports.push(report));
    cleanups.push(() => restarted.disconnect());
    await restarted.connect();
    const open = await restarted.openOrders();
    expect(open.map((order) => order.clientOrderId).sort()).toEqual(['fs-adopt-sl', 'fs-adopt-tp']);
    expect(open.find((order) => order.clientOrderId === 'fs-adopt-tp')).toMatchObject({ type: 'limit', side: 'sell', quantity: '0.01', price: '52000', status: 'open' });
    expect(open.find((order) => order.clientOrderId === 'fs-adopt-sl')).toMatchObject({ type: 'stop', status: 'open' });
    // A leg is still a leg: not amended.
    restarted.amend('fs-adopt-tp', { price: '52500' });
    expect(reportsOf(reports, 'fs-adopt-tp').at(-1)).toMatchObject({ type: 'amendRejected', reason: expect.stringContaining('order list') });

    simulator.fill('fs-adopt-tp', '0.004', '52000');
    await eventually(() => typesOf(reports, 'fs-adopt-tp').includes('filled') && typesOf(reports, 'fs-adopt-sl').includes('canceled'), 'fill reported, stop canceled');
    const listId = String(simulator.orderByClientId('fs-adopt-tp')!.orderListId);
    expect(reasonOf(reports, 'fs-adopt-sl', 'canceled')).toBe(`canceled by the exchange with its order list ${listId}`);
    expect(typesOf(reports, 'fs-adopt-tp')).toEqual(['amendRejected', 'filled']);
    // Asked, the exchange's EXPIRED of a leg its list ended reads as canceled too (what recovery sees after a restart).
    expect(simulator.orderByClientId('fs-adopt-sl')!.status).toBe('EXPIRED');
    expect(await restarted.queryOrder('fs-adopt-sl')).toMatchObject({ status: 'canceled', filledQuantity: '0' });
  });

  it('a dry run takes the shape but sends no list: both legs rejected with the reason', async () => {
    session = await startSession('spot', { dryRun: true });
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    expect(venue.orderListRefusal(sellOco('fs-dry'))).toBeUndefined();
    venue.submitList(sellOco('fs-dry'));
    for (const id of ['fs-dry-tp', 'fs-dry-sl']) expect(reportsOf(reports, id)).toEqual([expect.objectContaining({ type: 'rejected', reason: 'dry run: venue binance does not send orders' })]);
    expect(writesSeen(simulator)).toEqual([]);
  });

  it("an OCO counts as two new orders against the exchange's order limits, and a rate-limited list is not placed", async () => {
    session = await startSession('spot', {}, { orderLimits: [{ interval: 'DAY', intervalNum: 1, limit: 3 }] });
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submit(limitOrder('fs-single'));
    venue.submitList(sellOco('fs-count1'));
    await eventually(() => ['fs-single', 'fs-count1-tp', 'fs-count1-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'three orders accepted');
    // Three of three used: the next list would be the fourth and fifth.
    venue.submitList(sellOco('fs-count2', '0.001'));
    await eventually(() => ['fs-count2-tp', 'fs-count2-sl'].every((id) => typesOf(reports, id).includes('rejected')), 'refused here');
    expect(reasonOf(reports, 'fs-count2-tp', 'rejected')).toBe('not sent: order count limit reached: 3 of 3 orders per 1 d used; not sent');
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(1);

    await session.close();
    session = await startSession('spot');
    session.simulator.setMarkPrice('BTCUSDT', '50000');
    session.simulator.rateLimitNext(1, 1);
    session.venue.submitList(sellOco('fs-429'));
    await eventually(() => ['fs-429-tp', 'fs-429-sl'].every((id) => typesOf(session!.reports, id).includes('rejected')), 'rate limited');
    expect(reasonOf(session.reports, 'fs-429-sl', 'rejected')).toMatch(/^rate limited by the exchange, not placed/);
    expect(session.simulator.book.orders.size).toBe(0);
  });

  it('while the link is not live a list is refused whole with the reason', async () => {
    session = await startSession('spot', { initialRetryDelayMs: 600, maxRetryDelayMs: 600 });
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    simulator.dropUserStreams();
    await eventually(() => venue.linkStatus().state === 'reconnecting', 'reconnecting');
    venue.submitList(sellOco('fs-down'));
    for (const id of ['fs-down-tp', 'fs-down-sl']) expect(reasonOf(reports, id, 'rejected')).toContain('reconnecting, not live');
    expect(requestsTo(simulator, 'POST /api/v3/orderList/oco')).toBe(0);
  });

  it('USDⓈ-M futures holds no order lists: none advertised, each list refused with the reason', async () => {
    session = await startSession('future');
    const { venue } = session;
    expect(venue.capabilities.orderLists).toBeUndefined();
    expect(venue.orderListRefusal(sellOco('fs-fut'))).toBe('venue binance does not hold OCO lists itself');
  });
});
