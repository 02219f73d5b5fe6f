// The ccxt venue against a Binance-protocol simulator on 127.0.0.1 (spot): what a user relies on when the
// exchange's answers are late, lost, duplicated, rate-limited or missing from a dead stream.
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { createVenue, eventually, limitOrder, reportsOf, startSession, startSimulator, type Session } from './support.ts';

let session: Session | undefined;

afterEach(async () => {
  await session?.close();
  session = undefined;
});

const fillsOf = (reports: readonly ExecutionReport[], clientOrderId: string) =>
  reportsOf(reports, clientOrderId).filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled');

const submitsOf = (s: Session) => s.simulator.requests.filter((request) => request === 'POST /api/v3/order').length;

describe('ccxt venue (Binance spot) against the simulator', () => {
  it('reports partial fills from the user stream with the exchange exact decimals, fee and liquidity, then the cancel', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('partial-1', { quantity: '0.01', price: '50000.01' }));
    await eventually(() => reportsOf(reports, 'partial-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('partial-1', '0.003', undefined, true);
    simulator.fill('partial-1', '0.00201', '50000', false);
    await eventually(() => fillsOf(reports, 'partial-1').length === 2, 'two fills');
    const [first, second] = fillsOf(reports, 'partial-1');
    expect(first).toMatchObject({ quantity: '0.003', price: '50000.01', fee: '0.000003', feeCurrency: 'BTC', liquidity: 'maker' });
    expect(second).toMatchObject({ quantity: '0.00201', price: '50000', fee: '0.00000201', feeCurrency: 'BTC', liquidity: 'taker' });
    expect(first!.tradeId).not.toBe(second!.tradeId);

    venue.cancel('partial-1');
    await eventually(() => reportsOf(reports, 'partial-1').some((report) => report.type === 'canceled'), 'canceled');
    expect(reportsOf(reports, 'partial-1').find((report) => report.type === 'canceled')).toMatchObject({ reason: 'canceled by client' });
    expect(simulator.orderByClientId('partial-1')?.status).toBe('CANCELED');
    // Status queries answer from the exchange, with exact decimals.
    expect(await venue.queryOrder('partial-1')).toMatchObject({ status: 'canceled', quantity: '0.01', filledQuantity: '0.00501', price: '50000.01' });
    expect((await venue.orderFills('partial-1')).map((fill) => fill.quantity)).toEqual(['0.003', '0.00201']);
  });

  it('an order whose answer is lost although it was placed is found by clientOrderId and never sent again', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.loseNextAnswer('POST', '/api/v3/order');
    venue.submit(limitOrder('lost-1'));
    await eventually(() => reportsOf(reports, 'lost-1').some((report) => report.type === 'accepted'), 'accepted after the status query');
    expect(submitsOf(session)).toBe(1);
    expect(simulator.book.submitCounts.get('lost-1')).toBe(1);
    expect(reportsOf(reports, 'lost-1').some((report) => report.type === 'rejected')).toBe(false);
    simulator.fill('lost-1', '0.01');
    await eventually(() => fillsOf(reports, 'lost-1').length === 1, 'the fill');
  });

  it('a cancel asked for while the submit outcome is unknown is sent once the exchange has told, not before', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.loseNextAnswer('POST', '/api/v3/order');
    simulator.silenceUserStreams(true);
    venue.submit(limitOrder('lost-cancel'));
    await eventually(() => venue.inFlightCount() === 1 && simulator.orderByClientId('lost-cancel') !== undefined, 'placed, answer lost');
    venue.cancel('lost-cancel');
    await eventually(() => reportsOf(reports, 'lost-cancel').some((report) => report.type === 'canceled'), 'canceled after the query');
    expect(reportsOf(reports, 'lost-cancel').map((report) => report.type)).toEqual(['accepted', 'canceled']);
    expect(simulator.orderByClientId('lost-cancel')?.status).toBe('CANCELED');
    expect(simulator.book.submitCounts.get('lost-cancel')).toBe(1);
  });

  it('a 5xx without the order placed leaves it in flight until the receive window has passed, then it is never placed', async () => {
    session = await startSession('spot', { recvWindowMs: 400 });
    const { venue, simulator, reports } = session;
    simulator.failNext('POST', '/api/v3/order', { status: 503, processed: false });
    venue.submit(limitOrder('unknown-1'));
    await eventually(() => venue.inFlightCount() === 1, 'in flight');
    expect(reportsOf(reports, 'unknown-1')).toEqual([]);
    await eventually(() => reportsOf(reports, 'unknown-1').some((report) => report.type === 'rejected'), 'never placed');
    expect(reportsOf(reports, 'unknown-1')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('never placed') });
    expect(submitsOf(session)).toBe(1);
    expect(simulator.orderByClientId('unknown-1')).toBeUndefined();
  });

  it('a 5xx after the order was placed resolves to the placed order (execution status unknown is not a rejection)', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.failNext('POST', '/api/v3/order', { status: 503, processed: true });
    venue.submit(limitOrder('unknown-2'));
    await eventually(() => reportsOf(reports, 'unknown-2').some((report) => report.type === 'accepted'), 'accepted');
    expect(submitsOf(session)).toBe(1);
  });

  it('fills made while the user socket is down are each applied exactly once after the backfill', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('drop-1', { quantity: '0.01' }));
    await eventually(() => reportsOf(reports, 'drop-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('drop-1', '0.001');
    await eventually(() => fillsOf(reports, 'drop-1').length === 1, 'first fill on the stream');
    const states: string[] = [];
    venue.onLinkStatus((status) => states.push(status.state));
    // The stream is deaf for these fills and then the socket drops: only REST can tell of them.
    simulator.silenceUserStreams(true);
    simulator.fill('drop-1', '0.002');
    simulator.fill('drop-1', '0.003');
    simulator.dropUserStreams();
    simulator.silenceUserStreams(false);
    await eventually(() => states.includes('reconnecting') && venue.linkStatus().state === 'live', 'reconnected');
    await eventually(() => fillsOf(reports, 'drop-1').length === 3, 'backfilled fills');
    simulator.fill('drop-1', '0.004');
    await eventually(() => fillsOf(reports, 'drop-1').length === 4, 'the stream again');
    await venue.backfill();
    const tradeIds = fillsOf(reports, 'drop-1').map((fill) => fill.tradeId);
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    expect(tradeIds.sort()).toEqual(simulator.book.trades.filter((trade) => trade.clientOrderId === 'drop-1').map((trade) => String(trade.id)).sort());
    expect(fillsOf(reports, 'drop-1').map((fill) => fill.quantity).sort()).toEqual(['0.001', '0.002', '0.003', '0.004']);
  });

  it('a stream that stays open but goes silent is found out by the quiet-time backfill and redialled', async () => {
    session = await startSession('spot', { quietBackfillMs: 200 });
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('silent-1'));
    await eventually(() => reportsOf(reports, 'silent-1').some((report) => report.type === 'accepted'), 'accepted');
    const states: string[] = [];
    venue.onLinkStatus((status) => states.push(status.state));
    simulator.silenceUserStreams(true);
    simulator.fill('silent-1', '0.004');
    await eventually(() => fillsOf(reports, 'silent-1').length === 1, 'the fill, from REST');
    await eventually(() => states.includes('reconnecting'), 'the stream redialled');
    simulator.silenceUserStreams(false);
    await eventually(() => venue.linkStatus().state === 'live', 'live again');
    simulator.fill('silent-1', '0.006');
    await eventually(() => fillsOf(reports, 'silent-1').length === 2, 'second fill');
    expect(new Set(fillsOf(reports, 'silent-1').map((fill) => fill.tradeId)).size).toBe(2);
  });

  it('honours 429 with Retry-After: the refused write is not placed, nothing is sent until the time has passed', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.rateLimitNext(1, 1);
    venue.submit(limitOrder('limited-1'));
    await eventually(() => reportsOf(reports, 'limited-1').length > 0, 'an answer');
    expect(reportsOf(reports, 'limited-1')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('rate limited') });
    expect(simulator.orderByClientId('limited-1')).toBeUndefined();
    const sentBefore = simulator.requests.length;
    venue.submit(limitOrder('limited-2'));
    await eventually(() => reportsOf(reports, 'limited-2').length > 0, 'refused locally');
    expect(reportsOf(reports, 'limited-2')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('not sent') });
    expect(simulator.requests.length).toBe(sentBefore);
    // Retry-After was 1 s: once it has passed, orders go out again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    venue.submit(limitOrder('limited-3'));
    await eventually(() => reportsOf(reports, 'limited-3').some((report) => report.type === 'accepted'), 'accepted once Retry-After passed');
    expect(simulator.book.submitCounts.get('limited-3')).toBe(1);
  });

  it('honours 418 (an IP ban) the same way: nothing is sent until its Retry-After has passed', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.rateLimitNext(1, 1, 418);
    venue.submit(limitOrder('banned-1'));
    await eventually(() => reportsOf(reports, 'banned-1').length > 0, 'refused');
    expect(reportsOf(reports, 'banned-1')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('not placed') });
    const sentBefore = simulator.requests.length;
    venue.submit(limitOrder('banned-2'));
    await eventually(() => reportsOf(reports, 'banned-2').length > 0, 'refused locally');
    expect(reportsOf(reports, 'banned-2')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('banned this IP (418)') });
    expect(simulator.requests.length).toBe(sentBefore);
  });

  it('a duplicate clientOrderId is never placed twice: the same order is taken over, another one is refused', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    // Already at the exchange (sent before a crash, say) with the same terms.
    simulator.book.place({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '50000', timeInForce: 'GTC', clientOrderId: 'dup-1', reduceOnly: false });
    venue.submit(limitOrder('dup-1'));
    await eventually(() => reportsOf(reports, 'dup-1').some((report) => report.type === 'accepted'), 'taken over');
    expect([...simulator.book.orders.values()].filter((order) => order.clientOrderId === 'dup-1')).toHaveLength(1);
    // Same id, different terms: refused, the exchange's order untouched.
    simulator.book.place({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.02', price: '60000', timeInForce: 'GTC', clientOrderId: 'dup-2', reduceOnly: false });
    venue.submit(limitOrder('dup-2'));
    await eventually(() => reportsOf(reports, 'dup-2').length > 0, 'an answer');
    expect(reportsOf(reports, 'dup-2')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('taken at the exchange by another order') });
    expect(simulator.orderByClientId('dup-2')?.status).toBe('NEW');
  });

  it('cancel-replace: a replacement keeps reporting under the same order; a failed one says what happened', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('amend-1', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'amend-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.fill('amend-1', '0.004');
    await eventually(() => fillsOf(reports, 'amend-1').length === 1, 'partial');
    venue.amend('amend-1', { price: '49000' });
    await eventually(() => reportsOf(reports, 'amend-1').some((report) => report.type === 'amended'), 'amended');
    expect(reportsOf(reports, 'amend-1').find((report) => report.type === 'amended')).toMatchObject({ price: '49000', quantity: '0.01' });
    const replacement = [...simulator.book.orders.values()].find((order) => order.clientOrderId !== 'amend-1' && order.clientOrderId.startsWith('amend-1'))!;
    expect(replacement).toMatchObject({ origQty: '0.006', price: '49000', status: 'NEW' });
    simulator.fill(replacement.clientOrderId, '0.006');
    await eventually(() => fillsOf(reports, 'amend-1').length === 2, 'fill of the replacement, as the same order');
    expect(fillsOf(reports, 'amend-1')[1]).toMatchObject({ quantity: '0.006', price: '49000' });
    expect(reportsOf(reports, 'amend-1').some((report) => report.type === 'canceled')).toBe(false);

    // The cancel fails (the order filled at the exchange just before): nothing replaced, the fill arrives.
    venue.submit(limitOrder('amend-2', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'amend-2').some((report) => report.type === 'accepted'), 'accepted');
    simulator.silenceUserStreams(true);
    simulator.fill('amend-2', '0.01');
    venue.amend('amend-2', { price: '49500' });
    await eventually(() => reportsOf(reports, 'amend-2').some((report) => report.type === 'amendRejected'), 'amend rejected');
    expect(reportsOf(reports, 'amend-2').find((report) => report.type === 'amendRejected')).toMatchObject({ reason: expect.stringContaining('the cancel failed') });
    await eventually(() => fillsOf(reports, 'amend-2').length === 1, 'the fill found');
    simulator.silenceUserStreams(false);

    // The cancel succeeds but the replacement is refused (not enough USDT): the order ends canceled, with why.
    venue.submit(limitOrder('amend-3', { quantity: '0.01', price: '50000' }));
    await eventually(() => reportsOf(reports, 'amend-3').some((report) => report.type === 'accepted'), 'accepted');
    venue.amend('amend-3', { quantity: '1.9', price: '90000' });
    await eventually(() => reportsOf(reports, 'amend-3').some((report) => report.type === 'canceled'), 'canceled');
    expect(reportsOf(reports, 'amend-3').find((report) => report.type === 'canceled')).toMatchObject({ reason: expect.stringContaining('replacement was refused') });
  });

  it('refuses, without sending, any order whose quantity or price ccxt would truncate or round', async () => {
    session = await startSession('spot');
    const { venue, reports } = session;
    const before = submitsOf(session);
    venue.submit(limitOrder('grid-1', { quantity: '0.000015' }));
    venue.submit(limitOrder('grid-2', { price: '50000.005' }));
    venue.submit(limitOrder('grid-3', { quantity: '0.00001', price: '100' }));
    await eventually(() => ['grid-1', 'grid-2', 'grid-3'].every((id) => reportsOf(reports, id).length > 0), 'answers');
    expect(reportsOf(reports, 'grid-1')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('0.00001') });
    expect(reportsOf(reports, 'grid-2')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('tick size 0.01') });
    expect(reportsOf(reports, 'grid-3')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('notional') });
    expect(submitsOf(session)).toBe(before);
  });

  it('signs with the exchange clock when the local clock is off, and a dry run connects but sends nothing', async () => {
    const simulator = await startSimulator('spot');
    simulator.setClockOffset(-30_000);
    const venue = createVenue(simulator, { dryRun: true });
    const reports: ExecutionReport[] = [];
    venue.onExecutionReport((report) => reports.push(report));
    try {
      await venue.connect();
      expect(venue.instruments().map((instrument) => instrument.spec)).toContainEqual(expect.objectContaining({ symbol: 'BTC/USDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5', makerFee: '0.001' }));
      expect(await venue.balances()).toContainEqual({ currency: 'USDT', total: '100000', reserved: '0' });
      venue.submit(limitOrder('dry-1'));
      expect(reports).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('dry run') })]);
      expect(simulator.requests.some((request) => request.startsWith('POST /api/v3/order'))).toBe(false);
    } finally {
      await venue.disconnect();
      await simulator.stop();
    }
  });

  it('a clock jump at the exchange costs one refused order (not placed) and one time resync, not a storm', async () => {
    session = await startSession('spot');
    const { venue, simulator, reports } = session;
    simulator.setClockOffset(-20_000);
    venue.submit(limitOrder('skew-1'));
    await eventually(() => reportsOf(reports, 'skew-1').length > 0, 'refused');
    expect(reportsOf(reports, 'skew-1')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('clock skew') });
    expect(simulator.orderByClientId('skew-1')).toBeUndefined();
    await eventually(() => simulator.requests.filter((request) => request === 'GET /api/v3/time').length === 2, 'one resync');
    // The resync's answer applied (ccxt signs with local time minus timeDifference) before the next order.
    await eventually(() => Number((venue.exchange.options as Record<string, unknown>).timeDifference) >= 19_000, 'the exchange clock taken');
    venue.submit(limitOrder('skew-2'));
    await eventually(() => reportsOf(reports, 'skew-2').some((report) => report.type === 'accepted'), 'accepted with the exchange clock');
    expect(simulator.requests.filter((request) => request === 'GET /api/v3/time')).toHaveLength(2);
  });

  it('delivers market trades with exact decimals', async () => {
    session = await startSession('spot');
    const { venue, simulator } = session;
    const trades: string[] = [];
    venue.subscribeMarketData(['BTC/USDT'], (data) => {
      if (data.type === 'trade') trades.push(`${data.symbol} ${data.price.toFixed()} ${data.quantity.toFixed()}`);
    });
    await eventually(() => {
      simulator.setMarkPrice('BTCUSDT', '50123.45');
      return trades.length > 0;
    }, 'a trade');
    expect(trades[0]).toBe('BTC/USDT 50123.45 0.001');
  });

  it('while the link is not live new orders are refused with the reason and cancels wait for it', async () => {
    session = await startSession('spot', { initialRetryDelayMs: 600, maxRetryDelayMs: 600 });
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('link-1'));
    await eventually(() => reportsOf(reports, 'link-1').some((report) => report.type === 'accepted'), 'accepted');
    simulator.dropUserStreams();
    await eventually(() => venue.linkStatus().state === 'reconnecting', 'reconnecting');
    venue.submit(limitOrder('link-2'));
    expect(reportsOf(reports, 'link-2')[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('reconnecting, not live') });
    venue.cancel('link-1');
    expect(simulator.orderByClientId('link-1')?.status).toBe('NEW');
    await eventually(() => reportsOf(reports, 'link-1').some((report) => report.type === 'canceled'), 'the queued cancel, once live');
    expect(simulator.orderByClientId('link-2')).toBeUndefined();
  });

  it('bad credentials, an unknown symbol and an unreachable endpoint fail connect() with a clear error', async () => {
    const simulator = await startSimulator('spot');
    try {
      const badKey = createVenue(simulator, { apiKey: 'wrong-key' });
      await expect(badKey.connect()).rejects.toThrow(/refused the API key.*Invalid API-key/);
      await badKey.disconnect();
      const badSymbol = createVenue(simulator, { symbols: ['DOGE/USDT'] });
      await expect(badSymbol.connect()).rejects.toThrow(/no tradable symbol DOGE\/USDT/);
      await badSymbol.disconnect();
    } finally {
      await simulator.stop();
    }
    const unreachable = createVenue(simulator);
    await expect(unreachable.connect()).rejects.toThrow(/unreachable/);
    await unreachable.disconnect();
  });
});
