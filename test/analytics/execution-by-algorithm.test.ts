// Execution quality per algorithm: the tracker fed the events an engine publishes while a TWAP and an iceberg
// work beside a direct order and a position's stop; slippage against arrival and fill rate worked out by hand,
// and the same groups in the report's JSON and on its HTML page.
/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutionTracker, type ExecutionEvent } from '../../src/analytics/execution-tracker.ts';
import { DIRECT_EXECUTION, summarizeByAlgorithm, summarizeExecution, type ExecutionRecord } from '../../src/analytics/execution.ts';
import { buildReport } from '../../src/backtest/report.ts';
import { renderReportHtml } from '../../src/backtest/report-html.ts';

const venue = 'paper';
const symbol = 'BTC/USDT';

/** An engine's event stream: each event stamped with the clock's time and the next sequence number. */
class EventStream {
  readonly events: ExecutionEvent[] = [];
  now = Date.UTC(2026, 0, 1);
  private sequence = 0;

  emit(event: Record<string, unknown>): void {
    this.events.push({ venue, symbol, ...event, sequence: ++this.sequence, timestamp: this.now } as ExecutionEvent);
  }

  algoStarted(parentId: string, kind: string, quantity: string): void {
    this.emit({ type: 'AlgoStarted', parentId, kind, quantity });
  }

  /** A child or direct order from its creation to the venue's acknowledgement. */
  sent(orderId: string, side: 'buy' | 'sell', quantity: string, parentId?: string, orderType = 'limit'): void {
    this.emit({ type: 'OrderInitialized', orderId, side, orderType, quantity, timeInForce: 'GTC', postOnly: false, reduceOnly: false, ...(parentId === undefined ? {} : { parentId }) });
    this.emit({ type: 'OrderSubmitted', orderId, orderType });
    this.emit({ type: 'OrderAccepted', orderId, venueOrderId: `v-${orderId}` });
  }

  filled(orderId: string, side: 'buy' | 'sell', quantity: string, price: string, filledQuantity: string, parentId?: string): void {
    this.emit({
      type: 'OrderFilled', orderId, side, orderType: 'limit', tradeId: `t-${this.sequence}`, fillQuantity: quantity, fillPrice: price, fee: '0', feeCurrency: 'USDT',
      liquidity: 'maker', filledQuantity, remainingQuantity: '0', averagePrice: price, late: false, ...(parentId === undefined ? {} : { parentId }),
    });
  }
}

/**
 * The market's last price moves 100 → 101 → 99 as the orders are sent (the arrival price each order meets):
 * - TWAP twap-1 buys 3 in three slices: 1 at 100.5 (arrival 100), 1 at 101 (arrival 101), the last slice
 *   canceled at its end with nothing filled (arrival 99).
 * - Iceberg ice-1 sells 2: one child of 2 filled 1.5 at 98.9 (arrival 99), the rest canceled.
 * - A direct market buy of 1 filled at 99.2 (arrival 99), and a position's stop sell of 1 (parentId the
 *   position's id, not an algorithm) filled at 98.8 (arrival 99).
 */
function tradingSession(): { stream: EventStream } {
  const stream = new EventStream();
  stream.algoStarted('twap-1', 'twap', '3');
  stream.sent('twap-1-c1', 'buy', '1', 'twap-1');
  stream.now += 1_000;
  stream.filled('twap-1-c1', 'buy', '1', '100.5', '1', 'twap-1');
  stream.emit({ type: 'AlgoProgressed', parentId: 'twap-1', kind: 'twap', childId: 'twap-1-c1', tradeId: 't', fillQuantity: '1', fillPrice: '100.5', filledQuantity: '1', quantity: '3', averagePrice: '100.5' });
  stream.now += 59_000;
  stream.sent('twap-1-c2', 'buy', '1', 'twap-1');
  stream.now += 2_000;
  stream.filled('twap-1-c2', 'buy', '1', '101', '1', 'twap-1');
  stream.now += 58_000;
  stream.sent('twap-1-c3', 'buy', '1', 'twap-1');
  stream.algoStarted('ice-1', 'iceberg', '2');
  stream.sent('ice-1-c1', 'sell', '2', 'ice-1');
  stream.sent('direct-1', 'buy', '1', undefined, 'market');
  stream.sent('stop-1', 'sell', '1', 'position-7', 'stop');
  stream.now += 500;
  stream.filled('ice-1-c1', 'sell', '1.5', '98.9', '1.5', 'ice-1');
  stream.filled('direct-1', 'buy', '1', '99.2', '1');
  stream.filled('stop-1', 'sell', '1', '98.8', '1', 'position-7');
  stream.now += 59_500;
  stream.emit({ type: 'OrderCanceled', orderId: 'twap-1-c3', reason: 'algorithm ended' });
  stream.emit({ type: 'OrderCanceled', orderId: 'ice-1-c1', reason: 'algorithm canceled' });
  stream.emit({ type: 'AlgoEnded', parentId: 'twap-1', kind: 'twap', outcome: 'expired', filledQuantity: '2', quantity: '3', averagePrice: '100.75' });
  return { stream };
}

/** The market's last price when each order was sent: the arrival prices of the session above. */
const ARRIVALS: Readonly<Record<string, string>> = { 'twap-1-c1': '100', 'twap-1-c2': '101', 'twap-1-c3': '99', 'ice-1-c1': '99', 'direct-1': '99', 'stop-1': '99' };

/** Feeds the events in order, the market price as it was when each was published. */
function track(): ExecutionTracker {
  const { stream } = tradingSession();
  let current = '100';
  const tracker = new ExecutionTracker(() => current);
  for (const event of stream.events) {
    if (event.type === 'OrderSubmitted') current = ARRIVALS[event.orderId]!;
    tracker.observe(event);
  }
  return tracker;
}

describe('execution quality per algorithm', () => {
  it('groups children under their algorithm and every other order as direct, worked out by hand', () => {
    const tracker = track();
    const groups = tracker.summaryByAlgorithm();
    expect(groups.map((group) => group.algorithm)).toEqual(['direct', 'iceberg', 'twap']);
    const [direct, iceberg, twap] = groups.map((group) => group.summary);
    // TWAP: filled 2 of 3; slippage 0.5 (50 bps of 100) and 0 (0 bps of 101): mean 25 bps, cost 0.5,
    // weighted 0.5 / (100 + 101) x 10,000 = 24.875621890547... bps.
    expect(twap).toMatchObject({ orders: 3, filledOrders: 2, fillRate: '0.6666666667', slippageCost: '0.5', slippageBasisPoints: { mean: '25', median: '25', weighted: '24.8756218905' } });
    // Iceberg: filled 1.5 of 2; a sell at 98.9 against 99 is 0.1 worse: 10.101... bps, cost 0.15.
    expect(iceberg).toMatchObject({ orders: 1, filledOrders: 1, fillRate: '0.75', slippageCost: '0.15', slippageBasisPoints: { mean: '10.101010101', weighted: '10.101010101' } });
    // Direct: the market buy paid 0.2 over 99, the position's stop sold 0.2 under it: 20.2020... bps each.
    expect(direct).toMatchObject({ orders: 2, filledOrders: 2, fillRate: '1', slippageCost: '0.4', slippageBasisPoints: { mean: '20.202020202', weighted: '20.202020202' } });
    // Time to first fill: from each child's own creation (its decision time).
    expect(twap!.timeToFirstFillMs).toEqual({ mean: 1_500, median: 1_500 });
    expect(tracker.summary({ algorithm: 'twap' })).toEqual(twap);
    expect(tracker.summary({ algorithm: DIRECT_EXECUTION })).toEqual(direct);
    expect(tracker.records({ algorithm: 'iceberg' }).map((record) => record.orderId)).toEqual(['ice-1-c1']);
  });

  it('knows a child whose algorithm announced its start after the child\'s first event', () => {
    const tracker = new ExecutionTracker(() => '100');
    const { stream } = tradingSession();
    const started = stream.events.filter((event) => event.type === 'AlgoStarted');
    for (const event of stream.events) if (event.type !== 'AlgoStarted') tracker.observe(event);
    expect(tracker.summaryByAlgorithm().map((group) => group.algorithm)).toEqual(['direct']);
    for (const event of started) tracker.observe(event);
    expect(tracker.summaryByAlgorithm().map((group) => [group.algorithm, group.summary.orders])).toEqual([['direct', 2], ['iceberg', 1], ['twap', 3]]);
  });

  it('splits any set of orders into groups that add up to the whole', () => {
    const record = fc.record({
      ordered: fc.integer({ min: 1, max: 100 }),
      filledShare: fc.integer({ min: 0, max: 100 }),
      arrival: fc.integer({ min: 1, max: 1_000 }),
      fill: fc.integer({ min: 1, max: 1_000 }),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      algorithm: fc.constantFrom(undefined, 'twap', 'vwap', 'pov', 'iceberg', 'chase'),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (drafts) => {
        const records: ExecutionRecord[] = drafts.map((draft, index) => {
          const filled = Math.floor((draft.ordered * draft.filledShare) / 100);
          return {
            orderId: `o${index}`, symbol, side: draft.side, orderedQuantity: String(draft.ordered), filledQuantity: String(filled),
            ...(filled > 0 ? { averageFillPrice: String(draft.fill), firstFillTime: 10 } : {}),
            arrivalPrice: String(draft.arrival), signalTime: 0, ...(draft.algorithm === undefined ? {} : { algorithm: draft.algorithm }),
          };
        });
        const groups = summarizeByAlgorithm(records);
        const overall = summarizeExecution(records);
        expect(groups.reduce((total, group) => total + group.summary.orders, 0)).toBe(overall.orders);
        expect(groups.reduce((total, group) => total + group.summary.filledOrders, 0)).toBe(overall.filledOrders);
        const cost = groups.reduce((total, group) => total + Number(group.summary.slippageCost), 0);
        expect(cost).toBeCloseTo(Number(overall.slippageCost), 6);
        expect(groups.map((group) => group.algorithm)).toEqual([...new Set(records.map((entry) => entry.algorithm ?? 'direct'))].sort());
      }),
    );
  });
});

describe('the report shows execution quality per algorithm', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-algo-report-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('in its JSON and as a table on its page', async () => {
    const tracker = track();
    const start = Date.UTC(2026, 0, 1);
    const report = buildReport({
      source: 'backtest', title: 'algorithms', strategy: 'test', quote: 'USDT', data: [], rows: 0, warnings: [],
      equity: [{ time: start, equity: '10000' }, { time: start + 180_000, equity: '10001' }],
      trades: [], fills: [], stops: [], takeProfits: [], marksDropped: 0,
      executions: tracker.records(), orderKinds: new Map(), openPositions: 0,
    });
    expect(report.execution.byAlgorithm).toEqual(tracker.summaryByAlgorithm());
    const file = path.join(directory, 'report.html');
    writeFileSync(file, renderReportHtml(report));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-charts]');
      const section = page.locator('section', { has: page.locator('h2', { hasText: /^Execution quality per algorithm$/ }) });
      const rows = await section.locator('tr').evaluateAll((nodes) => nodes.map((node) => [...node.children].map((cell) => cell.textContent)));
      expect(rows[0]).toEqual(['algorithm', 'count', 'filled', 'fill rate', 'slippage mean (bps)', 'slippage weighted (bps)', 'slippage cost', 'median ms to first fill']);
      expect(rows.slice(1).map((row) => row.slice(0, 4))).toEqual([['direct', '2', '2', '1'], ['iceberg', '1', '1', '0.75'], ['twap', '3', '2', '0.6666666667']]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
