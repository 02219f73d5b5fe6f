// What the engine needs of a durable store: the journal, snapshots, order rows and the intent outbox, with
// group commits it can hook into. The SQLite Store implements it; the engine knows only this interface.
import type { DomainEvent } from '../domain/events.ts';
import type { BalanceRecord, FillRecord, IntentRecord, IntentStatus, OrderRecord, PositionRecord, SnapshotRecord } from './records.ts';

export interface JournalStore {
  readonly path: string;
  readonly isOpen: boolean;
  append(event: DomainEvent): void;
  lastSequence(): number;
  eventsSince(afterSequence: number, limit?: number): DomainEvent[];
  putSnapshot(record: SnapshotRecord): void;
  putOrder(record: OrderRecord): void;
  putFill(record: FillRecord): void;
  putPosition(record: PositionRecord): void;
  putBalance(record: BalanceRecord): void;
  snapshot(actorId: string): SnapshotRecord | undefined;
  /** Snapshots of the portfolio, of orders still live and of positions not closed: what a restart restores. */
  liveSnapshots(): SnapshotRecord[];
  /** Snapshots of closed positions (their trade records are rebuilt at start without an actor). */
  closedPositionSnapshots(): SnapshotRecord[];
  /** Every snapshot written by these machines (`algo`, `orderList`), oldest first: algos and order lists. */
  snapshotsOfMachines(machineIds: readonly string[]): SnapshotRecord[];
  /** One order's row, live or finished. */
  order(clientOrderId: string): OrderRecord | undefined;
  /** Snapshots of the most recently finished orders, oldest of them first, at most `limit`. */
  recentFinishedOrderSnapshots(limit: number): SnapshotRecord[];
  orderFlags(): Map<string, string[]>;
  intents(status?: IntentStatus): IntentRecord[];
  intent(clientOrderId: string): IntentRecord | undefined;
  queueIntent(intent: { clientOrderId: string; venue: string; request: unknown; createdAt: number }): boolean;
  resolveIntent(clientOrderId: string, status: Exclude<IntentStatus, 'sent'>, at: number, note?: string): void;
  beforeCommit(hook: () => void): () => void;
  afterCommit(hook: () => void): () => void;
  schedule(): void;
  flush(): void;
  whenCommitted(): Promise<void>;
}
