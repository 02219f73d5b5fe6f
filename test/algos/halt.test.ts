// A trading halt (the kill switch) pauses the working algorithms instead of letting their children be denied
// until they fail; when trading resumes, the ones the halt paused go on, and one the client paused stays paused.
import { describe, expect, it } from 'vitest';
import { AlgoStateError } from '../../src/engine/algos/errors.ts';
import { algoSession, childFills, MINUTE } from './engine-fixture.ts';

const twapOf = (quantity: string) => ({ kind: 'twap' as const, symbol: 'BTC/USDT', side: 'buy' as const, quantity, horizonMs: 10 * MINUTE, intervalMs: MINUTE });

describe('algorithms under a trading halt', () => {
  it('pause on a halt, send nothing while it lasts, and resume on their own when trading resumes', async () => {
    const session = await algoSession({ seed: 4 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const twap = engine.submitAlgo(twapOf('1'));
    session.runUntil(start + 2.5 * MINUTE);
    engine.halt('kill switch');
    session.runUntil(clock.now() + 1_000);
    const halted = engine.getAlgo(twap.algoId)!;
    expect(halted).toMatchObject({ status: 'paused', pausedBy: 'halt', failures: 0 });
    // Four slices would have been due (and denied) while halted: none is sent.
    session.runUntil(start + 7 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'paused', childrenSent: halted.childrenSent, failures: 0 });
    expect(events.filter((event) => event.type === 'OrderDenied')).toEqual([]);
    // The client cannot resume it into the halt.
    expect(() => engine.resumeAlgo(twap.algoId)).toThrow(AlgoStateError);
    expect(() => engine.resumeAlgo(twap.algoId)).toThrow(`algo ${twap.algoId} cannot be resumed while trading is halted`);
    engine.resume();
    session.runUntil(clock.now() + 1_000);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'working', pausedBy: undefined });
    session.runUntil(start + 11 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '1' });
    expect(childFills(events, twap.algoId).quantity.toFixed()).toBe('1');
  });

  it('one the client paused stays paused when trading resumes, also when the client paused it during the halt', async () => {
    const session = await algoSession({ seed: 5 });
    const { engine, clock } = session;
    const start = clock.now();
    const before = engine.submitAlgo(twapOf('0.5'));
    const during = engine.submitAlgo(twapOf('0.5'));
    session.runUntil(start + 1.5 * MINUTE);
    engine.pauseAlgo(before.algoId);
    engine.halt('kill switch');
    session.runUntil(clock.now() + 1_000);
    expect(engine.getAlgo(before.algoId)).toMatchObject({ status: 'paused', pausedBy: 'client' });
    expect(engine.getAlgo(during.algoId)).toMatchObject({ status: 'paused', pausedBy: 'halt' });
    // Paused by the halt, then by the client: the client's pause is the one that holds.
    expect(engine.pauseAlgo(during.algoId)).toMatchObject({ status: 'paused', pausedBy: 'client' });
    expect(() => engine.pauseAlgo(during.algoId)).toThrow(AlgoStateError);
    engine.resume();
    session.runUntil(clock.now() + 3 * MINUTE);
    for (const algo of [before, during]) expect(engine.getAlgo(algo.algoId)).toMatchObject({ status: 'paused', pausedBy: 'client' });
    expect(engine.resumeAlgo(before.algoId).status).toBe('working');
  });

  it('one submitted during a halt starts paused by it and sends nothing until trading resumes', async () => {
    const session = await algoSession({ seed: 6 });
    const { engine, clock, events } = session;
    engine.halt('loss limit');
    const twap = engine.submitAlgo(twapOf('0.3'));
    expect(twap).toMatchObject({ status: 'paused', pausedBy: 'halt', childrenSent: 0 });
    session.runUntil(clock.now() + 3 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'paused', childrenSent: 0 });
    expect(events.filter((event) => event.type === 'OrderDenied')).toEqual([]);
    engine.resume();
    session.runUntil(clock.now() + 12 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '0.3' });
  });
});

describe('algorithms and order lists while trading is reducing only', () => {
  it('an algo whose child would add exposure pauses at its first denial, not after five, and goes on when trading is active', async () => {
    const session = await algoSession({ seed: 8 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const twap = engine.submitAlgo(twapOf('1'));
    session.runUntil(start + 2.5 * MINUTE);
    engine.reduceOnly('daily loss limit');
    session.runUntil(start + 3.5 * MINUTE);
    const paused = engine.getAlgo(twap.algoId)!;
    expect(paused).toMatchObject({ status: 'paused', pausedBy: 'reducing', failures: 0 });
    // One slice was denied (the one that found trading reducing); none is sent after it.
    const denied = events.filter((event) => event.type === 'OrderDenied');
    expect(denied).toHaveLength(1);
    expect(paused.children.map((child) => child.childId)).toContain((denied[0] as { orderId: string }).orderId);
    session.runUntil(start + 7 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'paused', pausedBy: 'reducing', childrenSent: paused.childrenSent });
    expect(events.filter((event) => event.type === 'OrderDenied')).toHaveLength(1);
    engine.resume();
    session.runUntil(clock.now() + 1_000);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'working', pausedBy: undefined });
    session.runUntil(start + 12 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '1', failures: 0 });
    expect(childFills(events, twap.algoId).quantity.toFixed()).toBe('1');
  });

  it('an algo that reduces the position keeps working while trading is reducing', async () => {
    const session = await algoSession({ seed: 9 });
    const { engine, clock, events } = session;
    engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.5' });
    session.runUntil(clock.now() + 5_000);
    expect(engine.listPositions({ open: true })[0]).toMatchObject({ direction: 'long', quantity: '0.5' });
    engine.reduceOnly('daily loss limit');
    const start = clock.now();
    const twap = engine.submitAlgo({ ...twapOf('0.4'), side: 'sell' });
    session.runUntil(start + 11 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '0.4', failures: 0 });
    expect(events.filter((event) => event.type === 'OrderDenied')).toEqual([]);
  });

  it('an order list whose leg would add exposure stops at its first denial, with the reason', async () => {
    const session = await algoSession({ seed: 10 });
    const { engine, clock, events } = session;
    engine.reduceOnly('daily loss limit');
    const list = engine.submitOrderList({ kind: 'oto', symbol: 'BTC/USDT', trigger: { side: 'buy', type: 'limit', quantity: '0.1', price: '49000' }, legs: [{ side: 'sell', type: 'limit', price: '52000' }] });
    session.runUntil(clock.now() + 5_000);
    const view = engine.getOrderList(list.listId)!;
    expect(view.status).toBe('failed');
    expect(view.reason).toContain('denied: reducingOnly: trading is reducing only');
    expect(events.filter((event) => event.type === 'OrderDenied')).toHaveLength(1);
  });
});
