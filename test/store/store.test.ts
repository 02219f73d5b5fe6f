// The SQLite store on real files: migrations, the journal's gapless sequence, group commit, unique fills,
// intents, snapshot round trips, and refusal of foreign or corrupt files without touching them.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { APPLICATION_ID, JournalSequenceError, SCHEMA_VERSION, StoreOpenError, openStore, type FillRecord, type Store } from '../../src/store/index.ts';

let directory: string;
let path: string;
const opened: Store[] = [];

function open(file = path): Store {
  const store = openStore({ path: file });
  opened.push(store);
  return store;
}

function canceled(sequence: number, orderId = `o${sequence}`): DomainEvent {
  return { type: 'OrderCanceled', orderId, venue: 'paper', symbol: 'BTC-USDT', reason: 'test', sequence, timestamp: 1_000 + sequence };
}

function fill(tradeId: string, clientOrderId = 'o1'): FillRecord {
  return { venue: 'paper', tradeId, clientOrderId, symbol: 'BTC-USDT', side: 'buy', quantity: '0.5', price: '100.25', fee: '0.05', feeCurrency: 'USDT', liquidity: 'taker', late: false, timestamp: 1, sequence: 1 };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-store-'));
  path = join(directory, 'data', 'fillstate.db');
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('opening and migrations', () => {
  it('creates the file and its directory, stamps the application id and schema version, and reopens it', () => {
    const store = open();
    expect(store.meta()).toMatchObject({ application: 'fillstate', schema_version: String(SCHEMA_VERSION) });
    store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(open().meta().schema_version).toBe(String(SCHEMA_VERSION));
  });

  it('refuses a SQLite file of another application and leaves it byte for byte as it was', () => {
    const foreign = join(directory, 'other.db');
    const database = new Database(foreign);
    database.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    database.close();
    const before = sha256(foreign);
    expect(() => open(foreign)).toThrow(StoreOpenError);
    expect(() => open(foreign)).toThrow(/other\.db: it is a SQLite database of another application/);
    expect(sha256(foreign)).toBe(before);
  });

  it('refuses a file with fillstate\'s id but tables it does not know, unmodified', () => {
    const odd = join(directory, 'odd.db');
    const database = new Database(odd);
    database.pragma(`application_id = ${APPLICATION_ID}`);
    database.pragma('user_version = 1');
    database.exec('CREATE TABLE strangers (x INTEGER)');
    database.close();
    const before = sha256(odd);
    expect(() => open(odd)).toThrow(/tables fillstate does not know: strangers/);
    expect(sha256(odd)).toBe(before);
  });

  it('refuses a file that is not a database at all, unmodified', () => {
    const text = join(directory, 'notes.db');
    writeFileSync(text, 'these are not the pages you are looking for\n'.repeat(200));
    const before = sha256(text);
    expect(() => open(text)).toThrow(/notes\.db: it is not a SQLite database/);
    expect(sha256(text)).toBe(before);
  });

  it('refuses a corrupt fillstate store (damaged pages) and does not modify it', () => {
    const store = open();
    for (let sequence = 1; sequence <= 2_000; sequence++) store.append(canceled(sequence));
    store.close();
    const bytes = readFileSync(path);
    // Overwrite the middle of the file (b-tree pages of the journal) with garbage; keep the header intact.
    const middle = Math.floor(bytes.length / 2);
    bytes.fill(0xa5, middle, middle + 8192);
    writeFileSync(path, bytes);
    const before = sha256(path);
    expect(() => open()).toThrow(StoreOpenError);
    expect(() => open()).toThrow(/fillstate\.db: it is corrupt/);
    expect(sha256(path)).toBe(before);
  });

  it('refuses a store written by a newer schema, unmodified', () => {
    open().close();
    opened.length = 0;
    const database = new Database(path);
    database.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    database.close();
    const before = sha256(path);
    expect(() => open()).toThrow(/written by a newer fillstate/);
    expect(sha256(path)).toBe(before);
  });
});

describe('journal', () => {
  it('keeps sequences gapless and refuses a gap or a repeat', () => {
    const store = open();
    store.append(canceled(1));
    store.append(canceled(2));
    expect(() => store.append(canceled(4))).toThrow(JournalSequenceError);
    expect(() => store.append(canceled(2))).toThrow(JournalSequenceError);
    store.append(canceled(3));
    store.flush();
    expect(store.journalGaps()).toEqual([]);
    expect(store.lastSequence()).toBe(3);
    expect(store.eventsSince(1, 10).map((event) => event.sequence)).toEqual([2, 3]);
    expect(store.eventsSince(0, 2).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it('serves events queued this turn as well as committed ones, and continues numbering after reopen', () => {
    let store = open();
    store.append(canceled(1));
    store.flush();
    store.append(canceled(2));
    expect(store.eventsSince(0, 10).map((event) => event.sequence)).toEqual([1, 2]);
    store.close();
    store = open();
    expect(store.lastSequence()).toBe(2);
    expect(() => store.append(canceled(2))).toThrow(JournalSequenceError);
    store.append(canceled(3));
    expect(store.eventsSince(2, 10)).toEqual([canceled(3)]);
  });

  it('group commit: the events of one turn go in one transaction, the next turn in another', async () => {
    const store = open();
    for (let sequence = 1; sequence <= 500; sequence++) store.append(canceled(sequence));
    expect(store.stats().commits).toBe(0);
    // A second connection sees nothing until the turn ends: nothing was committed event by event.
    const reader = new Database(path, { readonly: true });
    const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
    expect(count()).toBe(0);
    await nextTurn();
    expect(store.stats()).toMatchObject({ commits: 1, lastBatchEvents: 500, eventsAppended: 500 });
    expect(count()).toBe(500);
    store.append(canceled(501));
    store.append(canceled(502));
    await nextTurn();
    expect(store.stats()).toMatchObject({ commits: 2, lastBatchEvents: 2 });
    expect(count()).toBe(502);
    expect(store.stats().p99CommitMs).toBeGreaterThan(0);
    reader.close();
  });

  it('whenCommitted resolves once what was queued is on disk, at once when nothing is queued', async () => {
    const store = open();
    await store.whenCommitted();
    store.append(canceled(1));
    const reader = new Database(path, { readonly: true });
    const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
    let durable = false;
    const waiting = store.whenCommitted().then(() => {
      durable = true;
      return count();
    });
    expect(durable).toBe(false);
    expect(await waiting).toBe(1);
    reader.close();
  });

  it('a batch that fails to commit writes nothing of itself', () => {
    const store = open();
    store.append(canceled(1));
    store.flush();
    store.append(canceled(2));
    // A position row that breaks a NOT NULL constraint makes the whole transaction fail.
    store.putPosition({ positionId: 'p1', venue: 'paper', symbol: null as unknown as string, direction: 'long', status: 'open', quantity: '1', realizedPnl: '0', fees: '0', updatedAt: 1 });
    expect(() => store.flush()).toThrow();
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT MAX(sequence) AS s FROM journal').get() as { s: number }).s).toBe(1);
    reader.close();
    expect(store.isOpen).toBe(false);
  });
});

describe('tables', () => {
  it('keeps one fill per venue and tradeId: a repeat is refused and counted, not added', () => {
    const store = open();
    store.putFill(fill('t1'));
    store.putFill(fill('t2'));
    store.flush();
    store.putFill(fill('t1'));
    store.putFill({ ...fill('t1'), venue: 'other' });
    store.flush();
    expect(store.fills().map((row) => `${row.venue}/${row.tradeId}`)).toEqual(['paper/t1', 'paper/t2', 'other/t1']);
    expect(store.stats().duplicateFillsRefused).toBe(1);
    expect(store.fills({ clientOrderId: 'o1' })[0]).toEqual(fill('t1'));
  });

  it('commits an intent at once, and refuses a second intent for the same clientOrderId', () => {
    const store = open();
    expect(store.recordIntent({ clientOrderId: 'o1', venue: 'paper', request: { side: 'buy', quantity: '1' }, createdAt: 5 })).toBe(true);
    // Durable without any flush: another connection sees it immediately.
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT status FROM intents WHERE client_order_id = ?').get('o1')).toEqual({ status: 'sent' });
    reader.close();
    expect(store.recordIntent({ clientOrderId: 'o1', venue: 'paper', request: {}, createdAt: 6 })).toBe(false);
    expect(store.intents('sent')).toEqual([{ clientOrderId: 'o1', venue: 'paper', request: { side: 'buy', quantity: '1' }, createdAt: 5, afterSequence: 0, status: 'sent', resolvedAt: undefined, note: undefined }]);
    store.resolveIntent('o1', 'acknowledged', 9);
    store.flush();
    expect(store.intent('o1')).toMatchObject({ status: 'acknowledged', resolvedAt: 9 });
    expect(store.intents('sent')).toEqual([]);
  });

  it('round-trips snapshots, orders, positions and balances as decimal strings; the last write in a turn wins', () => {
    let store = open();
    const snapshot = { status: 'active', value: 'open', context: { quantity: '0.10000000000000000001', price: '65000.5' } };
    store.putSnapshot({ actorId: 'order:o1', machineId: 'order', machineVersion: 1, snapshot: { stale: true }, lastSequence: 1, updatedAt: 1 });
    store.putSnapshot({ actorId: 'order:o1', machineId: 'order', machineVersion: 1, snapshot, lastSequence: 2, updatedAt: 2 });
    store.putOrder({ clientOrderId: 'o1', venue: 'paper', symbol: 'BTC-USDT', side: 'buy', type: 'limit', status: 'open', live: true, quantity: '0.10000000000000000001', filledQuantity: '0', price: '65000.5', request: { type: 'limit' }, flags: ['adopted'], createdAt: 1, updatedAt: 2 });
    store.putPosition({ positionId: 'p1', venue: 'paper', symbol: 'BTC-USDT', direction: 'long', status: 'open', quantity: '1', averageEntryPrice: '100', realizedPnl: '-0.5', fees: '0.1', updatedAt: 2 });
    store.putBalance({ currency: 'USDT', total: '10000.000000001', reserved: '6500.05', updatedAt: 2 });
    store.close();
    store = open();
    expect(store.snapshots()).toEqual([{ actorId: 'order:o1', machineId: 'order', machineVersion: 1, snapshot, lastSequence: 2, updatedAt: 2 }]);
    expect(store.snapshot('order:o1')?.snapshot).toEqual(snapshot);
    expect(store.orders({ live: true })).toMatchObject([{ clientOrderId: 'o1', quantity: '0.10000000000000000001', flags: ['adopted'], live: true }]);
    expect(store.orders({ live: false })).toEqual([]);
    expect(store.positions()).toMatchObject([{ positionId: 'p1', realizedPnl: '-0.5' }]);
    expect(store.balances()).toEqual([{ currency: 'USDT', total: '10000.000000001', reserved: '6500.05', updatedAt: 2 }]);
  });
});
