// Model-based test of the order chart: xstate/graph enumerates every reachable state, then every event is
// tried from every state on a live actor, checking the order's invariants at each step; finally every
// transition the chart declares must have been walked.
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { orderMachine, TERMINAL_ORDER_STATES, type OrderMachineEvent, type OrderMachineInput, type OrderStateName } from '../../machines/order.ts';
import { add, compare } from '../../src/domain/decimal.ts';
import type { OrderEventDraft } from '../../src/domain/events.ts';
import { remainingQuantity } from '../../src/domain/fills.ts';
import { commandEvents, emulatedStopInput, emulatedTrailingInput, fill, limitOrderInput, reportEvents, statusEvents, venueStopInput } from '../support/order-fixtures.ts';

const events: OrderMachineEvent[] = [
  ...Object.values(commandEvents),
  ...Object.values(reportEvents),
  ...Object.values(statusEvents),
  fill('a', '0.4'),
  fill('b', '0.6'),
  fill('d', '0.1'),
  fill('c', '1'),
  fill('x', '5'),
];

type Snapshot = ReturnType<ReturnType<typeof createActor<typeof orderMachine>>['getSnapshot']>;

function serialize(snapshot: Snapshot): string {
  // The limit price decides no transition: left out, so an amendment does not copy every state after it.
  const { filledQuantity, venueOrderId, releasedAs, cancelForExpiry, deadlinePassed, pendingAmendment, stopPrice, triggerPrice, tradeIds } = snapshot.context;
  return JSON.stringify([snapshot.value, filledQuantity, venueOrderId, releasedAs, cancelForExpiry, deadlinePassed, pendingAmendment, stopPrice, triggerPrice, tradeIds]);
}

const EFFECTS = ['submitToVenue', 'releaseToVenue', 'cancelAtVenue', 'amendAtVenue'] as const;

/** Which venue effect a move between two states must cause: exactly one, or none. */
function expectedEffect(from: OrderStateName, to: OrderStateName, before: Snapshot, after: Snapshot, event: OrderMachineEvent): string | undefined {
  // A cancel refused after the deadline passed is sent again, for expiry.
  if (to === 'pendingCancel' && !before.context.cancelForExpiry && after.context.cancelForExpiry) return 'cancelAtVenue';
  // Recovery adopts an order the venue already has: it moves on as sent and nothing is sent again.
  if (from === to || event.type === 'adopt') return undefined;
  if (from === 'pending' && to === 'submitted') return 'submitToVenue';
  if (to === 'triggered' && from === 'emulated') return 'releaseToVenue';
  if (to === 'pendingCancel') return 'cancelAtVenue';
  if (to === 'pendingUpdate') return 'amendAtVenue';
  return undefined;
}

/** The domain event that entering a state must announce. */
const ENTRY_ANNOUNCEMENT: Partial<Record<OrderStateName, OrderEventDraft['type']>> = {
  emulated: 'OrderEmulated',
  triggered: 'OrderTriggered',
  pendingCancel: 'OrderPendingCancel',
  pendingUpdate: 'OrderPendingUpdate',
  filled: 'OrderFilled',
  canceled: 'OrderCanceled',
  expired: 'OrderExpired',
  rejected: 'OrderRejected',
  denied: 'OrderDenied',
};

const walked = new Set<AnyTransitionDefinition>();

/** An actor restored at a state the graph reached, so each check costs one event, not a replay of the path. */
function restore(input: OrderMachineInput, state: Snapshot) {
  const emitted: OrderEventDraft[] = [];
  const effects: string[] = [];
  const actor = createActor(orderMachine, {
    input,
    snapshot: state,
    inspect: (inspection: InspectionEvent) => {
      if (inspection.type === '@xstate.microstep') for (const transition of inspection._transitions) walked.add(transition);
      if (inspection.type === '@xstate.action' && (EFFECTS as readonly string[]).includes(inspection.action.type)) effects.push(inspection.action.type);
    },
  });
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, emitted, effects };
}

function checkStep(input: OrderMachineInput, state: Snapshot, event: OrderMachineEvent): void {
  const { actor, emitted, effects } = restore(input, state);
  const before = actor.getSnapshot();
  const allowed = before.can(event);
  emitted.length = 0;
  effects.length = 0;
  actor.send(event);
  const after = actor.getSnapshot();
  const from = before.value as OrderStateName;
  const to = after.value as OrderStateName;
  const where = `${from} --${event.type}--> ${to}`;

  // Quantities always add up, and never past the order's quantity.
  expect(compare(after.context.filledQuantity, after.context.quantity), where).toBeLessThanOrEqual(0);
  expect(add(after.context.filledQuantity, remainingQuantity(after.context)), where).toBe(after.context.quantity);

  if (!allowed) {
    expect(to, where).toBe(from);
    expect(after.context, where).toEqual(before.context);
    expect(emitted, where).toEqual([]);
    expect(effects, where).toEqual([]);
    return;
  }
  // Exactly the venue effect the move implies, and no other.
  const effect = expectedEffect(from, to, before, after, event);
  expect(effects, where).toEqual(effect ? [effect] : []);
  // A refused cancel or an amendment's answer returns to a working state without announcing it anew.
  const returning = from === 'pendingCancel' || from === 'pendingUpdate';
  const announcement = ENTRY_ANNOUNCEMENT[to];
  if (from !== to && announcement && !returning) expect(emitted.map((e) => e.type), where).toContain(announcement);
  // A fill that changed the totals is announced once with the new totals; one that did not is not.
  const fills = emitted.filter((e) => e.type === 'OrderFilled');
  if (after.context.filledQuantity !== before.context.filledQuantity) {
    expect(fills, where).toHaveLength(1);
    expect(fills[0]!.type === 'OrderFilled' && fills[0]!.filledQuantity, where).toBe(after.context.filledQuantity);
  } else {
    expect(fills, where).toEqual([]);
  }
  // A finished order takes no commands.
  if (TERMINAL_ORDER_STATES.includes(to)) {
    expect(after.can(commandEvents.cancel), where).toBe(false);
    expect(after.can(commandEvents.amend), where).toBe(false);
  }
}

const configurations: Array<[string, () => OrderMachineInput, OrderMachineEvent[]?]> = [
  ['limit order', limitOrderInput],
  ['emulated stop', emulatedStopInput],
  ['emulated trailing stop', emulatedTrailingInput],
  ['GTD limit order', () => limitOrderInput({ timeInForce: 'GTD', expireAt: 1_000 })],
];

describe('order chart, model-based', () => {
  for (const [name, input, eventsOf = events] of configurations) {
    it(`${name}: every event from every reachable state keeps the invariants`, () => {
      // The graph helpers' types do not follow machines that declare emitted events; the logic is the same.
      const logic = orderMachine as unknown as AnyStateMachine;
      const options = { input: input(), events: eventsOf, serializeState: (snapshot: Snapshot) => serialize(snapshot) } as never;
      const adjacency = getAdjacencyMap(logic, options);
      const paths = getShortestPaths(logic, options);
      expect(paths.length).toBe(Object.keys(adjacency).length);
      for (const path of paths) {
        // The path really leads there from the start, event by event.
        const replayed = createActor(orderMachine, { input: input() }).start();
        for (const step of path.steps) if (!step.event.type.startsWith('xstate.')) replayed.send(step.event as OrderMachineEvent);
        expect(serialize(replayed.getSnapshot())).toBe(serialize(path.state as Snapshot));
        for (const event of eventsOf) checkStep(input(), path.state as Snapshot, event);
      }
    }, 120_000);
  }

  // A venue-held stop differs from a limit order only where the venue reports its trigger: those steps are
  // checked along its paths (its whole graph is too large to walk in a test).
  it('venue-held stop: the venue trigger, from open and from partial, keeps the invariants', () => {
    const { submit } = commandEvents;
    const { accepted, triggered } = reportEvents;
    for (const path of [[submit, accepted], [submit, accepted, fill('a', '0.4')]]) {
      const actor = createActor(orderMachine, { input: venueStopInput() }).start();
      for (const event of path) actor.send(event);
      checkStep(venueStopInput(), actor.getSnapshot(), triggered);
      const fired = restore(venueStopInput(), actor.getSnapshot()).actor;
      fired.send(triggered);
      for (const event of events) checkStep(venueStopInput(), fired.getSnapshot(), event);
    }
  });

  it('walks every transition the chart declares', () => {
    const declared: Array<{ state: string; event: string; transition: AnyTransitionDefinition }> = [];
    for (const [state, node] of Object.entries(orderMachine.root.states)) {
      for (const [event, transitions] of node.transitions) for (const transition of transitions) declared.push({ state, event, transition });
    }
    expect(declared.length).toBeGreaterThan(60);
    const missed = declared.filter(({ transition }) => !walked.has(transition)).map(({ state, event }) => `${state} on ${event}`);
    expect(missed).toEqual([]);
  });
});
