// The SQLite store (better-sqlite3, WAL): the append-only journal of domain events, actor snapshots, order
// intents and the order/fill/position/balance tables. Writes of one event-loop turn go in one transaction.
import type { JournalStore } from './journal-store.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { actorIdOfEvent, type DomainEvent } from '../domain/events.ts';
import { inspectExistingFile, StoreOpenError } from './inspect.ts';
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
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.ts';

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

interface Batch {
  events: DomainEvent[];
  snapshots: Map<string, SnapshotRecord>;
  orders: Map<string, OrderRecord>;
  fills: FillRecord[];
  positions: Map<string, PositionRecord>;
  balances: Map<string, BalanceRecord>;
  intents: Map<string, { status: IntentStatus; note?: string; at: number }>;
  newIntents: Map<string, { venue: string; request: unknown; createdAt: number }>;
}

const LATENCY_WINDOW = 1024;

function emptyBatch(): Batch {
  return { events: [], snapshots: new Map(), orders: new Map(), fills: [], positions: new Map(), balances: new Map(), intents: new Map(), newIntents: new Map() };
}

function batchIsEmpty(batch: Batch): boolean {
  return batch.events.length === 0 && batch.snapshots.size === 0 && batch.orders.size === 0 && batch.fills.length === 0
    && batch.positions.size === 0 && batch.balances.size === 0 && batch.intents.size === 0 && batch.newIntents.size === 0;
}

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
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;
  private counters = { eventsAppended: 0, commits: 0, intentCommits: 0, duplicateFillsRefused: 0, lastBatchEvents: 0, largestBatchEvents: 0, lastCommitMs: 0, maxCommitMs: 0 };
  private readonly statements;
  private readonly writeBatch: (batch: Batch) => void;

  constructor(options: StoreOptions) {
    this.path = options.path;
    this.logger = options.logger;
    this.synchronous = options.synchronous ?? 'full';
    // Inspect read-only first: a file that is not ours is refused before anything can write to it.
    const existing = inspectExistingFile(this.path);
    if (existing.kind === 'absent') mkdirSync(dirname(this.path), { recursive: true });
    try {
      this.database = new Database(this.path);
    } catch (error) {
      throw new StoreOpenError(this.path, `SQLite could not open it: ${(error as Error).message}`);
    }
    try {
      this.database.pragma('journal_mode = WAL');
      this.database.pragma(`synchronous = ${this.synchronous.toUpperCase()}`);
      this.database.pragma('foreign_keys = ON');
      this.migrate(existing.kind === 'fillstate' ? existing.schemaVersion : 0);
    } catch (error) {
      this.database.close();
      throw error;
    }
    const db = this.database;
    this.statements = {
      insertEvent: db.prepare('INSERT INTO journal (sequence, type, timestamp, actor_id, payload) VALUES (?, ?, ?, ?, ?)'),
      upsertSnapshot: db.prepare(
        `INSERT INTO snapshots (actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (actor_id) DO UPDATE SET machine_id = excluded.machine_id, machine_version = excluded.machine_version,
           snapshot = excluded.snapshot, last_sequence = excluded.last_sequence, updated_at = excluded.updated_at`,
      ),
      upsertOrder: db.prepare(
        `INSERT INTO orders (client_order_id, venue, symbol, side, type, status, live, quantity, filled_quantity, average_price, price, stop_price, parent_id, request, flags, created_at, updated_at)
         VALUES (@clientOrderId, @venue, @symbol, @side, @type, @status, @live, @quantity, @filledQuantity, @averagePrice, @price, @stopPrice, @parentId, @request, @flags, @createdAt, @updatedAt)
         ON CONFLICT (client_order_id) DO UPDATE SET status = excluded.status, live = excluded.live, quantity = excluded.quantity,
           filled_quantity = excluded.filled_quantity, average_price = excluded.average_price, price = excluded.price,
           stop_price = excluded.stop_price, flags = excluded.flags, updated_at = excluded.updated_at`,
      ),
      insertFill: db.prepare(
        `INSERT OR IGNORE INTO fills (venue, trade_id, client_order_id, symbol, side, quantity, price, fee, fee_currency, liquidity, late, timestamp, sequence)
         VALUES (@venue, @tradeId, @clientOrderId, @symbol, @side, @quantity, @price, @fee, @feeCurrency, @liquidity, @late, @timestamp, @sequence)`,
      ),
      upsertPosition: db.prepare(
        `INSERT INTO positions (position_id, venue, symbol, direction, status, quantity, average_entry_price, realized_pnl, fees, updated_at)
         VALUES (@positionId, @venue, @symbol, @direction, @status, @quantity, @averageEntryPrice, @realizedPnl, @fees, @updatedAt)
         ON CONFLICT (position_id) DO UPDATE SET direction = excluded.direction, status = excluded.status, quantity = excluded.quantity,
           average_entry_price = excluded.average_entry_price, realized_pnl = excluded.realized_pnl, fees = excluded.fees, updated_at = excluded.updated_at`,
      ),
      upsertBalance: db.prepare(
        `INSERT INTO balances (currency, total, reserved, updated_at) VALUES (@currency, @total, @reserved, @updatedAt)
         ON CONFLICT (currency) DO UPDATE SET total = excluded.total, reserved = excluded.reserved, updated_at = excluded.updated_at`,
      ),
      insertIntent: db.prepare(
        `INSERT OR IGNORE INTO intents (client_order_id, venue, request, created_at, after_sequence, status) VALUES (?, ?, ?, ?, ?, 'sent')`,
      ),
      resolveIntent: db.prepare('UPDATE intents SET status = ?, note = ?, resolved_at = ? WHERE client_order_id = ?'),
      lastSequence: db.prepare('SELECT MAX(sequence) AS sequence FROM journal'),
      intentExists: db.prepare('SELECT 1 FROM intents WHERE client_order_id = ?'),
      eventsSince: db.prepare('SELECT payload FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?'),
    };
    this.writeBatch = db.transaction((batch: Batch) => this.writeRows(batch));
    this.committedSequence = (this.statements.lastSequence.get() as { sequence: number | null }).sequence ?? 0;
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
    const result = this.statements.insertIntent.run(intent.clientOrderId, intent.venue, JSON.stringify(intent.request), intent.createdAt, this.committedSequence);
    this.counters.intentCommits++;
    this.notify({ milliseconds: Number(process.hrtime.bigint() - started) / 1e6, events: 0, kind: 'intent' });
    return result.changes === 1;
  }

  /**
   * Queues the intent to send an order for this turn's group commit; the caller sends the order only after
   * that commit (afterCommit). Returns false, queueing nothing, when the clientOrderId has an intent already
   * (committed or queued): the order may have left once and must never be sent again blindly.
   */
  queueIntent(intent: { clientOrderId: string; venue: string; request: unknown; createdAt: number }): boolean {
    this.assertOpen();
    if (this.batch.newIntents.has(intent.clientOrderId) || this.statements.intentExists.get(intent.clientOrderId) !== undefined) return false;
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
      this.writeBatch(batch);
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
    this.counters.commits++;
    this.counters.lastBatchEvents = batch.events.length;
    this.counters.largestBatchEvents = Math.max(this.counters.largestBatchEvents, batch.events.length);
    this.counters.lastCommitMs = milliseconds;
    this.counters.maxCommitMs = Math.max(this.counters.maxCommitMs, milliseconds);
    this.latencies[this.latencyCount++ % LATENCY_WINDOW] = milliseconds;
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

  // ----- reads -----

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
    const rows = this.statements.eventsSince.all(afterSequence, limit) as Array<{ payload: string }>;
    const events = rows.map((row) => JSON.parse(row.payload) as DomainEvent);
    for (const event of this.batch.events) {
      if (events.length >= limit) break;
      if (event.sequence > afterSequence && event.sequence > this.committedSequence) events.push(event);
    }
    return events;
  }

  snapshot(actorId: string): SnapshotRecord | undefined {
    const row = this.database.prepare('SELECT actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at FROM snapshots WHERE actor_id = ?').get(actorId) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : snapshotOf(row);
  }

  liveSnapshots(): SnapshotRecord[] {
    const positions = this.database.prepare("SELECT position_id FROM positions WHERE status != 'closed' ORDER BY rowid").all() as Array<{ position_id: string }>;
    const orders = this.database.prepare('SELECT client_order_id FROM orders WHERE live = 1 ORDER BY created_at, rowid').all() as Array<{ client_order_id: string }>;
    return this.snapshotsOf(['portfolio', ...positions.map((row) => `position:${row.position_id}`), ...orders.map((row) => `order:${row.client_order_id}`)]);
  }

  closedPositionSnapshots(): SnapshotRecord[] {
    const positions = this.database.prepare("SELECT position_id FROM positions WHERE status = 'closed' ORDER BY rowid").all() as Array<{ position_id: string }>;
    return this.snapshotsOf(positions.map((row) => `position:${row.position_id}`));
  }

  recentFinishedOrderSnapshots(limit: number): SnapshotRecord[] {
    const orders = this.database.prepare('SELECT client_order_id FROM orders WHERE live = 0 ORDER BY updated_at DESC, rowid DESC LIMIT ?').all(limit) as Array<{ client_order_id: string }>;
    return this.snapshotsOf(orders.reverse().map((row) => `order:${row.client_order_id}`));
  }

  snapshotsOfMachines(machineIds: readonly string[]): SnapshotRecord[] {
    if (machineIds.length === 0) return [];
    const rows = this.database
      .prepare(`SELECT actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at FROM snapshots WHERE machine_id IN (${machineIds.map(() => '?').join(', ')}) ORDER BY rowid`)
      .all(...machineIds) as Array<Record<string, unknown>>;
    return rows.map(snapshotOf);
  }

  /** The snapshots of these actors, in this order (an actor without one is left out). */
  private snapshotsOf(actorIds: readonly string[]): SnapshotRecord[] {
    const select = this.database.prepare('SELECT actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at FROM snapshots WHERE actor_id = ?');
    const records: SnapshotRecord[] = [];
    for (const actorId of actorIds) {
      const row = select.get(actorId) as Record<string, unknown> | undefined;
      if (row !== undefined) records.push(snapshotOf(row));
    }
    return records;
  }

  order(clientOrderId: string): OrderRecord | undefined {
    const row = this.database.prepare('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : orderOf(row);
  }

  snapshots(): SnapshotRecord[] {
    const rows = this.database.prepare('SELECT actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at FROM snapshots').all() as Array<Record<string, unknown>>;
    return rows.map(snapshotOf);
  }

  intents(status?: IntentStatus): IntentRecord[] {
    const rows = (status === undefined
      ? this.database.prepare('SELECT * FROM intents ORDER BY created_at, client_order_id').all()
      : this.database.prepare('SELECT * FROM intents WHERE status = ? ORDER BY created_at, client_order_id').all(status)) as Array<Record<string, unknown>>;
    return rows.map(intentOf);
  }

  intent(clientOrderId: string): IntentRecord | undefined {
    const row = this.database.prepare('SELECT * FROM intents WHERE client_order_id = ?').get(clientOrderId) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : intentOf(row);
  }

  orders(filter: { live?: boolean } = {}): OrderRecord[] {
    const rows = (filter.live === undefined
      ? this.database.prepare('SELECT * FROM orders ORDER BY created_at, client_order_id').all()
      : this.database.prepare('SELECT * FROM orders WHERE live = ? ORDER BY created_at, client_order_id').all(filter.live ? 1 : 0)) as Array<Record<string, unknown>>;
    return rows.map(orderOf);
  }

  /** Recovery marks per order (only orders that have any). */
  orderFlags(): Map<string, string[]> {
    const rows = this.database.prepare('SELECT client_order_id, flags FROM orders WHERE flags IS NOT NULL').all() as Array<{ client_order_id: string; flags: string }>;
    return new Map(rows.map((row) => [row.client_order_id, JSON.parse(row.flags) as string[]]));
  }

  fills(filter: { clientOrderId?: string } = {}): FillRecord[] {
    const rows = (filter.clientOrderId === undefined
      ? this.database.prepare('SELECT * FROM fills ORDER BY id').all()
      : this.database.prepare('SELECT * FROM fills WHERE client_order_id = ? ORDER BY id').all(filter.clientOrderId)) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      venue: row.venue as string,
      tradeId: row.trade_id as string,
      clientOrderId: row.client_order_id as string,
      symbol: row.symbol as string,
      side: row.side as string,
      quantity: row.quantity as string,
      price: row.price as string,
      fee: row.fee as string,
      feeCurrency: row.fee_currency as string,
      liquidity: row.liquidity as string,
      late: row.late === 1,
      timestamp: row.timestamp as number,
      sequence: row.sequence as number,
    }));
  }

  positions(): PositionRecord[] {
    const rows = this.database.prepare('SELECT * FROM positions ORDER BY position_id').all() as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      positionId: row.position_id as string,
      venue: row.venue as string,
      symbol: row.symbol as string,
      direction: row.direction as string,
      status: row.status as string,
      quantity: row.quantity as string,
      averageEntryPrice: (row.average_entry_price as string | null) ?? undefined,
      realizedPnl: row.realized_pnl as string,
      fees: row.fees as string,
      updatedAt: row.updated_at as number,
    }));
  }

  balances(): BalanceRecord[] {
    const rows = this.database.prepare('SELECT * FROM balances ORDER BY currency').all() as Array<Record<string, unknown>>;
    return rows.map((row) => ({ currency: row.currency as string, total: row.total as string, reserved: row.reserved as string, updatedAt: row.updated_at as number }));
  }

  /** Checks the journal has no gaps: returns the sequences where one starts (empty when whole). */
  journalGaps(): number[] {
    const rows = this.database.prepare(
      'SELECT sequence FROM (SELECT sequence, LAG(sequence) OVER (ORDER BY sequence) AS previous FROM journal) WHERE (previous IS NULL AND sequence <> 1) OR sequence <> previous + 1',
    ).all() as Array<{ sequence: number }>;
    return rows.map((row) => row.sequence);
  }

  meta(): Record<string, string> {
    const rows = this.database.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }

  stats(): StoreStats {
    const window = Math.min(this.latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.latencies.subarray(0, window)).sort((a, b) => a - b);
    const percentile = (p: number) => (window === 0 ? 0 : sorted[Math.min(window - 1, Math.floor(p * window))]!);
    return {
      path: this.path,
      synchronous: this.synchronous,
      eventsAppended: this.counters.eventsAppended,
      lastSequence: this.pendingSequence,
      commits: this.counters.commits,
      intentCommits: this.counters.intentCommits,
      duplicateFillsRefused: this.counters.duplicateFillsRefused,
      lastBatchEvents: this.counters.lastBatchEvents,
      largestBatchEvents: this.counters.largestBatchEvents,
      lastCommitMs: this.counters.lastCommitMs,
      p50CommitMs: percentile(0.5),
      p99CommitMs: percentile(0.99),
      maxCommitMs: this.counters.maxCommitMs,
      pendingEvents: this.batch.events.length,
    };
  }

  // ----- internals -----

  private writeRows(batch: Batch): void {
    const statements = this.statements;
    for (const event of batch.events) {
      statements.insertEvent.run(event.sequence, event.type, event.timestamp, actorIdOf(event), JSON.stringify(event));
    }
    for (const record of batch.snapshots.values()) {
      statements.upsertSnapshot.run(record.actorId, record.machineId, record.machineVersion, JSON.stringify(record.snapshot), record.lastSequence, record.updatedAt);
    }
    for (const record of batch.orders.values()) {
      statements.upsertOrder.run({
        clientOrderId: record.clientOrderId, venue: record.venue, symbol: record.symbol, side: record.side, type: record.type,
        status: record.status, live: record.live ? 1 : 0, quantity: record.quantity, filledQuantity: record.filledQuantity,
        averagePrice: record.averagePrice ?? null, price: record.price ?? null, stopPrice: record.stopPrice ?? null,
        parentId: record.parentId ?? null, request: JSON.stringify(record.request),
        flags: record.flags === undefined || record.flags.length === 0 ? null : JSON.stringify(record.flags),
        createdAt: record.createdAt, updatedAt: record.updatedAt,
      });
    }
    for (const record of batch.fills) {
      const result = statements.insertFill.run({ ...record, late: record.late ? 1 : 0 });
      if (result.changes === 0) {
        this.counters.duplicateFillsRefused++;
        this.logger?.error({ venue: record.venue, tradeId: record.tradeId, clientOrderId: record.clientOrderId }, `fill ${record.tradeId} of ${record.clientOrderId} is already recorded: not counted twice`);
      }
    }
    for (const record of batch.positions.values()) {
      statements.upsertPosition.run({ ...record, averageEntryPrice: record.averageEntryPrice ?? null });
    }
    for (const record of batch.balances.values()) statements.upsertBalance.run(record);
    for (const [clientOrderId, intent] of batch.newIntents) {
      statements.insertIntent.run(clientOrderId, intent.venue, JSON.stringify(intent.request), intent.createdAt, this.pendingSequence);
    }
    for (const [clientOrderId, resolution] of batch.intents) {
      statements.resolveIntent.run(resolution.status, resolution.note ?? null, resolution.at, clientOrderId);
    }
  }

  private migrate(from: number): void {
    const pending = MIGRATIONS.filter((migration) => migration.version > from);
    for (const migration of pending) {
      this.database.transaction(() => {
        this.database.exec(migration.sql);
        if (migration.version === 1) {
          this.database.pragma(`application_id = ${APPLICATION_ID}`);
          const insert = this.database.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
          insert.run('application', 'fillstate');
          insert.run('created_at', new Date().toISOString());
        }
        this.database.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(migration.version));
        this.database.pragma(`user_version = ${migration.version}`);
      })();
      this.logger?.info({ path: this.path, version: migration.version }, `store schema migrated to version ${migration.version}: ${migration.description}`);
    }
    if (pending.length === 0 && from !== SCHEMA_VERSION) throw new StoreOpenError(this.path, `schema version ${from} is unknown`);
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

function intentOf(row: Record<string, unknown>): IntentRecord {
  return {
    clientOrderId: row.client_order_id as string,
    venue: row.venue as string,
    request: JSON.parse(row.request as string),
    createdAt: row.created_at as number,
    afterSequence: row.after_sequence as number,
    status: row.status as IntentStatus,
    resolvedAt: (row.resolved_at as number | null) ?? undefined,
    note: (row.note as string | null) ?? undefined,
  };
}

function snapshotOf(row: Record<string, unknown>): SnapshotRecord {
  return {
    actorId: row.actor_id as string,
    machineId: row.machine_id as string,
    machineVersion: row.machine_version as number,
    snapshot: JSON.parse(row.snapshot as string),
    lastSequence: row.last_sequence as number,
    updatedAt: row.updated_at as number,
  };
}

function orderOf(row: Record<string, unknown>): OrderRecord {
  return {
    clientOrderId: row.client_order_id as string,
    venue: row.venue as string,
    symbol: row.symbol as string,
    side: row.side as string,
    type: row.type as string,
    status: row.status as string,
    live: row.live === 1,
    quantity: row.quantity as string,
    filledQuantity: row.filled_quantity as string,
    averagePrice: (row.average_price as string | null) ?? undefined,
    price: (row.price as string | null) ?? undefined,
    stopPrice: (row.stop_price as string | null) ?? undefined,
    parentId: (row.parent_id as string | null) ?? undefined,
    request: JSON.parse(row.request as string),
    flags: row.flags === null ? undefined : (JSON.parse(row.flags as string) as string[]),
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}
