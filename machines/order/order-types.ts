// The order chart's input, context and events: the shape the engine, the store and the inspector see.
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { Fill, FillTotals } from '../../src/domain/fills.ts';
import type { OrderAmendmentTerms, OrderRequest, OrderType } from '../../src/domain/order-request.ts';

/** Stored with every snapshot; bump when the chart or context changes shape. */
export const ORDER_MACHINE_VERSION = 1;

export interface OrderMachineInput {
  readonly request: OrderRequest & { readonly clientOrderId: string };
  readonly venue: string;
  /** True when the venue cannot hold this stop / take-profit / trailing stop, so it waits locally. */
  readonly emulated: boolean;
  /** The first trigger level of an emulated order (stopPrice, or the trailing level when known). */
  readonly triggerPrice?: DecimalString;
  readonly watermark?: DecimalString;
  /** Clock time the engine created the order (data, so the chart stays free of clocks). */
  readonly createdAt: number;
}

export type OrderAmendmentFields = OrderAmendmentTerms;

export interface OrderContext extends FillTotals {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly request: OrderRequest & { readonly clientOrderId: string };
  readonly emulated: boolean;
  readonly createdAt: number;
  /** Current working price and stop, which amendments change. */
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly triggerPrice?: DecimalString;
  readonly watermark?: DecimalString;
  /** What an emulated order was released to the venue as. */
  readonly releasedAs?: OrderType;
  readonly venueOrderId?: string;
  readonly pendingAmendment?: OrderAmendmentFields;
  /** Set when a cancel was asked because the order's own deadline passed: the outcome is `expired`. */
  readonly cancelForExpiry: boolean;
  /** The GTD deadline (absolute clock time), kept whatever the order was released or sent as. */
  readonly expireAt?: number;
  /**
   * The deadline passed while an amend or cancel was in flight: once that request resolves and the order is
   * still working, it is canceled for expiry.
   */
  readonly deadlinePassed: boolean;
  /** Why the order ended (denial, rejection or cancellation). */
  readonly reason?: string;
}

export type VenueFilledEvent = { type: 'venue.filled'; liquidity: 'maker' | 'taker' } & Fill;

/** What the venue says of an order when asked by clientOrderId (the same names as the venue contract's). */
export type VenueStatusName = 'open' | 'partial' | 'filled' | 'canceled' | 'expired' | 'rejected';

/**
 * The venue's answer to a status query (recovery, reconciliation): moves an order whose request is no longer
 * in flight to where the venue says it is. Fills are not in it: they come as venue.filled (deduplicated by
 * tradeId) before it, so `filled` moves nothing on its own.
 */
export interface VenueStatusEvent {
  readonly type: 'venue.status';
  readonly status: VenueStatusName;
  readonly venueOrderId?: string;
  readonly reason?: string;
}

export type OrderMachineEvent =
  | { type: 'submit' }
  /** Recovery: the venue has (or may have) this order already; it moves on as sent, and nothing is sent. */
  | { type: 'adopt' }
  | { type: 'deny'; reason: string }
  | { type: 'cancel' }
  | ({ type: 'amend' } & OrderAmendmentFields)
  | { type: 'trigger'; marketPrice: DecimalString }
  | { type: 'trailingAdvanced'; watermark: DecimalString; triggerPrice: DecimalString }
  | { type: 'deadlineReached' }
  | { type: 'venue.accepted'; venueOrderId: string }
  | { type: 'venue.rejected'; reason: string }
  | VenueFilledEvent
  | { type: 'venue.canceled'; reason: string }
  | { type: 'venue.expired' }
  | ({ type: 'venue.amended' } & OrderAmendmentFields)
  /** A stop the venue holds fired: it now works at the venue as its market or limit form. */
  | { type: 'venue.triggered'; triggerPrice?: DecimalString }
  | { type: 'venue.cancelRejected'; reason: string }
  | { type: 'venue.amendRejected'; reason: string }
  | VenueStatusEvent;

export type OrderStateName =
  | 'pending'
  | 'emulated'
  | 'triggered'
  | 'submitted'
  | 'open'
  | 'partial'
  | 'pendingCancel'
  | 'pendingUpdate'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'rejected'
  | 'denied';

export const TERMINAL_ORDER_STATES: readonly OrderStateName[] = ['filled', 'canceled', 'expired', 'rejected', 'denied'];
