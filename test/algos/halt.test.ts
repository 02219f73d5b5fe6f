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
