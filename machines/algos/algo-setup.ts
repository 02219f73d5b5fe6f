// The one setup every execution-algorithm chart is built from: context, the effects it names, the shared
// bookkeeping actions and guards, and the lifecycle states (paused, stopping, the terminal states) each chart
// places around its own `working` states. Pure: decisions come from src/domain/algo-plan.ts.
import { and, assign, emit, enqueueActions, setup } from 'xstate';
import { decimal, ZERO, type DecimalString } from '../../src/domain/decimal.ts';
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
  workingChildren,
  workingQuantity,
  type ChildLedger,
} from '../../src/domain/algo-children.ts';
import { amendmentIssue, needsChildrenSettled } from '../../src/domain/algo-amend.ts';
import type { ParentEventDraft } from '../../src/domain/algo-events.ts';
import type { AlgoSpec } from '../../src/domain/algo-params.ts';
import {
  chaseChildrenToReprice,
  chaseCrossPriceReached,
  childrenBeyondLimit,
  firstWake,
  isExhausted,
  isPastDeadline,
  planChaseRest,
  planIcebergRefill,
  planParticipation,
  planScheduledSlice,
  planSweep,
  type AlgoDecision,
  type AlgoMarketView,
  type AlgoState,
} from '../../src/domain/algo-plan.ts';
import type { SliceGrid } from '../../src/domain/algo-sizing.ts';
import { MAX_CHILD_FAILURES, type AlgoEvent, type AmendChildParams, type CancelChildParams, type ChildSubmission, type MarketEvent, type TradingDenial } from './algo-contract.ts';

/** Stored with every snapshot; bump when a chart or the context changes shape. */
export const ALGO_MACHINE_VERSION = 1;

export interface AlgoMachineInput {
  readonly spec: AlgoSpec;
  /** The instrument's tick, lot and minimum, validated with the spec (parseAlgoSpec). */
  readonly grid: SliceGrid;
  readonly createdAt: number;
  /** Seed of the size randomisation: the engine picks it once and it lives in context from then on. */
  readonly randomSeed: number;
  /** The book of the symbol when the algo is created, so its first decision sees the market. */
  readonly book?: { readonly bestBid?: DecimalString; readonly bestAsk?: DecimalString };
}

export type AlgoStopReason = 'canceled' | 'expired' | 'failed';

export interface AlgoContext extends AlgoState {
  readonly createdAt: number;
  /** Serial of the last child sent: the n of `{parentId}-E{n}`. */
  readonly childSequence: number;
  /** When the algo wants a timer.due next (absolute clock time), if it does. */
  readonly nextWakeAt?: number;
  /** Children rejected or denied in a row with no fill between. */
  readonly failures: number;
  /** A lower quantity waiting for the working children to end (see needsChildrenSettled). */
  readonly pendingQuantity?: DecimalString;
  readonly stopReason?: AlgoStopReason;
  readonly reason?: string;
  /**
   * Who paused it, while paused: the client, or the trading state (a halt, or reducing when its child would
   * add exposure), which resumes it when trading resumes.
   */
  readonly pausedBy?: PauseCause;
}

export type PauseCause = 'client' | TradingDenial;

export type PlannerName = 'scheduledSlice' | 'sweep' | 'participation' | 'icebergRefill' | 'chaseRest';

const PLANNERS: Record<PlannerName, (state: AlgoState, now: number) => AlgoDecision> = {
  scheduledSlice: planScheduledSlice,
  sweep: planSweep,
  participation: planParticipation,
  icebergRefill: planIcebergRefill,
  chaseRest: planChaseRest,
};

/**
 * A named effect enqueued from a setup-level action. XState resolves it by name against the implementations
 * (so machine.provide replaces it), but its types do not know the sibling names inside setup().
 */
function effect(type: 'submitChild' | 'cancelChild' | 'amendChild', params: ChildSubmission | CancelChildParams | AmendChildParams): never {
  return { type, params } as never;
}

function timeOf(event: AlgoEvent): number {
  return event.at;
}

/** The market view after a market event: the book it carries, and its volume counted when `countVolume`. */
function marketAfter(market: AlgoMarketView, event: MarketEvent, countVolume: boolean): AlgoMarketView {
  return {
    bestBid: event.bestBid ?? market.bestBid,
    bestAsk: event.bestAsk ?? market.bestAsk,
    observedVolume: countVolume && event.volume !== undefined ? decimal(market.observedVolume).plus(event.volume).toFixed() : market.observedVolume,
    volumeAtLastSlice: market.volumeAtLastSlice,
  };
}

/** The state a market event would leave, for guards that look at the new book before it is recorded. */
function withMarket(context: AlgoContext, event: AlgoEvent): AlgoContext {
  return event.type === 'market' ? Object.assign({}, context, { market: marketAfter(context.market, event, false) }) : context;
}

function identity(context: AlgoContext) {
  return { parentId: context.spec.parentId, symbol: context.spec.symbol, kind: context.spec.params.kind };
}

function ledgerAfterFill(context: AlgoContext, event: AlgoEvent): ChildLedger | undefined {
  if (event.type !== 'child.filled' || classifyChildFill(context.ledger, event) !== 'accepted') return undefined;
  return applyChildFill(context.ledger, event);
}

export const algoSetup = setup({
  types: {
    context: {} as AlgoContext,
    events: {} as AlgoEvent,
    input: {} as AlgoMachineInput,
    emitted: {} as ParentEventDraft,
  },
  actions: {
    // Effects: named here, implemented by the engine (machine.provide), so a chart runs with no venue.
    submitChild: (_, _params: ChildSubmission) => {},
    cancelChild: (_, _params: CancelChildParams) => {},
    amendChild: (_, _params: AmendChildParams) => {},

    /** Runs a planner and asks for what it decided: cancels first, then new children with the next ids. */
    plan: enqueueActions(({ context, event, enqueue }, params: { planner: PlannerName }) => {
      if (context.failures >= MAX_CHILD_FAILURES) return;
      const decision = PLANNERS[params.planner](context, timeOf(event));
      let ledger = context.ledger;
      let sequence = context.childSequence;
      const submissions: ChildSubmission[] = [];
      for (const draft of decision.submit) {
        sequence += 1;
        const submission: ChildSubmission = Object.assign({}, draft, { childId: childOrderId(context.spec.parentId, sequence), parentId: context.spec.parentId, symbol: context.spec.symbol });
        submissions.push(submission);
        ledger = addChild(ledger, Object.assign({}, submission, { sequence, filledQuantity: '0', filledNotional: '0', tradeIds: [], status: 'working' as const }));
      }
      enqueue.assign({
        ledger,
        childSequence: sequence,
        sliceIndex: decision.sliceIndex ?? context.sliceIndex,
        nextWakeAt: 'nextWakeAt' in decision ? decision.nextWakeAt : context.nextWakeAt,
        randomState: decision.randomState ?? context.randomState,
        market: decision.volumeAtLastSlice === undefined ? context.market : Object.assign({}, context.market, { volumeAtLastSlice: decision.volumeAtLastSlice }),
      });
      for (const childId of decision.cancel) enqueue(effect('cancelChild', { childId }));
      for (const submission of submissions) enqueue(effect('submitChild', submission));
    }),
    cancelWorkingChildren: enqueueActions(({ context, enqueue }) => {
      for (const child of workingChildren(context.ledger)) enqueue(effect('cancelChild', { childId: child.childId }));
    }),
    cancelRepricedChildren: enqueueActions(({ context, enqueue }) => {
      for (const childId of chaseChildrenToReprice(context)) enqueue(effect('cancelChild', { childId }));
    }),
    scheduleFirstWake: assign({ nextWakeAt: ({ context }) => firstWake(context) }),
    clearWake: assign({ nextWakeAt: undefined }),

    recordFill: assign(({ context, event }) => {
      const ledger = ledgerAfterFill(context, event);
      return ledger === undefined ? context : Object.assign({}, context, { ledger, failures: 0 });
    }),
    recordEnd: assign(({ context, event }) => {
      if (event.type !== 'child.ended' || !isApplicableChildEnd(context.ledger, event)) return context;
      // A denial by the trading state is not the child's fault: the algo pauses instead (isDeniedByTradingState).
      const failed = (event.status === 'rejected' || event.status === 'denied') && event.deniedBy === undefined;
      return Object.assign({}, context, { ledger: endChild(context.ledger, event), failures: failed ? context.failures + 1 : context.failures });
    }),
    recordMarket: assign(({ context, event }, params: { countVolume: boolean }) =>
      event.type === 'market' ? Object.assign({}, context, { market: marketAfter(context.market, event, params.countVolume) }) : context,
    ),
    /** A lower quantity applies once no child can fill any more of the old one. */
    settlePendingQuantity: assign(({ context }) => {
      if (context.pendingQuantity === undefined || workingQuantity(context.ledger).gt(ZERO)) return context;
      const filled = decimal(context.ledger.filledQuantity);
      const quantity = filled.gt(context.pendingQuantity) ? filled.toFixed() : context.pendingQuantity;
      return Object.assign({}, context, { quantity, pendingQuantity: undefined });
    }),
    applyAmendment: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'amend') return;
      const cancel = new Set<string>();
      let quantity = context.quantity;
      let pendingQuantity = context.pendingQuantity;
      if (event.quantity !== undefined) {
        if (needsChildrenSettled(event.quantity, context.ledger)) {
          pendingQuantity = event.quantity;
          for (const child of workingChildren(context.ledger)) cancel.add(child.childId);
        } else {
          quantity = event.quantity;
          pendingQuantity = undefined;
        }
      }
      if (event.limitPrice !== undefined) for (const childId of childrenBeyondLimit(context, event.limitPrice)) cancel.add(childId);
      enqueue.assign({ quantity, pendingQuantity, limitPrice: event.limitPrice ?? context.limitPrice });
      for (const childId of cancel) enqueue(effect('cancelChild', { childId }));
    }),
    recordStop: assign((_, params: { reason: AlgoStopReason }) => ({ stopReason: params.reason })),
    recordPause: assign((_, params: { by: PauseCause }) => ({ pausedBy: params.by })),
    recordTradingPause: assign({ pausedBy: ({ context, event }) => (event.type === 'child.ended' ? event.deniedBy : context.pausedBy) }),
    clearPause: assign({ pausedBy: undefined }),
    recordCancelReason: assign({ reason: ({ context, event }) => (event.type === 'cancel' ? event.reason ?? 'canceled by client' : context.reason) }),
    recordFailureReason: assign({ reason: ({ context }) => `${context.failures} children in a row were rejected or denied` }),

    announceStarted: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoStarted' as const, quantity: context.quantity, nextWakeAt: context.nextWakeAt })),
    announceProgress: emit(({ context, event }) => {
      const fill = event as Extract<AlgoEvent, { type: 'child.filled' }>;
      return Object.assign(identity(context), {
        type: 'AlgoProgressed' as const,
        childId: fill.childId,
        tradeId: fill.tradeId,
        fillQuantity: fill.quantity,
        fillPrice: fill.price,
        filledQuantity: context.ledger.filledQuantity,
        quantity: context.quantity,
        averagePrice: averageFillPrice(context.ledger) ?? fill.price,
      });
    }),
    announceFillRefused: emit(({ context, event }) => {
      const fill = event as Extract<AlgoEvent, { type: 'child.filled' }>;
      const outcome = classifyChildFill(context.ledger, fill);
      const reason =
        outcome === 'unknownChild'
          ? `${fill.childId} is not a child of ${context.spec.parentId}`
          : outcome === 'invalid'
            ? `fill of ${fill.quantity} at ${fill.price} is not a positive quantity and price`
            : `fill of ${fill.quantity} would take ${fill.childId} past what it committed at the venue`;
      return Object.assign(identity(context), { type: 'AlgoFillRefused' as const, childId: fill.childId, tradeId: fill.tradeId, reason });
    }),
    announcePaused: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoPaused' as const })),
    announceResumed: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoResumed' as const })),
    announceAmended: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoAmended' as const, quantity: context.quantity, limitPrice: context.limitPrice, pendingQuantity: context.pendingQuantity })),
    announceAmendRefused: emit(({ context, event }) =>
      Object.assign(identity(context), { type: 'AlgoAmendRefused' as const, reason: event.type === 'amend' ? amendmentIssue(event, context.ledger, context.grid) ?? 'refused' : 'refused' }),
    ),
    announceStopping: emit(({ context }) => Object.assign(identity(context), { type: 'AlgoStopping' as const, reason: context.stopReason ?? 'canceled' })),
    announceEnded: emit(({ context }, params: { outcome: string }) =>
      Object.assign(identity(context), {
        type: 'AlgoEnded' as const,
        outcome: params.outcome,
        filledQuantity: context.ledger.filledQuantity,
        quantity: context.quantity,
        averagePrice: averageFillPrice(context.ledger),
        reason: context.reason,
      }),
    ),
  },
  guards: {
    startsHalted: ({ event }) => event.type === 'start' && event.halted === true,
    isPausedByTrading: ({ context }) => context.pausedBy === 'halt' || context.pausedBy === 'reducing',
    isDeniedByTradingState: ({ context, event }) => event.type === 'child.ended' && isTradingDenial(context.ledger, event),
    isApplicableEndOfWork: ({ context, event }) => event.type === 'child.ended' && event.deniedBy === undefined && isApplicableChildEnd(context.ledger, event),
    isDue: ({ context, event }) => event.type === 'timer.due' && context.nextWakeAt !== undefined && event.at >= context.nextWakeAt,
    isAcceptedFill: ({ context, event }) => event.type === 'child.filled' && classifyChildFill(context.ledger, event) === 'accepted',
    isDuplicateFill: ({ context, event }) => event.type === 'child.filled' && classifyChildFill(context.ledger, event) === 'duplicate',
    isApplicableEnd: ({ context, event }) => event.type === 'child.ended' && isApplicableChildEnd(context.ledger, event),
    isExhausted: ({ context }) => isExhausted(context),
    isFilledCompletely: ({ context }) => decimal(context.ledger.filledQuantity).eq(context.quantity),
    hasFailedTooOften: ({ context }) => context.failures >= MAX_CHILD_FAILURES,
    nothingOutstanding: ({ context }) => workingQuantity(context.ledger).eq(ZERO),
    isAmendRefused: ({ context, event }) => event.type === 'amend' && amendmentIssue(event, context.ledger, context.grid) !== undefined,
    isPastDeadline: ({ context, event }) => isPastDeadline(context, timeOf(event)),
    stopsAtDeadline: ({ context }) => {
      const params = context.spec.params;
      return (params.kind === 'twap' || params.kind === 'vwap') && params.atDeadline === 'stop';
    },
    stoppedFor: ({ context }, params: { reason: AlgoStopReason }) => context.stopReason === params.reason,
    crossPriceReached: ({ context, event }) => chaseCrossPriceReached(withMarket(context, event)),
    marketMovedAway: ({ context, event }) => chaseChildrenToReprice(withMarket(context, event)).length > 0,
  },
});

/** The context a chart starts with. */
export function initialAlgoContext({ input }: { input: AlgoMachineInput }): AlgoContext {
  return {
    spec: input.spec,
    quantity: input.spec.quantity,
    limitPrice: input.spec.limitPrice,
    grid: input.grid,
    ledger: EMPTY_LEDGER,
    market: { bestBid: input.book?.bestBid, bestAsk: input.book?.bestAsk, observedVolume: '0', volumeAtLastSlice: '0' },
    sliceIndex: -1,
    randomState: input.randomSeed | 0,
    createdAt: input.createdAt,
    childSequence: 0,
    failures: 0,
  };
}

// ---- Transition tables shared by every chart: each chart lists them in its own state table. ----

export interface PlanAction {
  readonly type: 'plan';
  readonly params: { readonly planner: PlannerName };
}

/** The `plan` action running one planner. */
export function plan(planner: PlannerName): PlanAction {
  return { type: 'plan', params: { planner } };
}

/** Fills: a duplicate is ignored, a refused one announced, an accepted one recorded and announced. */
export function fillTransitions(...then: PlanAction[]) {
  return [
    { guard: 'isDuplicateFill' as const },
    { guard: 'isAcceptedFill' as const, actions: ['recordFill' as const, 'settlePendingQuantity' as const, 'announceProgress' as const, ...then] },
    { actions: 'announceFillRefused' as const },
  ];
}

/** A child's end: recorded when it names a working child; its unexecuted rest goes back to the parent. */
export function endTransitions(...then: PlanAction[]) {
  return [{ guard: 'isApplicableEnd' as const, actions: ['recordEnd' as const, 'settlePendingQuantity' as const, ...then] }];
}

/**
 * A child's end while working; one the trading state denied is left to `working` itself (pauseOnTradingDenial),
 * so a substate's own child.ended handler uses this too.
 */
export function workingEndTransitions(...then: PlanAction[]) {
  return [{ guard: 'isApplicableEndOfWork' as const, actions: ['recordEnd' as const, 'settlePendingQuantity' as const, ...then] }];
}

/** A child denied by the trading state pauses the algo, which goes on when trading is active again. */
const pauseOnTradingDenial = {
  guard: 'isDeniedByTradingState' as const,
  target: 'paused' as const,
  actions: ['recordEnd' as const, 'settlePendingQuantity' as const, 'recordTradingPause' as const],
};

const amendTransitions = [
  { guard: 'isAmendRefused' as const, actions: 'announceAmendRefused' as const },
  { actions: ['applyAmendment' as const, 'settlePendingQuantity' as const, 'announceAmended' as const] },
];

/** On `working` (sibling targets): done when nothing more can be sent, failed after too many refusals. */
export const finishedChecks = [
  { guard: 'isExhausted' as const, target: 'completed' as const },
  { guard: 'hasFailedTooOften' as const, target: 'stopping' as const, actions: [{ type: 'recordStop' as const, params: { reason: 'failed' as const } }, 'recordFailureReason' as const] },
];

export interface WorkingOptions {
  /** Planned after every accepted fill and every child's end (an iceberg refills). */
  readonly afterChild?: PlanAction;
  /** What market data does: recorded (with its volume counted) and then this planner, or nothing here at all
   * (the chart's substates take it). */
  readonly market?: PlanAction | 'recordOnly' | 'substates';
}

/** Events every `working` state takes the same way; a chart's substates take what `options` leaves to them. */
export function workingTransitions(options: WorkingOptions = {}) {
  const record = { type: 'recordMarket' as const, params: { countVolume: true } };
  const then = options.afterChild === undefined ? [] : [options.afterChild];
  const market = options.market ?? 'recordOnly';
  return {
    'child.filled': fillTransitions(...then),
    'child.ended': [pauseOnTradingDenial, ...workingEndTransitions(...then)],
    ...(market === 'substates' ? {} : { market: { actions: market === 'recordOnly' ? [record] : [record, market] } }),
    pause: { target: 'paused' as const, actions: pausedBy('client') },
    'trading.halted': { target: 'paused' as const, actions: pausedBy('halt') },
    amend: amendTransitions,
    cancel: { target: 'stopping' as const, actions: ['recordCancelReason' as const, { type: 'recordStop' as const, params: { reason: 'canceled' as const } }] },
  };
}

/**
 * The lifecycle states around `working`: pending, paused, stopping and the terminal states (`expired` only for
 * algos with a deadline).
 */
export function lifecycleStates(options: { readonly expires: boolean }) {
  const terminal = (outcome: string) => ({
    entry: ['clearWake' as const, { type: 'announceEnded' as const, params: { outcome } }],
    // Reached only when no child can fill any more (late fills were awaited in `stopping`), so a fill here is
    // a duplicate or one the venue's own reports rule out. A child filled in full may still report its end.
    on: {
      'child.filled': [{ guard: 'isDuplicateFill' as const }, { actions: 'announceFillRefused' as const }],
      'child.ended': endTransitions(),
    },
  });
  return {
    pending: {
      on: {
        start: [
          { guard: 'startsHalted' as const, target: 'paused' as const, actions: ['announceStarted' as const, pausedBy('halt')] },
          { target: 'working' as const, actions: 'announceStarted' as const },
        ],
        cancel: { target: 'canceled' as const, actions: 'recordCancelReason' as const },
      },
    },
    paused: {
      // Nothing works at the venue while paused; the schedule's clock times stay as they were.
      entry: ['cancelWorkingChildren' as const, 'announcePaused' as const],
      always: { guard: 'isExhausted' as const, target: 'completed' as const },
      on: {
        'child.filled': fillTransitions(),
        'child.ended': endTransitions(),
        market: { actions: { type: 'recordMarket' as const, params: { countVolume: false } } },
        resume: { target: 'working.history' as const, actions: ['clearPause' as const, 'announceResumed' as const] },
        'trading.resumed': { guard: 'isPausedByTrading' as const, target: 'working.history' as const, actions: ['clearPause' as const, 'announceResumed' as const] },
        // The client pausing what the halt paused: it stays paused when trading resumes.
        pause: { guard: 'isPausedByTrading' as const, actions: pausedBy('client') },
        amend: amendTransitions,
        cancel: { target: 'stopping' as const, actions: ['recordCancelReason' as const, { type: 'recordStop' as const, params: { reason: 'canceled' as const } }] },
      },
    },
    stopping: {
      // Children canceled, fills kept: the parent ends once none can fill any more.
      entry: ['clearWake' as const, 'cancelWorkingChildren' as const, 'announceStopping' as const],
      always: [
        { guard: 'isFilledCompletely' as const, target: 'completed' as const },
        { guard: stoppedFor('canceled'), target: 'canceled' as const },
        ...(options.expires ? [{ guard: stoppedFor('expired'), target: 'expired' as const }] : []),
        { guard: 'nothingOutstanding' as const, target: 'failed' as const },
      ],
      on: { 'child.filled': fillTransitions(), 'child.ended': endTransitions() },
    },
    completed: terminal('completed'),
    canceled: terminal('canceled'),
    ...(options.expires ? { expired: terminal('expired') } : {}),
    failed: terminal('failed'),
  };
}

function pausedBy(by: PauseCause) {
  return { type: 'recordPause' as const, params: { by } };
}

/** Nothing can fill any more and the stop was for `reason`. */
function stoppedFor(reason: AlgoStopReason) {
  return and(['nothingOutstanding' as const, { type: 'stoppedFor' as const, params: { reason } }]);
}

export type AlgoSetup = typeof algoSetup;
