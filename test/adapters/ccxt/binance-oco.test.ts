// Binance spot OCO lists through the ccxt venue against the simulator: both legs placed in one request
// (POST /api/v3/orderList/oco), reported per leg; a fill (even partial) or a trigger of one leg makes the
// exchange cancel the other, reported canceled naming the list; a cancel of one leg cancels the whole list.
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { decimal } from '../../../src/domain/decimal.ts';
import { buyOco, requestsTo, sellOco, typesOf, writesSeen } from './binance-oco-support.ts';
import { eventually, reportsOf, startSession, type Session } from './support.ts';

let session: Session | undefined;

afterEach(async () => {
  await session?.close();
  session = undefined;
});

const canceledReason = (reports: readonly ExecutionReport[], id: string) => (reportsOf(reports, id).find((report) => report.type === 'canceled') as { reason?: string } | undefined)?.reason;

describe('Binance spot OCO through the ccxt venue', () => {
  it('places both legs in one orderList request; the take-profit fills, the exchange cancels the stop, reported naming the list', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    expect(venue.capabilities.orderLists).toEqual(['oco']);
    simulator.setMarkPrice('BTCUSDT', '50000');
    const list = sellOco('fs-oco1');
    expect(venue.orderListRefusal(list)).toBeUndefined();
    const writesBefore = writesSeen(simulator).length;

    venue.submitList(list);
    await eventually(() => ['fs-oco1-tp', 'fs-oco1-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs accepted');
    expect(writesSeen(simulator).slice(writesBefore)).toEqual(['POST /api/v3/orderList/oco']);
    const tp = simulator.orderByClientId('fs-oco1-tp')!;
    const sl = simulator.orderByClientId('fs-oco1-sl')!;
    expect(tp).toMatchObject({ type: 'LIMIT_MAKER', side: 'SELL', price: '52000', origQty: '0.01' });
    expect(sl).toMatchObject({ type: 'STOP_LOSS', side: 'SELL', stopPrice: '48000', origQty: '0.01', working: false });
    expect(tp.orderListId).toBeDefined();
    expect(sl.orderListId).toBe(tp.orderListId);
    expect(simulator.book.lists.get(tp.orderListId!)).toMatchObject({ listClientOrderId: 'fs-oco1', listOrderStatus: 'EXECUTING' });
    expect(reportsOf(reports, 'fs-oco1-tp')[0]).toMatchObject({ type: 'accepted', venueOrderId: String(tp.orderId) });
    expect(reportsOf(reports, 'fs-oco1-sl')[0]).toMatchObject({ type: 'accepted', venueOrderId: String(sl.orderId) });
    // The quantity is locked once for the list, not once per leg.
    expect(simulator.book.balance('BTC').locked.toFixed()).toBe('0.01');

    // A leg of a list the exchange holds is not amended (its list would not follow).
    venue.amend('fs-oco1-tp', { price: '52500' });
    expect(reportsOf(reports, 'fs-oco1-tp').at(-1)).toMatchObject({ type: 'amendRejected', reason: expect.stringContaining('OCO list fs-oco1') });

    simulator.fill('fs-oco1-tp', '0.01', '52000');
    await eventually(() => typesOf(reports, 'fs-oco1-sl').includes('canceled') && typesOf(reports, 'fs-oco1-tp').includes('filled'), 'tp filled, sl canceled');
    expect(typesOf(reports, 'fs-oco1-tp')).toEqual(['accepted', 'amendRejected', 'filled']);
    expect(reportsOf(reports, 'fs-oco1-tp').at(-1)).toMatchObject({ quantity: '0.01', price: '52000', liquidity: 'maker' });
    expect(typesOf(reports, 'fs-oco1-sl')).toEqual(['accepted', 'canceled']);
    expect(canceledReason(reports, 'fs-oco1-sl')).toContain('OCO list fs-oco1');
    expect(simulator.orderByClientId('fs-oco1-sl')!.status).toBe('EXPIRED');
    expect(simulator.book.balance('BTC').locked.toFixed()).toBe('0');
    expect(simulator.book.balance('BTC').free.toFixed()).toBe('1.99');
    // The fill went out once, and nothing was sent for the stop's end.
    await venue.backfill();
    expect(typesOf(reports, 'fs-oco1-tp').filter((type) => type === 'filled')).toHaveLength(1);
    expect(writesSeen(simulator).slice(writesBefore)).toEqual(['POST /api/v3/orderList/oco']);
  });

  it('a partial fill of one leg cancels the other at once; the filled leg works on for the rest', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submitList(buyOco('fs-oco2'));
    await eventually(() => ['fs-oco2-dip', 'fs-oco2-brk'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs accepted');
    expect(simulator.orderByClientId('fs-oco2-brk')).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '52000', price: '52100', timeInForce: 'GTC' });
    // A buy locks its quote once, at the dearer leg's price.
    expect(simulator.book.balance('USDT').locked.toFixed()).toBe(decimal('52100').times('0.02').toFixed());

    simulator.fill('fs-oco2-dip', '0.005', '48000');
    await eventually(() => typesOf(reports, 'fs-oco2-brk').includes('canceled'), 'breakout leg canceled');
    expect(typesOf(reports, 'fs-oco2-brk')).toEqual(['accepted', 'canceled']);
    expect(canceledReason(reports, 'fs-oco2-brk')).toContain('OCO list fs-oco2');
    expect(await venue.queryOrder('fs-oco2-dip')).toMatchObject({ status: 'partial', filledQuantity: '0.005' });

    simulator.fill('fs-oco2-dip', '0.015', '48000');
    await eventually(() => typesOf(reports, 'fs-oco2-dip').filter((type) => type === 'filled').length === 2, 'dip leg filled');
    expect(typesOf(reports, 'fs-oco2-dip')).toEqual(['accepted', 'filled', 'filled']);
    expect(simulator.book.balance('USDT').locked.toFixed()).toBe('0');
    expect(simulator.book.balance('USDT').free.toFixed()).toBe(decimal('100000').minus(decimal('48000').times('0.02')).toFixed());
  });

  it('the stop leg triggering ends the list: the take-profit is canceled, the stop fills at the market', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submitList(sellOco('fs-oco3'));
    await eventually(() => ['fs-oco3-tp', 'fs-oco3-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs accepted');
    simulator.setMarkPrice('BTCUSDT', '47990');
    await eventually(() => typesOf(reports, 'fs-oco3-sl').includes('filled') && typesOf(reports, 'fs-oco3-tp').includes('canceled'), 'stop filled, tp canceled');
    expect(typesOf(reports, 'fs-oco3-sl')).toEqual(['accepted', 'triggered', 'filled']);
    expect(reportsOf(reports, 'fs-oco3-sl').at(-1)).toMatchObject({ quantity: '0.01', price: '47990', liquidity: 'taker' });
    expect(typesOf(reports, 'fs-oco3-tp')).toEqual(['accepted', 'canceled']);
    expect(canceledReason(reports, 'fs-oco3-tp')).toContain('OCO list fs-oco3');
    expect(simulator.book.balance('BTC').locked.toFixed()).toBe('0');
  });

  it('a leg filling while the user stream is down: after the redial the fill is applied once and the other leg canceled naming the list', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submitList(sellOco('fs-down'));
    await eventually(() => ['fs-down-tp', 'fs-down-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs accepted');
    simulator.silenceUserStreams(true);
    simulator.fill('fs-down-tp', '0.006', '52000');
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await eventually(() => typesOf(reports, 'fs-down-sl').includes('canceled') && typesOf(reports, 'fs-down-tp').includes('filled'), 'backfilled fill and cancel');
    expect(canceledReason(reports, 'fs-down-sl')).toContain('OCO list fs-down');
    simulator.fill('fs-down-tp', '0.004', '52000');
    await eventually(() => typesOf(reports, 'fs-down-tp').filter((type) => type === 'filled').length === 2, 'the rest, from the stream');
    await venue.backfill();
    expect(typesOf(reports, 'fs-down-tp')).toEqual(['accepted', 'filled', 'filled']);
    expect(typesOf(reports, 'fs-down-sl')).toEqual(['accepted', 'canceled']);
  });

  it('a cancel of one leg cancels the whole list in one request: both legs reported canceled', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setMarkPrice('BTCUSDT', '50000');
    venue.submitList(sellOco('fs-oco4'));
    await eventually(() => ['fs-oco4-tp', 'fs-oco4-sl'].every((id) => typesOf(reports, id).includes('accepted')), 'both legs accepted');
    const writesBefore = writesSeen(simulator).length;

    venue.cancel('fs-oco4-sl');
    await eventually(() => ['fs-oco4-tp', 'fs-oco4-sl'].every((id) => typesOf(reports, id).includes('canceled')), 'both legs canceled');
    expect(writesSeen(simulator).slice(writesBefore)).toEqual(['DELETE /api/v3/orderList']);
    expect(typesOf(reports, 'fs-oco4-sl')).toEqual(['accepted', 'canceled']);
    expect(typesOf(reports, 'fs-oco4-tp')).toEqual(['accepted', 'canceled']);
    expect(canceledReason(reports, 'fs-oco4-sl')).toBe('canceled by client');
    expect(canceledReason(reports, 'fs-oco4-tp')).toContain('OCO list fs-oco4');
    expect(simulator.orderByClientId('fs-oco4-tp')!.status).toBe('CANCELED');
    expect(simulator.book.balance('BTC').locked.toFixed()).toBe('0');
    expect(simulator.book.balance('BTC').free.toFixed()).toBe('2');

    // The list is done: a second cancel is refused as already canceled, and nothing more is sent.
    venue.cancel('fs-oco4-tp');
    await eventually(() => typesOf(reports, 'fs-oco4-tp').includes('cancelRejected'), 'second cancel refused');
    expect(requestsTo(simulator, 'DELETE /api/v3/orderList')).toBe(1);
  });
});
