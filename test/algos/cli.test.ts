// The CLI's algorithm commands as a user runs them (the package's bin, its own process) against a daemon
// serving on 127.0.0.1: `fillstate twap`, `fillstate bracket`, the lists, and refusals with exit code 1.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, TOKEN, type TestDaemon } from '../daemon/fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/fillstate.mjs');
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FILLSTATE_')));

let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

function cli(target: TestDaemon, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--url', target.url, '--token', TOKEN], { cwd: ROOT, env: BASE_ENV }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? -1, stdout, stderr });
    });
  });
}

describe('fillstate twap and bracket', () => {
  it('starts a TWAP and a bracket, lists them, cancels the TWAP; a bad plan exits 1 with its reasons', async () => {
    daemon = await startTestDaemon();
    const started = await cli(daemon, ['twap', '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '1', '--horizon', '10m', '--interval', '1m']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^started fs-\S+ twap buy 1 BTC\/USDT: working, 0 filled, next slice /);
    const algoId = /started (\S+)/.exec(started.stdout)![1]!;
    expect(daemon.engine.getAlgo(algoId)).toMatchObject({ kind: 'twap', params: { horizonMs: 600_000, intervalMs: 60_000 } });

    const placed = await cli(daemon, ['bracket', '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.2', '--price', '49000', '--take-profit', '51000', '--stop-loss', '48000']);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toMatch(/^placed fs-\S+ bracket BTC\/USDT: awaitingRelease/);

    const listed = await cli(daemon, ['algos', '--json']);
    expect(JSON.parse(listed.stdout).algos.map((algo: { algoId: string }) => algo.algoId)).toEqual([algoId]);
    expect((await cli(daemon, ['order-lists'])).stdout).toMatch(/bracket\s+BTC\/USDT\s+awaitingRelease/);

    const canceled = await cli(daemon, ['cancel-algo', algoId, '--reason', 'from the shell']);
    expect(canceled.code).toBe(0);
    daemon.settle();
    expect(daemon.engine.getAlgo(algoId)).toMatchObject({ status: 'canceled', reason: 'from the shell' });

    const refused = await cli(daemon, ['twap', '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.001', '--horizon', '1h', '--interval', '1m']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('below the minimum 0.001');
    const usage = await cli(daemon, ['twap', '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '1', '--horizon', 'soon', '--interval', '1m']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--horizon must be a duration');
  }, 120_000);
});
