// The SQLite store (better-sqlite3, WAL): the append-only journal of domain events, actor snapshots, order
// intents and the order/fill/position/balance tables. Writes of one event-loop turn go in one transaction.
// Opening the file, the batch's writes, the reads and the row mappers are each in their own file beside it.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { actorIdOfEvent, type DomainEvent } from '../domain/events.ts';
import { CommitStatistics } from './commit-statistics.ts';
import type { JournalStore } from './journal-store.ts';
import { BatchWriter, batchIsEmpty, emptyBatch } from './pending-batch.ts';
import type {
  BalanceRecord,
  CommitInfo,
  FillRecord,
  IntentRecord,
  IntentStatus,
  OrderRecord,
  PositionRecord,
  SnapshotRecord,
  StoreStats,
} from './records.ts';
import { openStoreFile } from './store-file.ts';
import { StoreReads } from './store-reads.ts';

export interface StoreOptions {
  /** The database file; its directory is created if missing. */
  readonly path: string;
  readonly logger?: Logger;
  /**
   * 'full' (default): every commit is fsynced, so a committed intent survives a power cut, not only a crash
   * of the process. 'normal' survives a process crash but may lose the last commits on power loss.
   */
  readonly synchronous?: 'full' | 'normal';
}

/** Thrown when the journal would get a gap or a repeat: the engine's numbering and the file disagree. */
export class JournalSequenceError extends Error {
  constructor(expected: number, got: number) {
    super(`journal sequence must be gapless: expected ${expected}, got ${got}`);
    this.name = 'JournalSequenceError';
  }
}

/** Called at the start of each group commit, so callers add what changed during the turn (snapshots). */
export type BeforeCommitHook = () => void;

/** The actor an event belongs to, for the journal's actor_id column. */
export function actorIdOf(event: DomainEvent): string {
  return actorIdOfEvent(event);
}

export function openStore(options: StoreOptions): Store {
  return new Store(options);
}

export class Store implements JournalStore {
  readonly path: string;
  private readonly database: Database.Database;
  private readonly logger: Logger | undefined;
  private readonly synchronous: 'full' | 'normal';
  private batch = emptyBatch();
  private scheduled = false;
  private closed = false;
  private committedSequence: number;
  private pendingSequence: number;
  private readonly hooks = new Set<BeforeCommitHook>();
  private readonly afterHooks = new Set<() => void>();
  /** Callers waiting for what was queued when they asked to be on disk. */
  private durableWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly commitListeners = new Set<(info: CommitInfo) => void>();
  private readonly counters = new CommitStatistics();
  private readonly writer: BatchWriter;
  private readonly reads: StoreReads;
  private readonly eventsSinceStatement: Database.Statement;

  constructor(options: StoreOptions) {
    this.path = options.path;
    this.logger = options.logger;
    this.synchronous = options.synchronous ?? 'full';
    this.database = openStoreFile(this.path, this.synchronous, this.logger);
    this.writer = new BatchWriter(this.database, this.logger);
    this.reads = new StoreReads(this.database);
    this.eventsSinceStatement = this.database.prepare('SELECT payload FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?');
    this.committedSequence = (this.database.prepare('SELECT MAX(sequence) AS sequence FROM journal').get() as { sequence: number | null }).sequence ?? 0;
    this.pendingSequence = this.committedSequence;
  }

  // ----- writes -----

  /** Queues a domain event for this turn's group commit. Sequences must follow on without gaps. */
  append(event: DomainEvent): void {
    this.assertOpen();
    if (event.sequence !== this.pendingSequence + 1) throw new JournalSequenceError(this.pendingSequence + 1, event.sequence);
    this.pendingSequence = event.sequence;
    this.batch.events.push(event);
    this.counters.eventsAppended++;
    this.schedule();
  }

  /** Queues an actor snapshot; a later one for the same actor in the same turn replaces it. */
  putSnapshot(record: SnapshotRecord): void {
    this.assertOpen();
    this.batch.snapshots.set(record.actorId, record);
    this.schedule();
  }

  putOrder(record: OrderRecord): void {
    this.assertOpen();
    this.batch.orders.set(record.clientOrderId, record);
    this.schedule();
  }

  putFill(record: FillRecord): void {
    this.assertOpen();
    this.batch.fills.push(record);
    this.schedule();
  }

  putPosition(record: PositionRecord): void {
    this.assertOpen();
    this.batch.positions.set(record.positionId, record);
    this.schedule();
  }

  putBalance(record: BalanceRecord): void {
    this.assertOpen();
    this.batch.balances.set(record.currency, record);
    this.schedule();
  }

  /** Queues an intent's resolution (acknowledged by the venue, adopted, or unknown there). */
  resolveIntent(clientOrderId: string, status: Exclude<IntentStatus, 'sent'>, at: number, note?: string): void {
    this.assertOpen();
    this.batch.intents.set(clientOrderId, { status, note, at });
    this.schedule();
  }

  /**
   * Commits the intent to send an order now, synchronously, before the caller lets it leave. Returns false
   * (and writes nothing) when an intent with this clientOrderId exists already: the order may have left
   * once, and must never be sent again blindly.
   */
  recordIntent(intent: { clientOrderId: string; venue: string; request: unknown; createdAt: number }): boolean {
    this.assertOpen();
    const started = process.hrtime.bigint();
    const written = this.writer.insertIntent(intent, this.committedSequence);
    this.counters.intentCommits++;
    this.notify({ milliseconds: Number(process.hrtime.bigint() - started) / 1e6, events: 0, kind: 'intent' });
    return written;
  }

  /**
   * Queues the intent to send an order for this turn's group commit; the caller sends the order only after
   * that commit (afterCommit). Returns false, queueing nothing, when the clientOrderId has an intent already
   * (committed or queued): the order may have left once and must never be sent again blindly.
   */
  queueIntent(intent: { clientOrderId: string; venue: string; request: unknown; createdAt: number }): boolean {
    this.assertOpen();
    if (this.batch.newIntents.has(intent.clientOrderId) || this.writer.intentExists(intent.clientOrderId)) return false;
    this.batch.newIntents.set(intent.clientOrderId, { venue: intent.venue, request: intent.request, createdAt: intent.createdAt });
    this.schedule();
    return true;
  }

  /** Runs a callback after each successful group commit (to release effects that had to wait for it). */
  afterCommit(hook: () => void): () => void {
    this.afterHooks.add(hook);
    return () => this.afterHooks.delete(hook);
  }

  /** Runs a callback at the start of each group commit (to add this turn's snapshots). Returns the remover. */
  beforeCommit(hook: BeforeCommitHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Told of every commit with its latency: for metrics. Returns the remover. */
  onCommit(listener: (info: CommitInfo) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Resolves once everything queued so far is committed (this turn's group commit); at once when nothing is
   * queued. Rejects if that commit fails. For answers that must not precede durability (an API's 201).
   */
  whenCommitted(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the store ${this.path} is closed`));
    if (batchIsEmpty(this.batch) && !this.scheduled) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.durableWaiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Makes sure a group commit runs at the end of this turn of the event loop. */
  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.flush();
    });
  }

  /** Commits everything queued now, in one transaction. */
  flush(): void {
    if (this.closed) return;
    for (const hook of this.hooks) hook();
    if (batchIsEmpty(this.batch)) {
      for (const waiter of this.durableWaiters.splice(0)) waiter.resolve();
      this.runAfterHooks();
      return;
    }
    const batch = this.batch;
    this.batch = emptyBatch();
    const started = process.hrtime.bigint();
    const waiters = this.durableWaiters;
    this.durableWaiters = [];
    try {
      this.counters.duplicateFillsRefused += this.writer.write(batch, this.pendingSequence);
    } catch (error) {
      // Nothing of the batch was written (one transaction). Stop taking writes: durability is gone.
      this.logger?.fatal({ err: error, path: this.path }, `store commit failed: ${(error as Error).message}`);
      this.closed = true;
      for (const waiter of waiters) waiter.reject(error as Error);
      throw error;
    }
    for (const waiter of waiters) waiter.resolve();
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    if (batch.events.length > 0) this.committedSequence = batch.events[batch.events.length - 1]!.sequence;
    this.counters.groupCommitted(milliseconds, batch.events.length);
    this.notify({ milliseconds, events: batch.events.length, kind: 'group' });
    this.runAfterHooks();
  }

  private runAfterHooks(): void {
    for (const hook of this.afterHooks) {
      try {
        hook();
      } catch (error) {
        this.logger?.error({ err: error }, 'a store after-commit hook threw');
      }
    }
  }

  /** Commits what is queued and closes the file. */
  close(): void {
    if (this.closed && !this.database.open) return;
    if (!this.closed) this.flush();
    this.closed = true;
    if (this.database.open) this.database.close();
  }

  /**
   * Closes the file WITHOUT committing what is queued: what a crash does to the current turn. For crash
   * tests and for a process that must stop writing at once; everything committed before stays.
   */
  abandon(): void {
    this.batch = emptyBatch();
    this.durableWaiters = [];
    this.closed = true;
    if (this.database.open) this.database.close();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  // ----- reads: the journal here (it includes this turn's queue), the committed rows through StoreReads -----

  /** The last sequence appended (committed or queued for this turn's commit). */
  lastSequence(): number {
    return this.pendingSequence;
  }

  /** The last sequence that is durable on disk. */
  lastCommittedSequence(): number {
    return this.committedSequence;
  }

  /** Events after `afterSequence`, in order, at most `limit`: committed ones, then those queued this turn. */
  eventsSince(afterSequence: number, limit = 1000): DomainEvent[] {
    if (!Number.isInteger(afterSequence) || afterSequence < 0) throw new RangeError(`afterSequence must be a non-negative integer, got ${afterSequence}`);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const rows = this.eventsSinceStatement.all(afterSequence, limit) as Array<{ payload: string }>;
    const events = rows.map((row) => JSON.parse(row.payload) as DomainEvent);
    for (const event of this.batch.events) {
      if (events.length >= limit) break;
      if (event.sequence > afterSequence && event.sequence > this.committedSequence) events.push(event);
    }
    return events;
  }

  snapshot(actorId: string): SnapshotRecord | undefined {
    return this.reads.snapshot(actorId);
  }

  liveSnapshots(): SnapshotRecord[] {
    return this.reads.liveSnapshots();
  }

  closedPositionSnapshots(): SnapshotRecord[] {
    return this.reads.closedPositionSnapshots();
  }

  recentFinishedOrderSnapshots(limit: number): SnapshotRecord[] {
    return this.reads.recentFinishedOrderSnapshots(limit);
  }

  snapshotsOfMachines(machineIds: readonly string[]): SnapshotRecord[] {
    return this.reads.snapshotsOfMachines(machineIds);
  }

  snapshots(): SnapshotRecord[] {
    return this.reads.snapshots();
  }

  order(clientOrderId: string): OrderRecord | undefined {
    return this.reads.order(clientOrderId);
  }

  orders(filter: { live?: boolean } = {}): OrderRecord[] {
    return this.reads.orders(filter);
  }

  /** Recovery marks per order (only orders that have any). */
  orderFlags(): Map<string, string[]> {
    return this.reads.orderFlags();
  }

  intents(status?: IntentStatus): IntentRecord[] {
    return this.reads.intents(status);
  }

  intent(clientOrderId: string): IntentRecord | undefined {
    return this.reads.intent(clientOrderId);
  }

  fills(filter: { clientOrderId?: string } = {}): FillRecord[] {
    return this.reads.fills(filter);
  }

  positions(): PositionRecord[] {
    return this.reads.positions();
  }

  balances(): BalanceRecord[] {
    return this.reads.balances();
  }

  /** Checks the journal has no gaps: returns the sequences where one starts (empty when whole). */
  journalGaps(): number[] {
    return this.reads.journalGaps();
  }

  meta(): Record<string, string> {
    return this.reads.meta();
  }

  stats(): StoreStats {
    return this.counters.stats({ path: this.path, synchronous: this.synchronous, lastSequence: this.pendingSequence, pendingEvents: this.batch.events.length });
  }

  private notify(info: CommitInfo): void {
    for (const listener of this.commitListeners) {
      try {
        listener(info);
      } catch (error) {
        this.logger?.error({ err: error }, 'a store commit listener threw');
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the store ${this.path} is closed`);
  }
}
