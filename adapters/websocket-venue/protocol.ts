// The wire protocol between a WebSocket venue client and a venue server: JSON messages, decimal strings,
// request ids for commands and queries, sequenced execution reports that a reconnecting client resumes.
import { decimal, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { BookLevel, MarketData } from '../../src/domain/market-data.ts';
import type { Balance, ExecutionReport, OrderAmendment, VenueCapabilities, VenueFill, VenueOrder, VenueOrderList, VenueOrderStatus } from '../venue.ts';

/** Bumped on any incompatible change; a server refuses a client that speaks another version. */
export const PROTOCOL_VERSION = 1;

/** Header carrying the shared secret on the WebSocket upgrade request (`Authorization: Bearer <token>`). */
export const AUTHORIZATION_HEADER = 'authorization';

// ----- client to server -----

export type ClientMessage =
  /**
   * First message on every connection. `session` fences old connections of the same client: once a newer
   * connection says hello, anything still arriving on an older one is ignored, so a status query after a
   * reconnect is the final word on whether an earlier command arrived. `resumeAfter`: replay every report
   * with a higher sequence; null means "from now on".
   */
  | { readonly type: 'hello'; readonly protocol: number; readonly session: string; readonly resumeAfter: number | null }
  | { readonly type: 'submit'; readonly id: number; readonly order: VenueOrder }
  /** A venue list (capabilities.orderLists) in one message: the venue gets every leg or none. */
  | { readonly type: 'submitList'; readonly id: number; readonly list: VenueOrderList }
  | { readonly type: 'amend'; readonly id: number; readonly clientOrderId: string; readonly amendment: OrderAmendment }
  | { readonly type: 'cancel'; readonly id: number; readonly clientOrderId: string }
  | { readonly type: 'query'; readonly id: number; readonly query: 'order' | 'orderFills'; readonly clientOrderId: string }
  | { readonly type: 'query'; readonly id: number; readonly query: 'openOrders' | 'balances' | 'admin' }
  | { readonly type: 'query'; readonly id: number; readonly query: 'fillsSince'; readonly afterSequence: number }
  | { readonly type: 'subscribe'; readonly symbols: readonly string[] }
  | { readonly type: 'ping'; readonly at: number }
  | { readonly type: 'pong'; readonly at: number };

// ----- server to client -----

export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly protocol: number;
  readonly venue: string;
  /**
   * Identifies this run of the venue server. Report sequences only mean something within one instance: a
   * client that knew another instance must not resume (its orders and reports are not this venue's).
   */
  readonly instance: string;
  readonly capabilities: VenueCapabilities;
  readonly instruments: readonly InstrumentSpec[];
  readonly serverTime: number;
  /** Highest report sequence so far (0 before the first report). */
  readonly lastSequence: number;
}

export type ServerMessage =
  | WelcomeMessage
  /** Every missed report has been sent; from here on reports stream live. */
  | { readonly type: 'resumed'; readonly through: number }
  | { readonly type: 'report'; readonly sequence: number; readonly report: ExecutionReport }
  /** The command was received and handed to the venue; its outcome comes as reports. */
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  /**
   * A request that could not be served (bad input); `id` is null when the message had none. `fatal`: the
   * server closes the connection and retrying cannot help (protocol mismatch, lost report log).
   */
  | { readonly type: 'error'; readonly id: number | null; readonly message: string; readonly fatal?: boolean }
  | { readonly type: 'market'; readonly data: WireMarketData }
  | { readonly type: 'ping'; readonly at: number }
  | { readonly type: 'pong'; readonly at: number };

// ----- query results -----

/** One fill as the venue booked it, with the sequence of the report that announced it. */
export interface SequencedVenueFill extends VenueFill {
  readonly sequence: number;
}

/** The venue's whole truth, for audits and crash tests. */
export interface VenueAdminState {
  readonly venue: string;
  readonly serverTime: number;
  readonly lastSequence: number;
  /** Every order ever submitted, including refused ones, in first-submit order. */
  readonly orders: readonly VenueOrderStatus[];
  /** Every fill, in the order it happened. */
  readonly fills: readonly SequencedVenueFill[];
  readonly balances: readonly Balance[];
  /** How many times each clientOrderId was submitted, alone or as a leg (more than 1: a duplicate was sent and refused). */
  readonly submitCounts: Readonly<Record<string, number>>;
  /** Total submits refused as duplicates. */
  readonly duplicateSubmits: number;
}

export type QueryResult = {
  order: VenueOrderStatus | null;
  orderFills: readonly VenueFill[];
  openOrders: readonly VenueOrderStatus[];
  balances: readonly Balance[];
  fillsSince: readonly SequencedVenueFill[];
  admin: VenueAdminState;
};

// ----- market data on the wire -----

interface WireLevel {
  readonly price: DecimalString;
  readonly quantity: DecimalString;
}

export type WireMarketData =
  | { readonly type: 'quote'; readonly symbol: string; readonly timestamp: number; readonly bids: readonly WireLevel[]; readonly asks: readonly WireLevel[] }
  | {
      readonly type: 'trade';
      readonly symbol: string;
      readonly timestamp: number;
      readonly price: DecimalString;
      readonly quantity: DecimalString;
      readonly aggressor: 'buy' | 'sell';
    }
  | {
      readonly type: 'bar';
      readonly symbol: string;
      readonly timestamp: number;
      readonly intervalMs: number;
      readonly open: DecimalString;
      readonly high: DecimalString;
      readonly low: DecimalString;
      readonly close: DecimalString;
      readonly volume: DecimalString;
    };

export function marketDataToWire(data: MarketData): WireMarketData {
  switch (data.type) {
    case 'quote': {
      const levels = (side: readonly BookLevel[]) =>
        side.map((level) => ({ price: toDecimalString(level.price), quantity: toDecimalString(level.quantity) }));
      return { type: 'quote', symbol: data.symbol, timestamp: data.timestamp, bids: levels(data.bids), asks: levels(data.asks) };
    }
    case 'trade':
      return {
        type: 'trade',
        symbol: data.symbol,
        timestamp: data.timestamp,
        price: toDecimalString(data.price),
        quantity: toDecimalString(data.quantity),
        aggressor: data.aggressor,
      };
    case 'bar':
      return {
        type: 'bar',
        symbol: data.symbol,
        timestamp: data.timestamp,
        intervalMs: data.intervalMs,
        open: toDecimalString(data.open),
        high: toDecimalString(data.high),
        low: toDecimalString(data.low),
        close: toDecimalString(data.close),
        volume: toDecimalString(data.volume),
      };
  }
}

export function marketDataFromWire(data: WireMarketData): MarketData {
  switch (data.type) {
    case 'quote': {
      const levels = (side: readonly WireLevel[]) => side.map((level) => ({ price: decimal(level.price), quantity: decimal(level.quantity) }));
      return { type: 'quote', symbol: data.symbol, timestamp: data.timestamp, bids: levels(data.bids), asks: levels(data.asks) };
    }
    case 'trade':
      return { ...data, price: decimal(data.price), quantity: decimal(data.quantity) };
    case 'bar':
      return {
        ...data,
        open: decimal(data.open),
        high: decimal(data.high),
        low: decimal(data.low),
        close: decimal(data.close),
        volume: decimal(data.volume),
      };
  }
}
