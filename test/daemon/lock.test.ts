// One daemon per data directory: the lock refuses a running owner, takes over from a dead one, and is given back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, LOCK_FILE_NAME, lockDataDirectory } from '../../src/daemon/data-dir-lock.ts';

describe('data directory lock', () => {
  it('is refused while held, and free again once given back', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'fillstate-lock-')), 'data');
    const unlock = lockDataDirectory(dataDir);
    expect(readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDirectory(dataDir)).toThrow(DataDirectoryLockedError);
    unlock();
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);
    lockDataDirectory(dataDir)();
  });

  it('is refused while another running process holds it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fillstate-lock-'));
    // The parent of this test process runs for as long as the test does.
    writeFileSync(path.join(dataDir, LOCK_FILE_NAME), `${process.ppid}\n`);
    expect(() => lockDataDirectory(dataDir)).toThrow(`another fillstate daemon (pid ${process.ppid}) is using ${dataDir}`);
  });

  it('takes over a lock left by a process that is gone (a killed daemon)', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fillstate-lock-'));
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dataDir, LOCK_FILE_NAME), `${gone.stdout}\n`);
    const unlock = lockDataDirectory(dataDir);
    expect(readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    unlock();
  });
});
