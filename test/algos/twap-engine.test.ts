// A TWAP run by the engine on the paper venue with the synthetic market: its children pass the risk gate, its
// timers come from the engine clock, and its views carry progress and schedule.
import { describe, expect, it } from 'vitest';
import { decimal, ZERO } from '../../src/domain/decimal.ts';
import { algoSession, childFills, HOUR, MINUTE } from './engine-fixture.ts';

describe('TWAP through the engine', () => {
  it('10 BTC over an hour ends within one lot of 10 BTC, its fills spread across the horizon', async () => {
    const session = await algoSession({ seed: 3 });
    const { engine, clock, events } = session;
    const start = clock.now();
    const view = engine.submitAlgo({ kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '10', horizonMs: HOUR, intervalMs: MINUTE });
    expect(view).toMatchObject({ kind: 'twap', status: 'working', quantity: '10', schedule: { startAt: start, endAt: start + HOUR, slicesPlanned: 60, nextWakeAt: start + MINUTE } });
    expect(view.algoId.startsWith('fs-')).toBe(true);
    session.runUntil(start + HOUR + MINUTE);
    const done = engine.getAlgo(view.algoId)!;
    expect(done.status).toBe('completed');
    const { quantity, fills } = childFills(events, view.algoId);
    expect(decimal('10').minus(quantity).abs().lte('0.001')).toBe(true);
    expect(quantity.lte('10')).toBe(true);
    expect(done.filledQuantity).toBe(quantity.toFixed());
    // Spread: every minute of the horizon has fills, none more than twice an even share.
    const perMinute = new Map<number, typeof ZERO>();
    for (const fill of fills) {
      const minute = Math.floor((fill.at - start) / MINUTE);
      perMinute.set(minute, (perMinute.get(minute) ?? ZERO).plus(fill.quantity));
    }
    for (let minute = 0; minute < 60; minute++) {
      const filled = perMinute.get(minute) ?? ZERO;
      expect(filled.gt(ZERO), `minute ${minute}`).toBe(true);
      expect(filled.lte(decimal('10').div('60').times('2')), `minute ${minute}: ${filled.toFixed()}`).toBe(true);
    }
    // The children are orders like any other: each passed the gate, each names its parent as data.
    const children = engine.listOrders({ parentId: view.algoId });
    expect(children.length).toBeGreaterThanOrEqual(60);
    expect(children.every((order) => order.orderId.startsWith(`${view.algoId}-E`))).toBe(true);
    // The parent's events are domain events on the bus.
    const parentEvents = events.filter((event) => 'parentId' in event && event.parentId === view.algoId && event.type.startsWith('Algo'));
    expect(parentEvents[0]).toMatchObject({ type: 'AlgoStarted', kind: 'twap', quantity: '10' });
    expect(parentEvents.at(-1)).toMatchObject({ type: 'AlgoEnded', outcome: 'completed' });
    // Execution quality per algorithm: every child counts under twap, and no order ran outside it.
    const byAlgorithm = engine.executionQualityByAlgorithm();
    expect(byAlgorithm.map((row) => row.algorithm)).toEqual(['twap']);
    expect(byAlgorithm[0]!.summary).toMatchObject({ orders: children.length });
  });
});
