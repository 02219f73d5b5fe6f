// The order-list statechart: OTO, OCO, OUO and brackets as one chart. A trigger (OTO's parent, a bracket's
// entry) releases the contingent legs on its fills; every fill then re-sizes the legs from the facts
// (src/domain/order-list.ts): OCO cancels the siblings, OUO and bracket exits shrink to what is still open,
// OTO legs and bracket exits grow with the trigger's fills. An OCO the venue holds itself leaves as one list:
// the venue cancels the other legs, so the chart only counts. Pure: orders are named effects the engine provides.
import { and, assign, emit, enqueueActions, setup } from 'xstate';
import { decimal, ZERO } from '../src/domain/decimal.ts';
import {
  addChild,
  applyChildFill,
  averageFillPrice,
  childOrderId,
  classifyChildFill,
  endChild,
  EMPTY_LEDGER,
  isApplicableChildEnd,
  isTradingDenial,
  resizeChild,
  workingChildren,
  workingQuantity,
  type ChildLedger,
} from '../src/domain/algo-children.ts';
import type { ParentEventDraft } from '../src/domain/algo-events.ts';
import { legDraft, legTargets, reconcileLegs, releaseDue, triggerFilled, type OrderListSpec, type OrderListState } from '../src/domain/order-list.ts';
import { MAX_CHILD_FAILURES, type AmendChildParams, type CancelChildParams, type ChildSubmission, type OrderListEvent } from './algos/algo-contract.ts';

export const ORDER_LIST_MACHINE_VERSION = 1;

export interface OrderListMachineInput {
  readonly spec: OrderListSpec;
  readonly createdAt: number;
  /** True when the venue holds the list itself (one command for all legs; it cancels the others on a fill). */
  readonly heldAtVenue?: boolean;
  /** Why the engine holds the list rather than the venue (the venue's capabilities or its refusal). */
  readonly heldByEngineBecause?: string;
}

export interface OrderListContext extends OrderListState {
  readonly createdAt: number;
  readonly childSequence: number;
  /** Leg children rejected or denied in a row with no fill between. */
  readonly failures: number;
  /** Set when the list stopped because its legs kept being refused: it ends `failed`, not `canceled`. */
  readonly gaveUp: boolean;
  readonly reason?: string;
  /** The venue holds the legs as one list: it cancels the others on a fill, and no leg is replaced or resized. */
  readonly heldAtVenue?: boolean;
  readonly heldByEngineBecause?: string;
}

function identity(context: OrderListContext) {
  return { parentId: context.spec.listId, symbol: context.spec.symbol, kind: context.spec.kind };
}

/** A named effect enqueued from a setup-level action (see machines/algos/algo-setup.ts). */
function effect(type: 'submitChild' | 'cancelChild' | 'amendChild', params: ChildSubmission | CancelChildParams | AmendChildParams): never {
  return { type, params } as never;
}

/** Adds children for drafts, with the next ids; returns the ledger, the new serial and the submissions. */
function withChildren(context: OrderListContext, drafts: readonly ReturnType<typeof legDraft>[], asVenueList = false) {
  let ledger: ChildLedger = context.ledger;
  let sequence = context.childSequence;
  const requested: Record<string, string> = Object.assign({}, context.requested);
  const submissions: ChildSubmission[] = [];
  const legIds = drafts.map((_, index) => childOrderId(context.spec.listId, context.childSequence + index + 1));
  const venueList = asVenueList ? { venueList: { listId: context.spec.listId, kind: 'oco' as const, legIds } } : {};
  for (const draft of drafts) {
    sequence += 1;
    const submission: ChildSubmission = Object.assign({}, draft, { childId: childOrderId(context.spec.listId, sequence), parentId: context.spec.listId, symbol: context.spec.symbol }, venueList);
    submissions.push(submission);
    requested[submission.childId] = submission.quantity;
    ledger = addChild(ledger, Object.assign({}, submission, { sequence, filledQuantity: '0', filledNotional: '0', tradeIds: [], status: 'working' as const }));
  }
  return { ledger, childSequence: sequence, requested, submissions };
}

/** A leg denied by the trading state is not retried: the list stops at once, its other legs canceled. */
const stopOnTradingDenial = { guard: 'isDeniedByTradingState' as const, target: 'canceling' as const, actions: ['recordEnd' as const, 'recordTradingDenial' as const] };

export const orderListMachine = setup({
  types: {
    context: {} as OrderListContext,
    events: {} as OrderListEvent,
    input: {} as OrderListMachineInput,
    emitted: {} as ParentEventDraft,
  },
  actions: {
    submitChild: (_, _params: ChildSubmission) => {},
    cancelChild: (_, _params: CancelChildParams) => {},
    amendChild: (_, _params: AmendChildParams) => {},

    /** Sends the trigger, or for lists without one every leg at its quantity. */
    submitInitialOrders: enqueueActions(({ context, enqueue }) => {
      const spec = context.spec;
      const drafts = spec.trigger !== undefined ? [legDraft(spec.trigger, decimal(spec.trigger.quantity!))] : spec.legs.map((leg) => legDraft(leg, decimal(leg.quantity!)));
      const added = withChildren(context, drafts, context.heldAtVenue === true);
      enqueue.assign({ ledger: added.ledger, childSequence: added.childSequence, requested: added.requested, released: spec.trigger === undefined });
      for (const submission of added.submissions) enqueue(effect('submitChild', submission));
    }),
    markReleased: assign({ released: true }),
    /** Submits, amends and cancels so each leg holds what the fills say; a new stop goes before an old one is canceled. */
    reconcile: enqueueActions(({ context, enqueue }) => {
      if (context.failures >= MAX_CHILD_FAILURES) return;
      const decision = reconcileLegs(context);
      if (context.heldAtVenue === true) {
        // The venue cancels the other legs itself: they are only marked, and no leg is replaced or resized.
        enqueue.assign({ cancelRequested: [...context.cancelRequested, ...decision.cancel] });
        return;
      }
      const added = withChildren(context, decision.submit);
      const requested = added.requested;
      for (const amendment of decision.amend) requested[amendment.childId] = amendment.quantity;
      enqueue.assign({ ledger: added.ledger, childSequence: added.childSequence, requested, cancelRequested: [...context.cancelRequested, ...decision.cancel] });
      for (const submission of added.submissions) enqueue(effect('submitChild', submission));
      for (const amendment of decision.amend) enqueue(effect('amendChild', amendment));
      for (const childId of decision.cancel) enqueue(effect('cancelChild', { childId }));
    }),
    cancelWorkingChildren: enqueueActions(({ context, enqueue }) => {
      const toCancel = workingChildren(context.ledger).filter((child) => !context.cancelRequested.includes(child.childId)).map((child) => child.childId);
      enqueue.assign({ cancelRequested: [...context.cancelRequested, ...toCancel] });
      // A venue's list is canceled whole by a cancel of any one leg: one command, not one per leg.
      const sent = context.heldAtVenue === true ? toCancel.slice(0, 1) : toCancel;
      for (const childId of sent) enqueue(effect('cancelChild', { childId }));
    }),
    recordFill: assign(({ context, event }) => {
      if (event.type !== 'child.filled' || classifyChildFill(context.ledger, event) !== 'accepted') return context;
      return Object.assign({}, context, { ledger: applyChildFill(context.ledger, event), failures: 0 });
    }),
    recordEnd: assign(({ context, event }) => {
      if (event.type !== 'child.ended' || !isApplicableChildEnd(context.ledger, event)) return context;
      const failed = event.status === 'rejected' || event.status === 'denied';
      // A venue's list ends with its legs: the first refusal's reason is the list's.
      const reason = context.heldAtVenue === true && failed && context.reason === undefined && event.reason !== undefined ? `${event.childId} ${event.status}: ${event.reason}` : context.reason;
      return Object.assign({}, context, { ledger: endChild(context.ledger, event), failures: failed ? context.failures + 1 : context.failures, reason });
    }),
    recordAmended: assign(({ context, event }) => {
      if (event.type !== 'child.amended' || context.ledger.children[event.childId]?.status !== 'working') return context;
      return Object.assign({}, context, { ledger: resizeChild(context.ledger, event.childId, event.quantity) });
    }),
    /**
     * A leg whose amendment was refused is replaced: marked for cancel here, so reconcile sends a new child of
     * the right size, and only then is the old one canceled (never a moment with less protection than before).
     */
    markLegForReplacement: assign(({ context, event }) => {
      if (event.type !== 'child.amendRejected') return context;
      const child = context.ledger.children[event.childId]!;
      return Object.assign({}, context, { requested: Object.assign({}, context.requested, { [child.childId]: child.quantity }), cancelRequested: [...context.cancelRequested, child.childId] });
    }),
    recordCancelReason: assign({ reason: ({ context, event }) => (event.type === 'cancel' ? event.reason ?? 'canceled by client' : context.reason) }),
    /** A leg the trading state denied (halted, or reducing and it adds exposure): the list stops, with why. */
    recordTradingDenial: assign(({ context, event }) =>
      event.type !== 'child.ended' ? context : Object.assign({}, context, { gaveUp: true, reason: `${event.childId} was denied: ${event.reason ?? `trading is ${event.deniedBy === 'halt' ? 'halted' : 'reducing only'}`}` }),
    ),
    recordVenueEnd: assign({ reason: ({ context }) => context.reason ?? 'the venue ended every leg of the list unfilled' }),
    recordFailure: assign({ gaveUp: true, reason: ({ context }) => `${context.failures} leg orders in a row were rejected or denied` }),

    announceStarted: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoStarted' as const, quantity: context.spec.trigger?.quantity ?? context.spec.legs[0]!.quantity ?? '0' })),
    announceProgress: emit(({ context, event }) => {
      const fill = event as Extract<OrderListEvent, { type: 'child.filled' }>;
      return Object.assign(identity(context), {
        type: 'AlgoProgressed' as const,
        childId: fill.childId,
        tradeId: fill.tradeId,
        fillQuantity: fill.quantity,
        fillPrice: fill.price,
        filledQuantity: context.ledger.filledQuantity,
        quantity: triggerFilled(context).toFixed(),
        averagePrice: averageFillPrice(context.ledger) ?? fill.price,
      });
    }),
    announceFillRefused: emit(({ context, event }) => {
      const fill = event as Extract<OrderListEvent, { type: 'child.filled' }>;
      return Object.assign(identity(context), { type: 'AlgoFillRefused' as const, childId: fill.childId, tradeId: fill.tradeId, reason: `fill of ${fill.quantity} is not one ${fill.childId} can have made for ${context.spec.listId}` });
    }),
    announceStopping: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoStopping' as const, reason: context.reason ?? 'canceled' })),
    announceEnded: emit(({ context }, params: { outcome: string }) =>
      Object.assign(identity(context), {
        type: 'AlgoEnded' as const,
        outcome: params.outcome,
        filledQuantity: context.ledger.filledQuantity,
        quantity: triggerFilled(context).toFixed(),
        averagePrice: averageFillPrice(context.ledger),
        reason: context.reason,
      }),
    ),
  },
  guards: {
    hasTrigger: ({ context }) => context.spec.trigger !== undefined,
    isAcceptedFill: ({ context, event }) => event.type === 'child.filled' && classifyChildFill(context.ledger, event) === 'accepted',
    isDuplicateFill: ({ context, event }) => event.type === 'child.filled' && classifyChildFill(context.ledger, event) === 'duplicate',
    isApplicableEnd: ({ context, event }) => event.type === 'child.ended' && isApplicableChildEnd(context.ledger, event),
    isDeniedByTradingState: ({ context, event }) => event.type === 'child.ended' && isTradingDenial(context.ledger, event),
    isReleaseDue: ({ context }) => releaseDue(context),
    nothingWorking: ({ context }) => workingChildren(context.ledger).length === 0 && workingQuantity(context.ledger).eq(ZERO),
    nothingToHold: ({ context }) => [...legTargets(context).values()].every((open) => open.eq(ZERO)),
    hasFailedTooOften: ({ context }) => context.failures >= MAX_CHILD_FAILURES,
    heldAtVenue: ({ context }) => context.heldAtVenue === true,
    nothingFilled: ({ context }) => decimal(context.ledger.filledQuantity).eq(ZERO),
    legWasRefused: ({ context }) => context.failures > 0,
    gaveUp: ({ context }) => context.gaveUp,
    isReplaceableChild: ({ context, event }) =>
      event.type === 'child.amendRejected' && context.ledger.children[event.childId]?.status === 'working' && !context.cancelRequested.includes(event.childId),
  },
}).createMachine({
  id: 'orderList',
  initial: 'pending',
  context: ({ input }) => ({
    spec: input.spec,
    createdAt: input.createdAt,
    heldAtVenue: input.heldAtVenue,
    heldByEngineBecause: input.heldByEngineBecause,
    ledger: EMPTY_LEDGER,
    childSequence: 0,
    requested: {},
    cancelRequested: [],
    released: false,
    failures: 0,
    gaveUp: false,
  }),
  states: {
    pending: {
      on: {
        start: [
          { guard: 'hasTrigger', target: 'awaitingRelease', actions: ['submitInitialOrders', 'announceStarted'] },
          { target: 'active', actions: ['submitInitialOrders', 'announceStarted'] },
        ],
        cancel: { target: 'canceled', actions: 'recordCancelReason' },
      },
    },
    // The trigger works; the contingent legs wait for its fills (the first, or all of them: per list).
    awaitingRelease: {
      always: [
        { guard: 'isReleaseDue', target: 'active', actions: ['markReleased', 'reconcile'] },
        // The trigger ended without a fill: there is nothing to protect or follow.
        { guard: 'nothingWorking', target: 'completed' },
      ],
      on: {
        'child.filled': listFillTransitions(),
        'child.ended': [stopOnTradingDenial, { guard: 'isApplicableEnd', actions: 'recordEnd' }],
        cancel: { target: 'canceling', actions: 'recordCancelReason' },
      },
    },
    active: {
      always: [
        { guard: 'hasFailedTooOften', target: 'canceling', actions: 'recordFailure' },
        // A venue's list is done when every leg has ended there, whatever the targets say.
        { guard: and(['heldAtVenue', 'nothingWorking', 'nothingFilled', 'legWasRefused']), target: 'failed' },
        { guard: and(['heldAtVenue', 'nothingWorking', 'nothingFilled']), target: 'canceled', actions: 'recordVenueEnd' },
        { guard: and(['heldAtVenue', 'nothingWorking']), target: 'completed' },
        { guard: and(['nothingWorking', 'nothingToHold']), target: 'completed' },
      ],
      on: {
        'child.filled': listFillTransitions('reconcile'),
        'child.ended': [stopOnTradingDenial, { guard: 'isApplicableEnd', actions: ['recordEnd', 'reconcile'] }],
        'child.amended': { actions: ['recordAmended', 'reconcile'] },
        'child.amendRejected': {
          guard: 'isReplaceableChild',
          actions: ['markLegForReplacement', 'reconcile', { type: 'cancelChild', params: ({ event }) => ({ childId: event.childId }) }],
        },
        cancel: { target: 'canceling', actions: 'recordCancelReason' },
      },
    },
    // Every working leg canceled, fills kept; the list ends once none can fill any more.
    canceling: {
      entry: ['cancelWorkingChildren', 'announceStopping'],
      always: [
        { guard: and(['nothingWorking', 'gaveUp']), target: 'failed' },
        { guard: 'nothingWorking', target: 'canceled' },
      ],
      on: {
        'child.filled': listFillTransitions(),
        'child.ended': { guard: 'isApplicableEnd', actions: 'recordEnd' },
        'child.amended': { actions: 'recordAmended' },
      },
    },
    completed: { entry: { type: 'announceEnded', params: { outcome: 'completed' } }, on: { 'child.filled': lateFillTransitions() } },
    canceled: { entry: { type: 'announceEnded', params: { outcome: 'canceled' } }, on: { 'child.filled': lateFillTransitions() } },
    failed: { entry: { type: 'announceEnded', params: { outcome: 'failed' } }, on: { 'child.filled': lateFillTransitions() } },
  },
});

function listFillTransitions(...then: 'reconcile'[]) {
  return [
    { guard: 'isDuplicateFill' as const },
    { guard: 'isAcceptedFill' as const, actions: ['recordFill' as const, 'announceProgress' as const, ...then] },
    { actions: 'announceFillRefused' as const },
  ];
}

/** Ended lists have nothing committed: a fill is a duplicate, or one the venue's own reports rule out. */
function lateFillTransitions() {
  return [{ guard: 'isDuplicateFill' as const }, { actions: 'announceFillRefused' as const }];
}

export type OrderListMachine = typeof orderListMachine;
