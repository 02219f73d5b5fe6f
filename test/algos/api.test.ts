// /v1/algos and /v1/order-lists over HTTP on 127.0.0.1: create, list, get, pause, resume, amend, cancel, and
// refusals answered with error.code and a sentence.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../daemon/fixture.ts';

let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

/** Moves simulated time in steps with the book around `mid`, so slices are due and reports arrive. */
function run(target: TestDaemon, ms: number, mid = '50000'): void {
  for (let elapsed = 0; elapsed < ms; elapsed += 1_000) {
    target.quote(mid);
    target.settle(999);
  }
}

describe('/v1/algos', () => {
  it('creates a TWAP, lists and gets it, pauses, resumes, amends and cancels it', async () => {
    daemon = await startTestDaemon();
    const created = await daemon.request('POST', '/v1/algos', { body: { kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 600_000, intervalMs: 60_000 } });
    expect(created.status).toBe(201);
    const algo = created.body.algo;
    expect(algo).toMatchObject({ kind: 'twap', status: 'working', quantity: '1', schedule: { slicesPlanned: 10 } });
    run(daemon, 90_000);
    const listed = await daemon.request('GET', '/v1/algos?kind=twap&live=true');
    expect(listed.status).toBe(200);
    expect(listed.body.algos.map((view: { algoId: string }) => view.algoId)).toEqual([algo.algoId]);
    const got = await daemon.request('GET', `/v1/algos/${algo.algoId}`);
    expect(got.body.algo.filledQuantity).toBe('0.2');
    expect(got.body.algo.children.length).toBe(2);
    expect((await daemon.request('POST', `/v1/algos/${algo.algoId}/pause`, { body: {} })).body.algo.status).toBe('paused');
    const again = await daemon.request('POST', `/v1/algos/${algo.algoId}/pause`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'algo_state', message: expect.stringContaining('cannot be paused while it is paused') });
    expect((await daemon.request('POST', `/v1/algos/${algo.algoId}/resume`, { body: {} })).status).toBe(202);
    const amended = await daemon.request('PATCH', `/v1/algos/${algo.algoId}`, { body: { quantity: '0.5' } });
    expect(amended.status).toBe(202);
    expect(amended.body.algo.quantity).toBe('0.5');
    const badAmend = await daemon.request('PATCH', `/v1/algos/${algo.algoId}`, { body: { quantity: '0.1' } });
    expect(badAmend.status).toBe(400);
    expect(badAmend.body.error).toMatchObject({ code: 'invalid_algo', message: expect.stringContaining('below what already filled') });
    const canceled = await daemon.request('POST', `/v1/algos/${algo.algoId}/cancel`, { body: { reason: 'test' } });
    expect(canceled.status).toBe(202);
    run(daemon, 2_000);
    expect((await daemon.request('GET', `/v1/algos/${algo.algoId}`)).body.algo).toMatchObject({ status: 'canceled', reason: 'test' });
  });

  it('refuses a bad plan with every reason, and an unknown id with 404', async () => {
    daemon = await startTestDaemon();
    const refused = await daemon.request('POST', '/v1/algos', { body: { kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 1_000, intervalMs: 60_000, style: 'maker' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_algo');
    expect(refused.body.error.details.issues).toEqual([expect.stringContaining('shorter than one interval'), 'maker slices need a limitPrice']);
    const unknown = await daemon.request('GET', '/v1/algos/fs-none');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_algo', message: 'no algo with id "fs-none"' });
    const badQuery = await daemon.request('GET', '/v1/algos?status=sleeping');
    expect(badQuery.status).toBe(400);
    expect((await daemon.request('GET', '/v1/algos')).body.algos).toEqual([]);
  });
});

describe('/v1/order-lists', () => {
  it('places a bracket, lists, gets and cancels it; refuses a bad one with the reasons', async () => {
    daemon = await startTestDaemon();
    const created = await daemon.request('POST', '/v1/order-lists', {
      body: {
        kind: 'bracket', symbol: 'BTC/USDT',
        entry: { side: 'buy', type: 'limit', quantity: '0.5', price: '49000' },
        takeProfit: { side: 'sell', type: 'limit', price: '50500' },
        stopLoss: { side: 'sell', type: 'stop', stopPrice: '48500' },
      },
    });
    expect(created.status).toBe(201);
    const list = created.body.orderList;
    expect(list).toMatchObject({ kind: 'bracket', status: 'awaitingRelease', released: false, heldBy: 'engine', heldByEngineBecause: 'venues hold OCO lists only: the engine holds a bracket' });
    daemon.settle();
    expect((await daemon.request('GET', '/v1/order-lists?kind=bracket')).body.orderLists.map((view: { listId: string }) => view.listId)).toEqual([list.listId]);
    expect((await daemon.request('GET', `/v1/order-lists/${list.listId}`)).body.orderList.children).toHaveLength(1);
    const canceled = await daemon.request('POST', `/v1/order-lists/${list.listId}/cancel`, { body: {} });
    expect(canceled.status).toBe(202);
    daemon.settle();
    expect((await daemon.request('GET', `/v1/order-lists/${list.listId}`)).body.orderList.status).toBe('canceled');
    const refused = await daemon.request('POST', '/v1/order-lists', { body: { kind: 'oco', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '1', price: '51000' }] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_order_list', message: expect.stringContaining('at least two legs') });
    expect((await daemon.request('GET', '/v1/order-lists/fs-none')).status).toBe(404);
  });

  it('an OCO goes to a venue that holds OCO lists as one list; one with a leg the venue cannot hold stays with the engine', async () => {
    daemon = await startTestDaemon();
    // This paper venue holds no stops (nativeStops off): a stop leg keeps the list with the engine, with why.
    const withStop = await daemon.request('POST', '/v1/order-lists', {
      body: { kind: 'oco', symbol: 'BTC/USDT', legs: [{ side: 'buy', type: 'limit', quantity: '0.1', price: '40000' }, { side: 'buy', type: 'stop', quantity: '0.1', stopPrice: '60000' }] },
    });
    expect(withStop.body.orderList).toMatchObject({ kind: 'oco', heldBy: 'engine', heldByEngineBecause: 'venue paper does not hold leg2 (stop) itself' });
    const created = await daemon.request('POST', '/v1/order-lists', {
      body: { kind: 'oco', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '0.1', price: '51000' }, { side: 'sell', type: 'limit', quantity: '0.1', price: '52000' }] },
    });
    expect(created.status).toBe(201);
    const list = created.body.orderList;
    expect(list).toMatchObject({ kind: 'oco', heldBy: 'venue' });
    expect(list.heldByEngineBecause).toBeUndefined();
    daemon.settle();
    const children = (await daemon.request('GET', `/v1/order-lists/${list.listId}`)).body.orderList.children;
    expect(children.map((child: { standing: string }) => child.standing)).toEqual(['working', 'working']);
    // The list's cancel sends one leg's cancel: the venue cancels the list whole, and it ends canceled.
    expect((await daemon.request('POST', `/v1/order-lists/${list.listId}/cancel`, { body: {} })).status).toBe(202);
    daemon.settle();
    const ended = (await daemon.request('GET', `/v1/order-lists/${list.listId}`)).body.orderList;
    expect(ended.status).toBe('canceled');
    expect(ended.children.map((child: { standing: string }) => child.standing)).toEqual(['settled', 'settled']);
  });
});
