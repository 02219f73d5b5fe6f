// Model-based test of the venue-connection chart: xstate/graph enumerates every reachable state, every event
// is tried from each on a restored actor checking effects and invariants, and finally every transition the
// chart declares must have been walked. Plus the backoff arithmetic.
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import {
  VENUE_CONNECTION_STATES,
  retryDelay,
  venueConnectionMachine,
  type VenueConnectionEvent,
  type VenueConnectionInput,
  type VenueConnectionStateName,
} from '../../machines/venue-connection.ts';

const AT = 1_000_000;
const input: VenueConnectionInput = { maxReconnectAttempts: 3, initialRetryDelayMs: 100, maxRetryDelayMs: 250 };

const events: VenueConnectionEvent[] = [
  { type: 'connect' },
  { type: 'disconnect' },
  { type: 'socket.opened' },
  { type: 'socket.closed', reason: 'connection refused', at: AT, jitter: 0.5 },
  { type: 'heartbeat.missed', at: AT, jitter: 0.25 },
  { type: 'link.refused', reason: 'wrong token' },
  { type: 'synced' },
  { type: 'retry.due' },
];

type Snapshot = ReturnType<ReturnType<typeof createActor<typeof venueConnectionMachine>>['getSnapshot']>;

function serialize(snapshot: Snapshot): string {
  const { failedAttempts, retryAt, lastError } = snapshot.context;
  return JSON.stringify([snapshot.value, failedAttempts, retryAt, lastError]);
}

const EFFECTS = ['openSocket', 'closeSocket', 'sendHello', 'scheduleRetry', 'cancelRetry'] as const;
/** States in which a socket is open (or opening) and must be closed by whoever leaves them for another reason than its closing. */
const SOCKET_STATES: readonly VenueConnectionStateName[] = ['connecting', 'syncing', 'live'];

const walked = new Set<AnyTransitionDefinition>();

function restore(state: Snapshot) {
  const effects: Array<{ type: string; params: unknown }> = [];
  const actor = createActor(venueConnectionMachine, {
    input,
    snapshot: state,
    inspect: (inspection: InspectionEvent) => {
      if (inspection.type === '@xstate.microstep') for (const transition of inspection._transitions) walked.add(transition);
      if (inspection.type === '@xstate.action' && (EFFECTS as readonly string[]).includes(inspection.action.type)) {
        effects.push({ type: inspection.action.type, params: inspection.action.params });
      }
    },
  });
  actor.start();
  return { actor, effects };
}

function checkStep(state: Snapshot, event: VenueConnectionEvent): void {
  const { actor, effects } = restore(state);
  const before = actor.getSnapshot();
  const allowed = before.can(event);
  actor.send(event);
  const after = actor.getSnapshot();
  const from = before.value as VenueConnectionStateName;
  const to = after.value as VenueConnectionStateName;
  const where = `${from} --${event.type}--> ${to}`;
  const types = effects.map((effect) => effect.type);

  expect(VENUE_CONNECTION_STATES, where).toContain(to);
  expect(after.context.failedAttempts, where).toBeLessThanOrEqual(input.maxReconnectAttempts!);
  if (!allowed) {
    expect(to, where).toBe(from);
    expect(after.context, where).toEqual(before.context);
    expect(types, where).toEqual([]);
    return;
  }
  // Exactly one socket opened on entering connecting, one hello on entering syncing.
  expect(types.filter((type) => type === 'openSocket'), where).toHaveLength(to === 'connecting' ? 1 : 0);
  expect(types.filter((type) => type === 'sendHello'), where).toHaveLength(to === 'syncing' ? 1 : 0);
  // A socket left behind for any reason but its own closing is closed, once; a closed one is not closed again.
  const leavesSocket = SOCKET_STATES.includes(from) && !SOCKET_STATES.slice(SOCKET_STATES.indexOf(from)).includes(to);
  const mustClose = leavesSocket && event.type !== 'socket.closed';
  expect(types.filter((type) => type === 'closeSocket'), where).toHaveLength(mustClose ? 1 : 0);
  // The retry timer is armed on entering reconnecting, at an absolute time within the backoff bounds, and
  // disarmed on leaving it.
  const scheduled = effects.filter((effect) => effect.type === 'scheduleRetry');
  if (to === 'reconnecting' && from !== 'reconnecting') {
    expect(scheduled, where).toHaveLength(1);
    const at = (scheduled[0]!.params as { at: number }).at;
    expect(at, where).toBe(after.context.retryAt);
    expect(at, where).toBeGreaterThanOrEqual(AT + input.initialRetryDelayMs! / 2);
    expect(at, where).toBeLessThanOrEqual(AT + input.maxRetryDelayMs!);
  } else {
    expect(scheduled, where).toEqual([]);
  }
  expect(types.filter((type) => type === 'cancelRetry'), where).toHaveLength(from === 'reconnecting' && to !== 'reconnecting' ? 1 : 0);
  if (to !== 'reconnecting') expect(after.context.retryAt, where).toBeUndefined();
  // Live means the attempts count starts over; down is only reached by refusal, explicit disconnect or the last attempt failing.
  if (to === 'live') expect(after.context.failedAttempts, where).toBe(0);
  if (to === 'down' && from !== 'down') {
    const exhausted = after.context.failedAttempts === input.maxReconnectAttempts;
    expect(event.type === 'disconnect' || event.type === 'link.refused' || exhausted, where).toBe(true);
  }
  if (event.type === 'link.refused') expect(after.context.lastError, where).toBe('wrong token');
}

describe('venue-connection chart, model-based', () => {
  it('every event from every reachable state keeps the invariants and causes exactly its effects', () => {
    const logic = venueConnectionMachine as unknown as AnyStateMachine;
    const options = { input, events, serializeState: (snapshot: Snapshot) => serialize(snapshot) } as never;
    const adjacency = getAdjacencyMap(logic, options);
    const paths = getShortestPaths(logic, options);
    expect(paths.length).toBe(Object.keys(adjacency).length);
    const reachedStates = new Set(paths.map((path) => (path.state as Snapshot).value));
    expect([...reachedStates].sort()).toEqual([...VENUE_CONNECTION_STATES].sort());
    for (const path of paths) {
      const replayed = createActor(venueConnectionMachine, { input }).start();
      for (const step of path.steps) if (!step.event.type.startsWith('xstate.')) replayed.send(step.event as VenueConnectionEvent);
      expect(serialize(replayed.getSnapshot())).toBe(serialize(path.state as Snapshot));
      for (const event of events) checkStep(path.state as Snapshot, event);
    }
  });

  it('walks every transition the chart declares', () => {
    const declared: Array<{ state: string; event: string; transition: AnyTransitionDefinition }> = [];
    for (const [state, node] of Object.entries(venueConnectionMachine.root.states)) {
      for (const [event, transitions] of node.transitions) for (const transition of transitions) declared.push({ state, event, transition });
    }
    expect(declared.length).toBeGreaterThanOrEqual(20);
    const missed = declared.filter(({ transition }) => !walked.has(transition)).map(({ state, event }) => `${state} on ${event}`);
    expect(missed).toEqual([]);
  });
});

describe('venue-connection chart, scenarios', () => {
  it('starts down and leaves down only on an explicit connect', () => {
    const actor = createActor(venueConnectionMachine, { input }).start();
    expect(actor.getSnapshot().value).toBe('down');
    for (const event of events.filter((candidate) => candidate.type !== 'connect')) expect(actor.getSnapshot().can(event)).toBe(false);
    actor.send({ type: 'connect' });
    expect(actor.getSnapshot().value).toBe('connecting');
  });

  it('goes down after the configured number of consecutive failed attempts, with the last error', () => {
    const actor = createActor(venueConnectionMachine, { input }).start();
    actor.send({ type: 'connect' });
    const seen: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      actor.send({ type: 'socket.closed', reason: `refused ${attempt}`, at: AT, jitter: 0 });
      seen.push(`${String(actor.getSnapshot().value)}:${actor.getSnapshot().context.failedAttempts}`);
      if (actor.getSnapshot().value === 'reconnecting') actor.send({ type: 'retry.due' });
    }
    expect(seen).toEqual(['reconnecting:1', 'reconnecting:2', 'down:3']);
    expect(actor.getSnapshot().context.lastError).toBe('refused 3');
  });

  it('a link that reached live starts counting again, and a drop from live waits the shortest delay', () => {
    const actor = createActor(venueConnectionMachine, { input }).start();
    actor.send({ type: 'connect' });
    actor.send({ type: 'socket.closed', reason: 'refused', at: AT, jitter: 0 });
    actor.send({ type: 'retry.due' });
    actor.send({ type: 'socket.opened' });
    actor.send({ type: 'synced' });
    expect(actor.getSnapshot().context.failedAttempts).toBe(0);
    actor.send({ type: 'heartbeat.missed', at: AT, jitter: 0 });
    expect(actor.getSnapshot().value).toBe('reconnecting');
    expect(actor.getSnapshot().context).toMatchObject({ failedAttempts: 0, retryAt: AT + 50, lastError: 'heartbeats missed: the stream went silent' });
  });
});

describe('retryDelay', () => {
  it('doubles a capped ceiling per failed attempt and jitters within its upper half', () => {
    expect(retryDelay(0, 0, 100, 1_000)).toBe(50);
    expect(retryDelay(0, 1, 100, 1_000)).toBe(100);
    expect(retryDelay(3, 0.5, 100, 1_000)).toBe(600);
    expect(retryDelay(4, 0.999, 100, 1_000)).toBe(1_000);
    expect(retryDelay(1_000, 0, 100, 1_000)).toBe(500);
    for (let attempts = 0; attempts < 12; attempts++) {
      expect(retryDelay(attempts + 1, 0, 100, 30_000)).toBeGreaterThanOrEqual(retryDelay(attempts, 0, 100, 30_000));
    }
  });
});
