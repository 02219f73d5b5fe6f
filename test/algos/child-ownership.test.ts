// An algorithm's or order list's child orders are the parent's to amend and cancel: a client asking through the
// order commands (library or /v1/orders) is refused with order_state and a sentence naming the parent, and the
// child keeps working.
import { afterEach, describe, expect, it } from 'vitest';
import { OrderStateError } from '../../src/engine/errors.ts';
import { startTestDaemon, type TestDaemon } from '../daemon/fixture.ts';
import { algoSession } from './engine-fixture.ts';

function refusal(action: () => unknown): OrderStateError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(OrderStateError);
    return error as OrderStateError;
  }
  throw new Error('the command was not refused');
}

describe('children through the engine', () => {
  it("a bracket's resting entry cannot be canceled or amended through the order commands", async () => {
    const { engine, clock, runUntil } = await algoSession();
    const list = engine.submitOrderList({
      kind: 'bracket', symbol: 'BTC/USDT',
      entry: { side: 'buy', type: 'limit', quantity: '0.5', price: '40000' },
      takeProfit: { side: 'sell', type: 'limit', price: '45000' },
      stopLoss: { side: 'sell', type: 'stop', stopPrice: '39000' },
    });
    runUntil(clock.now() + 2_000);
    const [entry] = engine.getOrderList(list.listId)!.children;
    expect(engine.getOrder(entry!.childId)!.status).toBe('open');
    const canceled = refusal(() => engine.cancelOrder(entry!.childId));
    expect(canceled.code).toBe('order_state');
    expect(canceled.message).toBe(`order ${entry!.childId} belongs to order list ${list.listId} and cannot be canceled through the order routes: pause, amend or cancel the order list instead`);
    const amended = refusal(() => engine.amendOrder(entry!.childId, { quantity: '0.2' }));
    expect(amended.message).toContain(`belongs to order list ${list.listId} and cannot be amended`);
    runUntil(clock.now() + 2_000);
    expect(engine.getOrder(entry!.childId)).toMatchObject({ status: 'open', quantity: '0.5' });
    // The list's own cancel still reaches it.
    engine.cancelOrderList(list.listId);
    runUntil(clock.now() + 2_000);
    expect(engine.getOrder(entry!.childId)!.status).toBe('canceled');
  });

  it("a TWAP's resting slice cannot be canceled through the order commands; the algorithm's own commands still work", async () => {
    const { engine, clock, runUntil } = await algoSession();
    const twap = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '0.1', horizonMs: 600_000, intervalMs: 60_000, style: 'maker', limitPrice: '40000' });
    runUntil(clock.now() + 2_000);
    const slice = engine.getAlgo(twap.algoId)!.children.find((child) => child.standing === 'working')!;
    const error = refusal(() => engine.cancelOrder(slice.childId));
    expect(error.message).toBe(`order ${slice.childId} belongs to algorithm ${twap.algoId} and cannot be canceled through the order routes: pause, amend or cancel the algorithm instead`);
    expect(engine.getOrder(slice.childId)!.live).toBe(true);
    engine.cancelAlgo(twap.algoId);
    runUntil(clock.now() + 2_000);
    expect(engine.getAlgo(twap.algoId)!.status).toBe('canceled');
    expect(engine.getOrder(slice.childId)!.status).toBe('canceled');
  });

  it("a client's own order with a parentId naming an order list is still the client's", async () => {
    const { engine, clock, runUntil } = await algoSession();
    const list = engine.submitOrderList({ kind: 'oco', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '0.1', price: '60000' }, { side: 'sell', type: 'stop', quantity: '0.1', stopPrice: '40000' }] });
    const own = engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '40000', parentId: list.listId });
    runUntil(clock.now() + 2_000);
    engine.cancelOrder(own.orderId);
    runUntil(clock.now() + 2_000);
    expect(engine.getOrder(own.orderId)!.status).toBe('canceled');
  });
});

let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

describe('children over HTTP', () => {
  it('DELETE and PATCH /v1/orders/{child} answer 409 order_state with the sentence; the child keeps working', async () => {
    daemon = await startTestDaemon();
    const created = await daemon.request('POST', '/v1/order-lists', {
      body: { kind: 'ouo', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '0.1', price: '51000' }, { side: 'sell', type: 'limit', quantity: '0.1', price: '52000' }] },
    });
    expect(created.status).toBe(201);
    const listId = created.body.orderList.listId as string;
    daemon.settle();
    const children = (await daemon.request('GET', `/v1/order-lists/${listId}`)).body.orderList.children as { childId: string }[];
    const childId = children[0]!.childId;
    const canceled = await daemon.request('DELETE', `/v1/orders/${childId}`);
    expect(canceled.status).toBe(409);
    expect(canceled.body.error).toMatchObject({
      code: 'order_state',
      message: `order ${childId} belongs to order list ${listId} and cannot be canceled through the order routes: pause, amend or cancel the order list instead`,
    });
    const amended = await daemon.request('PATCH', `/v1/orders/${childId}`, { body: { quantity: '0.05' } });
    expect(amended.status).toBe(409);
    expect(amended.body.error.code).toBe('order_state');
    expect(amended.body.error.message).toContain('cannot be amended through the order routes');
    daemon.settle();
    expect((await daemon.request('GET', `/v1/orders/${childId}`)).body.order).toMatchObject({ status: 'open', quantity: '0.1' });
  });
});
