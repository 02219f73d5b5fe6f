/// <reference lib="dom" />
// The inspector page on a daemon with 100,000 finished actors, in headless Chromium: it opens with the live
// position and its working orders on top and the most recent finished ones below, newest first, paged from the
// server, which reads older history only as the tree reaches it; only the rows in view are drawn; the oldest
// actor is reached with End; and rows update in place, so a text selection in the tree survives the engine's
// updates.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import { startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';
import { launchChromium } from './chromium.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const FINISHED = 100_000;

let daemon: InspectedDaemon;
let browser: Browser;
let page: Page;
let oldest: string;
let newest: string;
/** An id no other id starts with (the 54,321st of 100,000): a search finds it alone. */
let sought: string;
let positionId: string;
let stopOrderId: string;

function trade(price: string): void {
  daemon.venue.publishMarketData({ type: 'trade', symbol: 'BTC/USDT', timestamp: daemon.clock.now(), price: decimal(price), quantity: decimal('0.1'), aggressor: 'buy' });
}

beforeAll(async () => {
  // The engine keeps the final views of this many finished orders in memory (10,000 by default).
  daemon = await startInspectedDaemon({}, { finishedOrdersKept: FINISHED + 10 });
  // The history, fast: orders the risk gate denies while halted end at once, with no venue round trip.
  daemon.engine.halt('building history');
  for (let index = 0; index < FINISHED; index++) {
    if (index % 1000 === 0) daemon.clock.advanceBy(1000);
    const { orderId } = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' });
    if (index === 0) oldest = orderId;
    if (index === 54_320) sought = orderId;
    newest = orderId;
  }
  daemon.engine.resume();
  daemon.clock.advanceBy(1000);
  trade('50000');
  const opened = daemon.engine.openPosition({ symbol: 'BTC/USDT', direction: 'long', quantity: '1', plan: { stopLoss: { method: 'percent', percent: '2' } } });
  positionId = opened.positionId;
  daemon.venue.report({ type: 'accepted', clientOrderId: opened.entryOrderId, venueOrderId: 'v-entry' });
  daemon.venue.report({ type: 'filled', clientOrderId: opened.entryOrderId, tradeId: 't-entry', quantity: '1', price: '50000', fee: '0.05', feeCurrency: 'USDT', liquidity: 'taker' });
  stopOrderId = daemon.engine.getPosition(positionId)!.stopOrderId!;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
});

const rowIds = () => page.locator('#tree [role="treeitem"]').evaluateAll((rows) => rows
  .map((row) => ({ top: new DOMMatrix(getComputedStyle(row).transform).m42, id: row.getAttribute('data-actor-id') ?? row.textContent, level: row.getAttribute('aria-level') }))
  .sort((a, b) => a.top - b.top));

describe(`inspector page with ${FINISHED.toLocaleString()} finished actors`, () => {
  it('opens with the live position and its stop on top, then the finished history newest first, drawing only the rows in view', async () => {
    await page.goto(`${daemon.url}/inspector?token=${TOKEN}`);
    await page.locator('#status[data-status="live"]').waitFor();
    await page.locator('#tree .section', { hasText: 'newest first' }).waitFor();
    await page.locator(`#tree .node[data-actor-id="order:${newest}"]`).waitFor();
    const rows = await rowIds();
    expect(rows.slice(0, 5)).toEqual([
      { top: expect.any(Number), id: 'portfolio', level: '1' },
      { top: expect.any(Number), id: 'venue:manual', level: '2' },
      { top: expect.any(Number), id: `position:${positionId}`, level: '2' },
      { top: expect.any(Number), id: `order:${stopOrderId}`, level: '3' },
      // Only the last seconds of history were read for the first screen: more follow as the tree reaches them.
      { top: expect.any(Number), id: expect.stringMatching(/^Finished — [\d,]+\+, newest first$/), level: '1' },
    ]);
    expect(Number(/Finished — ([\d,]+)\+/.exec(rows[4]!.id!)![1]!.replaceAll(',', ''))).toBeLessThan(FINISHED / 2);
    // The entry order finished last, then the denied orders from the newest down.
    expect(rows[5]!.id).toBe(`order:${positionId}.e1`);
    expect(rows[6]!.id).toBe(`order:${newest}`);
    // Virtualised: a screenful of rows in the DOM, not a hundred thousand.
    expect(rows.length).toBeLessThan(100);
    await page.screenshot({ path: new URL('inspector-100k-history.png', ARTIFACTS).pathname });
  });

  it('reaches the oldest finished actor with End, reading the rest of the history from the server', async () => {
    await page.locator('#tree').focus();
    await page.keyboard.press('End');
    await page.locator(`#tree .node[data-actor-id="order:${oldest}"]`).waitFor();
    // Read to its end: the count is whole (no "+").
    expect(await page.locator('#tree-count').innerText()).toContain(`· ${(FINISHED + 1).toLocaleString('en-US')} finished`);
    const active = await page.locator('#tree').getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active}`).getAttribute('data-actor-id')).toBe(`order:${oldest}`);
    expect(await page.locator(`#tree .node[data-actor-id="order:${oldest}"] .state`).innerText()).toBe('denied');
    expect((await rowIds()).length).toBeLessThan(100);
    await page.keyboard.press('Home');
    await page.locator('#tree .node[data-actor-id="portfolio"]').waitFor();
  });

  it('updates rows in place: a text selection in the tree holds while the position is marked again and again', async () => {
    const row = page.locator(`#tree .node[data-actor-id="position:${positionId}"]`);
    await row.locator('.id').selectText();
    expect(await page.evaluate(() => window.getSelection()!.toString())).toBe(`position:${positionId}`);
    for (const price of ['50100', '50200', '50300']) {
      trade(price);
      await expect.poll(() => row.locator('.pnl').innerText()).toContain(`+${Number(price) - 50000}.00 USDT`);
    }
    expect(await page.evaluate(() => window.getSelection()!.toString())).toBe(`position:${positionId}`);
  });

  it('searches the history on the server', async () => {
    await page.locator('#search').fill(`order:${sought}`);
    await page.locator(`#tree .node[data-actor-id="order:${sought}"]`).waitFor();
    await page.locator('#tree .section', { hasText: 'Finished — 1, newest first' }).waitFor();
    expect(await page.locator('#tree .node').count()).toBe(1);
    await page.locator('#search').fill('');
  });
});
