// A TWAP run by `fillstate start` (its own process, on the paper venue server) is SIGKILLed mid-way and the
// daemon restarted on the same data directory: the algo resumes from its snapshot and completes, and the
// venue's own record shows it never executed more than the algo's quantity.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal, ZERO } from '../../src/domain/decimal.ts';
import { startProcess, startVenueServer, stopProcess, venueTruth, type Child } from '../recovery/crash-support.ts';

const venueToken = randomBytes(16).toString('hex');
const apiToken = randomBytes(24).toString('hex');
let directory: string;
let venueServer: Child | undefined;
let venueUrl: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-algo-crash-'));
  const started = await startVenueServer(venueToken);
  venueServer = started.server;
  venueUrl = started.url;
});

afterAll(async () => {
  await stopProcess(venueServer);
  rmSync(directory, { recursive: true, force: true });
});

async function call(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startDaemon(configPath: string): Promise<{ daemon: Child; url: string }> {
  const daemon = startProcess('src/cli.ts', ['start', '--config', configPath], { FILLSTATE_TOKEN: apiToken, FILLSTATE_VENUE_TOKEN: venueToken });
  const ready = await daemon.next((_, text) => text.startsWith('fillstate listening on '));
  return { daemon, url: /listening on (http:\/\/[^ ]+)/.exec(ready.text as string)![1]! };
}

function baseBalance(truth: Awaited<ReturnType<typeof venueTruth>>): typeof ZERO {
  return decimal(truth.balances.find((balance) => balance.currency === 'BTC')?.total ?? '0');
}

describe('a TWAP in the daemon, SIGKILLed mid-way', () => {
  it('resumes after the restart and never over-executes', async () => {
    const configPath = join(directory, 'fillstate.config.json');
    writeFileSync(configPath, JSON.stringify({
      server: { port: 0 },
      dataDir: join(directory, 'data'),
      venue: { type: 'websocket', id: 'paper', url: venueUrl, tokenEnv: 'FILLSTATE_VENUE_TOKEN' },
      demo: { enabled: false },
      log: { level: 'warn' },
    }));
    const before = baseBalance(await venueTruth(venueUrl, venueToken));
    let { daemon, url } = await startDaemon(configPath);
    // Wait for a market price, then start 0.4 BTC over 60 s in 2-second slices (long enough that a restart on a
    // busy machine still lands mid-way).
    let created: { status: number; body: any } | undefined;
    for (let attempt = 0; attempt < 200; attempt++) {
      created = await call(url, 'POST', '/v1/algos', { kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '0.4', horizonMs: 60_000, intervalMs: 2_000 });
      if (created.status === 201) break;
      await pause(25);
    }
    expect(created!.status, JSON.stringify(created!.body)).toBe(201);
    const algoId = created!.body.algo.algoId as string;
    // Killed once some slices have filled.
    for (let attempt = 0; attempt < 2_000; attempt++) {
      const view = (await call(url, 'GET', `/v1/algos/${algoId}`)).body.algo;
      if (decimal(view.filledQuantity).gte('0.05')) break;
      await pause(25);
    }
    daemon.child.kill('SIGKILL');
    expect(await daemon.exited).toBe(null);
    await pause(1_500);
    ({ daemon, url } = await startDaemon(configPath));
    const restored = (await call(url, 'GET', `/v1/algos/${algoId}`)).body.algo;
    expect(restored).toMatchObject({ algoId, kind: 'twap', quantity: '0.4', live: true });
    expect(decimal(restored.filledQuantity).lt('0.4')).toBe(true);
    let done: any;
    for (let attempt = 0; attempt < 6_000; attempt++) {
      done = (await call(url, 'GET', `/v1/algos/${algoId}`)).body.algo;
      if (!done.live) break;
      await pause(25);
    }
    expect(done.status).toBe('completed');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited, daemon.stderr()).toBe(0);
    // The venue's record: what it executed for us is what the algo counted, within a lot of 0.4, never more.
    const truth = await venueTruth(venueUrl, venueToken);
    const bought = baseBalance(truth).minus(before);
    expect(bought.toFixed()).toBe(decimal(done.filledQuantity).toFixed());
    expect(bought.lte('0.4') && bought.gte('0.399'), bought.toFixed()).toBe(true);
    expect(truth.duplicateSubmits).toBe(0);
  }, 300_000);
});
