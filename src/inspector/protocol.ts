// The inspector's wire protocol (server -> page over /inspector/stream): a snapshot of the actor tree, then
// coalesced batches, each carrying the sequence of the last log entry it includes, so a page can resume.

/** One actor in the tree, as the page lists and filters it. Absent fields are omitted to keep loads small. */
export interface NodeView {
  /** The actor id: `portfolio`, `order:<clientOrderId>`, `position:<positionId>`, `venue:<venueId>`. */
  readonly id: string;
  readonly kind: 'portfolio' | 'position' | 'order' | 'algo' | 'venue';
  readonly parent?: string;
  /** Machine id of its chart when not its kind's (orders draw `order`, positions `position`, the portfolio `portfolio`); venues have none. */
  readonly machine?: string;
  /** Active state as a dotted path, parallel regions joined by `, ` (e.g. `open.stop.trailing, open.size.base`). */
  readonly state: string;
  readonly live: boolean;
  /** The venue, when not the engine's default one. */
  readonly venue?: string;
  readonly symbol?: string;
  /** buy/sell for an order, long/short for a position. */
  readonly side?: string;
  /** An order's type: market, limit, stop, stopLimit, trailingStop... */
  readonly orderType?: string;
  readonly quantity?: string;
  /** Filled quantity; absent while nothing is filled. */
  readonly filled?: string;
  readonly price?: string;
  /** An order's stop price, or a position's working stop. */
  readonly stopPrice?: string;
  /** A stop's or trailing stop's current trigger price (it moves as a trailing stop follows the market). */
  readonly triggerPrice?: string;
  /** A trailing stop's high-water (low-water for a buy) mark. */
  readonly watermark?: string;
  readonly averagePrice?: string;
  readonly reduceOnly?: boolean;
  /** Fees paid, in the instrument's quote currency (money figures are all in it: see InstrumentView). */
  readonly fees?: string;
  /** Realized PnL after fees (a closed position's equals its /v1/trades record). */
  readonly realizedPnl?: string;
  readonly unrealizedPnl?: string;
  readonly markPrice?: string;
  /** |quantity| × mark. */
  readonly notional?: string;
  readonly takeProfitPrices?: readonly string[];
  /** A position's stop plan phase: initial, breakEven or trailing. */
  readonly stopPhase?: string;
  readonly exitReason?: string;
  /** Why an order was denied, rejected or canceled; why trading is halted; why a position's plan failed. */
  readonly reason?: string;
  readonly createdAt?: number;
  readonly closedAt?: number;
  /** Clock time of the last change seen. */
  readonly updatedAt?: number;
}

/** An instrument's formatting figures: prices are shown to its tick, quantities to its lot. */
export interface InstrumentView {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly lotSize: string;
}

/**
 * Finished actors, newest first, are paged from the server: those the bridge saw finish (`count` of them at the
 * snapshot, the page's `asOf`), then those that finished before it attached.
 */
export interface HistoryView {
  /** Identifies the history's numbering; a page asks with it and gets a re-sync when it changed. */
  readonly epoch: string;
  readonly count: number;
}

/** GET /inspector/history: finished actors newest first, filtered, `offset` rows down from the newest. */
export interface HistoryPage {
  readonly epoch: string;
  /** Rows matching the filter: the first `asOf` seen finishing, then the earlier ones read so far. */
  readonly total: number;
  /** False while older rows may follow: the server reads the earlier history only as far back as asked. */
  readonly complete: boolean;
  readonly offset: number;
  readonly nodes: readonly NodeView[];
}

/** One entry of an actor's event log: an event it received, or a domain event it emitted. */
export interface LogEntryView {
  readonly sequence: number;
  /** Engine clock time. */
  readonly at: number;
  readonly actorId: string;
  readonly kind: 'received' | 'emitted';
  readonly eventType: string;
  /** For an emitted domain event: its sequence in the engine's journal. */
  readonly domainSequence?: number;
  /** The actor's state right after this entry. */
  readonly state: string;
  /** The state before, for a received event: with `eventType` it names the transition just taken. */
  readonly previousState?: string;
  /** Actor id of the sender, when one actor sent it to another. */
  readonly sourceId?: string;
  /** What the event carried, decoded (see LogFields). */
  readonly fields?: LogFields;
}

/** An event's figures as decimal strings: quantity, price, fee (+ feeCurrency), stopFrom -> stopTo, trigger, watermark, takeProfits (comma-separated), realizedPnl, reason, change. */
export type LogFields = Readonly<Record<string, string>>;

export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Identifies this bridge: a sequence is only meaningful within the session that numbered it. */
  readonly session: string;
  /** Entries up to and including this sequence are reflected in `nodes`. */
  readonly sequence: number;
  /** The portfolio, venues and live actors; finished ones are paged from /inspector/history. */
  readonly nodes: readonly NodeView[];
  readonly machines: Readonly<Record<string, number>>;
  readonly instruments: Readonly<Record<string, InstrumentView>>;
  readonly history: HistoryView;
}

/** Log entries travel without their payloads (fetched on a click), which keeps a busy engine's batches small. */
export interface BatchMessage {
  readonly type: 'batch';
  readonly session: string;
  /** Sequence of the last entry included; the next batch continues from it with no gap. */
  readonly sequence: number;
  readonly nodes: readonly NodeView[];
  readonly entries: readonly LogEntryView[];
}

/** The page fell too far behind (or asked for entries no longer kept): a snapshot follows. */
export interface ResyncMessage {
  readonly type: 'resync';
  readonly reason: string;
}

export type InspectorMessage = SnapshotMessage | BatchMessage | ResyncMessage;

/** An entry with its event and the actor's state and context at that moment: what a click in the log shows. */
export interface EntryDetail extends LogEntryView {
  /** The event's payload: what the actor received, or the domain event it emitted. */
  readonly event: Record<string, unknown>;
  readonly snapshot?: { readonly value: unknown; readonly status: string; readonly context: unknown };
  /** Where the entry came from: observed live, or read back from the journal (before any page attached). */
  readonly source: 'live' | 'journal';
}
