// The inspector's wire protocol (server -> page over /inspector/stream): a snapshot of the actor tree, then
// coalesced batches, each carrying the sequence of the last log entry it includes, so a page can resume.

/** One actor in the tree, as the page lists and filters it. Absent fields are omitted to keep loads small. */
export interface NodeView {
  /** The actor id: `portfolio`, `order:<clientOrderId>`, `position:<positionId>`, `venue:<venueId>`. */
  readonly id: string;
  readonly kind: 'portfolio' | 'position' | 'order' | 'algo' | 'venue';
  readonly parent?: string;
  /** Machine id of its chart (order, position, portfolio); absent for actors drawn without one (venues). */
  readonly machine?: string;
  /** Active state as a dotted path, parallel regions joined by `, ` (e.g. `open.stop.trailing, open.size.base`). */
  readonly state: string;
  readonly live: boolean;
  readonly symbol?: string;
  readonly side?: string;
  readonly quantity?: string;
  readonly filled?: string;
  readonly price?: string;
  readonly averagePrice?: string;
  readonly realizedPnl?: string;
  readonly unrealizedPnl?: string;
  /** Clock time of the last change seen. */
  readonly updatedAt?: number;
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
}

export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Identifies this bridge: a sequence is only meaningful within the session that numbered it. */
  readonly session: string;
  /** Entries up to and including this sequence are reflected in `nodes`. */
  readonly sequence: number;
  readonly nodes: readonly NodeView[];
  readonly machines: Readonly<Record<string, number>>;
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
