// What the venue reports of an order it already acknowledged: rejections, its own amendments, a venue-held
// stop firing, and the answers to a status query after a restart. And deadlines that pass while an amend or
// cancel is in flight.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderMachine, type OrderMachineEvent, type OrderMachineInput } from '../../machines/order.ts';
import type { OrderEventDraft } from '../../src/domain/events.ts';
import { commandEvents, emulatedStopInput, fill, limitOrderInput, reportEvents, venueStopInput } from '../support/order-fixtures.ts';

function run(input: OrderMachineInput, events: readonly OrderMachineEvent[]) {
  const emitted: OrderEventDraft[] = [];
  const effects: string[] = [];
  const logic = orderMachine.provide({
    actions: {
      submitToVenue: () => effects.push('submit'),
      releaseToVenue: () => effects.push('release'),
      cancelAtVenue: () => effects.push('cancel'),
      amendAtVenue: () => effects.push('amend'),
    },
  });
  const actor = createActor(logic, { input });
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  for (const event of events) actor.send(event);
  return { actor, emitted, effects, types: () => emitted.map((event) => event.type) };
}

const { submit, cancel, amend, deadlineReached } = commandEvents;
const { accepted } = reportEvents;
const gtd = () => limitOrderInput({ timeInForce: 'GTD', expireAt: 1_000 });

describe('venue reports on an acknowledged order', () => {
  it.each([
    ['open', [submit, accepted]],
    ['partial', [submit, accepted, fill('f-1', '0.4')]],
    ['pendingUpdate', [submit, accepted, amend]],
    ['pendingCancel', [submit, accepted, cancel]],
  ] as const)('a rejection ends an order in %s as rejected, with the reason', (state, path) => {
    const { actor, emitted } = run(limitOrderInput(), path);
    expect(actor.getSnapshot().value).toBe(state);
    actor.send({ type: 'venue.rejected', reason: 'margin check failed' });
    expect(actor.getSnapshot().value).toBe('rejected');
    expect(emitted.at(-1)).toMatchObject({ type: 'OrderRejected', reason: 'margin check failed' });
    expect(actor.getSnapshot().context.pendingAmendment).toBeUndefined();
  });

  it('applies and announces an amendment the venue made on its own', () => {
    const { actor, emitted } = run(limitOrderInput(), [submit, accepted, fill('f-1', '0.4'), { type: 'venue.amended', quantity: '0.8', price: '49950' }]);
    expect(actor.getSnapshot().value).toBe('partial');
    expect(actor.getSnapshot().context).toMatchObject({ quantity: '0.8', price: '49950' });
    expect(emitted.at(-1)).toMatchObject({ type: 'OrderUpdated', quantity: '0.8', price: '49950' });
  });

  it('shows a venue-held stop that fired as triggered', () => {
    const { actor, emitted, effects } = run(venueStopInput(), [submit, accepted, { type: 'venue.triggered', triggerPrice: '49000' }]);
    expect(actor.getSnapshot().value).toBe('triggered');
    expect(emitted.at(-1)).toMatchObject({ type: 'OrderTriggered', triggerPrice: '49000', releasedAs: 'market', firedAt: 'venue' });
    // The venue already works it: nothing is sent again.
    expect(effects).toEqual(['submit']);
    actor.send(fill('f-1', '1', '48990'));
    expect(actor.getSnapshot().value).toBe('filled');
  });
});

describe('deadlines that pass while a request is in flight', () => {
  it.each([
    ['amended', reportEvents.amended],
    ['refused', reportEvents.amendRejected],
  ] as const)('a GTD order whose amendment is %s after its deadline is canceled for expiry, and ends expired', (_, answer) => {
    const { actor, effects, types } = run(gtd(), [submit, accepted, amend, deadlineReached]);
    expect(actor.getSnapshot().value).toBe('pendingUpdate');
    expect(actor.getSnapshot().context.deadlinePassed).toBe(true);
    actor.send(answer);
    expect(actor.getSnapshot().value).toBe('pendingCancel');
    expect(effects).toEqual(['submit', 'amend', 'cancel']);
    actor.send(reportEvents.canceled);
    expect(actor.getSnapshot().value).toBe('expired');
    expect(types().at(-1)).toBe('OrderExpired');
  });

  it('a refused cancel after the deadline is sent again, for expiry', () => {
    const { actor, effects } = run(gtd(), [submit, accepted, cancel, deadlineReached, reportEvents.cancelRejected]);
    expect(actor.getSnapshot().value).toBe('pendingCancel');
    expect(actor.getSnapshot().context.cancelForExpiry).toBe(true);
    expect(effects).toEqual(['submit', 'cancel', 'cancel']);
    actor.send(reportEvents.canceled);
    expect(actor.getSnapshot().value).toBe('expired');
  });

  it('an emulated GTD order keeps its deadline once released, and expires at it', () => {
    const input = emulatedStopInput();
    const { actor, effects } = run({ ...input, request: { ...input.request, timeInForce: 'GTD', expireAt: 1_000 } }, [submit, commandEvents.trigger]);
    expect(actor.getSnapshot().value).toBe('triggered');
    expect(actor.getSnapshot().context.expireAt).toBe(1_000);
    expect(actor.getSnapshot().context.request.expireAt).toBe(1_000);
    actor.send(accepted);
    actor.send(deadlineReached);
    actor.send(reportEvents.canceled);
    expect(actor.getSnapshot().value).toBe('expired');
    expect(effects).toEqual(['release', 'cancel']);
  });
});

describe('a status query after a restart', () => {
  /** An order restored in pendingCancel whose cancel never left before the crash. */
  function restoredPendingCancel() {
    const { actor } = run(limitOrderInput(), [submit, accepted, cancel]);
    // Round-tripped through JSON, as the store keeps it.
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    return createActor(orderMachine, { input: limitOrderInput(), snapshot: persisted }).start();
  }

  it('returns a pendingCancel order the venue still works to open, so a new cancel is possible', () => {
    const actor = restoredPendingCancel();
    expect(actor.getSnapshot().can(cancel)).toBe(false);
    actor.send({ type: 'venue.status', status: 'open', venueOrderId: 'v-1' });
    expect(actor.getSnapshot().value).toBe('open');
    expect(actor.getSnapshot().can(cancel)).toBe(true);
  });

  it('ends it the way the venue says it ended', () => {
    for (const [status, state] of [['canceled', 'canceled'], ['expired', 'expired'], ['rejected', 'rejected']] as const) {
      const actor = restoredPendingCancel();
      actor.send({ type: 'venue.status', status });
      expect(actor.getSnapshot().value).toBe(state);
    }
  });

  it('a pendingUpdate order whose amendment never arrived returns to where the venue has it, without the amendment', () => {
    const { actor, emitted } = run(limitOrderInput(), [submit, accepted, fill('f-1', '0.4'), amend]);
    actor.send({ type: 'venue.status', status: 'partial' });
    expect(actor.getSnapshot().value).toBe('partial');
    expect(actor.getSnapshot().context).toMatchObject({ price: '50000', pendingAmendment: undefined });
    expect(emitted.at(-1)).toMatchObject({ type: 'OrderModifyRejected' });
  });

  it('a submitted order the venue has is accepted; a filled status waits for the fills themselves', () => {
    const { actor } = run(limitOrderInput(), [submit]);
    actor.send({ type: 'venue.status', status: 'filled' });
    expect(actor.getSnapshot().value).toBe('submitted');
    actor.send({ type: 'venue.status', status: 'open', venueOrderId: 'v-9' });
    expect(actor.getSnapshot().value).toBe('open');
    expect(actor.getSnapshot().context.venueOrderId).toBe('v-9');
  });
});
