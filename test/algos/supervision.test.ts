// Supervision of algorithms and order lists: a parent whose transition throws is restored to where it was
// before that event, the fault is recorded, and it goes on to finish exactly.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { algoSession, childFills, MINUTE } from './engine-fixture.ts';

describe('a parent actor that throws', () => {
  it('is restored to its state before the failing event, the fault recorded, and it still completes exactly', async () => {
    // The fault is logged at error level; kept out of the test output.
    const session = await algoSession({ seed: 12, engine: { logger: pino({ level: 'silent' }) } });
    const { engine, clock, events } = session;
    const start = clock.now();
    const twap = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '0.5', horizonMs: 10 * MINUTE, intervalMs: MINUTE });
    session.runUntil(start + 3.5 * MINUTE);
    const before = engine.getAlgo(twap.algoId)!;
    expect(before.status).toBe('working');
    const failing = engine.getAlgoActor(twap.algoId)!;
    // Malformed market data makes the algo's volume accounting throw inside its transition.
    failing.send({ type: 'market', at: clock.now(), volume: 'not a number' });
    expect(failing.getSnapshot().status).toBe('error');
    await Promise.resolve();
    const restored = engine.getAlgoActor(twap.algoId)!;
    expect(restored).not.toBe(failing);
    expect(engine.getAlgo(twap.algoId)).toEqual(before);
    expect(engine.faults()).toEqual([{ actorId: `algo:${twap.algoId}`, message: expect.any(String), at: clock.now(), restoredTo: JSON.stringify(restored.getSnapshot().value) }]);
    expect(engine.faults()[0]!.restoredTo).not.toBe('not restored');
    // Its timer and its children's reports reach the restored actor: it finishes with exactly its quantity.
    session.runUntil(start + 12 * MINUTE);
    expect(engine.getAlgo(twap.algoId)).toMatchObject({ status: 'completed', filledQuantity: '0.5' });
    expect(childFills(events, twap.algoId).quantity.toFixed()).toBe('0.5');
  });
});
