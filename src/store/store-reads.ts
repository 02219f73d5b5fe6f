// The store's committed rows read back: snapshots (what a restart restores), orders, intents, fills, positions,
// balances, and the journal's own checks. Reads only; the Store answers through it.
import type Database from 'better-sqlite3';
import type { BalanceRecord, FillRecord, IntentRecord, IntentStatus, OrderRecord, PositionRecord, SnapshotRecord } from './records.ts';
import { balanceOf, fillOf, intentOf, orderOf, positionOf, snapshotOf, SNAPSHOT_COLUMNS, type Row } from './row-mappers.ts';

export class StoreReads {
  constructor(private readonly database: Database.Database) {}

  snapshot(actorId: string): SnapshotRecord | undefined {
    const row = this.database.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE actor_id = ?`).get(actorId) as Row | undefined;
    return row === undefined ? undefined : snapshotOf(row);
  }

  /** The portfolio, positions not closed and live orders: what a restart restores, in the order it restores them. */
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
      .prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE machine_id IN (${machineIds.map(() => '?').join(', ')}) ORDER BY rowid`)
      .all(...machineIds) as Row[];
    return rows.map(snapshotOf);
  }

  snapshots(): SnapshotRecord[] {
    return (this.database.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots`).all() as Row[]).map(snapshotOf);
  }

  order(clientOrderId: string): OrderRecord | undefined {
    const row = this.database.prepare('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as Row | undefined;
    return row === undefined ? undefined : orderOf(row);
  }

  orders(filter: { live?: boolean } = {}): OrderRecord[] {
    const rows = (filter.live === undefined
      ? this.database.prepare('SELECT * FROM orders ORDER BY created_at, client_order_id').all()
      : this.database.prepare('SELECT * FROM orders WHERE live = ? ORDER BY created_at, client_order_id').all(filter.live ? 1 : 0)) as Row[];
    return rows.map(orderOf);
  }

  /** Recovery marks per order (only orders that have any). */
  orderFlags(): Map<string, string[]> {
    const rows = this.database.prepare('SELECT client_order_id, flags FROM orders WHERE flags IS NOT NULL').all() as Array<{ client_order_id: string; flags: string }>;
    return new Map(rows.map((row) => [row.client_order_id, JSON.parse(row.flags) as string[]]));
  }

  intents(status?: IntentStatus): IntentRecord[] {
    const rows = (status === undefined
      ? this.database.prepare('SELECT * FROM intents ORDER BY created_at, client_order_id').all()
      : this.database.prepare('SELECT * FROM intents WHERE status = ? ORDER BY created_at, client_order_id').all(status)) as Row[];
    return rows.map(intentOf);
  }

  intent(clientOrderId: string): IntentRecord | undefined {
    const row = this.database.prepare('SELECT * FROM intents WHERE client_order_id = ?').get(clientOrderId) as Row | undefined;
    return row === undefined ? undefined : intentOf(row);
  }

  fills(filter: { clientOrderId?: string } = {}): FillRecord[] {
    const rows = (filter.clientOrderId === undefined
      ? this.database.prepare('SELECT * FROM fills ORDER BY id').all()
      : this.database.prepare('SELECT * FROM fills WHERE client_order_id = ? ORDER BY id').all(filter.clientOrderId)) as Row[];
    return rows.map(fillOf);
  }

  positions(): PositionRecord[] {
    return (this.database.prepare('SELECT * FROM positions ORDER BY position_id').all() as Row[]).map(positionOf);
  }

  balances(): BalanceRecord[] {
    return (this.database.prepare('SELECT * FROM balances ORDER BY currency').all() as Row[]).map(balanceOf);
  }

  /** The sequences where a gap in the journal starts (empty when it is whole). */
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

  /** The snapshots of these actors, in this order (an actor without one is left out). */
  private snapshotsOf(actorIds: readonly string[]): SnapshotRecord[] {
    const select = this.database.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE actor_id = ?`);
    const records: SnapshotRecord[] = [];
    for (const actorId of actorIds) {
      const row = select.get(actorId) as Row | undefined;
      if (row !== undefined) records.push(snapshotOf(row));
    }
    return records;
  }
}
