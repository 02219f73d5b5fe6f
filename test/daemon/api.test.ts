// The HTTP API through real HTTP on 127.0.0.1: every route, auth, bad input, idempotency, denials, control.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, SYMBOL, TOKEN, type TestDaemon } from './fixture.ts';

let daemon: TestDaemon;

afterEach(async () => {
  await daemon?.close();
});

const limitBuy = { symbol: SYMBOL, side: 'buy', type: 'limit', quantity: '0.01', price: '49000' };

/** Every route but /health, with a body that would be accepted: auth must stop each one first. */
const PROTECTED_ROUTES: ReadonlyArray<[string, string, unknown?]> = [
  ['GET', '/ready'],
  ['GET', '/metrics'],
  ['POST', '/v1/orders', limitBuy],
  ['GET', '/v1/orders'],
  ['GET', '/v1/orders/o-1'],
  ['PATCH', '/v1/orders/o-1', { price: '48000' }],
  ['DELETE', '/v1/orders/o-1'],
  ['POST', '/v1/positions', { symbol: SYMBOL, direction: 'long', quantity: '0.01' }],
  ['GET', '/v1/positions'],
  ['GET', '/v1/positions/p-1'],
  ['POST', '/v1/positions/p-1/close', {}],
  ['PUT', '/v1/positions/p-1/stop', { stopPrice: '49000' }],
  ['PUT', '/v1/positions/p-1/take-profit', { price: '51000' }],
  ['POST', '/v1/signals', { symbol: SYMBOL, action: 'buy', confidence: '0.5' }],
  ['GET', '/v1/account'],
  ['GET', '/v1/balances'],
  ['GET', '/v1/fills'],
  ['GET', '/v1/trades'],
  ['GET', '/v1/performance'],
  ['GET', '/v1/events'],
  ['GET', '/v1/trading-state'],
  ['POST', '/v1/halt', { reason: 'x' }],
  ['POST', '/v1/reduce-only', { reason: 'x' }],
  ['POST', '/v1/resume', {}],
  ['POST', '/v1/close-all', {}],
];

describe('authentication', () => {
  beforeEach(async () => {
    daemon = await startTestDaemon();
  });

  it('serves /health without a token', async () => {
    const response = await daemon.request('GET', '/health', { token: null });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('refuses every other route without a token or with a wrong one, and nothing changes', async () => {
    await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, clientOrderId: 'o-1' } });
    daemon.settle();
    const before = { sequence: daemon.events.lastSequence(), orders: daemon.engine.listOrders(), state: daemon.engine.tradingState() };
    const wrongTokens: Array<string | null> = [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1), ''];
    for (const [method, path, body] of PROTECTED_ROUTES) {
      for (const token of wrongTokens) {
        const response = await daemon.request(method, path, { body, token });
        expect(response.status, `${method} ${path} with token ${JSON.stringify(token)}`).toBe(401);
        expect(response.body.error.code).toBe('unauthorized');
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    // A token in the query string is not accepted on API routes (it would end up in logs and histories).
    expect((await daemon.request('GET', `/v1/orders?token=${TOKEN}`, { token: null })).status).toBe(401);
    daemon.settle();
    expect(daemon.events.lastSequence()).toBe(before.sequence);
    expect(daemon.engine.listOrders()).toEqual(before.orders);
    expect(daemon.engine.tradingState()).toBe(before.state);
  });

  it('sends no CORS headers', async () => {
    const response = await daemon.request('GET', '/v1/orders', { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await daemon.request('OPTIONS', '/v1/orders', { token: null, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('orders', () => {
  beforeEach(async () => {
    daemon = await startTestDaemon();
  });

  it('submits, gets, lists with filters, amends and cancels an order', async () => {
    const created = await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, clientOrderId: 'buy-1' } });
    expect(created.status).toBe(201);
    expect(created.body.created).toBe(true);
    expect(created.body.order).toMatchObject({ orderId: 'buy-1', symbol: SYMBOL, side: 'buy', type: 'limit', quantity: '0.01', price: '49000' });
    daemon.settle();
    expect((await daemon.request('GET', '/v1/orders/buy-1')).body.order.status).toBe('open');

    daemon.settle(1_000);
    const second = await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'sell', type: 'limit', quantity: '0.02', price: '51000' } });
    expect(second.status).toBe(201);
    const secondId = second.body.order.orderId as string;
    daemon.settle();

    const ids = async (query: string) => ((await daemon.request('GET', `/v1/orders${query}`)).body.orders as { orderId: string }[]).map((order) => order.orderId);
    expect(await ids('')).toEqual(['buy-1', secondId]);
    expect(await ids('?status=open')).toEqual(['buy-1', secondId]);
    expect(await ids('?status=filled,canceled')).toEqual([]);
    expect(await ids(`?symbol=${encodeURIComponent(SYMBOL)}&live=true`)).toEqual(['buy-1', secondId]);
    expect(await ids('?symbol=ETH%2FUSDT')).toEqual([]);
    const secondCreatedAt = daemon.engine.getOrder(secondId)!.createdAt;
    expect(await ids(`?since=${secondCreatedAt}`)).toEqual([secondId]);
    expect(await ids(`?until=${new Date(secondCreatedAt - 1).toISOString()}`)).toEqual(['buy-1']);
    expect(await ids('?limit=1')).toEqual([secondId]);

    const amended = await daemon.request('PATCH', '/v1/orders/buy-1', { body: { price: '48500' } });
    expect(amended.status).toBe(202);
    daemon.settle();
    expect((await daemon.request('GET', '/v1/orders/buy-1')).body.order).toMatchObject({ status: 'open', price: '48500' });

    const canceled = await daemon.request('DELETE', '/v1/orders/buy-1');
    expect(canceled.status).toBe(202);
    expect(canceled.body.order.status).toBe('pendingCancel');
    daemon.settle();
    expect((await daemon.request('GET', '/v1/orders/buy-1')).body.order.status).toBe('canceled');

    const again = await daemon.request('DELETE', '/v1/orders/buy-1');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('order_state');
    expect(again.body.error.message).toContain('canceled');
  });

  it('returns the existing order for a repeated clientOrderId, never a second one', async () => {
    const body = { ...limitBuy, clientOrderId: 'same-1' };
    const first = await daemon.request('POST', '/v1/orders', { body });
    daemon.settle();
    const sequence = daemon.events.lastSequence();
    for (let attempt = 0; attempt < 3; attempt++) {
      const repeat = await daemon.request('POST', '/v1/orders', { body });
      expect(repeat.status).toBe(200);
      expect(repeat.body.created).toBe(false);
      expect(repeat.body.order.orderId).toBe(first.body.order.orderId);
    }
    // The same id with a different order is a conflict, not a silent success.
    const conflict = await daemon.request('POST', '/v1/orders', { body: { ...body, quantity: '0.02' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'idempotency_conflict', details: { fields: ['quantity'] } });
    daemon.settle();
    expect(daemon.engine.listOrders()).toHaveLength(1);
    expect(daemon.events.lastSequence()).toBe(sequence);
  });

  it('answers unknown orders with 404 and refusals of the order state with 409', async () => {
    expect((await daemon.request('GET', '/v1/orders/nope')).body.error.code).toBe('unknown_order');
    expect((await daemon.request('GET', '/v1/orders/nope')).status).toBe(404);
    expect((await daemon.request('DELETE', '/v1/orders/nope')).status).toBe(404);
    expect((await daemon.request('PATCH', '/v1/orders/nope', { body: { price: '1' } })).status).toBe(404);
    const market = await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'buy', type: 'market', quantity: '0.01' } });
    daemon.settle();
    const orderId = market.body.order.orderId as string;
    expect(daemon.engine.getOrder(orderId)?.status).toBe('filled');
    const amend = await daemon.request('PATCH', `/v1/orders/${orderId}`, { body: { quantity: '0.02' } });
    expect(amend.status).toBe(409);
    expect(amend.body.error.code).toBe('order_state');
  });
});

describe('bad input', () => {
  beforeEach(async () => {
    daemon = await startTestDaemon({ bodyLimitBytes: 4096 });
  });

  const cases: ReadonlyArray<[string, { method: string; path: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string]> = [
    ['malformed JSON', { method: 'POST', path: '/v1/orders', rawBody: '{"symbol": "BTC/USDT",' }, 400, 'malformed_json'],
    ['an empty JSON body', { method: 'POST', path: '/v1/orders', rawBody: '' }, 400, 'malformed_json'],
    ['a body that is not an object', { method: 'POST', path: '/v1/orders', body: [1, 2] }, 400, 'invalid_order'],
    ['a wrong type', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, quantity: true } }, 400, 'invalid_order'],
    ['NaN-like text', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, quantity: 'NaN' } }, 400, 'invalid_order'],
    ['an unknown field', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, leverage: 100 } }, 400, 'invalid_order'],
    ['a price off the tick', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, price: '49000.05' } }, 400, 'invalid_order'],
    ['an unknown symbol', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, symbol: 'DOGE/USDT' } }, 400, 'unknown_symbol'],
    ['an unknown venue', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, venue: 'nowhere' } }, 400, 'unknown_venue'],
    ['an oversized body', { method: 'POST', path: '/v1/orders', body: { ...limitBuy, parentId: 'x'.repeat(10_000) } }, 413, 'body_too_large'],
    ['a body that is not JSON', { method: 'POST', path: '/v1/orders', rawBody: 'symbol=BTC', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
    ['prototype poisoning', { method: 'POST', path: '/v1/orders', rawBody: '{"__proto__": {"admin": true}, "symbol": "BTC/USDT"}' }, 400, 'malformed_json'],
    ['an unknown query parameter', { method: 'GET', path: '/v1/orders?colour=red' }, 400, 'invalid_request'],
    ['an unknown status filter', { method: 'GET', path: '/v1/orders?status=opened' }, 400, 'invalid_request'],
    ['a bad time filter', { method: 'GET', path: '/v1/orders?since=yesterday' }, 400, 'invalid_request'],
    ['a bad limit', { method: 'GET', path: '/v1/orders?limit=-3' }, 400, 'invalid_request'],
    ['an unknown amendment field', { method: 'PATCH', path: '/v1/orders/any', body: { side: 'sell' } }, 404, 'unknown_order'],
    ['a position without direction', { method: 'POST', path: '/v1/positions', body: { symbol: SYMBOL, quantity: '0.01' } }, 400, 'invalid_request'],
    ['a plan with an unknown method', { method: 'POST', path: '/v1/positions', body: { symbol: SYMBOL, direction: 'long', quantity: '0.01', plan: { stopLoss: { method: 'magic' } } } }, 400, 'invalid_request'],
    ['a signal with an unknown action', { method: 'POST', path: '/v1/signals', body: { symbol: SYMBOL, action: 'hold', confidence: '0.5' } }, 400, 'invalid_request'],
    ['a halt without a reason', { method: 'POST', path: '/v1/halt', body: {} }, 400, 'invalid_request'],
    ['a resume with a body', { method: 'POST', path: '/v1/resume', body: { force: true } }, 400, 'invalid_request'],
    ['an unknown route', { method: 'GET', path: '/v1/nothing' }, 404, 'not_found'],
  ];

  it.each(cases)('answers %s with a specific 4xx and changes nothing', async (_name, request, status, code) => {
    const before = { sequence: daemon.events.lastSequence(), orders: daemon.engine.listOrders().length };
    const response = await daemon.request(request.method, request.path, request);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(typeof response.body.error.message).toBe('string');
    expect(response.body.error.message.length).toBeGreaterThan(10);
    daemon.settle();
    expect(daemon.events.lastSequence()).toBe(before.sequence);
    expect(daemon.engine.listOrders()).toHaveLength(before.orders);
  });

  it('names each bad field and its reason', async () => {
    const response = await daemon.request('POST', '/v1/positions', { body: { symbol: SYMBOL, direction: 'sideways', quantity: 'lots', extra: 1 } });
    expect(response.status).toBe(400);
    const paths = (response.body.error.details.issues as { path: string; message: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['direction', 'quantity', '']));
    expect(response.body.error.message).toContain('direction must be "long" or "short"');
    expect(response.body.error.message).toContain('unknown field "extra"');
  });
});

describe('risk denials', () => {
  it('answers a denied order with 422 and the typed reason; the order stands denied', async () => {
    daemon = await startTestDaemon({ risk: { maxQuantity: '0.5' } });
    const response = await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, quantity: '1', clientOrderId: 'big-1' } });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'denied', details: { reason: 'quantityAboveMaximum', limit: '0.5', actual: '1', orderId: 'big-1' } });
    expect(response.body.error.details.order.status).toBe('denied');
    expect(daemon.engine.getOrder('big-1')?.status).toBe('denied');
  });
});

describe('positions and signals', () => {
  beforeEach(async () => {
    daemon = await startTestDaemon();
  });

  it('opens a protected position, moves its stop and take-profit, and closes it', async () => {
    const opened = await daemon.request('POST', '/v1/positions', {
      body: {
        symbol: SYMBOL, direction: 'long', quantity: '0.1',
        plan: { stopLoss: { method: 'price', price: '49000' }, takeProfit: [{ target: { method: 'price', price: '52000' }, fraction: '1' }] },
      },
    });
    expect(opened.status).toBe(201);
    const positionId = opened.body.position.positionId as string;
    expect(opened.body.entryOrderId).toBe(`${positionId}.e1`);
    daemon.settle();
    const open = await daemon.request('GET', `/v1/positions/${positionId}`);
    expect(open.body.position).toMatchObject({ status: 'open', direction: 'long', quantity: '0.1', stopPrice: '49000' });
    expect((await daemon.request('GET', '/v1/positions?open=true')).body.positions).toHaveLength(1);
    expect((await daemon.request('GET', '/v1/positions?status=closed')).body.positions).toHaveLength(0);

    const stop = await daemon.request('PUT', `/v1/positions/${positionId}/stop`, { body: { stopPrice: '49500' } });
    expect(stop.status).toBe(202);
    daemon.settle();
    expect((await daemon.request('GET', `/v1/positions/${positionId}`)).body.position.stopPrice).toBe('49500');
    const wrongSide = await daemon.request('PUT', `/v1/positions/${positionId}/stop`, { body: { stopPrice: '50500' } });
    expect(wrongSide.status).toBe(400);
    const takeProfit = await daemon.request('PUT', `/v1/positions/${positionId}/take-profit`, { body: { price: '53000' } });
    expect(takeProfit.status).toBe(202);
    daemon.settle();

    const duplicate = await daemon.request('POST', '/v1/positions', { body: { symbol: SYMBOL, direction: 'long', quantity: '0.1' } });
    expect(duplicate.status).toBe(409);

    const closed = await daemon.request('POST', `/v1/positions/${positionId}/close`, { body: { reason: 'manual' } });
    expect(closed.status).toBe(202);
    daemon.settle();
    expect((await daemon.request('GET', `/v1/positions/${positionId}`)).body.position.status).toBe('closed');
    expect((await daemon.request('POST', `/v1/positions/${positionId}/close`, { body: {} })).status).toBe(409);
    expect((await daemon.request('GET', '/v1/positions/nope')).status).toBe(404);

    const trades = await daemon.request('GET', '/v1/trades');
    expect(trades.body.trades).toHaveLength(1);
    expect(trades.body.trades[0]).toMatchObject({ symbol: SYMBOL, side: 'buy', quantity: '0.1', exitReason: 'manual' });
    const performance = await daemon.request('GET', '/v1/performance?startingEquity=1500000');
    expect(performance.status).toBe(200);
    expect(performance.body.performance.tradeCount ?? performance.body.performance.trades).toBeDefined();
  });

  it('turns signals into positions and back, and says why one is refused', async () => {
    const buy = await daemon.request('POST', '/v1/signals', {
      body: { symbol: SYMBOL, action: 'buy', confidence: '0.8', sizing: { method: 'fixedAmount', amount: '5000' }, plan: { stopLoss: { method: 'percent', percent: '1' } } },
    });
    expect(buy.status).toBe(201);
    expect(buy.body.outcome).toMatchObject({ status: 'opened', quantity: '0.1' });
    daemon.settle();
    const again = await daemon.request('POST', '/v1/signals', { body: { symbol: SYMBOL, action: 'buy', confidence: '0.8' } });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('signal_refused');
    expect(again.body.error.message).toContain('already open');
    const close = await daemon.request('POST', '/v1/signals', { body: { symbol: SYMBOL, action: 'close', confidence: '1' } });
    expect(close.status).toBe(202);
    daemon.settle();
    expect(daemon.engine.listPositions({ open: true })).toHaveLength(0);
  });
});

describe('account, fills and events', () => {
  it('shows balances, fills and the event journal', async () => {
    daemon = await startTestDaemon();
    const order = await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'buy', type: 'market', quantity: '0.5' } });
    daemon.settle();
    const orderId = order.body.order.orderId as string;

    const account = await daemon.request('GET', '/v1/account');
    expect(account.status).toBe(200);
    expect(account.body.account).toMatchObject({ tradingState: 'active', openPositions: 1 });
    expect(account.body.account.balances.BTC.total).toBe('10.5');
    const balances = await daemon.request('GET', '/v1/balances');
    expect(balances.body.balances.BTC.total).toBe('10.5');

    const fills = await daemon.request('GET', `/v1/fills?orderId=${orderId}`);
    expect(fills.status).toBe(200);
    expect(fills.body.fills.length).toBeGreaterThan(0);
    const filled = (fills.body.fills as { fillQuantity: string }[]).reduce((sum, fill) => sum + Number(fill.fillQuantity) * 1000, 0);
    expect(filled).toBe(500);
    expect(fills.body.next).toBeUndefined();
    expect((await daemon.request('GET', '/v1/fills?symbol=ETH%2FUSDT')).body.fills).toEqual([]);
    const paged = await daemon.request('GET', '/v1/fills?limit=1');
    expect(paged.body.fills).toHaveLength(1);
    expect(paged.body.next).toBe(paged.body.fills[0].sequence);

    const events = await daemon.request('GET', '/v1/events?after=0&limit=3');
    expect(events.body.events.map((event: { sequence: number }) => event.sequence)).toEqual([1, 2, 3]);
    expect(events.body.lastSequence).toBe(daemon.events.lastSequence());
    expect(events.body.events[0]).toMatchObject({ type: 'OrderInitialized', orderId });
  });
});

describe('trading control', () => {
  it('halts, allows nothing new, resumes, goes reduce-only and closes everything', async () => {
    daemon = await startTestDaemon();
    const resting = await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, clientOrderId: 'rest-1' } });
    expect(resting.status).toBe(201);
    daemon.settle();

    const halted = await daemon.request('POST', '/v1/halt', { body: { reason: 'operator check' } });
    expect(halted.body).toEqual({ tradingState: 'halted', reason: 'operator check' });
    daemon.settle();
    expect(daemon.engine.getOrder('rest-1')?.status).toBe('canceled');
    const denied = await daemon.request('POST', '/v1/orders', { body: limitBuy });
    expect(denied.status).toBe(422);
    expect(denied.body.error.details.reason).toBe('tradingHalted');
    expect((await daemon.request('GET', '/v1/trading-state')).body.tradingState).toBe('halted');

    expect((await daemon.request('POST', '/v1/resume', { body: {} })).body.tradingState).toBe('active');
    expect((await daemon.request('POST', '/v1/orders', { body: limitBuy })).status).toBe(201);
    expect((await daemon.request('POST', '/v1/reduce-only', { body: { reason: 'wind down' } })).body).toEqual({ tradingState: 'reducing', reason: 'wind down' });
    const adding = await daemon.request('POST', '/v1/orders', { body: limitBuy });
    expect(adding.status).toBe(422);
    expect(adding.body.error.details.reason).toBe('reducingOnly');

    await daemon.request('POST', '/v1/resume');
    const position = await daemon.request('POST', '/v1/positions', { body: { symbol: SYMBOL, direction: 'long', quantity: '0.2' } });
    expect(position.status).toBe(201);
    daemon.settle();
    const closeAll = await daemon.request('POST', '/v1/close-all', { body: { reason: 'end of day' } });
    expect(closeAll.status).toBe(202);
    expect(closeAll.body.tradingState).toBe('halted');
    daemon.settle();
    expect(daemon.engine.listPositions({ open: true })).toEqual([]);
    expect(daemon.engine.listOrders({ live: true })).toEqual([]);
  });
});

describe('readiness and metrics', () => {
  it('reports readiness and Prometheus metrics of orders, fills, denials, the event loop, the journal and the venue', async () => {
    daemon = await startTestDaemon({ risk: { maxQuantity: '1' }, store: true });
    await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'buy', type: 'market', quantity: '0.1' } });
    await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, quantity: '2' } });
    daemon.settle();
    const ready = await daemon.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, tradingState: 'active', problems: {} });

    const metrics = await daemon.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.body as string;
    expect(text).toMatch(/fillstate_orders\{state="filled"\} 1/);
    expect(text).toMatch(/fillstate_orders\{state="denied"\} 1/);
    expect(text).toMatch(/fillstate_fills_total\{symbol="BTC\/USDT",liquidity="taker"\} [1-9]/);
    expect(text).toMatch(/fillstate_denials_total\{reason="quantityAboveMaximum"\} 1/);
    expect(text).toMatch(/fillstate_process_nodejs_eventloop_lag_seconds \d/);
    expect(text).toMatch(/fillstate_venue_connection\{venue="paper",state="live"\} 1/);
    expect(text).toMatch(/fillstate_http_request_duration_seconds_count\{method="POST",route="\/v1\/orders",status="201"\} 1/);
    // Journal commit latency from the store: group commits of the events, and the intent committed before a send.
    expect(text).toMatch(/fillstate_journal_commit_seconds_count\{kind="group"\} [1-9]/);
    expect(text).toMatch(/fillstate_journal_events_committed_total [1-9]/);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a client exceeds its bucket, before looking at the token', async () => {
    daemon = await startTestDaemon({ rateLimit: { perSecond: 0.001, burst: 5 } });
    const statuses: number[] = [];
    for (let index = 0; index < 7; index++) statuses.push((await daemon.request('GET', '/v1/orders', { token: index % 2 === 0 ? TOKEN : 'wrong' })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 401, 200, 401, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await daemon.request('GET', '/v1/orders');
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the kill switch under a flood of requests', () => {
  it('halts, goes reduce-only, resumes and closes all once order submissions have used up the rate limit', async () => {
    daemon = await startTestDaemon({ rateLimit: { perSecond: 0.001, burst: 5 } });
    const submissions: number[] = [];
    for (let index = 0; index < 8; index++) submissions.push((await daemon.request('POST', '/v1/orders', { body: { ...limitBuy, clientOrderId: `flood-${index}` } })).status);
    expect(submissions).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    daemon.settle();

    const halted = await daemon.request('POST', '/v1/halt', { body: { reason: 'flood' } });
    expect(halted.status).toBe(200);
    expect(halted.body).toEqual({ tradingState: 'halted', reason: 'flood' });
    expect(daemon.engine.tradingState()).toBe('halted');
    daemon.settle();
    expect(daemon.engine.listOrders({ live: true })).toEqual([]);
    expect((await daemon.request('GET', '/v1/trading-state')).body.tradingState).toBe('halted');
    expect((await daemon.request('POST', '/v1/resume', { body: {} })).body.tradingState).toBe('active');
    expect((await daemon.request('POST', '/v1/reduce-only', { body: { reason: 'calmer' } })).body.tradingState).toBe('reducing');
    const closeAll = await daemon.request('POST', '/v1/close-all', { body: { reason: 'done' } });
    expect(closeAll.status).toBe(202);
    expect(closeAll.body.tradingState).toBe('halted');
    // Everything else is still limited, and the kill switch opens no door to a caller without the token.
    expect((await daemon.request('GET', '/v1/orders')).status).toBe(429);
    expect((await daemon.request('POST', '/v1/resume', { body: {}, token: 'wrong' })).status).toBe(429);
    expect(daemon.engine.tradingState()).toBe('halted');
  });
});

describe('durability of answers', () => {
  it('answers every command only once what it changed is committed to the journal file', async () => {
    // A hook that runs as each answer is about to leave (after the server's own): is anything still uncommitted?
    const uncommittedAtSend: string[] = [];
    daemon = await startTestDaemon({
      store: true,
      plugins: [
        (app, { engine }) => {
          app.addHook('onSend', async (request, reply, payload) => {
            const store = daemon?.store;
            if (store !== undefined && store.lastCommittedSequence() !== engine.lastSequence()) uncommittedAtSend.push(`${request.method} ${request.url} ${reply.statusCode}`);
            return payload;
          });
        },
      ],
      risk: { maxQuantity: '1' },
    });
    const commands: Array<[string, string, unknown]> = [
      ['POST', '/v1/orders', { ...limitBuy, clientOrderId: 'd-1' }],
      ['POST', '/v1/orders', { ...limitBuy, quantity: '2' }],
      ['PATCH', '/v1/orders/d-1', { price: '48000' }],
      ['DELETE', '/v1/orders/d-1', undefined],
      ['POST', '/v1/positions', { symbol: SYMBOL, direction: 'long', quantity: '0.1' }],
      ['POST', '/v1/signals', { symbol: SYMBOL, action: 'close', confidence: '1' }],
      ['POST', '/v1/halt', { reason: 'check' }],
      ['POST', '/v1/close-all', {}],
    ];
    for (const [method, path, body] of commands) {
      const response = await daemon.request(method, path, { body });
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
      daemon.settle();
    }
    expect(daemon.events.lastSequence()).toBeGreaterThan(10);
    expect(uncommittedAtSend).toEqual([]);
  });
});
