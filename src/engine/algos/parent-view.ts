// Read models of execution algorithms and order lists for the API, the CLI and the inspector: progress
// (filled / target, average price), the schedule (next wake, end time) and each child with its order's state.
import type { AlgoContext } from '../../../machines/algos/algo-setup.ts';
import type { OrderListContext } from '../../../machines/order-list.ts';
import { averageFillPrice, outstandingQuantity, workingQuantity, type ChildLedger } from '../../domain/algo-children.ts';
import { sliceCount, type AlgoKind, type AlgoParams } from '../../domain/algo-params.ts';
import { deadline } from '../../domain/algo-schedule.ts';
import { decimal, ZERO, type DecimalString } from '../../domain/decimal.ts';
import { bracketPosition, legTargets, triggerFilled, type OrderListKind } from '../../domain/order-list.ts';
import type { OrderSide, OrderType } from '../../domain/order-request.ts';

/** The lifecycle state of an algorithm, as its chart names it at the top level. */
export type AlgoStatus = 'pending' | 'working' | 'paused' | 'stopping' | 'completed' | 'canceled' | 'expired' | 'failed';
/** The lifecycle state of an order list, as its chart names it. */
export type OrderListStatus = 'pending' | 'awaitingRelease' | 'active' | 'canceling' | 'completed' | 'canceled' | 'failed';

const FINISHED: ReadonlySet<string> = new Set(['completed', 'canceled', 'expired', 'failed']);

/** True when a parent's state is terminal: nothing more is sent for it. */
export function isFinishedParentState(value: unknown): boolean {
  return typeof value === 'string' && FINISHED.has(value);
}

/**
 * One child order of an algorithm or order list (`{parentId}-E{n}`). The children still in play (working, or
 * ended with fills on their way) and the most recently settled ones (up to 64) are listed; older ones are
 * counted in `childrenSettled` and found with listOrders({ parentId }).
 */
export interface ParentChildView {
  readonly childId: string;
  /** What the child is for: slice, sweep, chase (algos); entry, takeProfit, stopLoss, parent, leg1... (lists). */
  readonly role?: string;
  readonly side?: OrderSide;
  readonly type?: OrderType;
  /** The quantity the parent asked of it (its total, fills included). */
  readonly quantity?: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  /** What the parent counted of its fills. */
  readonly filledQuantity?: DecimalString;
  /** `working` while it may still fill for the parent, `settled` once it cannot. */
  readonly standing: 'working' | 'ended' | 'settled';
  /** The child order's own state (open, partial, filled, canceled...), when the engine still knows it. */
  readonly orderStatus?: string;
}

interface ParentViewCommon {
  readonly venue: string;
  readonly symbol: string;
  /** The full state path of the chart, e.g. `working.slicing`, for the inspector. */
  readonly state: string;
  /** False once the parent reached a terminal state. */
  readonly live: boolean;
  readonly createdAt: number;
  readonly filledQuantity: DecimalString;
  /** Volume-weighted average price of every child fill; absent before the first. */
  readonly averagePrice?: DecimalString;
  /** Quantity the working children may still fill. */
  readonly workingQuantity: DecimalString;
  readonly children: readonly ParentChildView[];
  /** Children sent so far (the n of the last `{parentId}-E{n}`). */
  readonly childrenSent: number;
  /** Children that ended with nothing more to come. */
  readonly childrenSettled: number;
  /** Why it stopped (canceled, failed), when it did. */
  readonly reason?: string;
}

/** An execution algorithm as the API, CLI and inspector show it. */
export interface AlgoView extends ParentViewCommon {
  readonly algoId: string;
  readonly kind: AlgoKind;
  readonly side: OrderSide;
  readonly status: AlgoStatus;
  /** While paused: who paused it, the client or a trading halt (which resumes it when trading resumes). */
  readonly pausedBy?: 'client' | 'halt';
  /** The target quantity now (an amendment changes it). */
  readonly quantity: DecimalString;
  /** quantity - filledQuantity. */
  readonly remainingQuantity: DecimalString;
  /** filledQuantity / quantity, from 0 to 1. */
  readonly progress: DecimalString;
  readonly limitPrice?: DecimalString;
  /** A lower quantity waiting for the working children to end. */
  readonly pendingQuantity?: DecimalString;
  /** The algorithm's parameters as given (absolute clock times). */
  readonly params: AlgoParams;
  readonly schedule: {
    /** When the algo next wakes (a slice, the cross of a chase, the deadline); absent when it waits on market data. */
    readonly nextWakeAt?: number;
    readonly startAt?: number;
    /** The deadline of a TWAP or VWAP. */
    readonly endAt?: number;
    readonly intervalMs?: number;
    /** Scheduled slices sent so far and planned in all (TWAP, VWAP). */
    readonly slicesSent?: number;
    readonly slicesPlanned?: number;
  };
  /** Children rejected or denied in a row with no fill between (the algo fails at 5). */
  readonly failures: number;
}

/** One leg of an order list: what it should hold open now (from the fills) and what it filled. */
export interface OrderListLegView {
  readonly role: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  /** Fixed for OCO/OUO legs and triggers; contingent legs are sized from the trigger's fills. */
  readonly quantity?: DecimalString;
  readonly filledQuantity: DecimalString;
  /** What the leg should have open now; absent before the legs are released. */
  readonly openTarget?: DecimalString;
  readonly trigger: boolean;
}

/** An order list (OTO, OCO, OUO, bracket) as the API, CLI and inspector show it. */
export interface OrderListView extends ParentViewCommon {
  readonly listId: string;
  readonly kind: OrderListKind;
  readonly status: OrderListStatus;
  /** True once the contingent legs were released (at once for lists without a trigger). */
  readonly released: boolean;
  /** The trigger's (OTO parent's, bracket entry's) filled quantity. */
  readonly triggerFilledQuantity: DecimalString;
  /** A bracket's position: entry filled less exits filled. */
  readonly position?: DecimalString;
  readonly release: 'firstFill' | 'completeFill';
  readonly legs: readonly OrderListLegView[];
  /** Who holds the list: the venue (its legs sent as one list; it cancels the others) or the engine. */
  readonly heldBy: 'venue' | 'engine';
  /** Why the engine holds it (the venue's capabilities or its refusal of this shape). */
  readonly heldByEngineBecause?: string;
}

export interface ChildLookup {
  /** The child order's state, when the engine still knows the order. */
  orderStatus(childId: string): string | undefined;
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${stateName(inner)}`;
}

function topState(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as Record<string, unknown>)[0]!;
}

function childrenOf(ledger: ChildLedger, lookup: ChildLookup): ParentChildView[] {
  const children: ParentChildView[] = [];
  for (const settled of ledger.recentlySettled) {
    children.push({ childId: settled.childId, standing: 'settled', orderStatus: lookup.orderStatus(settled.childId) });
  }
  for (const id of ledger.openIds) {
    const child = ledger.children[id]!;
    children.push({
      childId: id, role: child.role, side: child.side, type: child.type, quantity: child.quantity, price: child.price, stopPrice: child.stopPrice,
      filledQuantity: child.filledQuantity, standing: child.status === 'working' ? 'working' : 'ended', orderStatus: lookup.orderStatus(id),
    });
  }
  return children;
}

function common(venue: string, symbol: string, value: unknown, ledger: ChildLedger, childSequence: number, createdAt: number, reason: string | undefined, lookup: ChildLookup) {
  return {
    venue, symbol, state: stateName(value), live: !isFinishedParentState(value), createdAt,
    filledQuantity: ledger.filledQuantity, averagePrice: averageFillPrice(ledger), workingQuantity: workingQuantity(ledger).toFixed(),
    children: childrenOf(ledger, lookup), childrenSent: childSequence, childrenSettled: ledger.settledCount, reason,
  };
}

export function algoView(venue: string, value: unknown, context: AlgoContext, lookup: ChildLookup): AlgoView {
  const spec = context.spec;
  const params = spec.params;
  const quantity = decimal(context.quantity);
  const scheduled = params.kind === 'twap' || params.kind === 'vwap';
  return Object.assign(common(venue, spec.symbol, value, context.ledger, context.childSequence, context.createdAt, context.reason, lookup), {
    algoId: spec.parentId,
    kind: params.kind,
    side: spec.side,
    status: topState(value) as AlgoStatus,
    // Snapshots from before the halt rule knew no cause: every pause then was the client's.
    pausedBy: topState(value) === 'paused' ? context.pausedBy ?? 'client' : undefined,
    quantity: context.quantity,
    remainingQuantity: quantity.minus(context.ledger.filledQuantity).toFixed(),
    progress: quantity.eq(ZERO) ? '0' : decimal(context.ledger.filledQuantity).div(quantity).toFixed(),
    limitPrice: context.limitPrice,
    pendingQuantity: context.pendingQuantity,
    params,
    schedule: {
      nextWakeAt: context.nextWakeAt,
      startAt: 'startAt' in params ? params.startAt : undefined,
      endAt: scheduled ? deadline(params) : undefined,
      intervalMs: scheduled ? params.intervalMs : undefined,
      slicesSent: scheduled ? context.sliceIndex + 1 : undefined,
      slicesPlanned: scheduled ? sliceCount(params) : undefined,
    },
    failures: context.failures,
  });
}

export function orderListView(venue: string, value: unknown, context: OrderListContext, lookup: ChildLookup): OrderListView {
  const spec = context.spec;
  const targets = legTargets(context);
  const legs: OrderListLegView[] = [];
  const all = spec.trigger === undefined ? spec.legs : [spec.trigger, ...spec.legs];
  for (const leg of all) {
    const target = targets.get(leg.role);
    legs.push({
      role: leg.role, side: leg.side, type: leg.type, price: leg.price, stopPrice: leg.stopPrice, quantity: leg.quantity,
      filledQuantity: context.ledger.filledByRole[leg.role] ?? '0', openTarget: target?.toFixed(), trigger: leg === spec.trigger,
    });
  }
  return Object.assign(common(venue, spec.symbol, value, context.ledger, context.childSequence, context.createdAt, context.reason, lookup), {
    listId: spec.listId,
    kind: spec.kind,
    status: topState(value) as OrderListStatus,
    released: context.released,
    triggerFilledQuantity: triggerFilled(context).toFixed(),
    position: spec.kind === 'bracket' ? bracketPosition(context).toFixed() : undefined,
    release: spec.release,
    legs,
    heldBy: context.heldAtVenue === true ? ('venue' as const) : ('engine' as const),
    heldByEngineBecause: context.heldByEngineBecause,
  });
}

/** Outstanding quantity of one child (what it may still fill), for tests and the inspector. */
export function childOutstanding(ledger: ChildLedger, childId: string): DecimalString {
  const child = ledger.children[childId];
  return child === undefined ? '0' : outstandingQuantity(child).toFixed();
}

/** The views that match every field a filter sets (kind, symbol, status, live), in the order given. */
export function matchingViews<View extends { readonly kind: string; readonly symbol: string; readonly status: string; readonly live: boolean }>(
  views: Iterable<View>,
  filter: { readonly kind?: string; readonly symbol?: string; readonly status?: string; readonly live?: boolean },
): View[] {
  const matching: View[] = [];
  for (const view of views) {
    if (filter.kind !== undefined && view.kind !== filter.kind) continue;
    if (filter.symbol !== undefined && view.symbol !== filter.symbol) continue;
    if (filter.status !== undefined && view.status !== filter.status) continue;
    if (filter.live !== undefined && view.live !== filter.live) continue;
    matching.push(view);
  }
  return matching;
}
