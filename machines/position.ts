// The position statechart: opening -> open -> closing -> closed, and while open a stop plan (initial ->
// breakEven -> trailing) and a size (base -> scaled). Pure: the orders it needs are named effects
// (placeOrders, cancelOrders, amendOrder) that the engine sends through the portfolio's risk gate.
import { and, assign, emit, raise, setup } from 'xstate';
import { decimal, type DecimalString } from '../src/domain/decimal.ts';
import type { PositionChange, PositionEventDraft } from '../src/domain/events.ts';
import { applyPositionFill, flatPosition } from '../src/domain/position-accounting.ts';
import { changedEvent, closedEvent, openedEvent, withExitOrder, withFill, withHandedOverStop, withProtectiveOrders, withReplacedLostStop, withTrailingStop } from './position/context-updates.ts';
import { exitIntent, stopIntent, trailingStopIntent, type PositionOrderIntent } from '../src/domain/position-orders.ts';
import { legsAfterFill, ordersInTheWayOfExit, previousStopIds, protectiveIntents, protectiveLegsFor, stopResize } from './position/protective-legs.ts';
import {
  closeQuantity,
  exitEndedWithQuantityLeft,
  exitReasonOf,
  exitWorking,
  workingExits,
  isFill,
  planOutcome,
  sign,
  trailingActivationOf,
  without,
} from './position/position-rules.ts';
import type { PositionContext, PositionMachineEvent, PositionMachineInput } from './position/position-types.ts';

export type { PositionContext, PositionMachineEvent, PositionMachineInput, PositionMargin, PositionStateName } from './position/position-types.ts';
export { trailingActivationOf, workingExits };

export const POSITION_MACHINE_VERSION = 2;

/** Exits that may end in a row without closing the position and without a fill between them, before the position stops sending them and says so (exitFailed). */
export const MAX_FAILED_EXITS = 5;


export const positionMachine = setup({
  types: {
    context: {} as PositionContext,
    events: {} as PositionMachineEvent,
    input: {} as PositionMachineInput,
    emitted: {} as PositionEventDraft,
  },
  actions: {
    // Effects, provided by the engine: every order goes through the portfolio's gate.
    placeOrders: (_, _intents: readonly PositionOrderIntent[]) => {},
    cancelOrders: (_, _orderIds: readonly string[]) => {},
    amendOrder: (_, _params: { orderId: string; quantity?: DecimalString; stopPrice?: DecimalString; price?: DecimalString }) => {},
    amendOrders: (_, _params: readonly { orderId: string; quantity: DecimalString }[]) => {},

    applyFill: assign(({ context, event }) => withFill(context, event)),
    resolveProtection: assign(({ context }) => {
      const outcome = planOutcome(context);
      return 'protection' in outcome
        ? Object.assign({}, context, { protection: outcome.protection, stopPrice: outcome.protection.stopPrice })
        : context;
    }),
    // Fail closed: a position whose plan cannot be applied at the price it filled at is closed at once.
    recordPlanRejection: assign(({ context }) => {
      const outcome = planOutcome(context);
      return Object.assign({}, context, { planError: 'error' in outcome ? outcome.error : undefined, closeReason: 'planRejected' as const });
    }),
    recordProtectiveOrders: assign(({ context }) => withProtectiveOrders(context)),
    moveStopToBreakEven: assign(({ context }) => {
      const breakEven = context.protection?.breakEven;
      if (breakEven === undefined) return context;
      return Object.assign({}, context, { stopPrice: breakEven.stopPrice });
    }),
    startTrailing: assign(({ context }) => withTrailingStop(context)),
    recordHandOver: assign(({ context, event }) => withHandedOverStop(context, event)),
    recordStopMoved: assign({ stopPrice: ({ context, event }) => (event.type === 'stopMoved' ? event.stopPrice : context.stopPrice) }),
    recordStopUpdate: assign({ stopPrice: ({ context, event }) => (event.type === 'updateStop' ? event.stopPrice : context.stopPrice) }),
    recordOrderEnded: assign({
      workingOrderIds: ({ context, event }) => (event.type === 'orderEnded' ? without(context.workingOrderIds, event.orderId) : context.workingOrderIds),
    }),
    recordLostStop: assign(({ context }) => withReplacedLostStop(context)),
    recordExitOrder: assign(({ context, event }) => withExitOrder(context, event)),
    recordFailedExit: assign({ failedExits: ({ context }) => context.failedExits + 1 }),
    clearFailedExits: assign({ failedExits: 0 }),
    recordExitReason: assign(({ context, event }) => {
      if (!isFill(event)) return context;
      return Object.assign({}, context, { exitReason: event.type === 'liquidated' ? 'liquidation' as const : exitReasonOf(context, event.orderId) });
    }),
    recordFunding: assign({
      funding: ({ context, event }) => (event.type === 'funding' ? decimal(context.funding ?? '0').plus(event.amount).toFixed() : context.funding),
    }),
    recordNotOpened: assign({ exitReason: undefined }),
    recordCloseRequest: assign({ closeReason: ({ context, event }) => (event.type === 'close' ? event.reason : context.closeReason) }),
    announceOpened: emit(({ context }) => openedEvent(context)),
    announceChanged: emit(({ context }, params: { change: PositionChange }) => changedEvent(context, params.change)),
    announceClosed: emit(({ context }) => closedEvent(context)),
    signalSizeChanged: raise({ type: 'sizeChanged' }),
  },
  guards: {
    hasQuantity: ({ context }) => context.quantity !== '0',
    planCannotBeApplied: ({ context }) => 'error' in planOutcome(context),
    closeRequestedWithQuantity: ({ context }) => context.closeReason !== undefined && context.quantity !== '0',
    closesPosition: ({ context, event }) => isFill(event) && applyPositionFill(context, event).closed,
    isFilledExitEndWithQuantityLeft: ({ context, event }) => exitEndedWithQuantityLeft(context, event, true),
    isRetryableExitEnd: ({ context, event }) => exitEndedWithQuantityLeft(context, event, false) && context.failedExits < MAX_FAILED_EXITS - 1,
    isFailedExitEnd: ({ context, event }) => exitEndedWithQuantityLeft(context, event, false),
    awaitsExitRetry: ({ context }) => context.quantity !== '0' && context.failedExits < MAX_FAILED_EXITS && !exitWorking(context),
    // A second exit beside a working one could sell more than is held, and flip the position.
    canSendAnotherExit: ({ context }) => context.quantity !== '0' && !exitWorking(context),
    isExitWorking: ({ context }) => exitWorking(context),
    isStopOrderLost: ({ context, event }) =>
      event.type === 'orderEnded' && event.orderId === context.stopOrderId && event.status !== 'filled' && context.quantity !== '0',
    breakEvenTightens: ({ context }) => {
      const breakEven = context.protection?.breakEven;
      if (breakEven === undefined) return false;
      return context.stopPrice === undefined || sign(context, breakEven.stopPrice, context.stopPrice) > 0;
    },
    hasTrailingPlan: ({ context }) => context.protection?.trailing !== undefined,
    stopTightens: ({ context, event }) =>
      event.type === 'stopMoved' && (context.stopPrice === undefined || sign(context, event.stopPrice, context.stopPrice) > 0),
    isProtectiveStopPrice: ({ context, event }) => {
      // A trailing stop is the venue's (or the trigger index's) to move: a manual price would not reach it.
      if (event.type !== 'updateStop' || context.stopKind === 'trailing') return false;
      // A stop sits on the loss side of the last price the position knows (its entry when nothing better).
      const reference = context.lastExitPrice ?? context.averageEntryPrice;
      return reference === undefined || sign(context, event.stopPrice, reference) < 0;
    },
    isPartialClose: ({ context, event }) =>
      event.type === 'close' && event.quantity !== undefined && decimal(event.quantity).lt(decimal(context.quantity)),
  },
}).createMachine({
  id: 'position',
  initial: 'opening',
  context: ({ input }) =>
    Object.assign(flatPosition(), {
      positionId: input.positionId,
      venue: input.venue,
      symbol: input.symbol,
      direction: input.direction,
      createdAt: input.createdAt,
      plan: input.plan ?? {},
      inputs: input.inputs ?? {},
      tickSize: input.tickSize,
      lotSize: input.lotSize,
      feeRate: input.feeRate,
      entryOrderId: input.entryOrderId,
      margin: input.margin,
      takeProfitOrderIds: [],
      scaleInOrderIds: [],
      exitOrderIds: [],
      workingOrderIds: input.entryOrderId ? [input.entryOrderId] : [],
      stopKind: 'fixed' as const,
      serial: 0,
      failedExits: 0,
      entryNotional: '0',
      exitNotional: '0',
    }),
  states: {
    opening: {
      on: {
        fill: { actions: 'applyFill' },
        liquidated: [
          { guard: 'closesPosition', target: 'closed', actions: closeByLiquidation() },
          { actions: 'applyFill' },
        ],
        funding: { actions: 'recordFunding' },
        // Closing before the entry is done: the entry is canceled, and whatever it filled is closed at once.
        close: { actions: ['recordCloseRequest', { type: 'cancelOrders', params: ({ context }) => (context.entryOrderId ? [context.entryOrderId] : []) }] },
        entryComplete: [
          {
            guard: 'closeRequestedWithQuantity',
            target: 'closing',
            actions: [
              'recordExitOrder',
              'announceOpened',
              { type: 'placeOrders', params: ({ context }) => [exitIntent(context.positionId, context.direction, context.serial, context.quantity)] },
            ],
          },
          {
            guard: and(['hasQuantity', 'planCannotBeApplied']),
            target: 'closing',
            actions: [
              'recordPlanRejection',
              'recordExitOrder',
              'announceOpened',
              { type: 'placeOrders', params: ({ context }) => [exitIntent(context.positionId, context.direction, context.serial, context.quantity)] },
            ],
          },
          {
            guard: 'hasQuantity',
            target: 'open',
            actions: ['resolveProtection', 'recordProtectiveOrders', 'announceOpened', { type: 'placeOrders', params: ({ context }) => protectiveIntents(context) }],
          },
          { target: 'closed', actions: 'recordNotOpened' },
        ],
        orderEnded: { actions: 'recordOrderEnded' },
      },
    },
    open: {
      type: 'parallel',
      states: {
        stop: {
          initial: 'initial',
          states: {
            initial: {
              on: {
                breakEvenReached: {
                  guard: 'breakEvenTightens',
                  target: 'breakEven',
                  actions: [
                    'moveStopToBreakEven',
                    { type: 'amendOrder', params: ({ context }) => ({ orderId: context.stopOrderId ?? '', stopPrice: context.stopPrice }) },
                    { type: 'announceChanged', params: { change: 'breakEven' } },
                  ],
                },
                trailingActivated: { guard: 'hasTrailingPlan', target: 'trailing', actions: startTrailingActions() },
              },
            },
            breakEven: {
              on: { trailingActivated: { guard: 'hasTrailingPlan', target: 'trailing', actions: startTrailingActions() } },
            },
            trailing: {
              on: {
                // Only a tighter stop is recorded: a trailing stop follows the market in the position's favour only.
                stopMoved: { guard: 'stopTightens', actions: ['recordStopMoved', { type: 'announceChanged', params: { change: 'trailing' } }] },
                // The native stop is placed before the held one is canceled, in one turn: no tick can fire either
                // in between, and there is never a moment without a stop.
                handStopToVenue: {
                  guard: 'hasQuantity',
                  target: 'handedOver',
                  actions: [
                    'recordHandOver',
                    { type: 'placeOrders', params: ({ context }) => [stopIntent(context.positionId, context.direction, context.serial, context.quantity, context.stopPrice!)] },
                    { type: 'cancelOrders', params: ({ context }) => previousStopIds(context) },
                    { type: 'announceChanged', params: { change: 'stopHandedOver' } },
                  ],
                },
              },
            },
            // A native stop at the level trailing had reached stands in for it. A trailing stop would not move
            // before the market passes the best price it had seen; when it does (the engine watches for it from
            // its restart on: trailingActivationOf), trailing resumes here, as it starts from a fixed stop.
            handedOver: {
              on: { trailingActivated: { guard: 'hasTrailingPlan', target: 'trailing', actions: startTrailingActions() } },
            },
          },
        },
        size: {
          initial: 'base',
          states: {
            base: { on: { sizeChanged: 'scaled' } },
            scaled: {},
          },
        },
      },
      on: {
        // The venue's liquidation closes the position at its price; the venue cancels its orders there, and the
        // ones held here (emulated stops) are canceled with it. A partial liquidation resizes the stop.
        liquidated: [
          { guard: 'closesPosition', target: 'closed', actions: closeByLiquidation() },
          {
            actions: [
              'applyFill',
              { type: 'amendOrder', params: ({ context, event }) => stopResize(legsAfterFill(context, event)) },
              { type: 'announceChanged', params: { change: 'liquidation' } },
            ],
          },
        ],
        funding: { actions: ['recordFunding', { type: 'announceChanged', params: { change: 'funding' } }] },
        fill: [
          {
            guard: 'closesPosition',
            target: 'closed',
            actions: ['applyFill', 'recordExitReason', { type: 'cancelOrders', params: ({ context }) => context.workingOrderIds }, 'announceClosed'],
          },
          {
            actions: [
              'applyFill',
              // One-cancels-other covers size too: the stop and the working take-profits follow the new size.
              { type: 'amendOrder', params: ({ context, event }) => stopResize(legsAfterFill(context, event)) },
              { type: 'amendOrders', params: ({ context, event }) => legsAfterFill(context, event).amendTakeProfits },
              { type: 'cancelOrders', params: ({ context, event }) => legsAfterFill(context, event).cancelTakeProfits },
              { type: 'announceChanged', params: { change: 'size' } },
              'signalSizeChanged',
            ],
          },
        ],
        orderEnded: [
          // A stop the venue dropped (canceled, expired, rejected) while the position is open is put back.
          {
            guard: 'isStopOrderLost',
            actions: [
              'recordOrderEnded',
              'recordLostStop',
              { type: 'placeOrders', params: ({ context }) => (context.stopPrice ? [stopIntent(context.positionId, context.direction, context.serial, context.quantity, context.stopPrice)] : []) },
              { type: 'announceChanged', params: { change: 'stopReplaced' } },
            ],
          },
          { actions: 'recordOrderEnded' },
        ],
        // On a spot venue the take-profits hold the quantity the fired stop sells: they go first (one-cancels-other).
        stopTriggered: { actions: { type: 'cancelOrders', params: ({ context }) => ordersInTheWayOfExit(context) } },
        updateStop: {
          guard: 'isProtectiveStopPrice',
          actions: [
            'recordStopUpdate',
            { type: 'amendOrder', params: ({ context }) => ({ orderId: context.stopOrderId ?? '', stopPrice: context.stopPrice }) },
            { type: 'announceChanged', params: { change: 'stopUpdated' } },
          ],
        },
        updateTakeProfit: {
          actions: [
            // The nearest take-profit still working (earlier rungs may have filled).
            {
              type: 'amendOrder',
              params: ({ context, event }) => ({
                orderId: context.takeProfitOrderIds.find((orderId) => context.workingOrderIds.includes(orderId)) ?? '',
                price: event.type === 'updateTakeProfit' ? event.price : undefined,
              }),
            },
            { type: 'announceChanged', params: { change: 'takeProfitUpdated' } },
          ],
        },
        close: [
          // One exit at a time: a second beside a working one could sell more than is held and flip the position.
          // The engine refuses a partial close while an exit works; here it changes nothing.
          { guard: and(['isPartialClose', 'isExitWorking']) },
          // A partial close takes part of the size off; the stop is resized when the exit fills.
          {
            guard: 'isPartialClose',
            // The take-profits shrink first to what will be left: on a spot venue they hold the quantity the exit sells.
            actions: [
              'recordExitOrder',
              { type: 'amendOrders', params: ({ context, event }) => protectiveLegsFor(context, decimal(context.quantity).minus(closeQuantity(context, event)).toFixed()).amendTakeProfits },
              { type: 'cancelOrders', params: ({ context, event }) => protectiveLegsFor(context, decimal(context.quantity).minus(closeQuantity(context, event)).toFixed()).cancelTakeProfits },
              { type: 'placeOrders', params: ({ context, event }) => [exitIntent(context.positionId, context.direction, context.serial, closeQuantity(context, event))] },
            ],
          },
          // A full close while a partial exit works: that exit is canceled, and `closing` sends the rest once it
          // has ended (filled or not), as it does for any exit that leaves quantity behind.
          {
            guard: 'isExitWorking',
            target: 'closing',
            actions: ['recordCloseRequest', { type: 'cancelOrders', params: ({ context }) => [...ordersInTheWayOfExit(context), ...workingExits(context)] }],
          },
          {
            target: 'closing',
            // The stop stays until the exit fills: a failed close must not leave the position naked. Take-profits
            // (which hold the quantity on a spot venue) and scale-ins (which would add to it) go first.
            actions: [
              'recordExitOrder',
              { type: 'cancelOrders', params: ({ context }) => ordersInTheWayOfExit(context) },
              { type: 'placeOrders', params: ({ context }) => [exitIntent(context.positionId, context.direction, context.serial, context.quantity)] },
            ],
          },
        ],
      },
    },
    closing: {
      on: {
        liquidated: [
          { guard: 'closesPosition', target: 'closed', actions: closeByLiquidation() },
          { actions: ['applyFill', { type: 'announceChanged', params: { change: 'liquidation' } }] },
        ],
        funding: { actions: ['recordFunding', { type: 'announceChanged', params: { change: 'funding' } }] },
        fill: [
          {
            guard: 'closesPosition',
            target: 'closed',
            actions: ['applyFill', 'recordExitReason', { type: 'cancelOrders', params: ({ context }) => context.workingOrderIds }, 'announceClosed'],
          },
          { actions: ['applyFill', 'clearFailedExits', { type: 'announceChanged', params: { change: 'size' } }] },
        ],
        orderEnded: [
          // An exit that ended with quantity left (refused, or the book ran out under a market order) is sent
          // again at the next market data (the engine sends retryExit): a position never sits in `closing` with
          // nothing on its way to close it, and an empty book is not hit again before it has changed.
          {
            guard: 'isRetryableExitEnd',
            actions: ['recordOrderEnded', 'recordFailedExit', { type: 'announceChanged', params: { change: 'exitRetryPending' } }],
          },
          // A partial exit that filled before a full close could replace it: the rest goes the same way.
          { guard: 'isFilledExitEndWithQuantityLeft', actions: ['recordOrderEnded', { type: 'announceChanged', params: { change: 'exitRetryPending' } }] },
          // Too many in a row without a fill: stop sending and say so; a close request tries again.
          { guard: 'isFailedExitEnd', actions: ['recordOrderEnded', 'recordFailedExit', { type: 'announceChanged', params: { change: 'exitFailed' } }] },
          { actions: 'recordOrderEnded' },
        ],
        retryExit: {
          guard: 'awaitsExitRetry',
          actions: ['recordExitOrder', { type: 'placeOrders', params: ({ context }) => [exitIntent(context.positionId, context.direction, context.serial, context.quantity)] }],
        },
        // A close asked for again (by hand, or a signal) tries again with what is left.
        close: {
          guard: 'canSendAnotherExit',
          actions: ['clearFailedExits', 'recordExitOrder', { type: 'placeOrders', params: ({ context }) => [exitIntent(context.positionId, context.direction, context.serial, context.quantity)] }],
        },
      },
    },
    closed: {},
  },
});

/** A liquidation that leaves nothing: the position closes with reason `liquidation`, its working orders canceled. */
function closeByLiquidation() {
  return ['applyFill' as const, 'recordExitReason' as const, { type: 'cancelOrders' as const, params: ({ context }: { context: PositionContext }) => context.workingOrderIds }, 'announceClosed' as const];
}

function startTrailingActions() {
  return [
    'startTrailing' as const,
    {
      type: 'placeOrders' as const,
      params: ({ context }: { context: PositionContext }) => {
        const trailing = context.protection!.trailing!;
        return [trailingStopIntent(context.positionId, context.direction, context.serial, context.quantity, { ...trailing, activationPrice: trailingActivationOf(context)! })];
      },
    },
    // The replaced stop is canceled after the trailing one is placed: never a moment without a stop.
    { type: 'cancelOrders' as const, params: ({ context }: { context: PositionContext }) => previousStopIds(context) },
    { type: 'announceChanged' as const, params: { change: 'trailing' as const } },
  ];
}

export type PositionMachine = typeof positionMachine;
