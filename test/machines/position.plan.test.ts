// A position never opens without the protection its plan asked for: a plan that cannot be applied at the
// entry's actual fill price closes the position at once (exit reason planRejected).
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { positionMachine, type PositionMachineInput } from '../../machines/position.ts';
import type { PositionEventDraft } from '../../src/domain/events.ts';
import type { PositionOrderIntent } from '../../src/domain/position-orders.ts';
import type { PositionPlan } from '../../src/risk/protection.ts';

function start(plan: PositionPlan) {
  const input: PositionMachineInput = {
    positionId: 'p1', venue: 'test', symbol: 'BTC/USDT', direction: 'long', createdAt: 0,
    tickSize: '0.1', lotSize: '0.001', feeRate: '0.001', entryOrderId: 'p1.e1', plan,
  };
  const placed: PositionOrderIntent[] = [];
  const emitted: PositionEventDraft[] = [];
  const actor = createActor(positionMachine.provide({ actions: { placeOrders: (_, intents) => placed.push(...intents) } }), { input });
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, placed, emitted };
}

describe('a plan that cannot be applied at the fill', () => {
  it('closes the position at once instead of leaving it open without its stop', () => {
    // Planned against a market of 100; the market entry filled at 98.5, under the stop.
    const { actor, placed, emitted } = start({ stopLoss: { method: 'price', price: '99' } });
    actor.send({ type: 'fill', orderId: 'p1.e1', side: 'buy', quantity: '0.5', price: '98.5', fee: '0', timestamp: 1 });
    actor.send({ type: 'entryComplete' });
    expect(actor.getSnapshot().value).toBe('closing');
    expect(placed).toEqual([{ clientOrderId: 'p1.x1', role: 'exit', side: 'sell', type: 'market', quantity: '0.5', reduceOnly: true }]);
    const opened = emitted.find((event) => event.type === 'PositionOpened');
    expect(opened).toMatchObject({ stopPrice: undefined, planError: 'the stop-loss price 99 must be below the entry (98.5) for a long position' });

    actor.send({ type: 'fill', orderId: 'p1.x1', side: 'sell', quantity: '0.5', price: '98.4', fee: '0', timestamp: 2 });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(emitted.at(-1)).toMatchObject({ type: 'PositionClosed', exitReason: 'planRejected' });
  });

  it('is refused whole: a negative trailing offset closes the position even though its stop was fine', () => {
    const { actor, placed } = start({ stopLoss: { method: 'percent', percent: '2' }, trailing: { distance: { kind: 'offset', offset: '-5' } } });
    actor.send({ type: 'fill', orderId: 'p1.e1', side: 'buy', quantity: '1', price: '100', fee: '0', timestamp: 1 });
    actor.send({ type: 'entryComplete' });
    expect(actor.getSnapshot().value).toBe('closing');
    expect(actor.getSnapshot().context.planError).toBe('the trailing offset must be above 0, got -5');
    expect(placed.map((intent) => intent.role)).toEqual(['exit']);
  });

  it('a plan that applies opens the position with its stop', () => {
    const { actor, placed } = start({ stopLoss: { method: 'percent', percent: '2' } });
    actor.send({ type: 'fill', orderId: 'p1.e1', side: 'buy', quantity: '1', price: '100', fee: '0', timestamp: 1 });
    actor.send({ type: 'entryComplete' });
    expect(actor.getSnapshot().matches('open')).toBe(true);
    expect(placed).toEqual([{ clientOrderId: 'p1.sl1', role: 'stop', side: 'sell', type: 'stop', quantity: '1', stopPrice: '98', reduceOnly: true }]);
  });
});
