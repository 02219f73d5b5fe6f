// The Venue contract: what the engine may ask of any venue (paper or live) and what a venue reports back.
import type { DecimalString } from '../src/domain/decimal.ts';
import type { Instrument } from '../src/domain/instrument.ts';
import type { MarketDataListener } from '../src/domain/market-data.ts';
import type { NativeOrderListKind, OrderAmendmentTerms, OrderSide, OrderTerms, OrderType, TimeInForce } from '../src/domain/order-request.ts';

export interface VenueCapabilities {
  /** Order types the venue holds itself. Stops and trailing stops outside this list are emulated locally. */
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly amend: boolean;
  /**
   * Contingent lists the venue holds itself, as one list (absent: none). A venue that names a kind here
   * implements `submitList` and `orderListRefusal`; other lists, and lists it refuses, are held by the engine.
   */
  readonly orderLists?: readonly NativeOrderListKind[];
}

export type { NativeOrderListKind };
export const NATIVE_ORDER_LIST_KINDS: readonly NativeOrderListKind[] = ['oco'];

/**
 * An order as sent to a venue: its terms (expireAt an absolute clock time for GTD) in decimal strings, already
 * on the instrument's tick and lot grid.
 */
export interface VenueOrder extends OrderTerms {
  readonly clientOrderId: string;
  readonly symbol: string;
}

/**
 * Orders sent as one venue list (`Venue.submitList`): each leg is an ordinary venue order with its own
 * client id, and every report about a leg names that leg's id, as for any order.
 */
export interface VenueOrderList {
  /** The engine's id of the list (its `fs-` id); a venue that names lists uses it as the list's client id. */
  readonly listId: string;
  readonly kind: NativeOrderListKind;
  readonly symbol: string;
  readonly orders: readonly VenueOrder[];
}

export type OrderAmendment = OrderAmendmentTerms;

interface ReportBase {
  readonly venue: string;
  readonly clientOrderId: string;
  readonly timestamp: number;
}

export type ExecutionReport =
  | (ReportBase & { readonly type: 'accepted'; readonly venueOrderId: string })
  | (ReportBase & { readonly type: 'rejected'; readonly reason: string })
  | (ReportBase & {
      readonly type: 'filled';
      readonly tradeId: string;
      readonly quantity: DecimalString;
      readonly price: DecimalString;
      readonly fee: DecimalString;
      readonly feeCurrency: string;
      readonly liquidity: 'maker' | 'taker';
    })
  | (ReportBase & { readonly type: 'canceled'; readonly reason: string })
  | (ReportBase & { readonly type: 'expired' })
  | (ReportBase & { readonly type: 'amended'; readonly price?: DecimalString; readonly quantity?: DecimalString; readonly stopPrice?: DecimalString })
  /** A stop the venue holds fired: the order now works as a market or limit order at the venue. */
  | (ReportBase & { readonly type: 'triggered'; readonly triggerPrice?: DecimalString })
  | (ReportBase & { readonly type: 'cancelRejected'; readonly reason: string })
  | (ReportBase & { readonly type: 'amendRejected'; readonly reason: string });

export type ExecutionReportListener = (report: ExecutionReport) => void;

/**
 * What a margin (derivatives) venue reports about the account rather than one order: funding paid or received
 * on a position, a liquidation by the venue, and the venue's own view of a position (liquidation price).
 */
export type AccountReport =
  | {
      readonly type: 'funding';
      readonly venue: string;
      readonly symbol: string;
      /** Positive: received; negative: paid. In `currency`. */
      readonly amount: DecimalString;
      readonly currency: string;
      readonly rate: DecimalString;
      readonly timestamp: number;
      /** The venue's id of this payment: reports with an id already seen are ignored. */
      readonly fundingId: string;
    }
  | {
      readonly type: 'liquidation';
      readonly venue: string;
      readonly symbol: string;
      readonly side: OrderSide;
      readonly quantity: DecimalString;
      readonly price: DecimalString;
      readonly fee: DecimalString;
      readonly feeCurrency: string;
      readonly timestamp: number;
      readonly tradeId: string;
    }
  | ({ readonly type: 'position'; readonly venue: string; readonly timestamp: number } & VenuePosition);

export type AccountReportListener = (report: AccountReport) => void;

/** A position as a margin venue holds it (one-way mode: one net position per symbol). */
export interface VenuePosition {
  readonly symbol: string;
  readonly direction: 'long' | 'short' | 'flat';
  readonly quantity: DecimalString;
  readonly entryPrice?: DecimalString;
  readonly markPrice?: DecimalString;
  readonly liquidationPrice?: DecimalString;
  readonly leverage?: DecimalString;
  readonly marginMode?: 'isolated' | 'cross';
  readonly unrealizedPnl?: DecimalString;
}

/** The state of a venue's link, as the venue-connection statechart names it. */
export type VenueLinkState = 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'down';

export interface VenueLinkStatus {
  readonly state: VenueLinkState;
  /** Why the link was last lost or refused. */
  readonly lastError?: string;
}

export type VenueOrderStatusName = 'open' | 'partial' | 'filled' | 'canceled' | 'expired' | 'rejected';

/** What a venue knows of one order, answered to a status query by clientOrderId. */
export interface VenueOrderStatus {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: VenueOrderStatusName;
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly price?: DecimalString;
}

/** One fill as the venue recorded it, answered to `orderFills`: the same fields as a `filled` report. */
export interface VenueFill {
  readonly clientOrderId: string;
  readonly tradeId: string;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  readonly timestamp: number;
}

export interface Balance {
  readonly currency: string;
  readonly total: DecimalString;
  /** Part of the total held for open orders. */
  readonly reserved: DecimalString;
}

/**
 * Every venue fulfils this. Commands return at once; their outcomes arrive as execution reports, because a
 * live venue's answer can be late, lost or ambiguous, and only the report (or a status query) is the truth.
 */
export interface Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  instruments(): readonly Instrument[];
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  submit(order: VenueOrder): void;
  /**
   * OPTIONAL, with `capabilities.orderLists`: why this venue cannot hold this list as a list of its own (its
   * legs' count, types, sides or prices), or undefined when it can. Pure and synchronous: the engine asks
   * before it places the list, and holds the list itself when refused (the reason is shown on the list).
   */
  orderListRefusal?(list: VenueOrderList): string | undefined;
  /**
   * OPTIONAL, with `capabilities.orderLists`: sends every leg in one command. Reports come per leg, as for
   * `submit`: each leg is `accepted` (or every leg `rejected` with the list's reason); when a leg of an OCO
   * fills, even in part, the venue cancels the other legs itself and reports each `canceled`. A `cancel` of any
   * leg cancels the whole list (each leg reported `canceled`). Legs are not amended.
   */
  submitList?(list: VenueOrderList): void;
  amend(clientOrderId: string, amendment: OrderAmendment): void;
  cancel(clientOrderId: string): void;
  queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined>;
  openOrders(): Promise<readonly VenueOrderStatus[]>;
  balances(): Promise<readonly Balance[]>;
  /**
   * OPTIONAL, used by recovery (src/engine/recovery.ts): every fill of one order, oldest first, so fills the
   * engine missed while it was down are applied once (they are deduplicated by tradeId). Without it, a
   * venue whose filled quantity is ahead of ours can only be flagged, not repaired. Implemented by the
   * paper venue, the paper server and the WebSocket venue client.
   */
  orderFills?(clientOrderId: string): Promise<readonly VenueFill[]>;
  onExecutionReport(listener: ExecutionReportListener): () => void;
  /** OPTIONAL (margin venues): funding, liquidations and the venue's positions, as they happen. */
  onAccountReport?(listener: AccountReportListener): () => void;
  /** OPTIONAL (margin venues): the positions the venue holds now, for reconciliation. */
  positions?(): Promise<readonly VenuePosition[]>;
  /**
   * OPTIONAL (venues whose link can drop): the link's state now and as it changes. While it is not `live`
   * the engine refuses new orders with the reason and holds cancels until it is. A venue without it is
   * always live once connect() resolved.
   */
  linkStatus?(): VenueLinkStatus;
  onLinkStatus?(listener: (status: VenueLinkStatus) => void): () => void;
  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void;
}
