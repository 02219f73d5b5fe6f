/// <reference lib="dom" />
// An execution algorithm in the inspector, in headless Chromium: a TWAP submitted through the API appears in the
// tree with its child orders nested under it, and its progress (filled / target, average price, slices, next
// slice and end time) advances on the page as its children fill and the clock reaches the next slice — the
// same figures the API gives; selected, its TWAP statechart is drawn with its current state lit.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';
import { launchChromium } from './chromium.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const MINUTE = 60_000;

let daemon: InspectedDaemon;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  daemon = await startInspectedDaemon();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
});

const row = (actorId: string) => page.locator(`#tree .node[data-actor-id="${actorId}"]`);

/** The tree's rows top to bottom: id and level. */
const rows = () => page.locator('#tree [role="treeitem"]').evaluateAll((elements) => elements
  .map((element) => ({ top: new DOMMatrix(getComputedStyle(element).transform).m42, id: element.getAttribute('data-actor-id') ?? '', level: element.getAttribute('aria-level') }))
  .sort((a, b) => a.top - b.top)
  .map(({ id, level }) => ({ id, level })));

async function algoView(algoId: string) {
  const { status, body } = await daemon.request('GET', `/v1/algos/${algoId}`);
  expect(status).toBe(200);
  return body.algo as { filledQuantity: string; quantity: string; progress: string; averagePrice?: string; children: Array<{ childId: string; standing: string }>; schedule: { nextWakeAt?: number; endAt?: number } };
}

function fillChild(childId: string, quantity: string, price: string): void {
  daemon.venue.report({ type: 'accepted', clientOrderId: childId, venueOrderId: `v-${childId}` });
  daemon.venue.report({ type: 'filled', clientOrderId: childId, tradeId: `t-${childId}`, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'taker' });
}

describe('an execution algorithm in the inspector', () => {
  it('shows a TWAP from the API with its children nested under it and its progress advancing', async () => {
    await page.goto(`${daemon.url}/inspector?token=${TOKEN}`);
    await page.locator('#status[data-status="live"]').waitFor();

    const submitted = await daemon.request('POST', '/v1/algos', { kind: 'twap', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 10 * MINUTE, intervalMs: MINUTE });
    expect(submitted.status).toBe(201);
    const algoId: string = submitted.body.algo.algoId;
    const algo = `algo:${algoId}`;
    const first = (await algoView(algoId)).children[0]!.childId;

    // The algorithm under the portfolio, its first slice nested under it.
    await row(`order:${first}`).waitFor();
    const tree = await rows();
    const at = tree.findIndex((entry) => entry.id === algo);
    expect(tree[at]).toEqual({ id: algo, level: '2' });
    expect(tree[at + 1]).toEqual({ id: `order:${first}`, level: '3' });
    await expect.poll(() => row(algo).locator('.meta').innerText()).toContain('twap buy 0.000/1.000 BTC/USDT');

    // The slice fills: the algorithm's filled quantity, average price and progress move, as the API has them.
    const firstQuantity = (await daemon.request('GET', `/v1/orders/${first}`)).body.order.quantity as string;
    fillChild(first, firstQuantity, '50000');
    let view = await algoView(algoId);
    expect(view.filledQuantity).toBe(firstQuantity);
    await expect.poll(() => row(algo).locator('.meta').innerText()).toContain(`${Number(firstQuantity).toFixed(3)}/1.000 BTC/USDT avg 50,000.0`);
    const progressAfterFirst = await row(algo).locator('.pnl').innerText();
    expect(progressAfterFirst).not.toBe('0.0%');

    // The clock reaches the next slice: a second child, nested too, and filled at another price.
    daemon.clock.advanceBy(MINUTE);
    view = await algoView(algoId);
    const second = view.children.map((child) => child.childId).find((childId) => childId !== first)!;
    expect(second).toBeDefined();
    await row(`order:${second}`).waitFor();
    const nested = await rows();
    const algoAt = nested.findIndex((entry) => entry.id === algo);
    expect(nested.slice(algoAt + 1).filter((entry) => entry.level === '3').map((entry) => entry.id)).toEqual(expect.arrayContaining([`order:${second}`]));
    const secondQuantity = (await daemon.request('GET', `/v1/orders/${second}`)).body.order.quantity as string;
    fillChild(second, secondQuantity, '50100');
    view = await algoView(algoId);
    await expect.poll(() => row(algo).locator('.pnl').innerText()).not.toBe(progressAfterFirst);

    // Selected: its figures equal the API's, with the next slice and the end as times.
    await row(algo).click();
    const header = page.locator('#actor-header');
    await expect.poll(() => header.locator('[data-field="filled"]').getAttribute('data-value')).toBe(view.filledQuantity);
    expect(await header.locator('[data-field="progress"]').getAttribute('data-value')).toBe(view.progress);
    expect(await header.locator('[data-field="averagePrice"]').getAttribute('data-value')).toBe(view.averagePrice);
    expect(await header.locator('[data-field="nextWakeAt"]').getAttribute('data-value')).toBe(String(view.schedule.nextWakeAt));
    expect(await header.locator('[data-field="endAt"]').getAttribute('data-value')).toBe(String(view.schedule.endAt));

    // Its statechart: the TWAP machine laid out and drawn, the state the API reports lit, with its exits listed.
    // Waited for on the page (the layout code loads the first time a chart is shown), then screenshot.
    const chart = page.locator('#chart svg[data-machine="twap"]');
    await page.locator('#chart svg[data-machine="twap"] g.state.active[data-state-id="twap.working.slicing"]').waitFor();
    expect(await chart.locator('g.state').count()).toBeGreaterThan(3);
    expect(await chart.locator('g.edge').count()).toBeGreaterThan(3);
    expect(await page.locator('#chart .focus-list').innerText()).toContain('Now: working.slicing');
    expect(await page.locator('#chart .focus-list li[data-event="pause"]').count()).toBe(1);
    await page.screenshot({ path: new URL('inspector-twap.png', ARTIFACTS).pathname });
  });
});
