// The contract between an execution-algorithm or order-list actor and the engine that runs it: the events it
// takes, the effects it asks for, and what it keeps in context. Types only.
//
// Events in (every one carries `at`, the engine clock's time when it was delivered):
//   start                      once, after the engine created the actor (algos; order lists start on creation)
//   child.filled               {childId, tradeId, quantity, price}: one fill of a child, as the order actor
//                              accepted it. A tradeId seen before is ignored; a fill past what the child
//                              committed is refused (AlgoFillRefused), so filled never passes the parent.
//   child.ended                {childId, status, remaining}: the child reached a terminal state. `remaining`
//                              is what the venue says never executed (quantity - the venue's executed
//                              quantity). Fills up to the executed quantity may still arrive after it (a fill
//                              crossing a cancel); that much stays committed, so it is never re-sliced.
//   market                     {bestBid?, bestAsk?, volume?}: book and trades for the algo's symbol; `volume`
//                              is what traded since the previous market event, the algo's own trades included.
//   timer.due                  the clock reached context.nextWakeAt. The engine arms one timer at nextWakeAt
//                              after every transition (and after a restore: schedules are absolute times in
//                              context, never XState `after` delays). An early or stale timer is ignored.
//   pause / resume             pause cancels the working children; resume plans again from what is left.
//   trading.halted / .resumed  the portfolio halted or resumed trading: a halt pauses a working algo (paused
//                              by the halt), the resume of trading resumes only such an algo; a client's
//                              pause during the halt keeps it paused after.
//   amend                      {quantity?, limitPrice?}: refused with AlgoAmendRefused when it cannot apply.
//   cancel                     children canceled, fills kept; the parent ends `canceled` once none is working.
//
// Effects out (named stub actions; the engine provides them with machine.provide, queues them and runs them
// after the transition, through the portfolio's risk gate like every order):
//   submitChild(ChildSubmission)   a new child order; its id `{parentId}-E{n}` is data, with parentId and
//                                  role as fields of the submission (never parsed back out of the id)
//   cancelChild({childId})
//   amendChild({childId, quantity?, price?})   order lists only: `quantity` is the child's total quantity
//                                  (fills included), as the order chart's amend takes it
//
// Order lists (machines/order-list.ts) take child.filled, child.ended, cancel and start as above, and the
// answers to their amendments: child.amended {childId, quantity} (the venue's new total: only then is more
// than the old quantity committed) and child.amendRejected {childId, reason} (the child is then canceled
// and replaced by a new one of the right size once it has ended).
//
// Domain events out (emitted): ParentEventDraft (src/domain/algo-events.ts).
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { ChildOrderDraft } from '../../src/domain/algo-children.ts';
import type { VenueListMembership } from '../../src/domain/order-request.ts';

/** How a child ended, as its order actor's terminal state names it. */
export type ChildEndStatus = 'filled' | 'canceled' | 'expired' | 'rejected' | 'denied';

export type ChildFilledEvent = {
  readonly type: 'child.filled';
  readonly at: number;
  readonly childId: string;
  readonly tradeId: string;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
};

export type ChildEndedEvent = {
  readonly type: 'child.ended';
  readonly at: number;
  readonly childId: string;
  readonly status: ChildEndStatus;
  readonly remaining: DecimalString;
  readonly reason?: string;
};

export type MarketEvent = {
  readonly type: 'market';
  readonly at: number;
  readonly bestBid?: DecimalString;
  readonly bestAsk?: DecimalString;
  readonly volume?: DecimalString;
};

export type AlgoEvent =
  /** `halted`: trading is halted as it starts, so it starts paused (by the halt) and sends nothing yet. */
  | { readonly type: 'start'; readonly at: number; readonly halted?: boolean }
  | ChildFilledEvent
  | ChildEndedEvent
  | MarketEvent
  | { readonly type: 'timer.due'; readonly at: number }
  | { readonly type: 'pause'; readonly at: number }
  | { readonly type: 'resume'; readonly at: number }
  | { readonly type: 'amend'; readonly at: number; readonly quantity?: DecimalString; readonly limitPrice?: DecimalString }
  | { readonly type: 'cancel'; readonly at: number; readonly reason?: string }
  /** Trading halted (kill switch, loss limit): a working algo pauses, as its children would only be denied. */
  | { readonly type: 'trading.halted'; readonly at: number }
  /** Trading resumed: an algo the halt paused goes on; one the client paused stays paused. */
  | { readonly type: 'trading.resumed'; readonly at: number };

export type ChildAmendedEvent = { readonly type: 'child.amended'; readonly at: number; readonly childId: string; readonly quantity: DecimalString };
export type ChildAmendRejectedEvent = { readonly type: 'child.amendRejected'; readonly at: number; readonly childId: string; readonly reason: string };

export type OrderListEvent =
  | { readonly type: 'start'; readonly at: number }
  | ChildFilledEvent
  | ChildEndedEvent
  | ChildAmendedEvent
  | ChildAmendRejectedEvent
  | { readonly type: 'cancel'; readonly at: number; readonly reason?: string };

/** A child order as the engine gets it: the draft, its id, and its parent as data. */
export interface ChildSubmission extends ChildOrderDraft {
  readonly childId: string;
  readonly parentId: string;
  readonly symbol: string;
  /** A leg of an order list the venue holds: all its legs leave in one venue command. */
  readonly venueList?: VenueListMembership;
}

export interface CancelChildParams {
  readonly childId: string;
}

export interface AmendChildParams {
  readonly childId: string;
  readonly quantity?: DecimalString;
  readonly price?: DecimalString;
}

/** Rejections or denials of children in a row, with no fill between, before an algo stops (failed). */
export const MAX_CHILD_FAILURES = 5;
