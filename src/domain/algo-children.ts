// The child-order ledger of an algo or order list: which children it sent, what each filled, and what is
// still committed at the venue. Pure. The parent's filled quantity is the exact sum of its children's fills.
import { decimal, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import type { OrderSide, OrderType, TimeInForce } from './order-request.ts';

/** An order a parent wants sent; the chart gives it its id, the engine its symbol, venue and risk check. */
export interface ChildOrderDraft {
  /** What the child is for, as data (slice, chase, sweep, entry, takeProfit, stopLoss...). */
  readonly role: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
}

export interface ChildOrder extends ChildOrderDraft {
  readonly childId: string;
  readonly parentId: string;
  /** Sequence number of the child within its parent (the n of `{parentId}-E{n}`). */
  readonly sequence: number;
  readonly filledQuantity: DecimalString;
  readonly filledNotional: DecimalString;
  readonly tradeIds: readonly string[];
  readonly status: 'working' | 'ended';
  /** How it ended (canceled, rejected, expired, denied, filled). */
  readonly endStatus?: string;
  /**
   * What the venue says the child executed in all, once it ended: fills up to it may still be on their way
   * (a fill can cross a cancel), so that much stays committed until they arrive.
   */
  readonly executedQuantity?: DecimalString;
}

/** How many settled children's trade ids a ledger remembers, to tell a late duplicate from a stranger's fill. */
export const RECENTLY_SETTLED = 64;

export interface SettledChild {
  readonly childId: string;
  readonly tradeIds: readonly string[];
}

/**
 * A parent's children. Only those that may still fill (working, or ended with fills on their way) are kept
 * whole: a settled child leaves, its fills stay in the totals, so each event costs what is in play, not every
 * child ever sent (a copy of a 2,000-child record per fill made a long TWAP quadratic).
 */
export interface ChildLedger {
  /** The children that may still fill, by id. */
  readonly children: Readonly<Record<string, ChildOrder>>;
  /** Their ids in the order they were sent. */
  readonly openIds: readonly string[];
  /** Children sent so far that have settled (ended with nothing more to come). */
  readonly settledCount: number;
  /** The last RECENTLY_SETTLED settled children, with their trade ids. */
  readonly recentlySettled: readonly SettledChild[];
  readonly filledQuantity: DecimalString;
  readonly filledNotional: DecimalString;
  /** Filled quantity per child role (an order list's legs, an algo's slices and sweeps). */
  readonly filledByRole: Readonly<Record<string, DecimalString>>;
}

export const EMPTY_LEDGER: ChildLedger = { children: {}, openIds: [], settledCount: 0, recentlySettled: [], filledQuantity: '0', filledNotional: '0', filledByRole: {} };

/** A child's id: data derived from its parent's id and a counter, never parsed back. */
export function childOrderId(parentId: string, sequence: number): string {
  return `${parentId}-E${sequence}`;
}

export function addChild(ledger: ChildLedger, child: ChildOrder): ChildLedger {
  if (ledger.children[child.childId] !== undefined) throw new Error(`child ${child.childId} already exists`);
  return Object.assign({}, ledger, { children: Object.assign({}, ledger.children, { [child.childId]: child }), openIds: [...ledger.openIds, child.childId] });
}

/** The quantity a child holds at the venue: all of it while working, what it executed once ended. */
export function committedQuantity(child: ChildOrder): Decimal {
  if (child.status === 'working') return decimal(child.quantity);
  const executed = decimal(child.executedQuantity ?? child.filledQuantity);
  const filled = decimal(child.filledQuantity);
  return executed.gt(filled) ? executed : filled;
}

/** What a child may still fill: working quantity left, or fills of an ended child still on their way. */
export function outstandingQuantity(child: ChildOrder): Decimal {
  return committedQuantity(child).minus(child.filledQuantity);
}

/** Sum of outstanding quantity over children: what may still fill without the parent sending anything. */
export function workingQuantity(ledger: ChildLedger): Decimal {
  let total = ZERO;
  for (const id of ledger.openIds) total = total.plus(outstandingQuantity(ledger.children[id]!));
  return total;
}

/** Parent quantity not yet filled and not committed to any child: what a new slice may be sized from. */
export function unassignedQuantity(ledger: ChildLedger, parentQuantity: DecimalString): Decimal {
  const left = decimal(parentQuantity).minus(ledger.filledQuantity).minus(workingQuantity(ledger));
  return left.gt(ZERO) ? left : ZERO;
}

export function workingChildren(ledger: ChildLedger): ChildOrder[] {
  return ledger.openIds.map((id) => ledger.children[id]!).filter((child) => child.status === 'working');
}

export type ChildFillOutcome = 'accepted' | 'duplicate' | 'unknownChild' | 'invalid' | 'overfill';

export interface ChildFill {
  readonly childId: string;
  readonly tradeId: string;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
}

/**
 * What a fill would do, decided before anything changes. A fill past what the child committed (its quantity,
 * or what the venue said it executed once it ended) is refused: accepting it could take the parent past its
 * quantity, because the rest was already given to other children.
 */
export function classifyChildFill(ledger: ChildLedger, fill: ChildFill): ChildFillOutcome {
  const child = ledger.children[fill.childId];
  if (child === undefined) {
    const settled = ledger.recentlySettled.find((recent) => recent.childId === fill.childId);
    if (settled === undefined) return 'unknownChild';
    return settled.tradeIds.includes(fill.tradeId) ? 'duplicate' : 'overfill';
  }
  if (child.tradeIds.includes(fill.tradeId)) return 'duplicate';
  const quantity = decimal(fill.quantity);
  if (!quantity.gt(ZERO) || !decimal(fill.price).gt(ZERO)) return 'invalid';
  if (decimal(child.filledQuantity).plus(quantity).gt(committedQuantity(child))) return 'overfill';
  return 'accepted';
}

/** The ledger after an accepted fill (the caller classified it). */
export function applyChildFill(ledger: ChildLedger, fill: ChildFill): ChildLedger {
  const child = ledger.children[fill.childId]!;
  const notional = decimal(fill.quantity).times(fill.price);
  const updated: ChildOrder = Object.assign({}, child, {
    filledQuantity: decimal(child.filledQuantity).plus(fill.quantity).toFixed(),
    filledNotional: decimal(child.filledNotional).plus(notional).toFixed(),
    tradeIds: [...child.tradeIds, fill.tradeId],
  });
  const roleFilled = decimal(ledger.filledByRole[child.role] ?? '0').plus(fill.quantity).toFixed();
  return withChild(
    Object.assign({}, ledger, {
      filledQuantity: decimal(ledger.filledQuantity).plus(fill.quantity).toFixed(),
      filledNotional: decimal(ledger.filledNotional).plus(notional).toFixed(),
      filledByRole: Object.assign({}, ledger.filledByRole, { [child.role]: roleFilled }),
    }),
    updated,
  );
}

/** The ledger with a child's new record; a child that settled by it leaves for the recently settled. */
function withChild(ledger: ChildLedger, child: ChildOrder): ChildLedger {
  if (child.status === 'working' || outstandingQuantity(child).gt(ZERO)) {
    return Object.assign({}, ledger, { children: Object.assign({}, ledger.children, { [child.childId]: child }) });
  }
  const children: Record<string, ChildOrder> = Object.assign({}, ledger.children);
  delete children[child.childId];
  const recent = [...ledger.recentlySettled, { childId: child.childId, tradeIds: child.tradeIds }];
  return Object.assign({}, ledger, {
    children,
    openIds: ledger.openIds.filter((id) => id !== child.childId),
    settledCount: ledger.settledCount + 1,
    recentlySettled: recent.length > RECENTLY_SETTLED ? recent.slice(recent.length - RECENTLY_SETTLED) : recent,
  });
}

export interface ChildEnd {
  readonly childId: string;
  readonly status: string;
  /** Quantity the venue says was never executed. */
  readonly remaining: DecimalString;
  /** Set when the portfolio's trading state (a halt, or reducing) denied the child. */
  readonly deniedBy?: string;
}

/** True when the end report names a working child of this ledger with a sane remaining quantity. */
export function isApplicableChildEnd(ledger: ChildLedger, end: ChildEnd): boolean {
  const child = ledger.children[end.childId];
  if (child === undefined || child.status !== 'working') return false;
  const remaining = decimal(end.remaining);
  return remaining.gte(ZERO) && remaining.lte(child.quantity);
}

/** True for an applicable end of a child the trading state denied: its parent pauses or stops, not fails. */
export function isTradingDenial(ledger: ChildLedger, end: ChildEnd): boolean {
  return end.deniedBy !== undefined && isApplicableChildEnd(ledger, end);
}

/** The ledger after a child ended: what it did not execute goes back to the parent. */
export function endChild(ledger: ChildLedger, end: ChildEnd): ChildLedger {
  const child = ledger.children[end.childId]!;
  const executed = decimal(child.quantity).minus(end.remaining);
  const updated: ChildOrder = Object.assign({}, child, { status: 'ended' as const, endStatus: end.status, executedQuantity: executed.toFixed() });
  return withChild(ledger, updated);
}

/** The average price over every child fill, or undefined before the first. */
export function averageFillPrice(ledger: ChildLedger): DecimalString | undefined {
  if (decimal(ledger.filledQuantity).eq(ZERO)) return undefined;
  return decimal(ledger.filledNotional).div(ledger.filledQuantity).toFixed();
}

/** The ledger after the venue confirmed a child's new total quantity (an amendment). */
export function resizeChild(ledger: ChildLedger, childId: string, quantity: DecimalString): ChildLedger {
  const child = ledger.children[childId];
  if (child === undefined) return ledger;
  return withChild(ledger, Object.assign({}, child, { quantity }));
}

/** Sum of fills over the children with this role. */
export function filledByRole(ledger: ChildLedger, role: string): Decimal {
  return decimal(ledger.filledByRole[role] ?? '0');
}
