// A fast-check run of random API requests (well-formed, half-formed and garbage bodies on every route):
// only 2xx and 4xx come back, never a 5xx, and afterwards the SQLite journal is gapless and agrees with
// the orders the API shows.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { sequenceGaps, startTestDaemon, SYMBOL, type TestDaemon } from './fixture.ts';

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon({ risk: { maxQuantity: '5', maxOpenPositions: 3 }, store: true });
});

afterAll(async () => {
  await daemon.close();
});

const decimalish = fc.oneof(
  fc.constantFrom('0.001', '0.01', '0.1', '1', '2.5', '49000', '50000.1', '51000', '0', '-1', '1e3', 'NaN', '', ' 1 ', '0.0001', '99999999999999999999'),
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.constant(null),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const orderIds = fc.constantFrom('fz-1', 'fz-2', 'fz-3', 'nope', 'fs-t-1', 'fs-t-2', '../etc', 'x'.repeat(40), '%00');
const positionIds = fc.constantFrom('fs-t-p1', 'fs-t-p2', 'fs-t-p3', 'nope');

const orderBody = fc.record(
  {
    clientOrderId: orderIds,
    symbol: fc.constantFrom(SYMBOL, SYMBOL, 'ETH/USDT', ''),
    side: fc.constantFrom('buy', 'sell', 'hold'),
    type: fc.constantFrom('market', 'limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit', 'trailingStop', 'iceberg'),
    quantity: decimalish,
    price: decimalish,
    stopPrice: decimalish,
    trailingOffset: decimalish,
    timeInForce: fc.constantFrom('GTC', 'IOC', 'FOK', 'GTD', 'DAY'),
    expireAt: fc.oneof(fc.integer(), fc.constant(Date.UTC(2026, 0, 2))),
    postOnly: fc.oneof(fc.boolean(), anyJson),
    reduceOnly: fc.boolean(),
    surprise: anyJson,
  },
  { requiredKeys: [] },
);

const planBody = fc.record(
  {
    stopLoss: fc.oneof(
      fc.record({ method: fc.constantFrom('price', 'percent', 'atr', 'confidence', 'magic'), price: decimalish, percent: decimalish, multiple: decimalish }, { requiredKeys: ['method'] }),
      anyJson,
    ),
    takeProfit: fc.array(fc.record({ target: fc.record({ method: fc.constantFrom('price', 'percent', 'riskReward'), price: decimalish, percent: decimalish, multiple: decimalish }, { requiredKeys: ['method'] }), fraction: decimalish }), { maxLength: 3 }),
    trailing: fc.record({ distance: fc.record({ kind: fc.constantFrom('offset', 'percent'), offset: decimalish, percent: decimalish }, { requiredKeys: ['kind'] }) }),
  },
  { requiredKeys: [] },
);

/** Orders that pass validation, so the run also drives the engine: fills, rests, denials, amends. */
const validOrder = fc.oneof(
  fc.record({ clientOrderId: orderIds, symbol: fc.constant(SYMBOL), side: fc.constantFrom('buy', 'sell'), type: fc.constant('limit'), quantity: fc.constantFrom('0.01', '0.1', '1', '6'), price: fc.constantFrom('49000', '49999.9', '50000.1', '51000') }, { requiredKeys: ['symbol', 'side', 'type', 'quantity', 'price'] }),
  fc.record({ symbol: fc.constant(SYMBOL), side: fc.constantFrom('buy', 'sell'), type: fc.constant('market'), quantity: fc.constantFrom('0.01', '0.2') }),
  fc.record({ symbol: fc.constant(SYMBOL), side: fc.constant('sell'), type: fc.constantFrom('stop', 'trailingStop'), quantity: fc.constant('0.01'), stopPrice: fc.constant('49000'), trailingOffset: fc.constant('5') }).map(({ type, stopPrice, trailingOffset, ...rest }) => (type === 'stop' ? { ...rest, type, stopPrice } : { ...rest, type, trailingOffset })),
);
const validPosition = fc.record({
  symbol: fc.constant(SYMBOL), direction: fc.constantFrom('long', 'short'), quantity: fc.constantFrom('0.01', '0.1'),
  plan: fc.constantFrom(undefined, { stopLoss: { method: 'percent', percent: '1' }, takeProfit: [{ target: { method: 'riskReward', multiple: '2' }, fraction: '1' }] }),
}).map((body) => (body.plan === undefined ? { ...body, plan: undefined } : body));

type ApiCall = { method: string; path: string; body?: unknown; rawBody?: string };

const apiCall: fc.Arbitrary<ApiCall> = fc.oneof(
  { arbitrary: validOrder.map((body): ApiCall => ({ method: 'POST', path: '/v1/orders', body })), weight: 8 },
  { arbitrary: validPosition.map((body): ApiCall => ({ method: 'POST', path: '/v1/positions', body: JSON.parse(JSON.stringify(body)) })), weight: 2 },
  { arbitrary: fc.constant<ApiCall>({ method: 'POST', path: '/v1/resume', body: {} }), weight: 2 },
  fc.constantFrom('buy', 'sell', 'close').map((action) => ({ method: 'POST', path: '/v1/signals', body: { symbol: SYMBOL, action, confidence: '0.5' } })),
  orderBody.map((body) => ({ method: 'POST', path: '/v1/orders', body })),
  anyJson.map((body) => ({ method: 'POST', path: '/v1/orders', body })),
  fc.string({ maxLength: 60 }).map((rawBody) => ({ method: 'POST', path: '/v1/orders', rawBody })),
  fc.tuple(orderIds, fc.record({ price: decimalish, quantity: decimalish, stopPrice: decimalish, side: fc.constant('sell') }, { requiredKeys: [] })).map(([id, body]) => ({ method: 'PATCH', path: `/v1/orders/${encodeURIComponent(id)}`, body })),
  orderIds.map((id) => ({ method: 'DELETE', path: `/v1/orders/${encodeURIComponent(id)}` })),
  orderIds.map((id) => ({ method: 'GET', path: `/v1/orders/${encodeURIComponent(id)}` })),
  fc.record({ status: fc.constantFrom('open', 'filled,canceled', 'bogus', ''), since: fc.constantFrom('0', 'x', '2026-01-01T00:00:00Z'), limit: fc.constantFrom('1', '0', '10001', 'a') }, { requiredKeys: [] })
    .map((query) => ({ method: 'GET', path: `/v1/orders?${new URLSearchParams(query)}` })),
  fc.record({ symbol: fc.constantFrom(SYMBOL, 'ETH/USDT'), direction: fc.constantFrom('long', 'short', 'flat'), quantity: decimalish, entry: fc.oneof(fc.record({ type: fc.constantFrom('market', 'limit'), price: decimalish }, { requiredKeys: ['type'] }), anyJson), plan: planBody }, { requiredKeys: [] })
    .map((body) => ({ method: 'POST', path: '/v1/positions', body })),
  fc.tuple(positionIds, fc.record({ quantity: decimalish, reason: fc.constantFrom('manual', 'stop', 'whim') }, { requiredKeys: [] })).map(([id, body]) => ({ method: 'POST', path: `/v1/positions/${id}/close`, body })),
  fc.tuple(positionIds, decimalish).map(([id, stopPrice]) => ({ method: 'PUT', path: `/v1/positions/${id}/stop`, body: { stopPrice } })),
  fc.tuple(positionIds, decimalish).map(([id, price]) => ({ method: 'PUT', path: `/v1/positions/${id}/take-profit`, body: { price } })),
  fc.record({ symbol: fc.constantFrom(SYMBOL, 'ETH/USDT'), action: fc.constantFrom('buy', 'sell', 'close', 'hodl'), confidence: decimalish, price: decimalish, atr: decimalish, plan: planBody, sizing: fc.oneof(fc.record({ method: fc.constantFrom('fixedAmount', 'fixedFraction', 'risk', 'kelly'), amount: decimalish, fraction: decimalish, riskFraction: decimalish }, { requiredKeys: ['method'] }), anyJson) }, { requiredKeys: [] })
    .map((body) => ({ method: 'POST', path: '/v1/signals', body })),
  fc.oneof(fc.record({ reason: fc.string({ maxLength: 20 }) }), anyJson).map((body) => ({ method: 'POST', path: '/v1/halt', body })),
  fc.oneof(fc.record({ reason: fc.string({ maxLength: 20 }) }), anyJson).map((body) => ({ method: 'POST', path: '/v1/reduce-only', body })),
  fc.oneof(fc.constant({}), anyJson).map((body) => ({ method: 'POST', path: '/v1/resume', body })),
  fc.oneof(fc.constant({}), anyJson).map((body) => ({ method: 'POST', path: '/v1/close-all', body })),
  fc.constantFrom('/v1/account', '/v1/account?quote=BTC', '/v1/balances', '/v1/fills?limit=2', '/v1/fills?after=x', '/v1/trades', '/v1/performance', '/v1/performance?startingEquity=-5', '/v1/events?after=3&limit=2', '/v1/positions?open=maybe', '/ready', '/metrics')
    .map((path) => ({ method: 'GET', path })),
);

describe('API fuzz', () => {
  it('answers 300 random requests with 2xx or 4xx only, and the journal stays consistent', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(apiCall, fc.integer({ min: 0, max: 3 }), async (call, advance) => {
        const response = await daemon.request(call.method, call.path, { body: call.body, rawBody: call.rawBody });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${call.method} ${call.path} ${JSON.stringify(call.body ?? call.rawBody)} -> ${JSON.stringify(response.body)}`).toBeLessThan(500);
        expect(response.status).toBeGreaterThanOrEqual(200);
        if (response.status >= 400) expect(typeof response.body?.error?.code).toBe('string');
        daemon.settle(advance * 50);
      }),
      { numRuns: 300, seed: 20261123 },
    );
    daemon.settle(1_000);

    // The run reached the engine, not only the validators: orders were made, and some were refused by it.
    for (const status of [200, 201, 202, 400, 404, 409, 422]) expect(statuses.get(status) ?? 0, `responses with status ${status}`).toBeGreaterThan(0);

    const events: DomainEvent[] = [...daemon.events.eventsSince(0, 1_000_000)];
    expect(events.length).toBe(daemon.events.lastSequence());
    expect(sequenceGaps(events)).toEqual([]);
    // Every order the API shows was initialized in the journal, once, and nothing else was.
    const initialized = events.filter((event) => event.type === 'OrderInitialized').map((event) => (event as { orderId: string }).orderId);
    expect(new Set(initialized).size).toBe(initialized.length);
    const listed = ((await daemon.request('GET', '/v1/orders')).body.orders as { orderId: string; status: string }[]);
    expect(listed.map((order) => order.orderId).sort()).toEqual([...initialized].sort());
    // The file says the same: a gapless journal, and the orders table holds what the API lists, state for state.
    const store = daemon.store!;
    store.flush();
    expect(store.journalGaps()).toEqual([]);
    expect(store.lastCommittedSequence()).toBe(daemon.events.lastSequence());
    const stored = new Map(store.orders().map((record) => [record.clientOrderId, record.status]));
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(listed.map((order) => [order.orderId, order.status])));
    // Each order's status agrees with the last state-changing event the journal holds for it.
    const terminal: Record<string, string> = { OrderFilled: 'filled', OrderCanceled: 'canceled', OrderExpired: 'expired', OrderRejected: 'rejected', OrderDenied: 'denied' };
    for (const order of listed) {
      const last = events.filter((event) => 'orderId' in event && event.orderId === order.orderId && event.type in terminal).at(-1);
      if (last !== undefined && !(last.type === 'OrderFilled' && (last as { remainingQuantity: string }).remainingQuantity !== '0')) {
        expect(order.status, order.orderId).toBe(terminal[last.type]);
      }
    }
  });
});
