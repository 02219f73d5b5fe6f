// Property: for any algorithm the engine runs on the paper venue (random kind, size, side, schedule and market),
// with a pause and an amendment at random moments, the parent's filled quantity is exactly the sum of its
// children's fills as the venue reported them, and never more than its quantity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import type { AlgoRequest } from '../../src/engine/engine.ts';
import { algoSession, childFills, MINUTE } from './engine-fixture.ts';

const algoRequest = fc.oneof(
  fc.record({ kind: fc.constant('twap' as const), quantity: fc.integer({ min: 20, max: 2_000 }), minutes: fc.integer({ min: 2, max: 8 }), maker: fc.boolean() }).map(
    ({ quantity, minutes, maker }) => (bid: number): AlgoRequest => ({
      kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: decimal(String(quantity)).div('1000').toFixed(), horizonMs: minutes * MINUTE, intervalMs: 30_000,
      ...(maker ? { style: 'maker' as const, limitPrice: decimal(String(bid)).plus('1').toFixed() } : {}),
    }),
  ),
  fc.record({ kind: fc.constant('pov' as const), quantity: fc.integer({ min: 20, max: 500 }), rate: fc.integer({ min: 5, max: 30 }) }).map(
    ({ quantity, rate }) => (): AlgoRequest => ({ kind: 'pov', symbol: 'BTC/USDT', side: 'sell', quantity: decimal(String(quantity)).div('1000').toFixed(), targetRate: decimal(String(rate)).div('100').toFixed(), minSlice: '0.005', maxSlice: '0.05' }),
  ),
  fc.record({ kind: fc.constant('iceberg' as const), quantity: fc.integer({ min: 100, max: 1_000 }), offset: fc.integer({ min: -3, max: 3 }) }).map(
    ({ quantity, offset }) => (bid: number): AlgoRequest => ({ kind: 'iceberg', symbol: 'BTC/USDT', side: 'buy', quantity: decimal(String(quantity)).div('1000').toFixed(), limitPrice: decimal(String(bid)).plus(String(offset)).toFixed(), displayQuantity: '0.05', randomization: '0.2' }),
  ),
);

describe('any algorithm through the engine', () => {
  it('fills exactly the sum of its children, never more than its quantity, across pause, resume and amend', async () => {
    await fc.assert(
      fc.asyncProperty(algoRequest, fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 10, max: 200 }), fc.integer({ min: 10, max: 200 }), async (request, seed, pauseAt, amendAt) => {
        const session = await algoSession({ seed });
        const { engine, clock, events } = session;
        const bid = Math.floor(engine.marketPrice('BTC/USDT')!.toNumber());
        const algo = engine.submitAlgo(request(bid));
        const start = clock.now();
        session.runUntil(start + pauseAt * 1_000);
        if (engine.getAlgo(algo.algoId)!.status === 'working') {
          engine.pauseAlgo(algo.algoId);
          session.runUntil(clock.now() + 20_000);
          // A child's fill crossing the pause's cancel can complete the algo while it pauses: then there is
          // nothing to resume.
          if (engine.getAlgo(algo.algoId)!.status === 'paused') engine.resumeAlgo(algo.algoId);
        }
        session.runUntil(clock.now() + amendAt * 1_000);
        const now = engine.getAlgo(algo.algoId)!;
        if (now.live && decimal(now.filledQuantity).lt(now.quantity)) {
          const lower = decimal(now.filledQuantity).plus(decimal(now.quantity).minus(now.filledQuantity).div('2')).round(3, 0);
          try {
            engine.amendAlgo(algo.algoId, { quantity: lower.toFixed() });
          } catch {
            // Below the minimum: refused, nothing changed.
          }
        }
        session.runUntil(clock.now() + 15 * MINUTE);
        const view = engine.getAlgo(algo.algoId)!;
        const fills = childFills(events, algo.algoId).quantity;
        expect(view.filledQuantity).toBe(fills.toFixed());
        expect(fills.lte(view.quantity)).toBe(true);
        expect(fills.lte(request(bid).quantity as string)).toBe(true);
        await engine.stop();
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
