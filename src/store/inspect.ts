// Looks at an existing database file read-only before anything writes to it: a foreign, corrupt or newer
// file is refused with its path and the reason, and is left byte for byte as it was.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { APPLICATION_ID, KNOWN_OBJECTS, SCHEMA_VERSION } from './schema.ts';

export class StoreOpenError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot open the fillstate store ${path}: ${reason}. The file was not modified.`);
    this.name = 'StoreOpenError';
  }
}

/** What an existing path holds: nothing yet (a new store), an empty SQLite file, or a fillstate store. */
export type ExistingFile = { readonly kind: 'absent' } | { readonly kind: 'empty' } | { readonly kind: 'fillstate'; readonly schemaVersion: number };

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export function inspectExistingFile(path: string): ExistingFile {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new StoreOpenError(path, 'it is not a regular file');
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  if (size === 0) return { kind: 'empty' };
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const descriptor = openSync(path, 'r');
  try {
    readSync(descriptor, header, 0, header.length, 0);
  } finally {
    closeSync(descriptor);
  }
  if (!header.equals(SQLITE_HEADER)) throw new StoreOpenError(path, 'it is not a SQLite database (no SQLite header: corrupt, or some other kind of file)');

  let database: Database.Database;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreOpenError(path, `SQLite could not open it read-only: ${(error as Error).message}`);
  }
  try {
    let applicationId: number;
    let userVersion: number;
    let objects: string[];
    try {
      applicationId = database.pragma('application_id', { simple: true }) as number;
      userVersion = database.pragma('user_version', { simple: true }) as number;
      objects = (database.prepare("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((row) => row.name);
    } catch (error) {
      throw new StoreOpenError(path, `it is corrupt: ${(error as Error).message}`);
    }
    if (applicationId === 0 && userVersion === 0 && objects.length === 0) return { kind: 'empty' };
    if (applicationId !== APPLICATION_ID) {
      throw new StoreOpenError(path, `it is a SQLite database of another application (application_id ${hex(applicationId)}, fillstate uses ${hex(APPLICATION_ID)})`);
    }
    if (userVersion > SCHEMA_VERSION) {
      throw new StoreOpenError(path, `it was written by a newer fillstate (schema version ${userVersion}; this one knows up to ${SCHEMA_VERSION})`);
    }
    const unknown = objects.filter((name) => !KNOWN_OBJECTS.has(name));
    if (unknown.length > 0) throw new StoreOpenError(path, `it holds tables fillstate does not know: ${unknown.join(', ')}`);
    let check: string[];
    try {
      check = (database.pragma('quick_check') as Array<{ quick_check: string }>).map((row) => row.quick_check);
    } catch (error) {
      throw new StoreOpenError(path, `it is corrupt: ${(error as Error).message}`);
    }
    if (check.length !== 1 || check[0] !== 'ok') throw new StoreOpenError(path, `it is corrupt: quick_check says ${check.slice(0, 3).join('; ')}`);
    return { kind: 'fillstate', schemaVersion: userVersion };
  } finally {
    database.close();
  }
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
