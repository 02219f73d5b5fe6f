// The store's rows as records: SQLite's column names and types (0/1, NULL, JSON text) to the records the engine
// hands over and reads back, and the record fields a write binds.
import type { BalanceRecord, FillRecord, IntentRecord, IntentStatus, OrderRecord, PositionRecord, SnapshotRecord } from './records.ts';

export type Row = Record<string, unknown>;

/** The columns snapshotOf reads, for every query of snapshots. */
export const SNAPSHOT_COLUMNS = 'actor_id, machine_id, machine_version, snapshot, last_sequence, updated_at';

export function snapshotOf(row: Row): SnapshotRecord {
  return {
    actorId: row.actor_id as string,
    machineId: row.machine_id as string,
    machineVersion: row.machine_version as number,
    snapshot: JSON.parse(row.snapshot as string),
    lastSequence: row.last_sequence as number,
    updatedAt: row.updated_at as number,
  };
}

export function intentOf(row: Row): IntentRecord {
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

export function orderOf(row: Row): OrderRecord {
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

export function fillOf(row: Row): FillRecord {
  return {
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
  };
}

export function positionOf(row: Row): PositionRecord {
  return {
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
  };
}

export function balanceOf(row: Row): BalanceRecord {
  return { currency: row.currency as string, total: row.total as string, reserved: row.reserved as string, updatedAt: row.updated_at as number };
}

/** An order record as its upsert binds it: flags and optional prices as NULL, the request as JSON. */
export function orderRow(record: OrderRecord): Row {
  return {
    clientOrderId: record.clientOrderId, venue: record.venue, symbol: record.symbol, side: record.side, type: record.type,
    status: record.status, live: record.live ? 1 : 0, quantity: record.quantity, filledQuantity: record.filledQuantity,
    averagePrice: record.averagePrice ?? null, price: record.price ?? null, stopPrice: record.stopPrice ?? null,
    parentId: record.parentId ?? null, request: JSON.stringify(record.request),
    flags: record.flags === undefined || record.flags.length === 0 ? null : JSON.stringify(record.flags),
    createdAt: record.createdAt, updatedAt: record.updatedAt,
  };
}
