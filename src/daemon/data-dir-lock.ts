// One daemon per data directory: two processes journaling to one SQLite file would number events twice and
// could send an order twice. A lock file holds the owner's pid; a lock left by a process that is gone (killed,
// crashed) is taken over, one whose process still runs is refused.
import { readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE_NAME = 'daemon.lock';

export class DataDirectoryLockedError extends Error {
  override name = 'DataDirectoryLockedError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`another fillstate daemon (pid ${pid}) is using ${dataDir}; stop it first, or use another --data-dir (if no such process is a fillstate daemon, delete ${path.join(dataDir, LOCK_FILE_NAME)})`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means it runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's lock for this process; returns the function that gives it back. */
export function lockDataDirectory(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
        } catch {
          // Already gone: nothing to give back.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(file, 'utf8').trim());
    } catch {
      // Removed between our attempt and this read: try again.
      continue;
    }
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) throw new DataDirectoryLockedError(dataDir, owner);
    if (owner === process.pid) throw new DataDirectoryLockedError(dataDir, owner);
    // Left by a process that is gone: take it over.
    unlinkSync(file);
  }
  throw new Error(`could not take the lock ${file}: it keeps changing; is another daemon starting?`);
}
