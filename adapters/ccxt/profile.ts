// The per-exchange seam of the ccxt adapter: everything in which exchanges differ (which ccxt class, client
// order id rules, capabilities, amend style, how raw payloads read as exact decimals, which error is which).
//
// Adding an exchange (OKX, Bybit, ...) means writing one ExchangeProfile beside binance-profile.ts and naming
// it in profiles.ts; CcxtVenue itself does not change. A profile never does I/O of its own beyond the ccxt
// instance it is handed, and it reads prices, quantities and fees only from the exchange's raw payloads
// (`info` of ccxt's structures, the raw stream messages), never from ccxt's unified floats.
import type { Exchange } from 'ccxt';
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { ExchangeIdResult } from './client-order-ids.ts';
import type { OrderCountLimit } from './order-count-budget.ts';
import type { AccountReport, Balance, NativeOrderListKind, VenueCapabilities, VenueFill, VenueOrder, VenueOrderList, VenueOrderStatusName, VenuePosition } from '../venue.ts';

export type MarketKind = 'spot' | 'future';

/** Base URLs that replace the exchange's own (a local simulator, a proxy, a regional endpoint). */
export interface UrlOverride {
  readonly rest: string;
  readonly ws: string;
}

/** One order as the exchange's raw payload describes it (REST answer or stream update), exact decimals. */
export interface RawOrderState {
  /** The exchange-side client order id of the order itself (not of a cancel request). */
  readonly exchangeClientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: VenueOrderStatusName;
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly price?: DecimalString;
  /** A conditional order's trigger price, when it has one. */
  readonly stopPrice?: DecimalString;
  /** False while a conditional order waits for its trigger; true once it works at the exchange. */
  readonly working?: boolean;
  /** Stream updates only: the order's price or quantity was changed in place. */
  readonly amended?: boolean;
  /** Stream updates only: an amendment the exchange took but then failed to apply (OKX amendResult -1), with its reason. */
  readonly amendFailed?: string;
  /**
   * Set on the record of a conditional order the exchange keeps apart from its matching engine (Binance
   * futures' Algo Service): true while it waits for its trigger, false once it has become a regular order
   * (then `venueOrderId` is that order's id). Absent on records of regular orders.
   */
  readonly heldApart?: boolean;
  /** Why the exchange rejected the order (e.g. a conditional order whose trigger failed a reduce-only check). */
  readonly rejectReason?: string;
  /** The exchange's id of the order list the order is a leg of (Binance `orderListId` / `g`), when it is one. */
  readonly orderListId?: string;
  readonly timestamp: number;
}

/** One fill as the raw payload gives it; `exchangeClientOrderId` may be absent on REST trade lists. */
export type RawFill = Omit<VenueFill, 'clientOrderId'> & { readonly exchangeClientOrderId?: string; readonly venueOrderId: string; readonly symbol: string };

/** One trade of the public tape as the raw stream message gives it, exact decimals. */
export interface RawMarketTrade {
  readonly price: DecimalString;
  readonly quantity: DecimalString;
  /** The side that took liquidity. */
  readonly aggressor: 'buy' | 'sell';
  readonly timestamp: number;
}

/** How a failed ccxt call is to be read. Only `ambiguous` leaves an order's fate unknown. */
export type ErrorClass =
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'duplicate'; readonly reason: string }
  | { readonly kind: 'notFound'; readonly reason: string }
  | { readonly kind: 'rateLimited'; readonly reason: string }
  | { readonly kind: 'clockSkew'; readonly reason: string }
  | { readonly kind: 'credentials'; readonly reason: string }
  | { readonly kind: 'ambiguous'; readonly reason: string };

/** The outcome of a cancel-replace that did not complete. */
export interface CancelReplaceFailure {
  /** True when the old order was canceled although the replacement was refused. */
  readonly canceled: boolean;
  readonly reason: string;
}

export interface ExchangeProfile {
  /** The exchange name in configuration, e.g. "binance". */
  readonly exchange: string;
  readonly market: MarketKind;
  /** Creates the ccxt (pro) instance, configured for this market; `urls` replaces the exchange's base URLs. */
  createExchange(config: { apiKey: string; secret: string; testnet: boolean; urls?: UrlOverride; recvWindowMs: number }): Exchange;
  /**
   * The exchange's client order id for engine id `clientOrderId`, or why there is none. Pure and reversible
   * (see client-order-ids.ts), so after a restart the same engine id names the same exchange order.
   */
  exchangeClientOrderId(clientOrderId: string): ExchangeIdResult;
  /** The engine id an exchange client order id stands for (the inverse, also of replacement ids). */
  engineClientOrderId(exchangeClientOrderId: string): string;
  /** The id of the order that replaces `clientOrderId` for the `generation`-th cancel-replace (undefined: too long). */
  replacementClientOrderId(clientOrderId: string, generation: number): string | undefined;
  /** 'native': changed in place, same ids; 'cancelReplace': a new order with the remaining quantity. */
  readonly amendStyle: 'native' | 'cancelReplace';
  /** What the venue holds natively, from ccxt's features and the traded markets' own info (after loadMarkets). */
  capabilities(exchange: Exchange, tradedSymbols: readonly string[]): VenueCapabilities;
  /** The instrument from the market's own filters (market.info), undefined for markets this profile does not trade. */
  instrument(market: { symbol: string; base: string; quote: string; info: unknown; active?: boolean | undefined }, fees: { maker: DecimalString; taker: DecimalString }): InstrumentSpec | undefined;
  /** The ccxt params of a new order (client id, time in force, post-only, reduce-only, stop price). */
  orderParams(order: VenueOrder, exchangeClientOrderId: string): Record<string, unknown>;
  /** Which ccxt order type to ask for (for a new order, its terms may decide: a spot trailing stop's activation). */
  ccxtOrderType(type: OrderType, order?: VenueOrder): string;
  /** Params that name an existing order by its client order id (fetchOrder, cancelOrder). */
  byClientOrderId(exchangeClientOrderId: string): Record<string, unknown>;
  /**
   * Whether the exchange keeps orders of this type apart until they trigger (Binance USDⓈ-M: the Algo
   * Service). Such orders are placed, queried, listed and canceled there, with `conditionalParams`.
   */
  heldApart?(type: OrderType): boolean;
  /** The ccxt params that direct fetchOrder / fetchOpenOrders / cancelOrder to the conditional orders (undefined: no such book). */
  conditionalParams?(): Record<string, unknown> | undefined;
  /** Why the exchange cannot take the order's terms exactly (e.g. a trailing distance it cannot express), or undefined. */
  termsIssue?(order: VenueOrder, exchange: Exchange): string | undefined;
  /** Params that narrow ccxt's fetchMyLiquidations to each kind of forced close (liquidation, auto-deleverage). */
  liquidationKinds?(): ReadonlyArray<Record<string, unknown>>;
  orderFromRaw(info: unknown): RawOrderState | undefined;
  /** A fill from a user stream message, or undefined when the message is not a fill. */
  fillFromStream(info: unknown): RawFill | undefined;
  /** A trade of the public tape from ccxt's watchTrades `info`, or undefined when it cannot be read exactly. */
  marketTradeFromRaw(info: unknown): RawMarketTrade | undefined;
  /** Params that narrow the REST trade list (fetchMyTrades) to one exchange order. */
  fillsOfOrderParams(venueOrderId: string): Record<string, unknown>;
  /** A fill from the exchange's REST trade list. */
  fillFromRest(info: unknown): RawFill;
  balancesFromRaw(info: unknown): Balance[];
  /** Maker/taker fee rates from the raw account payload, when it states them. */
  feesFromRaw(info: unknown): { maker: DecimalString; taker: DecimalString } | undefined;
  positionsFromRaw(info: unknown): VenuePosition[];
  fundingFromRaw(info: unknown, venue: string): Extract<AccountReport, { type: 'funding' }> | undefined;
  /** What an account message of the user stream (ccxt watchBalance's raw `info`) says changed, or undefined. */
  accountChangeFromStream(info: unknown): AccountChange | undefined;
  /** The exchange's own forced close (liquidation or auto-deleverage order) from its REST list: its order id and symbol. */
  forcedCloseFromRest?(info: unknown): { readonly venueOrderId: string; readonly symbol: string; readonly side: OrderSide; readonly time: number } | undefined;
  /** A fill of the exchange's own liquidation (or auto-deleverage) order, from a user stream order message. */
  liquidationFromStream(info: unknown, venue: string): Extract<AccountReport, { type: 'liquidation' }> | undefined;
  classifyError(error: unknown): ErrorClass;
  cancelReplaceFailure(error: unknown): CancelReplaceFailure | undefined;
  /** How the exchange holds contingent lists itself (absent: it holds none; the engine does). */
  readonly orderLists?: OrderListProtocol;
  /** The response header (lower case) in which the exchange says how much weight this minute has used. */
  readonly usedWeightHeader: string | undefined;
  /** The exchange's own request-weight limit per minute, when this REST answer states it. */
  weightLimitFrom(url: string, body: string): number | undefined;
  /** The exchange's order-count limits, when this REST answer states them (Binance: exchangeInfo ORDERS). */
  orderCountLimitsFrom(url: string, body: string): OrderCountLimit[] | undefined;
  /** Whether a 429 answer's body says the order count (not the request weight) was passed. */
  isOrderCountRefusal(body: string): boolean;
  /** Request weight of each call the adapter makes, for the budget. */
  weightOf(call: WeightedCall): number;
  /** Opens the user data stream's authentication before the watch loops start (listen key, signature subscribe). */
  prepareUserStream(exchange: Exchange): Promise<void>;
  /** Resolves once the user data stream socket is open (the watch loops have been started). */
  userStreamOpened(exchange: Exchange): Promise<void>;
  /** Closes the user stream's socket(s), so the watch loops end with an error. */
  closeUserStream(exchange: Exchange): Promise<void>;
}

/** An exchange's native order lists: which kinds, which shapes it takes, and the one request that places or cancels a list. */
export interface OrderListProtocol {
  readonly kinds: readonly NativeOrderListKind[];
  /** Why the exchange would refuse this list's shape (legs, sides, quantities, types, prices), or undefined. Pure. */
  shapeIssue(list: VenueOrderList): string | undefined;
  /** Places the whole list in one request; `ids` are the exchange's client ids of the list and of each leg, in order. Resolves with the raw answer. */
  place(exchange: Exchange, list: VenueOrderList, ids: { readonly list: string; readonly legs: readonly string[] }): Promise<unknown>;
  /** Cancels the whole list by its exchange client id; resolves with the raw answer. */
  cancel(exchange: Exchange, symbol: string, exchangeListId: string): Promise<unknown>;
  /** The legs' states in a raw answer of `place` or `cancel`. */
  legStates(answer: unknown): RawOrderState[];
}

/** An account message's meaning: funding was paid (the payments are then read, with their ids, from REST), positions moved. */
export interface AccountChange {
  readonly fundingPaid: boolean;
  readonly positionsChanged: boolean;
}

export type WeightedCall = 'createOrder' | 'cancelOrder' | 'editOrder' | 'fetchOrder' | 'fetchOpenOrders' | 'fetchMyTrades' | 'fetchBalance' | 'fetchPositions' | 'fetchTime' | 'loadMarkets' | 'setLeverage' | 'setMarginMode' | 'fetchFundingHistory' | 'fetchLiquidations' | 'listenKey' | 'createOrderList' | 'cancelOrderList';
