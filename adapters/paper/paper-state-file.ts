// The paper venue's saved state on disk, written incrementally: a snapshot file plus an append-only log of change
// records, compacted into a new snapshot when the log outgrows it. A torn last record is dropped on open.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { PaperVenue } from './paper-venue.ts';
import { applyPaperVenueChanges, type PaperVenueChanges, type PaperVenueState } from './paper-state.ts';

export interface PaperStateFileOptions {
  /** Compact when the log is larger than this many times the snapshot; default 1 (at most about twice the bytes). */
  readonly compactionRatio?: number;
  /** ... and larger than this many bytes; default 65,536. */
  readonly minimumLogBytes?: number;
}

interface ChangeRecord {
  readonly sequence: number;
  readonly changes: PaperVenueChanges;
}

/** What opening found: the saved state (undefined when there is none) and, when a torn record was dropped, what happened. */
export interface OpenedPaperState {
  readonly file: PaperStateFile;
  readonly state: PaperVenueState | undefined;
  readonly recovered?: string;
}

/** A record's line: 16 hex digits of its SHA-1, a space, its JSON, a newline. Only whole, matching lines count. */
function checksum(json: string): string {
  return createHash('sha1').update(json).digest('hex').slice(0, 16);
}

export function logPathOf(snapshotPath: string): string {
  return `${snapshotPath}.log`;
}

/**
 * Usage: `PaperStateFile.open(path)` gives the state to start the venue from; after each turn of changes call
 * `save(venue)`. Each save appends one record of what changed (fsync'd) instead of rewriting the whole state;
 * when the log outgrows the snapshot, the whole state is written aside, fsync'd and renamed over the snapshot,
 * and the log starts again. Records carry a sequence number, so a crash between those two steps is harmless.
 * `<path>` alone (no log) is the whole-state file of earlier versions, and still opens.
 */
export class PaperStateFile {
  private readonly logPath: string;
  private readonly compactionRatio: number;
  private readonly minimumLogBytes: number;
  private logDescriptor: number | undefined;

  private constructor(
    readonly path: string,
    private sequence: number,
    private logBytes: number,
    private snapshotBytes: number,
    private hasSnapshot: boolean,
    options: PaperStateFileOptions,
  ) {
    this.logPath = logPathOf(path);
    this.compactionRatio = options.compactionRatio ?? 1;
    this.minimumLogBytes = options.minimumLogBytes ?? 65_536;
    if (!(this.compactionRatio > 0)) throw new Error(`compactionRatio must be positive, got ${this.compactionRatio}`);
  }

  /**
   * Reads the snapshot and replays the log after it. A last record cut short by a crash is dropped (the file is
   * truncated to the record before, and `recovered` says so); a damaged record before the last, a gap in the
   * sequence or a log without its snapshot is refused, changing nothing.
   */
  static open(path: string, options: PaperStateFileOptions = {}): OpenedPaperState {
    const logPath = logPathOf(path);
    let state: PaperVenueState | undefined;
    let snapshotBytes = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      snapshotBytes = Buffer.byteLength(text);
      try {
        state = JSON.parse(text) as PaperVenueState;
        if (typeof state !== 'object' || state === null || !Array.isArray(state.orders) || !Array.isArray(state.balances)) throw new Error('it has no orders and balances');
      } catch (error) {
        throw new Error(`${path} is not a saved paper venue state (${(error as Error).message}); move it away to start the paper venue afresh`);
      }
    }
    let sequence = state?.logSequence ?? 0;
    let logBytes = 0;
    let recovered: string | undefined;
    if (existsSync(logPath)) {
      const bytes = readFileSync(logPath);
      if (state === undefined && bytes.length > 0) throw new Error(`${logPath} has change records but ${path}, the state they follow, is missing; move both away to start the paper venue afresh`);
      const end = bytes.lastIndexOf(0x0a) + 1;
      if (end < bytes.length) {
        recovered = `${logPath}: the last change record was written only in part (${bytes.length - end} bytes, a crash while saving) and was dropped; the venue continues from the record before it`;
        const descriptor = openSync(logPath, 'r+');
        try {
          ftruncateSync(descriptor, end);
          fsyncSync(descriptor);
        } finally {
          closeSync(descriptor);
        }
      }
      logBytes = end;
      const lines = bytes.subarray(0, end).toString('utf8').split('\n');
      lines.pop();
      lines.forEach((line, index) => {
        const where = `${logPath}:${index + 1}`;
        const space = line.indexOf(' ');
        const json = line.slice(space + 1);
        if (space !== 16 || checksum(json) !== line.slice(0, 16)) throw new Error(`${where}: change record is damaged (checksum mismatch); refused: move the file away to start afresh`);
        const record = JSON.parse(json) as ChangeRecord;
        if (record.sequence <= sequence) return; // already in the snapshot (a crash right after compaction)
        if (record.sequence !== sequence + 1) throw new Error(`${where}: change record ${record.sequence} follows ${sequence}: records are missing; refused`);
        state = applyPaperVenueChanges(state!, record.changes);
        sequence = record.sequence;
      });
    }
    const file = new PaperStateFile(path, sequence, logBytes, snapshotBytes, state !== undefined, options);
    return { file, state: state === undefined ? undefined : { ...state, logSequence: sequence }, ...(recovered !== undefined ? { recovered } : {}) };
  }

  /** Saves what changed since the last save; returns the bytes written (a compaction writes the whole state). */
  save(venue: PaperVenue): number {
    if (!this.hasSnapshot || this.logBytes > Math.max(this.minimumLogBytes, this.snapshotBytes * this.compactionRatio)) return this.compact(venue);
    const record: ChangeRecord = { sequence: this.sequence + 1, changes: venue.takeChanges() };
    const json = JSON.stringify(record);
    const line = Buffer.from(`${checksum(json)} ${json}\n`);
    if (this.logDescriptor === undefined) this.logDescriptor = openSync(this.logPath, 'a', 0o600);
    writeFully(this.logDescriptor, line);
    fsyncSync(this.logDescriptor);
    this.sequence = record.sequence;
    this.logBytes += line.length;
    return line.length;
  }

  /** Writes the whole state as the new snapshot (aside, fsync, rename), then empties the log; returns the bytes written. */
  compact(venue: PaperVenue): number {
    venue.takeChanges(); // the snapshot holds them all: tracking starts over from here
    const text = JSON.stringify({ ...venue.exportState(), logSequence: this.sequence });
    const aside = `${this.path}.tmp`;
    const descriptor = openSync(aside, 'w', 0o600);
    try {
      writeFully(descriptor, Buffer.from(text));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(aside, this.path);
    this.closeLog();
    const log = openSync(this.logPath, 'w', 0o600);
    fsyncSync(log);
    this.logDescriptor = log;
    this.hasSnapshot = true;
    this.snapshotBytes = Buffer.byteLength(text);
    this.logBytes = 0;
    return this.snapshotBytes;
  }

  close(): void {
    this.closeLog();
  }

  private closeLog(): void {
    if (this.logDescriptor !== undefined) closeSync(this.logDescriptor);
    this.logDescriptor = undefined;
  }
}

function writeFully(descriptor: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
}
