// THE crash test: `fillstate start` as a child process on the paper venue server (its own process), killed with
// SIGKILL at random points while a client places and cancels orders through its HTTP API (retrying by
// clientOrderId, as a client must), restarted, many times. After a clean stop its SQLite file must equal the
// venue's record: nothing lost, no order sent twice, no fill counted twice, a gapless journal.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketVenue } from '../../adapters/websocket-venue/index.ts';
import type { Decimal } from '../../src/domain/decimal.ts';
import { openStore } from '../../src/store/index.ts';
import { expectStoreEqualsVenue, seededRandom, startProcess, startVenueServer, stopProcess, venueTruth, type Child } from './crash-support.ts';

const KILLS = 8;
const ORDERS = 80;
const SYMBOL = 'BTC/USDT';
const venueToken = randomBytes(16).toString('hex');
const apiToken = randomBytes(24).toString('hex');
let directory: string;
let venueServer: Child | undefined;
let venueUrl: string;
/** The parent's own view of the market, for limit prices near it. */
let watcher: WebSocketVenue;
let lastPrice: Decimal | undefined;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-daemon-crash-'));
  const started = await startVenueServer(venueToken);
  venueServer = started.server;
  venueUrl = started.url;
  watcher = new WebSocketVenue({ id: 'paper', url: venueUrl, token: venueToken });
  await watcher.connect();
  watcher.subscribeMarketData([SYMBOL], (data) => {
    if (data.type === 'trade') lastPrice = data.price;
    else if (data.type === 'quote' && data.bids[0] !== undefined) lastPrice = data.bids[0].price;
  });
});

afterAll(async () => {
  await watcher?.disconnect();
  await stopProcess(venueServer);
  rmSync(directory, { recursive: true, force: true });
});

class DaemonGone extends Error {}

async function call(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch (error) {
    // Connection refused or reset: the daemon died under the request, which may or may not have landed.
    throw new DaemonGone((error as Error).message);
  }
}

function startDaemon(configPath: string): Child {
  return startProcess('src/cli.ts', ['start', '--config', configPath], { FILLSTATE_TOKEN: apiToken, FILLSTATE_VENUE_TOKEN: venueToken });
}

describe('crash test: the daemon SIGKILLed at random points while orders are placed and filled', () => {
  it(`survives ${KILLS} kills: the file equals the venue's record`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const next = seededRandom(seed);
    const dataDir = join(directory, 'data');
    const configPath = join(directory, 'fillstate.config.json');
    writeFileSync(configPath, JSON.stringify({
      server: { port: 0, rateLimit: { perSecond: 10_000, burst: 10_000 } },
      dataDir,
      venue: { type: 'websocket', id: 'paper', url: venueUrl, tokenEnv: 'FILLSTATE_VENUE_TOKEN' },
      demo: { enabled: false },
      log: { level: 'warn' },
    }));
    while (lastPrice === undefined) await new Promise((resolve) => setTimeout(resolve, 10));

    // Each order's request is fixed at its first attempt, so a retry after a crash is the same request.
    const requests = new Map<number, Record<string, unknown>>();
    const requestFor = (index: number) => {
      let request = requests.get(index);
      if (request === undefined) {
        const kind = index % 4;
        const side = kind < 2 ? 'buy' : 'sell';
        const type = kind === 0 || kind === 2 ? 'market' : 'limit';
        const price = (side === 'buy' ? lastPrice!.times('0.99995') : lastPrice!.times('1.00005')).round(1, 0).toFixed(1);
        request = { clientOrderId: `d${index}`, symbol: SYMBOL, side, type, quantity: '0.01', ...(type === 'limit' ? { price } : {}) };
        requests.set(index, request);
      }
      return request;
    };

    let index = 0;
    let kills = 0;
    let acceptedBeforeKills = 0;
    let url = '';
    let daemon: Child;
    for (;;) {
      daemon = startDaemon(configPath);
      const ready = await daemon.next((_, text) => text.startsWith('fillstate listening on '));
      url = /listening on (http:\/\/[^ ]+)/.exec(ready.text as string)![1]!;
      const killing = kills < KILLS;
      const timer = killing ? setTimeout(() => daemon.child.kill('SIGKILL'), 30 + Math.floor(next() * 400)) : undefined;
      try {
        for (; index < ORDERS; index++) {
          const answer = await call(url, 'POST', '/v1/orders', requestFor(index));
          expect([200, 201], `d${index}: ${JSON.stringify(answer.body)} (seed ${seed})`).toContain(answer.status);
          if (killing) acceptedBeforeKills++;
          if (index % 5 === 4) {
            const target = `d${index - 3}`;
            const order = await call(url, 'GET', `/v1/orders/${target}`);
            const status = (order.body.order as { status?: string } | undefined)?.status;
            if (status === 'open' || status === 'partial') await call(url, 'DELETE', `/v1/orders/${target}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 8));
        }
      } catch (error) {
        if (!(error instanceof DaemonGone)) throw error;
      }
      if (!killing) break;
      expect(await daemon.exited, `seed ${seed}`).toBe(null);
      clearTimeout(timer);
      kills++;
    }

    // Leave nothing working, then stop cleanly: SIGTERM finishes the current commit and exits 0.
    for (let attempt = 0; attempt < 400; attempt++) {
      const live = (await call(url, 'GET', '/v1/orders?live=true')).body.orders as Array<{ orderId: string; status: string }>;
      if (live.length === 0) break;
      for (const order of live) if (order.status === 'open' || order.status === 'partial') await call(url, 'DELETE', `/v1/orders/${order.orderId}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    daemon!.child.kill('SIGTERM');
    expect(await daemon!.exited, daemon!.stderr()).toBe(0);
    expect(acceptedBeforeKills, `seed ${seed}`).toBeGreaterThan(0);

    const truth = await venueTruth(venueUrl, venueToken);
    const store = openStore({ path: join(dataDir, 'fillstate.db') });
    try {
      expectStoreEqualsVenue(store, truth, Array.from({ length: ORDERS }, (_, position) => `d${position}`), '10', `seed ${seed}`);
    } finally {
      store.close();
    }
  }, 180_000);
});
