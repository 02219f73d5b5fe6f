// Opening the store's SQLite file: a file that is not ours is refused before anything writes to it, a new one is
// created with its directory, and the schema is migrated to the current version.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { inspectExistingFile, StoreOpenError } from './inspect.ts';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.ts';

/** Opens (or creates) the file in WAL mode with this durability, migrated; closed again if that fails. */
export function openStoreFile(path: string, synchronous: 'full' | 'normal', logger: Logger | undefined): Database.Database {
  // Inspect read-only first: a file that is not ours is refused before anything can write to it.
  const existing = inspectExistingFile(path);
  if (existing.kind === 'absent') mkdirSync(dirname(path), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(path);
  } catch (error) {
    throw new StoreOpenError(path, `SQLite could not open it: ${(error as Error).message}`);
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    database.pragma('foreign_keys = ON');
    migrate(database, path, existing.kind === 'fillstate' ? existing.schemaVersion : 0, logger);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function migrate(database: Database.Database, path: string, from: number, logger: Logger | undefined): void {
  const pending = MIGRATIONS.filter((migration) => migration.version > from);
  for (const migration of pending) {
    database.transaction(() => {
      database.exec(migration.sql);
      if (migration.version === 1) {
        database.pragma(`application_id = ${APPLICATION_ID}`);
        const insert = database.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        insert.run('application', 'fillstate');
        insert.run('created_at', new Date().toISOString());
      }
      database.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(migration.version));
      database.pragma(`user_version = ${migration.version}`);
    })();
    logger?.info({ path, version: migration.version }, `store schema migrated to version ${migration.version}: ${migration.description}`);
  }
  if (pending.length === 0 && from !== SCHEMA_VERSION) throw new StoreOpenError(path, `schema version ${from} is unknown`);
}
