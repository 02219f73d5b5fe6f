// Crash test through the ccxt venue: `fillstate start` configured with `venue: { type: ccxt, exchange:
// binance, urls: <simulator> }`, SIGKILLed at random points while a client places orders through its API and
// the market fills them at the Binance simulator. After every restart nothing is lost, nothing was sent twice,
// and after a clean stop the SQLite file equals the exchange's record: orders, fills, balances.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal } from '../../../src/domain/decimal.ts';
import { openStore } from '../../../src/store/index.ts';
import type { BinanceSimulator } from '../../fixtures/binance-simulator/simulator.ts';
import { seededRandom, type Child } from '../../recovery/crash-support.ts';
import { buildDaemon, startBuiltDaemon } from './bundled-daemon.ts';
import { API_KEY, SECRET, startSimulator } from './support.ts';

const KILLS = 8;
const ORDERS = 16;
const apiToken = randomBytes(24).toString('hex');
let directory: string;
let simulator: BinanceSimulator;
let daemonEntry: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-ccxt-crash-'));
  daemonEntry = await buildDaemon(join(directory, 'build'));
  simulator = await startSimulator('spot');
});

afterAll(async () => {
  await simulator?.stop();
  rmSync(directory, { recursive: true, force: true });
});

class DaemonGone extends Error {}

async function call(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch (error) {
    throw new DaemonGone((error as Error).message);
  }
}

const STATUS: Record<string, string> = { NEW: 'open', PARTIALLY_FILLED: 'partial', FILLED: 'filled', CANCELED: 'canceled' };

describe('crash test: the daemon on the ccxt venue SIGKILLed mid-fill', () => {
  it(`survives ${KILLS} kills: nothing lost, nothing sent twice, balances equal to the exchange's`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const next = seededRandom(seed);
    const dataDir = join(directory, 'data');
    const configPath = join(directory, 'fillstate.config.json');
    writeFileSync(configPath, JSON.stringify({
      server: { port: 0, rateLimit: { perSecond: 10_000, burst: 10_000 } },
      dataDir,
      venue: { type: 'ccxt', id: 'binance', exchange: 'binance', market: 'spot', testnet: true, apiKeyEnv: 'TEST_BINANCE_KEY', secretEnv: 'TEST_BINANCE_SECRET', urls: { rest: simulator.restUrl, ws: simulator.wsUrl }, symbols: ['BTC/USDT'], quietBackfillMs: 500 },
      demo: { enabled: false },
      log: { level: 'warn' },
    }));
    const startDaemon = () => startBuiltDaemon(daemonEntry, ['start', '--config', configPath], { FILLSTATE_TOKEN: apiToken, TEST_BINANCE_KEY: API_KEY, TEST_BINANCE_SECRET: SECRET });

    // The market: fills part of a random working order now and then, whether or not the daemon is up.
    let filling = true;
    const market = (async () => {
      while (filling) {
        const working = [...simulator.book.orders.values()].filter((order) => order.status === 'NEW' || order.status === 'PARTIALLY_FILLED');
        const order = working[Math.floor(next() * working.length)];
        if (order !== undefined) {
          const remaining = decimal(order.origQty).minus(order.executedQty);
          simulator.fill(order.clientOrderId, next() < 0.5 ? remaining.toFixed() : remaining.div('2').round(5, 0).toFixed());
        }
        await new Promise((resolve) => setTimeout(resolve, 15 + Math.floor(next() * 30)));
      }
    })();

    const requestFor = (index: number) => ({ clientOrderId: `c${index}`, symbol: 'BTC/USDT', side: index % 2 === 0 ? 'buy' : 'sell', type: 'limit', quantity: '0.01', price: index % 2 === 0 ? '50000' : '50100' });
    let index = 0;
    let kills = 0;
    let url = '';
    let daemon: Child;
    const daemons: Child[] = [];
    for (;;) {
      daemon = startDaemon();
      daemons.push(daemon);
      const ready = await daemon.next((_, text) => text.startsWith('fillstate listening on '));
      url = /listening on (http:\/\/[^ ]+)/.exec(ready.text as string)![1]!;
      // After each restart: every order placed so far is on file, none was sent twice.
      for (let earlier = 0; earlier < index; earlier++) {
        const answer = await call(url, 'GET', `/v1/orders/c${earlier}`);
        if (answer.status === 404) continue; // its request never reached the daemon before the kill: retried below
        expect(answer.status, `c${earlier} after restart ${kills} (seed ${seed})`).toBe(200);
      }
      for (const [clientOrderId, count] of simulator.book.submitCounts) expect(count, `${clientOrderId} submits (seed ${seed})`).toBe(1);
      const killing = kills < KILLS;
      const timer = killing ? setTimeout(() => daemon.child.kill('SIGKILL'), 100 + Math.floor(next() * 500)) : undefined;
      try {
        for (; index < ORDERS; index++) {
          const answer = await call(url, 'POST', '/v1/orders', requestFor(index));
          expect([200, 201], `c${index}: ${JSON.stringify(answer.body)} (seed ${seed})`).toContain(answer.status);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (killing) await new Promise((resolve) => setTimeout(resolve, 1000));
      } catch (error) {
        if (!(error instanceof DaemonGone)) throw error;
      }
      if (!killing) break;
      expect(await daemon.exited, `seed ${seed}`).toBe(null);
      clearTimeout(timer);
      kills++;
    }

    filling = false;
    await market;
    // Leave nothing working, then stop cleanly.
    for (let attempt = 0; attempt < 400; attempt++) {
      const live = (await call(url, 'GET', '/v1/orders?live=true')).body.orders as Array<{ orderId: string; status: string }>;
      if (live.length === 0) break;
      for (const order of live) if (order.status === 'open' || order.status === 'partial') await call(url, 'DELETE', `/v1/orders/${order.orderId}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    daemon!.child.kill('SIGTERM');
    expect(await daemon!.exited, daemon!.stderr()).toBe(0);

    // The credentials never reach a log line.
    for (const child of daemons) {
      const output = JSON.stringify(child.lines) + child.stderr();
      expect(output.includes(SECRET) || output.includes(API_KEY), 'credentials in the daemon output').toBe(false);
    }

    const store = openStore({ path: join(dataDir, 'fillstate.db') });
    try {
      const context = `seed ${seed}`;
      const orders = new Map(store.orders().map((order) => [order.clientOrderId, order]));
      for (let position = 0; position < ORDERS; position++) expect(orders.has(`c${position}`), `c${position} on file (${context})`).toBe(true);
      for (const [clientOrderId, count] of simulator.book.submitCounts) expect(count, `${clientOrderId} submits (${context})`).toBe(1);
      for (const order of simulator.book.orders.values()) {
        expect({ status: orders.get(order.clientOrderId)?.status, filled: decimal(orders.get(order.clientOrderId)?.filledQuantity ?? '-1').toFixed() }, `${order.clientOrderId} (${context})`).toEqual({
          status: STATUS[order.status],
          filled: decimal(order.executedQty).toFixed(),
        });
      }
      const fill = (f: { tradeId: string; clientOrderId: string; quantity: string; price: string; fee: string }) => `${f.tradeId}|${f.clientOrderId}|${decimal(f.quantity).toFixed()}|${decimal(f.price).toFixed()}|${decimal(f.fee).toFixed()}`;
      expect(store.fills().map(fill).sort(), context).toEqual(simulator.book.trades.map((trade) => fill({ tradeId: String(trade.id), clientOrderId: trade.clientOrderId, quantity: trade.qty, price: trade.price, fee: trade.commission })).sort());
      expect(simulator.book.trades.length, context).toBeGreaterThan(0);
      const exchangeBalances = Object.fromEntries([...simulator.book.balances].filter(([, balance]) => balance.free.plus(balance.locked).gt('0')).map(([currency, balance]) => [currency, balance.free.plus(balance.locked).toFixed()]));
      const ourBalances = Object.fromEntries(store.balances().filter((balance) => decimal(balance.total).gt('0')).map((balance) => [balance.currency, decimal(balance.total).toFixed()]));
      expect(ourBalances, context).toEqual(exchangeBalances);
      expect(store.journalGaps(), context).toEqual([]);
    } finally {
      store.close();
    }
  }, 300_000);
});
