// The store's schema: its SQLite application id, the versioned migrations run at open, and the tables it owns.

/** Written to the database header (`PRAGMA application_id`): "Fill" in ASCII, so a foreign file is told apart. */
export const APPLICATION_ID = 0x46696c6c;

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Append-only: a released migration is never edited, a new one is added with the next version. Each runs in
 * one transaction with the `user_version` bump, so a crash mid-migration leaves the previous version intact.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'journal, snapshots, intents, orders, fills, positions, balances, meta',
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      CREATE TABLE journal (
        sequence INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        payload TEXT NOT NULL
      ) STRICT;
      CREATE TABLE snapshots (
        actor_id TEXT PRIMARY KEY,
        machine_id TEXT NOT NULL,
        machine_version INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        last_sequence INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE intents (
        client_order_id TEXT PRIMARY KEY,
        venue TEXT NOT NULL,
        request TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        after_sequence INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sent', 'acknowledged', 'adopted', 'unknownAtVenue')),
        resolved_at INTEGER,
        note TEXT
      ) STRICT;
      CREATE INDEX intents_status ON intents (status);
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        venue TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        live INTEGER NOT NULL,
        quantity TEXT NOT NULL,
        filled_quantity TEXT NOT NULL,
        average_price TEXT,
        price TEXT,
        stop_price TEXT,
        parent_id TEXT,
        request TEXT NOT NULL,
        flags TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX orders_live ON orders (live, status);
      CREATE TABLE fills (
        id INTEGER PRIMARY KEY,
        venue TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        fee TEXT NOT NULL,
        fee_currency TEXT NOT NULL,
        liquidity TEXT NOT NULL,
        late INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        sequence INTEGER NOT NULL,
        UNIQUE (venue, trade_id)
      ) STRICT;
      CREATE INDEX fills_order ON fills (client_order_id);
      CREATE TABLE positions (
        position_id TEXT PRIMARY KEY,
        venue TEXT NOT NULL,
        symbol TEXT NOT NULL,
        direction TEXT NOT NULL,
        status TEXT NOT NULL,
        quantity TEXT NOT NULL,
        average_entry_price TEXT,
        realized_pnl TEXT NOT NULL,
        fees TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE balances (
        currency TEXT PRIMARY KEY,
        total TEXT NOT NULL,
        reserved TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Every table and index the migrations create: anything else in the file means it is not ours. */
export const KNOWN_OBJECTS: ReadonlySet<string> = new Set([
  'meta', 'journal', 'snapshots', 'intents', 'intents_status', 'orders', 'orders_live', 'fills', 'fills_order', 'positions', 'balances',
]);
