// Typed domain events, past tense: the audit trail, the journal, the API stream and the inspector's feed.
import type { ParentEventDraft } from './algo-events.ts';
import type { DecimalString } from './decimal.ts';
import type { ExitReason } from './exit-reason.ts';
import type { OrderAmendmentTerms, OrderSide, OrderTerms, OrderType } from './order-request.ts';

interface OrderEventFields {
  /** The clientOrderId: ours, unique, and the key at the venue. */
  readonly orderId: string;
  readonly venue: string;
  readonly symbol: string;
}

export type OrderEventDraft =
  | (OrderEventFields &
      Omit<OrderTerms, 'type'> & {
        readonly type: 'OrderInitialized';
        /** The order's type (`type` names the event). */
        readonly orderType: OrderType;
        readonly parentId?: string;
      })
  | (OrderEventFields & { readonly type: 'OrderDenied'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderEmulated'; readonly triggerPrice?: DecimalString })
  | (OrderEventFields & {
      readonly type: 'OrderSubmitted';
      readonly orderType: OrderType;
      readonly price?: DecimalString;
      /** The engine's market price of the symbol on the venue as the order was sent: execution quality's arrival price (absent: none yet). */
      readonly arrivalPrice?: DecimalString;
    })
  | (OrderEventFields & { readonly type: 'OrderAccepted'; readonly venueOrderId: string })
  | (OrderEventFields & { readonly type: 'OrderRejected'; readonly reason: string })
  | (OrderEventFields & {
      readonly type: 'OrderTriggered';
      readonly triggerPrice: DecimalString;
      /** The market price that fired it; for a stop the venue held, the trigger level the venue reported. */
      readonly marketPrice: DecimalString;
      readonly releasedAs: OrderType;
      /** Who held the stop: the engine (emulated, then released to the venue) or the venue itself. */
      readonly firedAt: 'engine' | 'venue';
    })
  | (OrderEventFields & OrderAmendmentTerms & { readonly type: 'OrderPendingUpdate' })
  | (OrderEventFields & { readonly type: 'OrderUpdated'; readonly price?: DecimalString; readonly quantity: DecimalString; readonly stopPrice?: DecimalString; readonly triggerPrice?: DecimalString })
  | (OrderEventFields & { readonly type: 'OrderModifyRejected'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderPendingCancel' })
  | (OrderEventFields & { readonly type: 'OrderCancelRejected'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderCanceled'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderExpired' })
  | (OrderEventFields & {
      readonly type: 'OrderFilled';
      /** The order's side, type and owner, so no consumer has to read the order back. */
      readonly side: OrderSide;
      readonly orderType: OrderType;
      readonly parentId?: string;
      readonly tradeId: string;
      readonly fillQuantity: DecimalString;
      readonly fillPrice: DecimalString;
      readonly fee: DecimalString;
      readonly feeCurrency: string;
      readonly liquidity: 'maker' | 'taker';
      readonly filledQuantity: DecimalString;
      readonly remainingQuantity: DecimalString;
      readonly averagePrice: DecimalString;
      /** True for a fill that arrived after the order was canceled or expired. */
      readonly late: boolean;
    })
  | (OrderEventFields & { readonly type: 'OrderFillRefused'; readonly tradeId: string; readonly fillQuantity: DecimalString; readonly reason: string });

/** What a PositionChanged event says changed. */
export type PositionChange =
  /** The quantity changed (a fill: scale-in, partial exit, late fill). */
  | 'size'
  /** The stop moved to break-even. */
  | 'breakEven'
  /** The stop started trailing, or its trailing level moved. */
  | 'trailing'
  /** The stop was moved by hand. */
  | 'stopUpdated'
  /** The stop order ended without closing the position and was placed again. */
  | 'stopReplaced'
  /** A trailing stop held here was handed to the venue as a native stop at its level (a graceful shutdown). */
  | 'stopHandedOver'
  /** The take-profit was moved by hand. */
  | 'takeProfitUpdated'
  /** An exit ended with quantity left: it is sent again at the next market data. */
  | 'exitRetryPending'
  /** Too many exits in a row ended without a fill: nothing is working to close the position. */
  | 'exitFailed'
  /** A funding payment was received or paid (perpetuals): the position's funding total changed. */
  | 'funding'
  /** The venue liquidated part of the position (a whole liquidation closes it: PositionClosed). */
  | 'liquidation';

interface PositionEventFields {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
}

export type PositionEventDraft =
  | (PositionEventFields & {
      readonly type: 'PositionOpened';
      readonly direction: 'long' | 'short';
      readonly quantity: DecimalString;
      readonly averageEntryPrice: DecimalString;
      readonly stopPrice?: DecimalString;
      readonly takeProfitPrices: readonly DecimalString[];
      /** Why the protection plan could not be applied, if it could not. */
      readonly planError?: string;
    })
  | (PositionEventFields & {
      readonly type: 'PositionChanged';
      readonly change: PositionChange;
      readonly direction: 'long' | 'short';
      readonly quantity: DecimalString;
      readonly averageEntryPrice: DecimalString;
      readonly realizedPnl: DecimalString;
      readonly fees: DecimalString;
      /** Perpetuals: funding received (+) and paid (−) while the position was open. */
      readonly funding?: DecimalString;
      readonly stopPrice?: DecimalString;
    })
  | (PositionEventFields & {
      readonly type: 'PositionClosed';
      readonly direction: 'long' | 'short';
      readonly closedQuantity: DecimalString;
      readonly realizedPnl: DecimalString;
      readonly fees: DecimalString;
      /** Perpetuals: funding received (+) and paid (−) while the position was open. */
      readonly funding?: DecimalString;
      readonly exitReason: ExitReason;
    });

interface AccountEventFields {
  readonly venue: string;
  readonly symbol: string;
  /** The engine's position on the symbol the report was applied to; absent when there was none. */
  readonly positionId?: string;
}

/**
 * What a margin venue reported about the account (adapters/venue.ts AccountReport), as the engine applied it:
 * to the ledger, and to the symbol's position when there is one.
 */
export type AccountEventDraft =
  | (AccountEventFields & {
      readonly type: 'FundingSettled';
      readonly fundingId: string;
      /** Positive: received; negative: paid. In `currency`. */
      readonly amount: DecimalString;
      readonly currency: string;
      readonly rate: DecimalString;
      /** The venue's time of the payment (the funding time). */
      readonly fundingTime: number;
    })
  | (AccountEventFields & {
      readonly type: 'PositionLiquidated';
      readonly tradeId: string;
      /** The closing side. */
      readonly side: OrderSide;
      readonly quantity: DecimalString;
      readonly price: DecimalString;
      readonly fee: DecimalString;
      readonly feeCurrency: string;
      /** Settlement currency of the position (the instrument's quote). */
      readonly currency: string;
    })
  | (AccountEventFields & {
      readonly type: 'VenuePositionReported';
      readonly direction: 'long' | 'short' | 'flat';
      readonly quantity: DecimalString;
      readonly currency: string;
      readonly entryPrice?: DecimalString;
      readonly markPrice?: DecimalString;
      readonly liquidationPrice?: DecimalString;
      readonly leverage?: DecimalString;
      readonly marginMode?: 'isolated' | 'cross';
      readonly unrealizedPnl?: DecimalString;
      /** The venue's time of the report. */
      readonly reportedAt: number;
    });

/** What a machine (or the engine, for account reports) announces; the engine adds the clock's timestamp and its sequence number. */
export type DomainEventDraft = OrderEventDraft | PositionEventDraft | AccountEventDraft | ParentEventDraft;

export type Stamped<T> = T extends unknown ? T & { readonly sequence: number; readonly timestamp: number } : never;

export type DomainEvent = Stamped<DomainEventDraft>;
export type DomainEventType = DomainEvent['type'];
export type OrderEvent = Stamped<OrderEventDraft>;
export type PositionEvent = Stamped<PositionEventDraft>;
export type AccountEvent = Stamped<AccountEventDraft>;
/** Events of execution algorithms and order lists (AlgoStarted, AlgoProgressed ... AlgoEnded). */
export type ParentEvent = Stamped<ParentEventDraft>;
export type { ParentEventDraft } from './algo-events.ts';

/** The actor an event belongs to: `order:<id>`, `position:<id>`, `algo:<id>` (algorithms and order lists) or `portfolio`. */
export function actorIdOfEvent(event: DomainEventDraft): string {
  if ('orderId' in event) return `order:${event.orderId}`;
  if ('positionId' in event && event.positionId !== undefined) return `position:${event.positionId}`;
  if ('parentId' in event) return `algo:${event.parentId}`;
  // An account report for a symbol with no position of ours belongs to the portfolio's ledger.
  return 'portfolio';
}

/** The id an event is about: an order's, a position's, an algorithm's or order list's, or `venue:symbol` (an account report). */
export function subjectOfEvent(event: DomainEventDraft): string {
  if ('orderId' in event) return event.orderId;
  if ('positionId' in event && event.positionId !== undefined) return event.positionId;
  if ('parentId' in event) return event.parentId;
  return `${event.venue}:${event.symbol}`;
}

export type DomainEventListener = (event: DomainEvent) => void;
