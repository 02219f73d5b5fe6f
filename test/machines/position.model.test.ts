// Model-based test of the position chart: xstate/graph reaches every state; every event is tried from each,
// checking the position's invariants; every declared transition must be walked. The stop never loosens.
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { MAX_FAILED_EXITS, positionMachine, type PositionMachineEvent, type PositionMachineInput } from '../../machines/position.ts';
import { compare, decimal } from '../../src/domain/decimal.ts';
import type { PositionOrderIntent } from '../../src/domain/position-orders.ts';

const inputFor = (direction: 'long' | 'short'): PositionMachineInput => ({
  positionId: 'p1',
  venue: 'test',
  symbol: 'BTC/USDT',
  direction,
  createdAt: 0,
  tickSize: '0.1',
  lotSize: '0.001',
  feeRate: '0.001',
  entryOrderId: 'p1.e1',
  inputs: { atr: '2' },
  plan: {
    stopLoss: { method: 'atr', multiple: '2' },
    takeProfit: [
      { target: { method: 'riskReward', multiple: '2' }, fraction: '0.5' },
      { target: { method: 'riskReward', multiple: '3' }, fraction: '0.5' },
    ],
    breakEven: { trigger: { kind: 'rMultiple', multiple: '1' } },
    trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'rMultiple', multiple: '2' } },
  },
});

const fill = (orderId: string, side: 'buy' | 'sell', quantity: string, price: string): PositionMachineEvent => ({
  type: 'fill', orderId, side, quantity, price, fee: '0.1', timestamp: 1,
});

type Snapshot = ReturnType<ReturnType<typeof createActor<typeof positionMachine>>['getSnapshot']>;

/**
 * Every event a position can get, with prices for a long entered at 100 (ATR 2: stop 96, take-profits 108 and
 * 112, break-even at 104, trailing from 108); a short's mirror them around 100.
 */
function eventsFor(direction: 'long' | 'short'): PositionMachineEvent[] {
  const long = direction === 'long';
  const price = (text: string) => (long ? text : (200 - Number(text)).toFixed(1));
  const [entry, exit] = long ? (['buy', 'sell'] as const) : (['sell', 'buy'] as const);
  return [
    fill('p1.e1', entry, '1', '100'),
    // At 3 the plan cannot be applied (a long's stop would be below 0, a short's take-profits too).
    fill('p1.e1', entry, '1', '3'),
    { type: 'entryComplete' },
    { type: 'breakEvenReached', marketPrice: price('104') },
    { type: 'trailingActivated', marketPrice: price('108') },
    { type: 'stopMoved', stopPrice: price('106.9') },
    // A graceful stop hands the trailing stop to the venue at its level (106.9 once it has moved).
    { type: 'handStopToVenue', stopPrice: price('106.9') },
    fill('p1.tp1', exit, '0.5', price('108')),
    fill('p1.sl1', exit, '1', price('96')),
    fill('p1.sl2', exit, '1', price('106.9')),
    fill('p1.x2', exit, '1', price('101')),
    { type: 'orderEnded', orderId: 'p1.sl1', status: 'canceled' },
    { type: 'orderEnded', orderId: 'p1.tp2', status: 'canceled' },
    { type: 'updateStop', stopPrice: price('97') },
    { type: 'updateTakeProfit', price: price('109') },
    { type: 'close', reason: 'manual' },
    { type: 'close', reason: 'manual', quantity: '0.2' },
    { type: 'stopTriggered' },
    { type: 'retryExit' },
    // Perpetuals: a funding payment (the venue's report, at any time).
    { type: 'funding', amount: '-0.1', fundingId: 'f1' },
  ];
}

/**
 * The events the position book can send from this state. It splits a fill larger than the position and the
 * other way (a flip) into the closing part, sent here, and a new position; so a position never gets a fill
 * against it that is larger than what it holds (nothing, when it holds nothing).
 */
function eventsFrom(snapshot: Snapshot): PositionMachineEvent[] {
  const { direction, quantity } = snapshot.context;
  const against = direction === 'long' ? 'sell' : 'buy';
  // A hand-over happens once, at a graceful stop: offered only to a position that has not handed a stop over
  // yet (trailing -> handedOver -> trailing would otherwise mint new stop ids for ever). Once handed over, the
  // events that matter to it are tried (the rest behave as in any open phase, walked there): the market passing
  // the old best price, the native stop filling or being lost, the held stop's cancel confirmed, a close.
  const handedBefore = snapshot.context.stopKind === 'trailing' && snapshot.context.serial > 2;
  if (stopPhase(snapshot) === 'handedOver') {
    const long = direction === 'long';
    const handed = snapshot.context.stopOrderId!;
    return [
      { type: 'trailingActivated', marketPrice: long ? '110' : '90' },
      fill(handed, against, quantity, snapshot.context.stopPrice!),
      // Lost once (it is then replaced by a fixed stop at the same level; losing that too is walked elsewhere).
      ...(snapshot.context.serial <= 3 ? [{ type: 'orderEnded', orderId: handed, status: 'canceled' } as const] : []),
      { type: 'orderEnded', orderId: 'p1.sl2', status: 'canceled' },
      { type: 'close', reason: 'manual' },
    ];
  }
  const events = eventsFor(direction).filter(
    (event) => (event.type !== 'fill' || event.side !== against || compare(event.quantity, quantity) <= 0) && (event.type !== 'handStopToVenue' || !handedBefore),
  );
  // Each working exit can end unfilled (refused, or canceled when the book runs out), or filled (a partial
  // exit, whose last fill the position has had).
  const { exitOrderIds, workingOrderIds } = snapshot.context;
  for (const orderId of exitOrderIds) {
    if (workingOrderIds.includes(orderId)) events.push({ type: 'orderEnded', orderId, status: 'canceled' }, { type: 'orderEnded', orderId, status: 'filled' });
  }
  // The venue liquidates what is held, whole or in part (the engine caps a liquidation at the position's quantity).
  // Tried at one size only (1, half of it), so the graph gains no quantities of its own: it stays walkable.
  if (quantity === '1') {
    const price = direction === 'long' ? '90' : '110';
    events.push(
      { type: 'liquidated', tradeId: 'l1', side: against, quantity, price, fee: '0.9', timestamp: 2 },
      { type: 'liquidated', tradeId: 'l2', side: against, quantity: '0.5', price, fee: '0.45', timestamp: 2 },
    );
  }
  return events;
}

/**
 * The graph's notion of "same state". Fills keep adding quantity and closes keep adding exit orders, so the raw
 * context is unbounded; what decides the chart's behaviour is coarse: the state value, the quantity up to the
 * largest fill the events carry (beyond it no single fill closes the position), which stop is working and at
 * what price, whether a close was asked for, and a capped count of working orders.
 */
function serialize(snapshot: Snapshot): string {
  const { quantity, stopKind, stopOrderId, closeReason, stopPrice, workingOrderIds, takeProfitOrderIds, exitOrderIds, failedExits, averageEntryPrice } = snapshot.context;
  const quantityBucket = compare(quantity, '2') > 0 ? 'more than 2' : quantity;
  const exitWorking = exitOrderIds.some((id) => workingOrderIds.includes(id));
  // While opening, whether the plan can be applied at the entry so far decides where entryComplete goes.
  const unplannable = snapshot.value === 'opening' && averageEntryPrice !== undefined && compare(averageEntryPrice, '12') < 0;
  return JSON.stringify([snapshot.value, quantityBucket, stopKind, stopOrderId, closeReason, stopPrice, Math.min(workingOrderIds.length, 3), takeProfitOrderIds.length, exitWorking, failedExits, unplannable]);
}

/** Walked transitions by name: the provided machine (with effects recorded) has its own transition objects. */
const walked = new Set<string>();

function transitionName(transition: AnyTransitionDefinition): string {
  const index = (transition.source.transitions.get(transition.eventType) ?? []).indexOf(transition);
  return `${transition.source.id} on ${transition.eventType} #${index}`;
}

function stopPhase(snapshot: Snapshot): string | undefined {
  const value = snapshot.value as unknown;
  return typeof value === 'object' && value !== null ? (value as { open: { stop: string } }).open.stop : undefined;
}

function check(state: Snapshot, event: PositionMachineEvent): void {
  const placed: PositionOrderIntent[] = [];
  const takeProfitSizes: string[] = [];
  const actor = createActor(
    positionMachine.provide({
      actions: {
        placeOrders: (_, intents) => placed.push(...intents),
        amendOrders: (_, amendments) => takeProfitSizes.push(...amendments.map((amendment) => amendment.quantity)),
      },
    }),
    {
      input: inputFor(state.context.direction),
      snapshot: state,
      inspect: (inspection: InspectionEvent) => {
        if (inspection.type === '@xstate.microstep') for (const transition of inspection._transitions) walked.add(transitionName(transition));
      },
    },
  ).start();
  const before = actor.getSnapshot();
  actor.send(event);
  const after = actor.getSnapshot();
  const where = `${JSON.stringify(before.value)} --${event.type}--> ${JSON.stringify(after.value)}`;
  // A liquidation of all that is held closes the position with its reason, whatever it was doing.
  if (event.type === 'liquidated' && event.quantity === before.context.quantity && before.value !== 'closed') {
    expect(after.value, where).toBe('closed');
    expect(after.context.exitReason, where).toBe('liquidation');
  }
  if (event.type === 'funding' && before.value !== 'closed') expect(after.context.funding, where).toBe(decimal(before.context.funding ?? '0').minus('0.1').toFixed());
  expect(compare(after.context.quantity, '0'), where).toBeGreaterThanOrEqual(0);
  if (after.value === 'closed') expect(after.context.quantity, where).toBe('0');
  // Every order a position places to protect or leave itself is reduce-only; only scale-ins add.
  for (const intent of placed) expect(intent.reduceOnly, `${where}: ${intent.clientOrderId}`).toBe(intent.role === 'scaleIn' || intent.role === 'entry' ? false : true);
  // The automatic stop plan only ever tightens: up for a long, down for a short (a manual updateStop is the user's own choice).
  if (event.type !== 'updateStop' && before.context.stopPrice !== undefined && after.context.stopPrice !== undefined) {
    const tightening = compare(after.context.stopPrice, before.context.stopPrice) * (after.context.direction === 'long' ? 1 : -1);
    expect(tightening, `${where} ${before.context.stopPrice} -> ${after.context.stopPrice}`).toBeGreaterThanOrEqual(0);
  }
  // Resized take-profits never take off more than the position holds (they could flip it).
  const resized = takeProfitSizes.reduce((total, quantity) => total + Number(quantity), 0);
  expect(resized, where).toBeLessThanOrEqual(Number(after.context.quantity));
  // One exit at a time: two could together sell more than the position holds and flip it.
  expect(after.context.exitOrderIds.filter((id) => after.context.workingOrderIds.includes(id)).length, where).toBeLessThanOrEqual(1);
  // A closing position is never left with nothing on its way to close it, unless it has said the exits failed.
  if (after.value === 'closing' && after.context.quantity !== '0') {
    const exitWorking = after.context.exitOrderIds.some((id) => after.context.workingOrderIds.includes(id));
    const stopWorking = after.context.stopOrderId !== undefined && after.context.workingOrderIds.includes(after.context.stopOrderId);
    const retryPending = after.can({ type: 'retryExit' });
    expect(exitWorking || stopWorking || retryPending || after.context.failedExits >= MAX_FAILED_EXITS, where).toBe(true);
  }
  // Never open without the protection the plan asked for: a plan that cannot be applied closes the position.
  if (before.value === 'opening' && stopPhase(after) !== undefined) {
    expect(after.context.stopPrice, where).toBeDefined();
    expect(placed.map((intent) => intent.role), where).toContain('stop');
  }
  if (before.value === 'opening' && after.context.planError !== undefined) {
    expect(after.value, where).toBe('closing');
    expect(placed.map((intent) => intent.role), where).toEqual(['exit']);
  }
  // The plan's phases only move forward: initial -> breakEven -> trailing (a trailing stop handed to the venue at
  // a graceful stop, and taken back, is still trailing).
  const rank = (phase: string) => ['initial', 'breakEven', 'trailing'].indexOf(phase === 'handedOver' ? 'trailing' : phase);
  const from = stopPhase(before);
  const to = stopPhase(after);
  if (from !== undefined && to !== undefined) expect(rank(to), where).toBeGreaterThanOrEqual(rank(from));
  // A hand-over places one native stop for the whole position at the trailing level.
  if (from === 'trailing' && to === 'handedOver') {
    expect(placed.map((intent) => [intent.role, intent.type, intent.quantity, intent.stopPrice]), where).toEqual([['stop', 'stop', after.context.quantity, after.context.stopPrice]]);
  }
}

describe('position chart, model-based', () => {
  it.each(['long', 'short'] as const)('%s: every event from every reachable state keeps the invariants', (direction) => {
    const logic = positionMachine as unknown as AnyStateMachine;
    const paths = getShortestPaths(logic, { input: inputFor(direction), events: eventsFrom, serializeState: (snapshot: Snapshot) => serialize(snapshot) } as never);
    expect(paths.length).toBeGreaterThan(20);
    const values = new Set(paths.map((path) => JSON.stringify((path.state as Snapshot).value)));
    // Every state of the chart: opening, open with each stop phase × each size phase, closing, closed.
    const expected = ['"opening"', '"closing"', '"closed"'];
    for (const stop of ['initial', 'breakEven', 'trailing', 'handedOver']) for (const size of ['base', 'scaled']) expected.push(JSON.stringify({ open: { stop, size } }));
    expect([...values].sort()).toEqual(expected.sort());
    for (const path of paths) for (const event of eventsFrom(path.state as Snapshot)) check(path.state as Snapshot, event);
  }, 120_000);

  it.each(['long', 'short'] as const)('%s netting plain orders (no plan, nothing working): fills only resize it, and nothing is sent', (direction) => {
    const [entry, exit] = direction === 'long' ? (['buy', 'sell'] as const) : (['sell', 'buy'] as const);
    const sent: string[] = [];
    const actor = createActor(
      positionMachine.provide({
        actions: {
          placeOrders: (_, intents) => sent.push(...intents.map((intent) => `place ${intent.clientOrderId}`)),
          amendOrder: (_, { orderId }) => void (orderId !== '' && sent.push(`amend ${orderId}`)),
          amendOrders: (_, amendments) => sent.push(...amendments.map(({ orderId }) => `amend ${orderId}`)),
          cancelOrders: (_, orderIds) => sent.push(...orderIds.map((orderId) => `cancel ${orderId}`)),
        },
      }),
      { input: { ...inputFor(direction), entryOrderId: undefined, plan: undefined, inputs: undefined } },
    ).start();
    actor.send(fill('o1', entry, '1', '100'));
    actor.send({ type: 'entryComplete' });
    expect(actor.getSnapshot().context.workingOrderIds).toEqual([]);
    // Each fill from here is walked through the invariant checks (and counted as walked).
    const steps = [fill('o2', entry, '0.5', '102'), fill('o3', exit, '0.5', '104'), fill('o4', exit, '1', '103')];
    for (const event of steps) {
      check(actor.getSnapshot(), event);
      actor.send(event);
    }
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().context.closedQuantity).toBe('1.5');
    expect(sent).toEqual([]);
  });

  it('walks every transition the chart declares', () => {
    const declared: string[] = [];
    const missed: string[] = [];
    const visit = (node: AnyStateMachine['root']) => {
      for (const [event, transitions] of node.transitions) {
        transitions.forEach((transition, index) => {
          declared.push(`${node.id} on ${event} #${index}`);
          if (!walked.has(transitionName(transition))) missed.push(`${node.id} on ${event} #${index}`);
        });
      }
      for (const child of Object.values(node.states)) visit(child);
    };
    visit(positionMachine.root);
    expect(declared.length).toBeGreaterThan(20);
    expect(missed).toEqual([]);
  });
});
