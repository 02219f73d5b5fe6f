// The bridge's clients: what a page or a Stately client is to the bridge (its subscriber, its connection, what it
// watches), and the batch of one flush encoded once for every client that watches the same actors.
import type { RetainedEntry } from './entry-log.ts';
import { viewOf } from './entry-log.ts';
import type { BatchMessage, NodeView, SnapshotMessage } from './protocol.ts';

/** Where the bridge delivers: one page (fillstate protocol) or one Stately inspector client. */
export interface BridgeSubscriber {
  /** Bytes queued to this client and not yet written to the network. */
  bufferedBytes(): number;
  snapshot(message: SnapshotMessage): void;
  /** `encoded` serializes the batch once for every client that sends it as it is. */
  batch(message: BatchMessage, entries: readonly RetainedEntry[], encoded: () => string): void;
  resync(reason: string): void;
}

export interface BridgeConnection {
  /**
   * From now on, sends this client only the log entries of `actorIds` (none for an empty list), starting with the
   * entries of theirs still kept, so the client's log has no gap; `undefined` sends every new entry again.
   */
  watch(actorIds: readonly string[] | undefined): void;
  /** Detaches this client; the last one to leave detaches the bridge from the engine. */
  close(): void;
}

/** What a client connects with besides its subscriber. */
export interface ConnectOptions {
  /** Resume after this client's last sequence in this session (see connect). */
  readonly resume?: { readonly session: string; readonly after: number };
  /** The actors whose log entries the client wants (see BridgeConnection.watch); every actor's when absent. */
  readonly watch?: readonly string[];
}

export interface ClientState {
  readonly subscriber: BridgeSubscriber;
  stalled: boolean;
  /** Actor ids whose entries this client gets; undefined: every entry. */
  watching: ReadonlySet<string> | undefined;
}

/**
 * One flush's batch for every client: the nodes serialized once, the entries once per distinct choice of watched
 * actors (most pages watch one actor or none, so most get no entries at all).
 */
export class BatchEncoder {
  private nodesJson: string | undefined;
  private readonly byChoice = new Map<string, { readonly message: BatchMessage; readonly entries: readonly RetainedEntry[]; json?: string }>();

  constructor(
    private readonly session: string,
    private readonly sequence: number,
    private readonly nodes: readonly NodeView[],
    private readonly entries: readonly RetainedEntry[],
  ) {}

  sendTo(client: ClientState): void {
    const watching = client.watching;
    const key = watching === undefined ? '*' : [...watching].sort().join('\u0000');
    let batch = this.byChoice.get(key);
    if (batch === undefined) {
      const entries = watching === undefined ? this.entries : this.entries.filter((entry) => watching.has(entry.actorId));
      const message: BatchMessage = { type: 'batch', session: this.session, sequence: this.sequence, nodes: this.nodes, entries: entries.map(viewOf) };
      this.byChoice.set(key, (batch = { message, entries }));
    }
    const chosen = batch;
    client.subscriber.batch(chosen.message, chosen.entries, () => (chosen.json ??= this.encode(chosen.message)));
  }

  /** JSON.stringify(message), with the nodes' part shared by every choice. */
  private encode(message: BatchMessage): string {
    this.nodesJson ??= JSON.stringify(this.nodes);
    return `{"type":"batch","session":${JSON.stringify(message.session)},"sequence":${message.sequence},"nodes":${this.nodesJson},"entries":${JSON.stringify(message.entries)}}`;
  }
}
