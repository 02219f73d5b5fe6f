// The inspector's cost to the engine: order lifecycles/s with no page, one page and ten pages connected (pages
// are WebSocket clients of the bridge in a child process, over loopback, parsing every message as a page
// with nothing selected would), and with one real page in headless Chromium; the initial load (time and bytes) of the actor tree
// with 10,000 live actors; and the page itself in Chromium with 1,000 live actors updating: its main thread's
// busy share (beside the same page idle) and the latency from a report to the row showing it (beside the same
// with nothing else updating).
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import type { Browser, Page } from 'playwright-core';
import { ManualVenue } from '../adapters/manual/manual-venue.ts';
import { createServer, type RunningServer } from '../src/daemon/server.ts';
import { decimal } from '../src/domain/decimal.ts';
import { createInstrument } from '../src/domain/instrument.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { registerInspector, type InspectorBridge } from '../src/inspector/index.ts';
import { launchChromium } from '../test/inspector/chromium.ts';
import type { BenchRow } from './harness.ts';

const TOKEN = 'bench-inspector-token-0123456789';
const instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});
/** The engine bench's lifecycle: submit, accept, three partial fills, then the fill that completes it. */
const FILLS = [['0.25', '50000'], ['0.25', '49999.9'], ['0.25', '49999.8'], ['0.25', '49999.7']] as const;
const limitBuy = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '50000' } as const;

interface Daemon {
  readonly engine: Engine;
  readonly venue: ManualVenue;
  readonly server: RunningServer;
  readonly bridge: InspectorBridge;
}

async function startDaemon(): Promise<Daemon> {
  const clock = new SimulatedClock();
  const venue = new ManualVenue({ instruments: [instrument], now: () => clock.now(), recordCommands: false, balances: { USDT: '1000000000000', BTC: '0' } });
  const engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 'b', logger: pino({ level: 'silent' }) });
  await engine.start();
  let bridge: InspectorBridge | undefined;
  const server = await createServer({ engine, token: TOKEN, rateLimit: false, plugins: [(app, mount) => void (bridge = registerInspector(app, mount))] });
  return { engine, venue, server, bridge: bridge! };
}

function lifecycles(daemon: Daemon, count: number): void {
  for (let index = 0; index < count; index++) {
    const { orderId } = daemon.engine.submitOrder(limitBuy);
    daemon.venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: orderId });
    for (let fill = 0; fill < FILLS.length; fill++) {
      const [quantity, price] = FILLS[fill]!;
      daemon.venue.report({ type: 'filled', clientOrderId: orderId, tradeId: `${orderId}-${fill}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
    }
  }
}

/**
 * Lifecycles per second, run in chunks with a turn of the event loop between them, as a daemon runs: the
 * bridge's flushes and the sockets' writes happen in between and are charged to the figure.
 */
async function rate(daemon: Daemon, count: number, chunk = 100): Promise<number> {
  return (await measured(daemon, count, chunk)).rate;
}

/** `rate`, with the daemon process's CPU time (user and system, every thread) per 1,000 lifecycles. */
async function measured(daemon: Daemon, count: number, chunk = 100): Promise<ArmFigures> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let done = 0; done < count; done += chunk) {
    lifecycles(daemon, chunk);
    await yieldToEventLoop();
  }
  const used = process.cpuUsage(cpu);
  return { rate: count / (Number(process.hrtime.bigint() - started) / 1e9), cpuMsPerThousand: ((used.user + used.system) / 1000) * (1000 / count) };
}

/** `count` pages in a child process: each parses every message, as the page does. */
async function startPages(url: string, count: number): Promise<ChildProcess> {
  const code = `
    const { WebSocket } = require('ws');
    const sockets = [];
    let opened = 0;
    for (let index = 0; index < ${count}; index++) {
      const socket = new WebSocket(${JSON.stringify(url)});
      socket.on('message', (data) => JSON.parse(data.toString()));
      socket.on('open', () => { if (++opened === ${count}) process.send('open'); });
      socket.on('error', (error) => { console.error(error.message); process.exit(1); });
      sockets.push(socket);
    }
    process.on('message', () => { for (const socket of sockets) socket.close(); setTimeout(() => process.exit(0), 50); });
  `;
  const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`page process exited with ${code}`)));
  });
  return child;
}

async function stopPages(child: ChildProcess, daemon: Daemon): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  await exited;
  while (daemon.bridge.clientCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function throughputRows(): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  // As the page connects with nothing selected: every node change, no one's log entries.
  const url = `${daemon.server.url.replace('http', 'ws')}/inspector/stream?token=${TOKEN}&watch=`;
  const count = 2000;
  await rate(daemon, 500);
  const best = { none: 0, one: 0, ten: 0 };
  // Interleaved rounds, best of each: the machine's noise hits every configuration alike.
  for (let round = 0; round < 3; round++) {
    if (daemon.bridge.attached) throw new Error('the bridge is attached with no page');
    best.none = Math.max(best.none, await rate(daemon, count));
    for (const [name, pages] of [['one', 1], ['ten', 10]] as const) {
      const child = await startPages(url, pages);
      if (!daemon.bridge.attached || daemon.bridge.clientCount !== pages) throw new Error(`expected ${pages} pages attached`);
      best[name] = Math.max(best[name], await rate(daemon, count));
      if (process.env.BENCH_VERBOSE) console.error(round, name, Math.round(best[name]), 'none', Math.round(best.none));
      await stopPages(child, daemon);
    }
  }
  await daemon.server.close();
  await daemon.engine.stop();
  return [
    { name: 'order lifecycles/s with one inspector page connected', value: best.one, unit: 'lifecycles/s', baselineName: 'no page connected', baselineValue: best.none, goal: '>= 70% of no page', met: best.one >= best.none * 0.7 },
    { name: 'order lifecycles/s with ten inspector pages connected', value: best.ten, unit: 'lifecycles/s', baselineName: 'no page connected', baselineValue: best.none, goal: 'reference', met: true },
  ];
}

async function initialLoadRows(): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  // Sells against a long position: they reduce exposure, so they reserve nothing (the ledger's reservation
  // map is copied per reservation, which would make this set-up quadratic).
  daemon.venue.publishMarketData({ type: 'quote', symbol: 'BTC/USDT', timestamp: 0, bids: [{ price: decimal('49999.9'), quantity: decimal('1') }], asks: [{ price: decimal('50000.1'), quantity: decimal('1') }] });
  const { orderId } = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '20000' });
  daemon.venue.report({ type: 'filled', clientOrderId: orderId, tradeId: 'seed', quantity: '20000', price: '50000', fee: '0', feeCurrency: 'USDT', liquidity: 'taker' });
  for (let index = 0; index < 10_000; index++) {
    const sell = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '1', price: '51000' });
    daemon.venue.report({ type: 'accepted', clientOrderId: sell.orderId, venueOrderId: `v${index}` });
  }
  const url = `${daemon.server.url.replace('http', 'ws')}/inspector/stream?token=${TOKEN}`;
  let best = Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    const socket = new WebSocket(url);
    const message = await new Promise<Buffer>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data));
      socket.once('error', reject);
    });
    const snapshot = JSON.parse(message.toString()) as { nodes: unknown[] };
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    bytes = message.length;
    if (snapshot.nodes.length < 10_000) throw new Error(`snapshot had ${snapshot.nodes.length} nodes`);
    socket.close();
    while (daemon.bridge.attached) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await daemon.server.close();
  await daemon.engine.stop();
  return [
    { name: 'inspector initial load, 10,000 live actors (connect to snapshot parsed, loopback)', value: best, unit: 'ms', baselineName: 'goal', baselineValue: 1000, goal: '<= 1000 ms', met: best <= 1000 },
    { name: 'inspector initial load size, 10,000 live actors', value: bytes / 1024, unit: 'KiB', baselineName: 'goal', baselineValue: 2048, goal: '< 2 MiB', met: bytes < 2 * 1024 * 1024 },
  ];
}

/** Milliseconds from an execution report reaching the engine to the page's socket receiving the order's new state. */
async function updateLatencyRows(): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  const socket = new WebSocket(`${daemon.server.url.replace('http', 'ws')}/inspector/stream?token=${TOKEN}`);
  const waiting = new Map<string, () => void>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; nodes: Array<{ id: string; state: string }> };
    for (const node of message.nodes) if (node.state === 'open') waiting.get(node.id)?.();
  });
  await new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
  });
  const latencies: number[] = [];
  for (let sample = 0; sample < 40; sample++) {
    const { orderId } = daemon.engine.submitOrder(limitBuy);
    const seen = new Promise<void>((resolve) => waiting.set(`order:${orderId}`, resolve));
    // Reports arrive at arbitrary moments relative to the flush timer.
    await new Promise((resolve) => setTimeout(resolve, (sample * 7) % 50));
    const started = process.hrtime.bigint();
    daemon.venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: orderId });
    await seen;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  socket.close();
  await daemon.server.close();
  await daemon.engine.stop();
  const worst = Math.max(...latencies);
  const median = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!;
  return [{ name: 'inspector update latency, report to page socket (worst of 40; 50 ms flush)', value: worst, unit: 'ms', baselineName: 'median', baselineValue: median, goal: '<= 250 ms', met: worst <= 250 }];
}

async function openPage(browser: Browser, daemon: Daemon): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${daemon.server.url}/inspector?token=${TOKEN}`);
  await page.locator('#status[data-status="live"]').waitFor();
  return page;
}

/** A full collection, so an arm does not pay for the garbage the arm before it left (a detached bridge's log). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

interface ArmFigures {
  readonly rate: number;
  readonly cpuMsPerThousand: number;
}

/**
 * Lifecycles/s with one real page (headless Chromium) against none, interleaved rounds (which arm goes first
 * alternates; each starts from a full collection), the median of each: on a shared machine one arm's best can be a
 * round that happened to run alone, which the median does not follow. The page is measured once it has opened (its
 * first dashboard drawn and a moment's rest): the figure is the cost of a page connected, not of one loading. One
 * browser tab serves every round (the inspector, then about:blank for the rounds with no page): a new headless
 * window spends about 1.5 s of CPU warming its own omnibox UI, which is the browser's cost, not the page's. Beside
 * it, the daemon process's own CPU per lifecycle in both arms (median, and best of the rounds: the least the
 * other tenants of the machine inflated it): what the page costs the engine's process, apart from the browser's
 * processes competing for the cores; and the page's main thread busy share while the engine runs.
 */
async function chromiumThroughputRows(browser: Browser): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  const count = 2000;
  const rounds = 7;
  const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await rate(daemon, 500);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const none: ArmFigures[] = [];
  const one: ArmFigures[] = [];
  const busy: number[] = [];
  const alone = async () => {
    collectGarbage();
    none.push(await measured(daemon, count));
  };
  const watched = async () => {
    await tab.goto(`${daemon.server.url}/inspector?token=${TOKEN}`);
    await tab.locator('#status[data-status="live"]').waitFor();
    await tab.locator('#dashboard[data-loaded="true"]').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500));
    collectGarbage();
    busy.push(await busyShare(tab, 0, async () => void one.push(await measured(daemon, count))));
    await tab.goto('about:blank');
    while (daemon.bridge.attached) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await alone();
      await watched();
    } else {
      await watched();
      await alone();
    }
    if (process.env.BENCH_VERBOSE) console.error('chromium round', round, Math.round(one.at(-1)!.rate), 'none', Math.round(none.at(-1)!.rate), 'cpu ms/1000', Math.round(one.at(-1)!.cpuMsPerThousand), Math.round(none.at(-1)!.cpuMsPerThousand), 'page busy', Math.round(busy.at(-1)! * 100), '% load', loadavg()[0]);
  }
  await tab.close();
  await daemon.server.close();
  await daemon.engine.stop();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rateOne = median(one.map((arm) => arm.rate));
  const rateNone = median(none.map((arm) => arm.rate));
  const cpuOne = one.map((arm) => arm.cpuMsPerThousand);
  const cpuNone = none.map((arm) => arm.cpuMsPerThousand);
  return [
    { name: `order lifecycles/s with one inspector page open in headless Chromium (median of ${rounds} rounds)`, value: rateOne, unit: 'lifecycles/s', baselineName: 'no page connected', baselineValue: rateNone, goal: '>= 70% of no page', met: rateOne >= rateNone * 0.7 },
    { name: `daemon process CPU per 1,000 lifecycles with one inspector page open in headless Chromium (median of ${rounds} rounds)`, value: median(cpuOne), unit: 'ms', baselineName: 'no page connected', baselineValue: median(cpuNone), goal: '<= 1.3x no page', met: median(cpuOne) <= median(cpuNone) * 1.3 },
    { name: `daemon process CPU per 1,000 lifecycles with one inspector page open in headless Chromium (best of ${rounds} rounds)`, value: Math.min(...cpuOne), unit: 'ms', baselineName: 'no page connected', baselineValue: Math.min(...cpuNone), goal: '<= 1.3x no page', met: Math.min(...cpuOne) <= Math.min(...cpuNone) * 1.3 },
    { name: `inspector page main-thread busy while the engine runs flat out (median of ${rounds} rounds)`, value: median(busy) * 100, unit: '%', baselineName: 'goal', baselineValue: 50, goal: 'reference', met: true },
  ];
}

/** Seconds the page's main thread spent in tasks (Chrome's TaskDuration) over `ms` of wall time, as a share. */
async function busyShare(page: Page, ms: number, during: () => Promise<void>): Promise<number> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const taskDuration = async () => ((await session.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0);
  const before = await taskDuration();
  const started = process.hrtime.bigint();
  await during();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const busy = (await taskDuration()) - before;
  await session.detach();
  return Math.min(1, busy / Math.max(elapsed, ms / 1000));
}

/** Milliseconds from a report to the page's tree row showing the order open, `samples` times; sorted. */
async function rowLatencies(page: Page, daemon: Daemon, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const { orderId } = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '1', price: '52000' });
    // The newest working order is drawn near the top of the tree: wait until it is there, then time the report.
    await page.locator(`#tree .node[data-actor-id="order:${orderId}"][data-state="submitted"]`).waitFor();
    await new Promise((resolve) => setTimeout(resolve, (sample * 7) % 50));
    const started = process.hrtime.bigint();
    daemon.venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: `lat-${orderId}` });
    await page.locator(`#tree .node[data-actor-id="order:${orderId}"][data-state="open"]`).waitFor();
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

/** The page with 1,000 live actors each updated about once a second (1,000 updates/s in all). */
async function pageRows(browser: Browser): Promise<BenchRow[]> {
  const daemon = await startDaemon();
  daemon.venue.publishMarketData({ type: 'quote', symbol: 'BTC/USDT', timestamp: 0, bids: [{ price: decimal('49999.9'), quantity: decimal('1') }], asks: [{ price: decimal('50000.1'), quantity: decimal('1') }] });
  const { orderId: seed } = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '100000' });
  daemon.venue.report({ type: 'filled', clientOrderId: seed, tradeId: 'seed', quantity: '100000', price: '50000', fee: '0', feeCurrency: 'USDT', liquidity: 'taker' });
  const live: string[] = [];
  for (let index = 0; index < 1000; index++) {
    const sell = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '50', price: '51000' });
    daemon.venue.report({ type: 'accepted', clientOrderId: sell.orderId, venueOrderId: `v${index}` });
    live.push(sell.orderId);
  }
  const page = await openPage(browser, daemon);
  await page.locator('#tree .node[data-actor-id="portfolio"]').waitFor();
  const quietLatencies = await rowLatencies(page, daemon, 20);
  const idle = await busyShare(page, 3000, () => new Promise((resolve) => setTimeout(resolve, 3000)));
  // Every 20 ms, 20 of the 1,000 orders get a small fill: each actor changes about once a second.
  let next = 0;
  let trade = 0;
  let updating = true;
  const updates = (async () => {
    while (updating) {
      for (let index = 0; index < 20; index++) {
        const orderId = live[next++ % live.length]!;
        daemon.venue.report({ type: 'filled', clientOrderId: orderId, tradeId: `u${trade++}`, quantity: '0.001', price: '51000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  let loadedLatencies: number[] = [];
  const busy = await busyShare(page, 3000, async () => {
    loadedLatencies = await rowLatencies(page, daemon, 20);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });
  updating = false;
  await updates;
  await page.close();
  await daemon.server.close();
  await daemon.engine.stop();
  const median = (values: number[]) => values[Math.floor(values.length / 2)]!;
  return [
    { name: 'inspector page main-thread busy, 1,000 live actors updating (1,000 updates/s)', value: busy * 100, unit: '%', baselineName: 'same page idle', baselineValue: idle * 100, goal: '<= 50%', met: busy <= 0.5 },
    { name: 'inspector page update latency, report to tree row, 1,000 actors updating (median of 20)', value: median(loadedLatencies), unit: 'ms', baselineName: 'nothing else updating', baselineValue: median(quietLatencies), goal: '<= 250 ms', met: median(loadedLatencies) <= 250 },
    { name: 'inspector page update latency, report to tree row, 1,000 actors updating (worst of 20)', value: loadedLatencies.at(-1)!, unit: 'ms', baselineName: 'nothing else updating (worst)', baselineValue: quietLatencies.at(-1)!, goal: 'reference', met: true },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows = [...(await throughputRows()), ...(await initialLoadRows()), ...(await updateLatencyRows())];
  const browser = await launchChromium();
  try {
    rows.push(...(await chromiumThroughputRows(browser)), ...(await pageRows(browser)));
  } finally {
    await browser.close();
  }
  return rows;
}

/**
 * Only the Chromium rows: `tsx bench/inspector.bench.ts page`; only the engine throughput with one Chromium page:
 * `tsx bench/inspector.bench.ts chromium-throughput`; only with WebSocket clients: `... throughput`.
 */
const only = import.meta.url === `file://${process.argv[1]}` ? process.argv[2] : undefined;
if (only === 'throughput') for (const row of await throughputRows()) console.log(JSON.stringify(row));
if (only === 'page' || only === 'chromium-throughput') {
  const browser = await launchChromium();
  try {
    const rows = only === 'page' ? [...(await pageRows(browser)), ...(await chromiumThroughputRows(browser))] : await chromiumThroughputRows(browser);
    for (const row of rows) console.log(JSON.stringify(row));
  } finally {
    await browser.close();
  }
}
