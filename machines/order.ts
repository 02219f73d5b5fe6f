// The order statechart: one actor per order, from validation to a terminal state. Pure: effects are named
// actions (submitToVenue, releaseToVenue, cancelAtVenue, amendAtVenue) that the engine provides.
import { and, assign, emit, not, setup } from 'xstate';
import type { DecimalString } from '../src/domain/decimal.ts';
import type { OrderEventDraft } from '../src/domain/events.ts';
import { applyFill, classifyFillDetailed, emptyFillTotals, remainingQuantity, type Fill, type FillClassification } from '../src/domain/fills.ts';
import { ORDER_TERM_FIELDS, TRIGGERED_ORDER_TYPES } from '../src/domain/order-request.ts';
import { releasedOrderType } from '../src/domain/triggers.ts';
import type { OrderAmendmentFields, OrderContext, OrderMachineEvent, OrderMachineInput, VenueFilledEvent, VenueStatusName } from './order/order-types.ts';

export {
  ORDER_MACHINE_VERSION,
  TERMINAL_ORDER_STATES,
  type OrderAmendmentFields,
  type OrderContext,
  type OrderMachineEvent,
  type OrderMachineInput,
  type OrderStateName,
  type VenueStatusEvent,
  type VenueStatusName,
} from './order/order-types.ts';

/**
 * A domain event draft: the order's identity plus `fields`. Built with Object.assign, not `{ ...a, b }`:
 * on Node 20's V8 a spread followed by more properties costs microseconds, and this runs on every event.
 */
function announce<T extends object>(context: OrderContext, fields: T) {
  return Object.assign({ orderId: context.clientOrderId, venue: context.venue, symbol: context.request.symbol }, fields);
}

/**
 * The classification of the fill being handled. A fill transition asks up to three guards and then applies the
 * fill: the answer for the same context and event is kept, so the decimals are parsed once per fill.
 */
let lastClassification: { context: OrderContext; event: Fill; result: FillClassification } | undefined;

function classification(context: OrderContext, event: Fill): FillClassification {
  const last = lastClassification;
  if (last !== undefined && last.context === context && last.event === event) return last.result;
  const result = classifyFillDetailed(context, event);
  lastClassification = { context, event, result };
  return result;
}

function amendmentOf(event: OrderAmendmentFields): OrderAmendmentFields {
  const amendment: { price?: DecimalString; quantity?: DecimalString; stopPrice?: DecimalString } = {};
  if (event.price !== undefined) amendment.price = event.price;
  if (event.quantity !== undefined) amendment.quantity = event.quantity;
  if (event.stopPrice !== undefined) amendment.stopPrice = event.stopPrice;
  return amendment;
}

export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderMachineEvent,
    input: {} as OrderMachineInput,
    emitted: {} as OrderEventDraft,
  },
  actions: {
    // Effects: named here, implemented by the engine (machine.provide), so the chart runs with no venue.
    submitToVenue: () => {},
    releaseToVenue: () => {},
    cancelAtVenue: () => {},
    amendAtVenue: (_, _params: OrderAmendmentFields) => {},

    recordDenial: assign({ reason: ({ event }) => (event.type === 'deny' ? event.reason : undefined) }),
    recordRejection: assign({
      reason: ({ event }) =>
        event.type === 'venue.rejected' ? event.reason : event.type === 'venue.status' ? (event.reason ?? 'rejected by the venue (found by status query)') : undefined,
    }),
    recordCancellation: assign({
      reason: ({ event }) =>
        event.type === 'venue.canceled'
          ? event.reason
          : event.type === 'cancel'
            ? 'canceled by client'
            : event.type === 'venue.status'
              ? (event.reason ?? 'canceled at the venue (found by status query)')
              : undefined,
    }),
    recordAcceptance: assign({
      venueOrderId: ({ context, event }) =>
        event.type === 'venue.accepted' || event.type === 'venue.status' ? (event.venueOrderId ?? context.venueOrderId) : context.venueOrderId,
    }),
    recordVenueTrigger: assign(({ context, event }) =>
      event.type === 'venue.triggered'
        ? { releasedAs: releasedOrderType(context.request.type), triggerPrice: event.triggerPrice ?? context.triggerPrice ?? context.stopPrice }
        : {},
    ),
    recordDeadlinePassed: assign({ deadlinePassed: true }),
    recordRelease: assign({ releasedAs: ({ context }) => releasedOrderType(context.request.type) }),
    // Assigners return only what changes: XState merges it into a copy of the context itself.
    recordTrailing: assign(({ event }) => (event.type === 'trailingAdvanced' ? { watermark: event.watermark, triggerPrice: event.triggerPrice } : {})),
    markCancelForExpiry: assign({ cancelForExpiry: true }),
    applyFill: assign(({ context, event }) => (event.type === 'venue.filled' ? applyFill(context, event, classification(context, event).filledAfter) : {})),
    holdAmendment: assign({ pendingAmendment: ({ event }) => (event.type === 'amend' ? amendmentOf(event) : undefined) }),
    applyAmendment: assign(({ context, event }) => {
      if (event.type !== 'venue.amended' && event.type !== 'amend') return {};
      const changes = event.type === 'amend' ? amendmentOf(event) : Object.assign({}, context.pendingAmendment, amendmentOf(event));
      const stopPrice = changes.stopPrice ?? context.stopPrice;
      return {
        price: changes.price ?? context.price,
        quantity: changes.quantity ?? context.quantity,
        stopPrice,
        // An emulated stop's trigger is its stop price; a trailing stop's trigger moves on its own.
        triggerPrice: context.emulated && context.request.type !== 'trailingStop' ? stopPrice : context.triggerPrice,
        pendingAmendment: undefined,
      };
    }),
    dropAmendment: assign({ pendingAmendment: undefined }),

    announceInitialized: emit(({ context }) => {
      const request = context.request;
      const fields: Record<string, unknown> = { type: 'OrderInitialized', orderType: request.type, parentId: request.parentId };
      // `type` names the event: the order's type goes as orderType.
      for (const field of ORDER_TERM_FIELDS) if (field !== 'type' && request[field] !== undefined) fields[field] = request[field];
      return announce(context, fields as Omit<Extract<OrderEventDraft, { type: 'OrderInitialized' }>, 'orderId' | 'venue' | 'symbol'>);
    }),
    announceDenied: emit(({ context }) => announce(context, { type: 'OrderDenied' as const, reason: context.reason ?? 'denied' })),
    announceEmulated: emit(({ context }) => announce(context, { type: 'OrderEmulated' as const, triggerPrice: context.triggerPrice })),
    announceSubmitted: emit(({ context }) => announce(context, {
      type: 'OrderSubmitted' as const,
      orderType: context.releasedAs ?? context.request.type,
      price: context.price,
    })),
    announceTriggered: emit(({ context, event }) => {
      const triggerPrice = context.triggerPrice ?? context.stopPrice ?? '0';
      return announce(context, {
        type: 'OrderTriggered' as const,
        triggerPrice,
        // A venue-held stop: the venue reports the level that fired, not the market price.
        marketPrice: event.type === 'trigger' ? event.marketPrice : triggerPrice,
        releasedAs: releasedOrderType(context.request.type),
        firedAt: event.type === 'venue.triggered' ? ('venue' as const) : ('engine' as const),
      });
    }),
    announceAccepted: emit(({ context }) => announce(context, { type: 'OrderAccepted' as const, venueOrderId: context.venueOrderId ?? '' })),
    announceRejected: emit(({ context }) => announce(context, { type: 'OrderRejected' as const, reason: context.reason ?? 'rejected' })),
    announcePendingCancel: emit(({ context }) => announce(context, { type: 'OrderPendingCancel' as const })),
    announceCancelRejected: emit(({ context, event }) => announce(context, {
      type: 'OrderCancelRejected' as const,
      reason: event.type === 'venue.cancelRejected' ? event.reason : event.type === 'venue.status' ? 'the venue still has the order working (status query): the cancel never reached it' : 'cancel rejected',
    })),
    announceCanceled: emit(({ context }) => announce(context, { type: 'OrderCanceled' as const, reason: context.reason ?? 'canceled' })),
    announceExpired: emit(({ context }) => announce(context, { type: 'OrderExpired' as const })),
    announcePendingUpdate: emit(({ context }) => announce(context, Object.assign({ type: 'OrderPendingUpdate' as const }, context.pendingAmendment))),
    announceUpdated: emit(({ context }) => announce(context, {
      type: 'OrderUpdated' as const,
      price: context.price,
      quantity: context.quantity,
      stopPrice: context.stopPrice,
      triggerPrice: context.triggerPrice,
    })),
    announceModifyRejected: emit(({ context, event }) => announce(context, {
      type: 'OrderModifyRejected' as const,
      reason: event.type === 'venue.amendRejected' ? event.reason : event.type === 'venue.status' ? 'the venue has the order unchanged (status query): the amendment never reached it' : 'amend rejected',
    })),
    announceFilled: emit(({ context, event }, params: { late: boolean }) => {
      const fill = event as VenueFilledEvent;
      return announce(context, {
        type: 'OrderFilled' as const,
        side: context.request.side,
        orderType: context.releasedAs ?? context.request.type,
        parentId: context.request.parentId,
        tradeId: fill.tradeId,
        fillQuantity: fill.quantity,
        fillPrice: fill.price,
        fee: fill.fee,
        feeCurrency: fill.feeCurrency,
        liquidity: fill.liquidity,
        filledQuantity: context.filledQuantity,
        remainingQuantity: context.filledQuantity === context.quantity ? '0' : remainingQuantity(context),
        averagePrice: context.averagePrice ?? fill.price,
        late: params.late,
      });
    }),
    announceFillRefused: emit(({ context, event }) => {
      const fill = event as VenueFilledEvent;
      return announce(context, {
        type: 'OrderFillRefused' as const,
        tradeId: fill.tradeId,
        fillQuantity: fill.quantity,
        reason: `fill of ${fill.quantity} would take the filled quantity past ${context.quantity} (already filled ${context.filledQuantity})`,
      });
    }),
  },
  guards: {
    isEmulated: ({ context }) => context.emulated,
    isTrailingStop: ({ context }) => context.request.type === 'trailingStop',
    isDuplicateFill: ({ context, event }) => event.type === 'venue.filled' && classification(context, event).outcome === 'duplicate',
    isUnacceptableFill: ({ context, event }) => {
      if (event.type !== 'venue.filled') return false;
      const outcome = classification(context, event).outcome;
      return outcome === 'overfill' || outcome === 'invalid';
    },
    completesOrder: ({ context, event }) => event.type === 'venue.filled' && classification(context, event).outcome === 'complete',
    hasFills: ({ context }) => context.filledQuantity !== '0',
    isAcknowledged: ({ context }) => context.venueOrderId !== undefined,
    wasReleased: ({ context }) => context.releasedAs !== undefined,
    isCancelForExpiry: ({ context }) => context.cancelForExpiry,
    isVenueHeldTrigger: ({ context }) => !context.emulated && TRIGGERED_ORDER_TYPES.includes(context.request.type),
    deadlinePassed: ({ context }) => context.deadlinePassed,
    // A cancel of the user's was refused after the deadline passed: the order is canceled again, for expiry.
    expiresAfterRefusedCancel: ({ context }) => context.deadlinePassed && !context.cancelForExpiry,
    venueSays: ({ event }, params: { status: VenueStatusName }) => event.type === 'venue.status' && event.status === params.status,
    venueSaysWorking: ({ event }) => event.type === 'venue.status' && (event.status === 'open' || event.status === 'partial'),
  },
}).createMachine({
  id: 'order',
  initial: 'pending',
  context: ({ input }) => Object.assign(emptyFillTotals(input.request.quantity), {
    clientOrderId: input.request.clientOrderId,
    venue: input.venue,
    request: input.request,
    emulated: input.emulated,
    price: input.request.price,
    stopPrice: input.request.stopPrice,
    triggerPrice: input.triggerPrice ?? input.request.stopPrice,
    watermark: input.watermark,
    createdAt: input.createdAt,
    cancelForExpiry: false,
    expireAt: input.request.expireAt,
    deadlinePassed: false,
  }),
  entry: 'announceInitialized',
  states: {
    pending: {
      on: {
        submit: [
          { guard: 'isEmulated', target: 'emulated', actions: 'announceEmulated' },
          // The event is announced (and journaled) before the order leaves for the venue.
          { target: 'submitted', actions: ['announceSubmitted', 'submitToVenue'] },
        ],
        adopt: { target: 'submitted', actions: 'announceSubmitted' },
        deny: { target: 'denied', actions: ['recordDenial', 'announceDenied'] },
        cancel: { target: 'canceled', actions: ['recordCancellation', 'announceCanceled'] },
      },
    },
    emulated: {
      on: {
        trigger: { target: 'triggered', actions: ['recordRelease', 'announceTriggered', 'announceSubmitted', 'releaseToVenue'] },
        adopt: { target: 'triggered', actions: ['recordRelease', 'announceTriggered', 'announceSubmitted'] },
        trailingAdvanced: { guard: 'isTrailingStop', actions: ['recordTrailing', 'announceUpdated'] },
        amend: { actions: ['applyAmendment', 'announceUpdated'] },
        cancel: { target: 'canceled', actions: ['recordCancellation', 'announceCanceled'] },
        deadlineReached: { target: 'expired', actions: 'announceExpired' },
      },
    },
    submitted: { on: awaitingAcknowledgement() },
    // A released emulated order waits for the venue's answer exactly as a submitted one does.
    triggered: { on: awaitingAcknowledgement() },
    open: { on: workingTransitions(false) },
    partial: { on: workingTransitions(true) },
    pendingCancel: {
      on: {
        'venue.canceled': [
          { guard: 'isCancelForExpiry', target: 'expired', actions: 'announceExpired' },
          { target: 'canceled', actions: ['recordCancellation', 'announceCanceled'] },
        ],
        'venue.cancelRejected': [
          { guard: 'expiresAfterRefusedCancel', actions: ['announceCancelRejected', 'markCancelForExpiry', 'announcePendingCancel', 'cancelAtVenue'] },
          ...returnFromCancel('announceCancelRejected'),
        ],
        'venue.filled': fillTransitions(undefined, true),
        'venue.expired': { target: 'expired', actions: 'announceExpired' },
        'venue.accepted': { actions: 'recordAcceptance' },
        'venue.rejected': { target: 'rejected', actions: ['recordRejection', 'announceRejected'] },
        'venue.amended': { actions: ['applyAmendment', 'announceUpdated'] },
        'venue.amendRejected': { actions: ['dropAmendment', 'announceModifyRejected'] },
        deadlineReached: { guard: not('isCancelForExpiry'), actions: 'recordDeadlinePassed' },
        // After a restart nothing may be in flight: the venue's answer to a status query settles it.
        'venue.status': [
          ...endFromStatus(),
          // Still working past its deadline: canceled again, for expiry.
          { guard: and(['venueSaysWorking', 'expiresAfterRefusedCancel']), actions: ['recordAcceptance', 'markCancelForExpiry', 'announcePendingCancel', 'cancelAtVenue'] },
          ...resumeFromStatus('recordAcceptance', 'announceCancelRejected'),
        ],
      },
    },
    pendingUpdate: {
      on: {
        'venue.amended': [expireOnceResolved('applyAmendment', 'announceUpdated'), ...returnFromUpdate('applyAmendment', 'announceUpdated')],
        'venue.amendRejected': [expireOnceResolved('dropAmendment', 'announceModifyRejected'), ...returnFromUpdate('dropAmendment', 'announceModifyRejected')],
        'venue.filled': fillTransitions(undefined, true),
        'venue.canceled': { target: 'canceled', actions: ['dropAmendment', 'recordCancellation', 'announceCanceled'] },
        'venue.expired': { target: 'expired', actions: ['dropAmendment', 'announceExpired'] },
        'venue.rejected': { target: 'rejected', actions: ['dropAmendment', 'recordRejection', 'announceRejected'] },
        deadlineReached: { actions: 'recordDeadlinePassed' },
        'venue.status': [
          ...endFromStatus('dropAmendment'),
          {
            guard: and(['venueSaysWorking', 'deadlinePassed']),
            target: 'pendingCancel',
            actions: ['dropAmendment', 'recordAcceptance', 'markCancelForExpiry', 'announcePendingCancel', 'cancelAtVenue'],
          },
          ...resumeFromStatus('dropAmendment', 'recordAcceptance', 'announceModifyRejected'),
        ],
        // The amendment's answer may still come back while the cancel is in flight; pendingCancel takes it.
        cancel: { target: 'pendingCancel', actions: ['announcePendingCancel', 'cancelAtVenue'] },
      },
    },
    filled: {
      on: {
        'venue.filled': [{ guard: 'isDuplicateFill' }, { actions: 'announceFillRefused' }],
      },
    },
    // A fill can cross a cancel on the wire: it is still a real trade, so it is applied.
    canceled: {
      on: { 'venue.filled': lateFillTransitions() },
    },
    expired: {
      on: { 'venue.filled': lateFillTransitions() },
    },
    rejected: {},
    denied: {},
  },
});

/**
 * Fills while working. `partialTarget` undefined keeps the current state (pendingCancel, pendingUpdate).
 * Before any fill (submitted, triggered, open) a duplicate cannot arise, so only states that can hold
 * fills check for one.
 */
function fillTransitions(partialTarget: 'partial' | undefined, canHoldFills: boolean) {
  const announce = { type: 'announceFilled' as const, params: { late: false } };
  return [
    ...(canHoldFills ? [{ guard: 'isDuplicateFill' as const }] : []),
    { guard: 'isUnacceptableFill' as const, actions: 'announceFillRefused' as const },
    { guard: 'completesOrder' as const, target: 'filled' as const, actions: ['applyFill' as const, announce] },
    { target: partialTarget, actions: ['applyFill' as const, announce] },
  ];
}

/** Fills after the order ended: duplicates ignored, overfills refused, a genuine late fill applied. */
function lateFillTransitions() {
  return [
    { guard: 'isDuplicateFill' as const },
    { guard: 'isUnacceptableFill' as const, actions: 'announceFillRefused' as const },
    {
      guard: 'completesOrder' as const,
      target: 'filled' as const,
      actions: ['applyFill' as const, { type: 'announceFilled' as const, params: { late: true } }],
    },
    { actions: ['applyFill' as const, { type: 'announceFilled' as const, params: { late: true } }] },
  ];
}

/** A refused cancel returns to where the order was, taking account of fills and acks that came meanwhile. */
function returnFromCancel<A extends string>(...actions: A[]) {
  return [
    { guard: 'hasFills' as const, target: 'partial' as const, actions },
    { guard: 'isAcknowledged' as const, target: 'open' as const, actions },
    { guard: 'wasReleased' as const, target: 'triggered' as const, actions },
    { target: 'submitted' as const, actions },
  ];
}

/** The deadline passed while the amendment was in flight: now that it is answered, the order is canceled for expiry. */
function expireOnceResolved<A extends string>(...actions: A[]) {
  return {
    guard: 'deadlinePassed' as const,
    target: 'pendingCancel' as const,
    actions: [...actions, 'markCancelForExpiry' as const, 'announcePendingCancel' as const, 'cancelAtVenue' as const],
  };
}

/** A status query says the order ended at the venue: it ends the same way here (the first entry: a cancel for expiry). */
function endFromStatus(...actions: 'dropAmendment'[]) {
  const says = (status: VenueStatusName) => ({ type: 'venueSays' as const, params: { status } });
  return [
    { guard: and([says('canceled'), 'isCancelForExpiry']), target: 'expired' as const, actions: [...actions, 'announceExpired' as const] },
    { guard: says('canceled'), target: 'canceled' as const, actions: [...actions, 'recordCancellation' as const, 'announceCanceled' as const] },
    { guard: says('expired'), target: 'expired' as const, actions: [...actions, 'announceExpired' as const] },
    { guard: says('rejected'), target: 'rejected' as const, actions: [...actions, 'recordRejection' as const, 'announceRejected' as const] },
  ];
}

/** A status query says the order is working at the venue: open, or partial once it holds fills. */
function resumeFromStatus<A extends string>(...actions: A[]) {
  return [
    { guard: and(['venueSaysWorking', 'hasFills']), target: 'partial' as const, actions },
    { guard: 'venueSaysWorking' as const, target: 'open' as const, actions },
  ];
}

/** An amendment is only sent for a working order, so its answer returns to open or partial. */
function returnFromUpdate<A extends string>(...actions: A[]) {
  return [
    { guard: 'hasFills' as const, target: 'partial' as const, actions },
    { target: 'open' as const, actions },
  ];
}

/** Sent and not yet acknowledged: the venue may accept, reject, fill, cancel or expire it. */
function awaitingAcknowledgement() {
  return {
    'venue.accepted': { target: 'open' as const, actions: ['recordAcceptance' as const, 'announceAccepted' as const] },
    'venue.rejected': { target: 'rejected' as const, actions: ['recordRejection' as const, 'announceRejected' as const] },
    'venue.filled': fillTransitions('partial', false),
    'venue.canceled': { target: 'canceled' as const, actions: ['recordCancellation' as const, 'announceCanceled' as const] },
    'venue.expired': { target: 'expired' as const, actions: 'announceExpired' as const },
    'venue.amended': { actions: ['applyAmendment' as const, 'announceUpdated' as const] },
    // Not yet acknowledged: no fills and no cancel for expiry can be held here, so the venue's state is taken as is.
    'venue.status': [...endFromStatus().slice(1), { guard: 'venueSaysWorking' as const, target: 'open' as const, actions: ['recordAcceptance' as const, 'announceAccepted' as const] }],
    cancel: { target: 'pendingCancel' as const, actions: ['announcePendingCancel' as const, 'cancelAtVenue' as const] },
    deadlineReached: {
      target: 'pendingCancel' as const,
      actions: ['markCancelForExpiry' as const, 'announcePendingCancel' as const, 'cancelAtVenue' as const],
    },
  };
}

function workingTransitions(canHoldFills: boolean) {
  return {
    'venue.filled': fillTransitions('partial', canHoldFills),
    'venue.canceled': { target: 'canceled' as const, actions: ['recordCancellation' as const, 'announceCanceled' as const] },
    'venue.expired': { target: 'expired' as const, actions: 'announceExpired' as const },
    'venue.accepted': { actions: 'recordAcceptance' as const },
    // A venue may reject an order it had acknowledged (a margin check, a risk limit): it ends as rejected.
    'venue.rejected': { target: 'rejected' as const, actions: ['recordRejection' as const, 'announceRejected' as const] },
    // An amendment the venue made on its own (a price band, a quantity cut) is applied and announced.
    'venue.amended': { actions: ['applyAmendment' as const, 'announceUpdated' as const] },
    'venue.triggered': { guard: 'isVenueHeldTrigger' as const, target: 'triggered' as const, actions: ['recordVenueTrigger' as const, 'announceTriggered' as const] },
    'venue.status': [...endFromStatus(), { guard: 'venueSaysWorking' as const, actions: 'recordAcceptance' as const }],
    cancel: { target: 'pendingCancel' as const, actions: ['announcePendingCancel' as const, 'cancelAtVenue' as const] },
    amend: {
      target: 'pendingUpdate' as const,
      actions: ['holdAmendment' as const, 'announcePendingUpdate' as const, { type: 'amendAtVenue' as const, params: ({ event }: { event: OrderMachineEvent }) => (event.type === 'amend' ? amendmentOf(event) : {}) }],
    },
    deadlineReached: {
      target: 'pendingCancel' as const,
      actions: ['markCancelForExpiry' as const, 'announcePendingCancel' as const, 'cancelAtVenue' as const],
    },
  };
}

export type OrderMachine = typeof orderMachine;
