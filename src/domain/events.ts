// Typed domain events, past tense: the audit trail, the journal, the API stream and the inspector's feed.
import type { DecimalString } from './decimal.ts';
import type { OrderSide, OrderType, TimeInForce } from './order-request.ts';

interface OrderEventFields {
  /** The clientOrderId: ours, unique, and the key at the venue. */
  readonly orderId: string;
  readonly venue: string;
  readonly symbol: string;
}

export type OrderEventDraft =
  | (OrderEventFields & {
      readonly type: 'OrderInitialized';
      readonly side: OrderSide;
      readonly orderType: OrderType;
      readonly quantity: DecimalString;
      readonly price?: DecimalString;
      readonly stopPrice?: DecimalString;
      readonly trailingOffset?: DecimalString;
      readonly trailingPercent?: DecimalString;
      readonly activationPrice?: DecimalString;
      readonly timeInForce: TimeInForce;
      readonly expireAt?: number;
      readonly postOnly: boolean;
      readonly reduceOnly: boolean;
      readonly parentId?: string;
    })
  | (OrderEventFields & { readonly type: 'OrderDenied'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderEmulated'; readonly triggerPrice?: DecimalString })
  | (OrderEventFields & { readonly type: 'OrderSubmitted'; readonly orderType: OrderType; readonly price?: DecimalString })
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
  | (OrderEventFields & { readonly type: 'OrderPendingUpdate'; readonly price?: DecimalString; readonly quantity?: DecimalString; readonly stopPrice?: DecimalString })
  | (OrderEventFields & { readonly type: 'OrderUpdated'; readonly price?: DecimalString; readonly quantity: DecimalString; readonly stopPrice?: DecimalString; readonly triggerPrice?: DecimalString })
  | (OrderEventFields & { readonly type: 'OrderModifyRejected'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderPendingCancel' })
  | (OrderEventFields & { readonly type: 'OrderCancelRejected'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderCanceled'; readonly reason: string })
  | (OrderEventFields & { readonly type: 'OrderExpired' })
  | (OrderEventFields & {
      readonly type: 'OrderFilled';
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
      /** What changed: size, breakEven, trailing, stopUpdated, stopReplaced, takeProfitUpdated. */
      readonly change: string;
      readonly direction: 'long' | 'short';
      readonly quantity: DecimalString;
      readonly averageEntryPrice: DecimalString;
      readonly realizedPnl: DecimalString;
      readonly fees: DecimalString;
      readonly stopPrice?: DecimalString;
    })
  | (PositionEventFields & {
      readonly type: 'PositionClosed';
      readonly direction: 'long' | 'short';
      readonly closedQuantity: DecimalString;
      readonly realizedPnl: DecimalString;
      readonly fees: DecimalString;
      readonly exitReason: string;
    });

/** What a machine announces; the engine adds the clock's timestamp and its sequence number. */
export type DomainEventDraft = OrderEventDraft | PositionEventDraft;

export type Stamped<T> = T extends unknown ? T & { readonly sequence: number; readonly timestamp: number } : never;

export type DomainEvent = Stamped<DomainEventDraft>;
export type DomainEventType = DomainEvent['type'];
export type OrderEvent = Stamped<OrderEventDraft>;
export type PositionEvent = Stamped<PositionEventDraft>;

export type DomainEventListener = (event: DomainEvent) => void;
