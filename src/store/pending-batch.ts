// What one turn queues for its group commit, and the prepared statements that write it in one transaction:
// journal events, the latest snapshot/order/position/balance per key, fills, new intents and their resolutions.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { actorIdOfEvent, type DomainEvent } from '../domain/events.ts';
import type { BalanceRecord, FillRecord, IntentStatus, OrderRecord, PositionRecord, SnapshotRecord } from './records.ts';
import { orderRow } from './row-mappers.ts';

export interface PendingBatch {
  events: DomainEvent[];
  snapshots: Map<string, SnapshotRecord>;
  orders: Map<string, OrderRecord>;
  fills: FillRecord[];
  positions: Map<string, PositionRecord>;
  balances: Map<string, BalanceRecord>;
  intents: Map<string, { status: IntentStatus; note?: string; at: number }>;
  newIntents: Map<string, { venue: string; request: unknown; createdAt: number }>;
}

export function emptyBatch(): PendingBatch {
  return { events: [], snapshots: new Map(), orders: new Map(), fills: [], positions: new Map(), balances: new Map(), intents: new Map(), newIntents: new Map() };
}

export function batchIsEmpty(batch: PendingBatch): boolean {
  return batch.events.length === 0 && batch.snapshots.size === 0 && batch.orders.size === 0 && batch.fills.length === 0
    && batch.positions.size === 0 && batch.balances.size === 0 && batch.intents.size === 0 && batch.newIntents.size === 0;
}

/** The writes of the store, prepared once on its file. */
export class BatchWriter {
  private readonly statements;
  private readonly transaction: (batch: PendingBatch, afterSequence: number) => number;

  constructor(database: Database.Database, private readonly logger: Logger | undefined) {
    const db = database;
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
      intentExists: db.prepare('SELECT 1 FROM intents WHERE client_order_id = ?'),
    };
    this.transaction = db.transaction((batch: PendingBatch, afterSequence: number) => this.writeRows(batch, afterSequence));
  }

  /**
   * Writes the batch in one transaction (all of it, or nothing when it throws); new intents are written as
   * following `afterSequence`. Returns the fills refused as already recorded (each logged).
   */
  write(batch: PendingBatch, afterSequence: number): number {
    return this.transaction(batch, afterSequence);
  }

  /** Writes one intent now, in its own transaction; false when one with its clientOrderId exists. */
  insertIntent(intent: { clientOrderId: string; venue: string; request: unknown; createdAt: number }, afterSequence: number): boolean {
    return this.statements.insertIntent.run(intent.clientOrderId, intent.venue, JSON.stringify(intent.request), intent.createdAt, afterSequence).changes === 1;
  }

  intentExists(clientOrderId: string): boolean {
    return this.statements.intentExists.get(clientOrderId) !== undefined;
  }

  private writeRows(batch: PendingBatch, afterSequence: number): number {
    const statements = this.statements;
    for (const event of batch.events) {
      statements.insertEvent.run(event.sequence, event.type, event.timestamp, actorIdOfEvent(event), JSON.stringify(event));
    }
    for (const record of batch.snapshots.values()) {
      statements.upsertSnapshot.run(record.actorId, record.machineId, record.machineVersion, JSON.stringify(record.snapshot), record.lastSequence, record.updatedAt);
    }
    for (const record of batch.orders.values()) statements.upsertOrder.run(orderRow(record));
    let duplicateFills = 0;
    for (const record of batch.fills) {
      const result = statements.insertFill.run({ ...record, late: record.late ? 1 : 0 });
      if (result.changes === 0) {
        duplicateFills++;
        this.logger?.error({ venue: record.venue, tradeId: record.tradeId, clientOrderId: record.clientOrderId }, `fill ${record.tradeId} of ${record.clientOrderId} is already recorded: not counted twice`);
      }
    }
    for (const record of batch.positions.values()) {
      statements.upsertPosition.run({ ...record, averageEntryPrice: record.averageEntryPrice ?? null });
    }
    for (const record of batch.balances.values()) statements.upsertBalance.run(record);
    for (const [clientOrderId, intent] of batch.newIntents) {
      statements.insertIntent.run(clientOrderId, intent.venue, JSON.stringify(intent.request), intent.createdAt, afterSequence);
    }
    for (const [clientOrderId, resolution] of batch.intents) {
      statements.resolveIntent.run(resolution.status, resolution.note ?? null, resolution.at, clientOrderId);
    }
    return duplicateFills;
  }
}
