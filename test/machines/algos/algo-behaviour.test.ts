// What users rely on from each algo, step by step: a chase rests, re-prices and crosses; a TWAP that stops at
// its deadline keeps its fills; pause, amend and cancel act on the children; a restored algo keeps its schedule.
import { describe, expect, it } from 'vitest';
import { chaseMachine } from '../../../machines/algos/chase.ts';
import { twapMachine } from '../../../machines/algos/twap.ts';
import type { AlgoEvent } from '../../../machines/algos/algo-contract.ts';
import type { ParentEventDraft } from '../../../src/domain/algo-events.ts';
import { algoInput, startActor, START, type Effect } from './algo-driver.ts';

const MINUTE = 60_000;
const twapSpec = { kind: 'twap', parentId: 't1', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 4 * MINUTE, intervalMs: MINUTE } as const;

function run(machine: typeof twapMachine | typeof chaseMachine, spec: object) {
  const effects: Effect[] = [];
  const emitted: ParentEventDraft[] = [];
  const input = algoInput(spec as never);
  const actor = startActor(machine, input, effects);
  actor.on('*', (event: ParentEventDraft) => emitted.push(event));
  const send = (event: AlgoEvent) => {
    effects.length = 0;
    actor.send(event);
    return [...effects];
  };
  return { actor, send, emitted, input };
}

describe('chase', () => {
  const spec = { kind: 'chase', parentId: 'c1', symbol: 'BTC/USDT', side: 'buy', quantity: '1', offsetTicks: 1, repriceTicks: 3, crossAfterMs: MINUTE };

  it('rests one tick behind the bid, re-prices once the bid moved three ticks away, and crosses at the timeout', () => {
    const { actor, send } = run(chaseMachine, spec);
    expect(send({ type: 'start', at: START })).toEqual([]);
    expect(actor.getSnapshot().context.nextWakeAt).toBe(START + MINUTE);
    expect(send({ type: 'market', at: START + 1, bestBid: '100', bestAsk: '100.1' })).toEqual([
      { type: 'submitChild', params: expect.objectContaining({ childId: 'c1-E1', role: 'chase', type: 'limit', price: '99.9', quantity: '1', timeInForce: 'GTC' }) },
    ]);
    // Two ticks away: not yet.
    expect(send({ type: 'market', at: START + 2, bestBid: '100.2', bestAsk: '100.3' })).toEqual([]);
    expect(send({ type: 'market', at: START + 3, bestBid: '100.3', bestAsk: '100.4' })).toEqual([{ type: 'cancelChild', params: { childId: 'c1-E1' } }]);
    send({ type: 'child.filled', at: START + 4, childId: 'c1-E1', tradeId: 'a', quantity: '0.4', price: '99.9' });
    // The replacement rests what the canceled child did not fill, once its end says how much that is.
    expect(send({ type: 'child.ended', at: START + 5, childId: 'c1-E1', status: 'canceled', remaining: '0.6' })).toEqual([
      { type: 'submitChild', params: expect.objectContaining({ childId: 'c1-E2', price: '100.2', quantity: '0.6' }) },
    ]);
    expect(send({ type: 'timer.due', at: START + MINUTE })).toEqual([
      { type: 'cancelChild', params: { childId: 'c1-E2' } },
    ]);
    expect(actor.getSnapshot().value).toEqual({ working: 'crossing' });
    // What the resting child leaves is swept at the next market data, as a taker.
    send({ type: 'child.ended', at: START + MINUTE + 1, childId: 'c1-E2', status: 'canceled', remaining: '0.6' });
    expect(send({ type: 'market', at: START + MINUTE + 2, bestBid: '100.3', bestAsk: '100.4' })).toEqual([
      { type: 'submitChild', params: expect.objectContaining({ childId: 'c1-E3', role: 'sweep', type: 'market', quantity: '0.6', timeInForce: 'IOC' }) },
    ]);
    send({ type: 'child.filled', at: START + MINUTE + 3, childId: 'c1-E3', tradeId: 'b', quantity: '0.6', price: '100.4' });
    expect(actor.getSnapshot().value).toBe('completed');
    expect(actor.getSnapshot().context.ledger.filledQuantity).toBe('1');
  });

  it('crosses at once when the market runs away to the cross price', () => {
    const { actor, send } = run(chaseMachine, { ...spec, crossPrice: '101' });
    send({ type: 'start', at: START });
    send({ type: 'market', at: START + 1, bestBid: '100', bestAsk: '100.1' });
    expect(send({ type: 'market', at: START + 2, bestBid: '100.9', bestAsk: '101' })).toEqual([{ type: 'cancelChild', params: { childId: 'c1-E1' } }]);
    expect(actor.getSnapshot().value).toEqual({ working: 'crossing' });
  });
});

describe('TWAP controls', () => {
  it('stops at its deadline when told to: working children canceled, fills kept, ends expired', () => {
    const { actor, send, emitted } = run(twapMachine, { ...twapSpec, atDeadline: 'stop', style: 'maker', limitPrice: '101' });
    expect(send({ type: 'start', at: START })).toEqual([{ type: 'submitChild', params: expect.objectContaining({ childId: 't1-E1', postOnly: true, price: '101', quantity: '0.25' }) }]);
    send({ type: 'child.filled', at: START + 1, childId: 't1-E1', tradeId: 'a', quantity: '0.1', price: '100' });
    expect(send({ type: 'timer.due', at: START + 4 * MINUTE })).toEqual([{ type: 'cancelChild', params: { childId: 't1-E1' } }]);
    expect(actor.getSnapshot().value).toBe('stopping');
    send({ type: 'child.ended', at: START + 4 * MINUTE + 1, childId: 't1-E1', status: 'canceled', remaining: '0.1' });
    // The venue executed 0.05 more before the cancel: that fill arrives late, and is kept.
    expect(actor.getSnapshot().value).toBe('stopping');
    send({ type: 'child.filled', at: START + 4 * MINUTE + 2, childId: 't1-E1', tradeId: 'b', quantity: '0.05', price: '100' });
    expect(actor.getSnapshot().value).toBe('expired');
    expect(actor.getSnapshot().context.ledger.filledQuantity).toBe('0.15');
    expect(emitted.at(-1)).toMatchObject({ type: 'AlgoEnded', outcome: 'expired', filledQuantity: '0.15', quantity: '1' });
  });

  it('pause cancels the children and keeps the clock times; resume sizes the slice due from what is left', () => {
    const { actor, send } = run(twapMachine, twapSpec);
    send({ type: 'start', at: START });
    expect(send({ type: 'pause', at: START + 1 })).toEqual([{ type: 'cancelChild', params: { childId: 't1-E1' } }]);
    send({ type: 'child.ended', at: START + 2, childId: 't1-E1', status: 'canceled', remaining: '0.25' });
    expect(send({ type: 'timer.due', at: START + MINUTE })).toEqual([]);
    // Resumed in the third interval: one slice for what is left over the two slices left.
    expect(send({ type: 'resume', at: START + 2 * MINUTE + 5 })).toEqual([{ type: 'submitChild', params: expect.objectContaining({ childId: 't1-E2', quantity: '0.5' }) }]);
    expect(actor.getSnapshot().context.nextWakeAt).toBe(START + 3 * MINUTE);
  });

  it('a lower quantity than filled + working waits for the children; one below what filled is refused', () => {
    const { actor, send, emitted } = run(twapMachine, twapSpec);
    send({ type: 'start', at: START });
    send({ type: 'child.filled', at: START + 1, childId: 't1-E1', tradeId: 'a', quantity: '0.2', price: '100' });
    send({ type: 'amend', at: START + 2, quantity: '0.1' });
    expect(emitted.at(-1)).toEqual({ type: 'AlgoAmendRefused', parentId: 't1', symbol: 'BTC/USDT', kind: 'twap', reason: 'quantity 0.1 is below what already filled (0.2)' });
    expect(send({ type: 'amend', at: START + 3, quantity: '0.21' })).toEqual([{ type: 'cancelChild', params: { childId: 't1-E1' } }]);
    expect(actor.getSnapshot().context).toMatchObject({ quantity: '1', pendingQuantity: '0.21' });
    // The child filled 0.03 more before the cancel landed: the new quantity is what filled, never less.
    send({ type: 'child.filled', at: START + 4, childId: 't1-E1', tradeId: 'b', quantity: '0.03', price: '100' });
    send({ type: 'child.ended', at: START + 5, childId: 't1-E1', status: 'canceled', remaining: '0.02' });
    expect(actor.getSnapshot().context.quantity).toBe('0.23');
    expect(actor.getSnapshot().value).toBe('completed');
  });

  it('cancel: children canceled, fills kept, canceled once none can fill', () => {
    const { actor, send } = run(twapMachine, twapSpec);
    send({ type: 'start', at: START });
    send({ type: 'child.filled', at: START + 1, childId: 't1-E1', tradeId: 'a', quantity: '0.1', price: '100' });
    expect(send({ type: 'cancel', at: START + 2 })).toEqual([{ type: 'cancelChild', params: { childId: 't1-E1' } }]);
    expect(actor.getSnapshot().context.nextWakeAt).toBeUndefined();
    send({ type: 'child.ended', at: START + 3, childId: 't1-E1', status: 'canceled', remaining: '0.15' });
    expect(actor.getSnapshot().value).toBe('canceled');
    expect(actor.getSnapshot().context.ledger.filledQuantity).toBe('0.1');
    expect(send({ type: 'timer.due', at: START + MINUTE })).toEqual([]);
  });

  it('a snapshot holds the schedule as clock times: the restored algo wakes when it would have', () => {
    const { actor, send, input } = run(twapMachine, twapSpec);
    send({ type: 'start', at: START });
    send({ type: 'timer.due', at: START + MINUTE });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    const effects: Effect[] = [];
    const restored = startActor(twapMachine, input, effects, undefined, persisted);
    expect(restored.getSnapshot().context.nextWakeAt).toBe(START + 2 * MINUTE);
    // An early timer (a re-armed one firing twice) changes nothing.
    restored.send({ type: 'timer.due', at: START + 2 * MINUTE - 1 });
    expect(effects).toEqual([]);
    restored.send({ type: 'timer.due', at: START + 2 * MINUTE });
    // Slices still working are canceled; the new one is sized from what is neither filled nor working.
    expect(effects).toEqual([
      { type: 'cancelChild', params: { childId: 't1-E1' } },
      { type: 'cancelChild', params: { childId: 't1-E2' } },
      { type: 'submitChild', params: expect.objectContaining({ childId: 't1-E3', quantity: '0.25' }) },
    ]);
  });
});
