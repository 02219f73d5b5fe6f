// The rows the store keeps, as the engine hands them over and reads them back: plain JSON, decimal strings.
import type { DomainEvent } from '../domain/events.ts';

export interface SnapshotRecord {
  /** e.g. `order:abc-1`, `position:p1`, `portfolio`. */
  readonly actorId: string;
  /** The machine's id (`order`, `position`, `portfolio`) and the version its snapshot was written with. */
  readonly machineId: string;
  readonly machineVersion: number;
  /** The actor's persisted snapshot (XState `getPersistedSnapshot()`), as JSON. */
  readonly snapshot: unknown;
  /** The journal's sequence when the snapshot was taken: later events are not in it. */
  readonly lastSequence: number;
  readonly updatedAt: number;
}

export type IntentStatus = 'sent' | 'acknowledged' | 'adopted' | 'unknownAtVenue';

/** The intent to send an order: committed before the order leaves, so a crash can never hide an order. */
export interface IntentRecord {
  readonly clientOrderId: string;
  readonly venue: string;
  /** The order exactly as it is sent (the venue contract's VenueOrder). */
  readonly request: unknown;
  readonly createdAt: number;
  /** The journal's last sequence when the intent was committed. */
  readonly afterSequence: number;
  readonly status: IntentStatus;
  readonly resolvedAt?: number;
  readonly note?: string;
}

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly status: string;
  readonly live: boolean;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly averagePrice?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly parentId?: string;
  readonly request: unknown;
  /** Recovery marks: `adopted` (found at the venue, unknown here), `unknownAtVenue` (sent, never seen there). */
  readonly flags?: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FillRecord {
  readonly venue: string;
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: string;
  readonly late: boolean;
  readonly timestamp: number;
  readonly sequence: number;
}

export interface PositionRecord {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: string;
  readonly status: string;
  readonly quantity: string;
  readonly averageEntryPrice?: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly updatedAt: number;
}

export interface BalanceRecord {
  readonly currency: string;
  readonly total: string;
  readonly reserved: string;
  readonly updatedAt: number;
}

export interface StoreStats {
  readonly path: string;
  readonly synchronous: 'full' | 'normal';
  /** Domain events appended since open, and the journal's last sequence. */
  readonly eventsAppended: number;
  readonly lastSequence: number;
  /** Group commits since open (each one transaction) and intent commits (one each, before a send). */
  readonly commits: number;
  readonly intentCommits: number;
  /** Fills the unique (venue, tradeId) key refused: each one a double count prevented. */
  readonly duplicateFillsRefused: number;
  readonly lastBatchEvents: number;
  readonly largestBatchEvents: number;
  /** Commit latency in milliseconds over the last 1,024 group commits. */
  readonly lastCommitMs: number;
  readonly p50CommitMs: number;
  readonly p99CommitMs: number;
  readonly maxCommitMs: number;
  /** Events queued for the next group commit. */
  readonly pendingEvents: number;
}

export interface CommitInfo {
  readonly milliseconds: number;
  readonly events: number;
  readonly kind: 'group' | 'intent';
}

export type { DomainEvent };
