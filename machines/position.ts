// The position statechart: opening -> open -> closing -> closed, and while open a stop plan (initial ->
// breakEven -> trailing) and a size (base -> scaled). Pure: the orders it needs are named effects
// (placeOrders, cancelOrders, amendOrder) that the engine sends through the portfolio's risk gate.
import { and, assign, emit, raise, setup } from 'xstate';
import type { DecimalString } from '../src/domain/decimal.ts';
import { decimal } from '../src/domain/decimal.ts';
import type { PositionChange, PositionEventDraft } from '../src/domain/events.ts';
import { nonLooseningActivation } from '../src/domain/triggers.ts';
import { applyPositionFill, flatPosition, type NetPosition, type PositionFill } from '../src/domain/position-accounting.ts';
import {
  exitIntent,
  positionOrderId,
  scaleInIntent,
  stopIntent,
  takeProfitIntent,
  trailingStopIntent,
  type PositionOrderIntent,
} from '../src/domain/position-orders.ts';
import type { ExitReason } from '../src/domain/exit-reason.ts';
import { validatePositionPlan } from '../src/risk/plan-validation.ts';
import { resizeTakeProfits, resolveProtection, type PlanInputs, type PositionPlan, type ResolvedProtection, type TakeProfitResize } from '../src/risk/protection.ts';

export const POSITION_MACHINE_VERSION = 2;

/** Exits that may end in a row without closing the position and without a fill between them, before the position stops sending them and says so (exitFailed). */
export const MAX_FAILED_EXITS = 5;

export interface PositionMachineInput {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly createdAt: number;
  readonly plan?: PositionPlan;
  readonly inputs?: PlanInputs;
  readonly tickSize: DecimalString;
  readonly lotSize: DecimalString;
  /** Fee rate a break-even stop must cover on entry and on exit. */
  readonly feeRate: DecimalString;
  /** The order that opens it; absent when a fill (a flip, a plain order) opened it. */
  readonly entryOrderId?: string;
  /** A margin position's leverage and the venue's maintenance margin rate: for its liquidation estimate. */
  readonly margin?: PositionMargin;
}

export interface PositionMargin {
  readonly leverage: DecimalString;
  readonly maintenanceMarginRate: DecimalString;
}

export interface PositionContext extends NetPosition {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly createdAt: number;
  readonly plan: PositionPlan;
  readonly inputs: PlanInputs;
  readonly tickSize: DecimalString;
  readonly lotSize: DecimalString;
  readonly feeRate: DecimalString;
  readonly entryOrderId?: string;
  readonly margin?: PositionMargin;
  readonly protection?: ResolvedProtection;
  /** The working protective stop (fixed or trailing) and its current price. */
  readonly stopOrderId?: string;
  readonly stopPrice?: DecimalString;
  readonly takeProfitOrderIds: readonly string[];
  readonly scaleInOrderIds: readonly string[];
  readonly exitOrderIds: readonly string[];
  /** Orders of this position still working. */
  readonly workingOrderIds: readonly string[];
  /** Whether the working stop is the initial fixed one (possibly moved to break-even) or a trailing stop. */
  readonly stopKind: 'fixed' | 'trailing';
  /** Serial for replacement stops and exits, so every clientOrderId is new. */
  readonly serial: number;
  /** Exits in a row that ended without closing the position and without a fill since: retries are bounded by it. */
  readonly failedExits: number;
  readonly closeReason?: ExitReason;
  readonly exitReason?: ExitReason;
  readonly openedAt?: number;
  readonly closedAt?: number;
  readonly lastExitPrice?: DecimalString;
  /** Sums of quantity x price over the opening and the closing parts of fills: the trade's average prices. */
  readonly entryNotional: DecimalString;
  readonly exitNotional: DecimalString;
  /** Why the plan could not be applied at the entry's fill, when it could not: the position is then closed at once. */
  readonly planError?: string;
  /** Perpetuals: funding received (+) and paid (−) while the position was held, in quote; part of its net PnL. */
  readonly funding?: DecimalString;
}

type FillEvent = { type: 'fill'; orderId: string; timestamp: number } & PositionFill;
/** The venue liquidated the position (or part of it): a closing trade of no order of ours, at the venue's price and fee. */
type LiquidatedEvent = { type: 'liquidated'; tradeId: string; timestamp: number } & PositionFill;

export type PositionMachineEvent =
  | FillEvent
  | LiquidatedEvent
  /** A funding payment on the position (perpetuals): positive received, negative paid. */
  | { type: 'funding'; amount: DecimalString; fundingId: string }
  /** The entry order ended (filled, canceled, expired, rejected or denied), or a fill-opened position is complete. */
  | { type: 'entryComplete' }
  | { type: 'orderEnded'; orderId: string; status: string }
  | { type: 'breakEvenReached'; marketPrice: DecimalString }
  | { type: 'trailingActivated'; marketPrice: DecimalString }
  | { type: 'stopMoved'; stopPrice: DecimalString }
  /**
   * The engine is about to stop: the trailing stop it holds goes to the venue as a native stop at `stopPrice`
   * (the trailing level). Trailing resumes here when the market passes the level it had reached (trailingActivated).
   */
  | { type: 'handStopToVenue'; stopPrice: DecimalString }
  /** Market data moved after an exit ended with quantity left: send the exit again. */
  | { type: 'retryExit' }
  /** The locally held stop fired and is about to be sent: what would hold the quantity it sells must go first. */
  | { type: 'stopTriggered' }
  | { type: 'updateStop'; stopPrice: DecimalString }
  | { type: 'updateTakeProfit'; price: DecimalString }
  | { type: 'close'; reason: ExitReason; quantity?: DecimalString }
  | { type: 'sizeChanged' };

export type PositionStateName = 'opening' | 'open' | 'closing' | 'closed';

/** Built with Object.assign: a spread followed by more properties is slow on Node 20 (see BENCHMARKS.md). */
function identity(context: PositionContext) {
  return { positionId: context.positionId, venue: context.venue, symbol: context.symbol };
}

function sign(context: PositionContext, a: DecimalString, b: DecimalString): number {
  // +1 when a is further in the position's favour than b.
  const comparison = decimal(a).cmp(decimal(b));
  return context.direction === 'long' ? comparison : -comparison;
}

function without(list: readonly string[], id: string): string[] {
  return list.filter((item) => item !== id);
}

/** A fill of one of our orders, or the venue's liquidation trade: both change the position the same way. */
function isFill(event: PositionMachineEvent): event is FillEvent | LiquidatedEvent {
  return event.type === 'fill' || event.type === 'liquidated';
}

/** The position's exit orders still working (at most one: see the `close` transitions). */
export function workingExits(context: PositionContext): string[] {
  return context.workingOrderIds.filter((id) => context.exitOrderIds.includes(id));
}

function exitWorking(context: PositionContext): boolean {
  return workingExits(context).length > 0;
}

/** An exit order ended while the position still holds something: filled (a partial exit), or not (`filled`: false). */
function exitEndedWithQuantityLeft(context: PositionContext, event: PositionMachineEvent, filled: boolean): boolean {
  return event.type === 'orderEnded' && context.exitOrderIds.includes(event.orderId) && (event.status === 'filled') === filled && context.quantity !== '0';
}

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

    applyFill: assign(({ context, event }) => {
      if (!isFill(event)) return context;
      const result = applyPositionFill(context, event);
      const opening = result.opening;
      const closing = result.closing;
      return Object.assign({}, context, result.position, {
        // The position keeps the direction it was opened with; flat is what its quantity says.
        direction: context.direction,
        openedAt: context.openedAt ?? event.timestamp,
        lastExitPrice: closing ? event.price : context.lastExitPrice,
        closedAt: result.closed ? event.timestamp : context.closedAt,
        entryNotional: opening ? decimal(context.entryNotional).plus(decimal(opening.quantity).times(opening.price)).toFixed() : context.entryNotional,
        exitNotional: closing ? decimal(context.exitNotional).plus(decimal(closing.quantity).times(closing.price)).toFixed() : context.exitNotional,
      });
    }),
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
    recordProtectiveOrders: assign(({ context }) => {
      const intents = protectiveIntents(context);
      const idsOf = (role: PositionOrderIntent['role']) => intents.filter((intent) => intent.role === role).map((intent) => intent.clientOrderId);
      return Object.assign({}, context, {
        stopOrderId: idsOf('stop')[0],
        serial: 1,
        takeProfitOrderIds: idsOf('takeProfit'),
        scaleInOrderIds: idsOf('scaleIn'),
        workingOrderIds: [...context.workingOrderIds, ...intents.map((intent) => intent.clientOrderId)],
      });
    }),
    moveStopToBreakEven: assign(({ context }) => {
      const breakEven = context.protection?.breakEven;
      if (breakEven === undefined) return context;
      return Object.assign({}, context, { stopPrice: breakEven.stopPrice });
    }),
    startTrailing: assign(({ context }) => {
      const trailing = context.protection?.trailing;
      if (trailing === undefined) return context;
      const serial = context.serial + 1;
      const stopOrderId = trailingStopIntent(context.positionId, context.direction, serial, '0', { activationPrice: '0' }).clientOrderId;
      // The replaced stop stays in the working list until its cancel is confirmed (orderEnded).
      return Object.assign({}, context, { serial, stopOrderId, stopKind: 'trailing' as const, workingOrderIds: [...context.workingOrderIds, stopOrderId] });
    }),
    recordHandOver: assign(({ context, event }) => {
      if (event.type !== 'handStopToVenue') return context;
      const serial = context.serial + 1;
      const stopOrderId = stopIntent(context.positionId, context.direction, serial, '0', '0').clientOrderId;
      const stopPrice = context.stopPrice === undefined ? event.stopPrice : maxInFavour(context, event.stopPrice, context.stopPrice);
      // The trailing stop stays in the working list until its (local) cancel is confirmed (orderEnded).
      return Object.assign({}, context, { serial, stopOrderId, stopPrice, workingOrderIds: [...context.workingOrderIds, stopOrderId] });
    }),
    recordStopMoved: assign({ stopPrice: ({ context, event }) => (event.type === 'stopMoved' ? event.stopPrice : context.stopPrice) }),
    recordStopUpdate: assign({ stopPrice: ({ context, event }) => (event.type === 'updateStop' ? event.stopPrice : context.stopPrice) }),
    recordOrderEnded: assign({
      workingOrderIds: ({ context, event }) => (event.type === 'orderEnded' ? without(context.workingOrderIds, event.orderId) : context.workingOrderIds),
    }),
    recordLostStop: assign(({ context }) => {
      const serial = context.serial + 1;
      const stopOrderId = stopIntent(context.positionId, context.direction, serial, '0', '0').clientOrderId;
      return Object.assign({}, context, { serial, stopOrderId, workingOrderIds: [...without(context.workingOrderIds, context.stopOrderId ?? ''), stopOrderId] });
    }),
    recordExitOrder: assign(({ context, event }) => {
      const serial = context.serial + 1;
      const exitOrderId = exitIntent(context.positionId, context.direction, serial, '0').clientOrderId;
      return Object.assign({}, context, {
        serial,
        closeReason: event.type === 'close' ? event.reason : context.closeReason,
        exitOrderIds: [...context.exitOrderIds, exitOrderId],
        workingOrderIds: [...context.workingOrderIds, exitOrderId],
      });
    }),
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
    announceOpened: emit(({ context }) =>
      Object.assign(identity(context), {
        type: 'PositionOpened' as const,
        direction: context.direction,
        quantity: context.quantity,
        averageEntryPrice: context.averageEntryPrice ?? '0',
        stopPrice: context.stopPrice,
        takeProfitPrices: (context.protection?.takeProfits ?? []).map((rung) => rung.price),
        planError: context.planError,
      }),
    ),
    announceChanged: emit(({ context }, params: { change: PositionChange }) =>
      Object.assign(identity(context), {
        type: 'PositionChanged' as const,
        change: params.change,
        direction: context.direction,
        quantity: context.quantity,
        averageEntryPrice: context.averageEntryPrice ?? '0',
        realizedPnl: context.realizedPnl,
        fees: context.fees,
        ...(context.funding !== undefined ? { funding: context.funding } : {}),
        stopPrice: context.stopPrice,
      }),
    ),
    announceClosed: emit(({ context }) =>
      Object.assign(identity(context), {
        type: 'PositionClosed' as const,
        direction: context.direction,
        closedQuantity: context.closedQuantity,
        realizedPnl: context.realizedPnl,
        fees: context.fees,
        ...(context.funding !== undefined ? { funding: context.funding } : {}),
        exitReason: context.exitReason ?? 'manual',
      }),
    ),
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
              { type: 'amendOrder', params: ({ context }) => ({ orderId: context.stopOrderId ?? '', quantity: context.quantity }) },
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
              { type: 'amendOrder', params: ({ context }) => ({ orderId: context.stopOrderId ?? '', quantity: context.quantity }) },
              // One-cancels-other covers size too: the working take-profits follow the new size.
              { type: 'amendOrders', params: ({ context, event }) => takeProfitResize(context, event).amend },
              { type: 'cancelOrders', params: ({ context, event }) => takeProfitResize(context, event).cancel },
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
              { type: 'amendOrders', params: ({ context, event }) => takeProfitsFor(context, decimal(context.quantity).minus(closeQuantity(context, event)).toFixed()).amend },
              { type: 'cancelOrders', params: ({ context, event }) => takeProfitsFor(context, decimal(context.quantity).minus(closeQuantity(context, event)).toFixed()).cancel },
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

/**
 * The plan resolved at the position's average entry, or every reason it cannot be: the plan is checked whole
 * (validatePositionPlan) at the actual fill price, then resolved with the real fees.
 */
function planOutcome(context: PositionContext): { protection: ResolvedProtection } | { error: string } {
  const entryPrice = context.averageEntryPrice;
  if (entryPrice === undefined) return { error: 'the position has no entry price to apply its plan at' };
  const grid = { tickSize: decimal(context.tickSize), lotSize: decimal(context.lotSize) };
  const problems = validatePositionPlan(context.plan, context.inputs, { direction: context.direction, referenceEntryPrice: entryPrice, instrument: grid, quantity: context.quantity });
  if (problems.length > 0) return { error: problems.join('; ') };
  try {
    const protection = resolveProtection({
      plan: context.plan,
      inputs: context.inputs,
      side: context.direction === 'long' ? 'buy' : 'sell',
      entryPrice,
      quantity: context.quantity,
      grid,
      fees: { kind: 'rate', entryRate: decimal(context.feeRate), exitRate: decimal(context.feeRate) },
    });
    return { protection };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Where a trailing stop that replaces the current stop activates: the plan's activation price, or later, where
 * its trigger first reaches the current stop, so the swap never loosens the stop. The engine watches this price
 * for a position whose stop is not trailing yet.
 */
export function trailingActivationOf(context: PositionContext): DecimalString | undefined {
  const trailing = context.protection?.trailing;
  if (trailing === undefined) return undefined;
  if (context.stopPrice === undefined) return trailing.activationPrice;
  return maxInFavour(context, trailing.activationPrice, nonLooseningActivation(context.direction === 'long' ? 'sell' : 'buy', context.stopPrice, trailing, decimal(context.tickSize)));
}

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

/**
 * When a fill other than a take-profit's changes the size, the working take-profits are resized to take off
 * the same share of it (a take-profit fill leaves the rest as planned). Rungs left with nothing are canceled,
 * so they can never flip the position.
 */
function takeProfitResize(context: PositionContext, event: PositionMachineEvent): TakeProfitResize {
  if (event.type !== 'fill' || context.takeProfitOrderIds.includes(event.orderId)) return { amend: [], cancel: [] };
  return takeProfitsFor(context, context.quantity);
}

/** The working take-profits resized for a position of `quantity`. */
function takeProfitsFor(context: PositionContext, quantity: DecimalString): TakeProfitResize {
  if (context.protection === undefined) return { amend: [], cancel: [] };
  return resizeTakeProfits({
    planned: context.protection.takeProfits.map((rung, index) => ({ orderId: positionOrderId(context.positionId, 'takeProfit', index + 1), quantity: rung.quantity })),
    working: context.workingOrderIds,
    plannedQuantity: context.protection.quantity,
    positionQuantity: quantity,
    lotSize: context.lotSize,
  });
}

/** Working orders that would sell (or buy back) the same quantity as an exit, or add to a closing position. */
function ordersInTheWayOfExit(context: PositionContext): string[] {
  return context.workingOrderIds.filter((id) => context.takeProfitOrderIds.includes(id) || context.scaleInOrderIds.includes(id));
}

function closeQuantity(context: PositionContext, event: PositionMachineEvent): DecimalString {
  return event.type === 'close' && event.quantity !== undefined ? event.quantity : context.quantity;
}

function maxInFavour(context: PositionContext, a: DecimalString, b: DecimalString): DecimalString {
  return sign(context, a, b) >= 0 ? a : b;
}

/** Stop orders of this position other than the current one that are still working. */
function previousStopIds(context: PositionContext): string[] {
  const prefix = `${context.positionId}.sl`;
  return context.workingOrderIds.filter((id) => id.startsWith(prefix) && id !== context.stopOrderId);
}

function protectiveIntents(context: PositionContext): PositionOrderIntent[] {
  const protection = context.protection;
  if (protection === undefined) return [];
  const intents: PositionOrderIntent[] = [];
  if (protection.stopPrice !== undefined) intents.push(stopIntent(context.positionId, context.direction, 1, context.quantity, protection.stopPrice));
  protection.takeProfits.forEach((rung, index) => intents.push(takeProfitIntent(context.positionId, context.direction, index + 1, rung.quantity, rung.price)));
  protection.scaleIns.forEach((level, index) => intents.push(scaleInIntent(context.positionId, context.direction, index + 1, level.quantity, level.price)));
  return intents;
}

function exitReasonOf(context: PositionContext, orderId: string): ExitReason {
  if (orderId === context.stopOrderId) return context.stopKind === 'trailing' ? 'trailing' : 'stop';
  if (orderId.startsWith(`${context.positionId}.sl`)) return 'stop';
  if (context.takeProfitOrderIds.includes(orderId)) return 'takeProfit';
  if (context.exitOrderIds.includes(orderId)) return context.closeReason ?? 'manual';
  return 'manual';
}

export type PositionMachine = typeof positionMachine;
