// End to end in headless Chromium: the inspector page on the daemon's real server, an order placed through the
// API and driven through submitted -> open -> partial -> filled by the venue, seen in the tree and lit in the
// chart; time travel from the event log; a control through the API; a wrong token refused.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

let daemon: InspectedDaemon;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  daemon = await startInspectedDaemon();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
});

const node = (actorId: string) => page.locator(`#tree .node[data-actor-id="${actorId}"]`);
const litState = (stateId: string) => page.locator(`#chart g.state.active[data-state-id="${stateId}"]`);

function fill(clientOrderId: string, tradeId: string, quantity: string): void {
  daemon.venue.report({ type: 'filled', clientOrderId, tradeId, quantity, price: '49000', fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
}

describe('inspector page in Chromium', () => {
  it('refuses a wrong token: no page, no stream', async () => {
    const other = await browser.newPage();
    const response = await other.goto(`${daemon.url}/inspector?token=wrong-token`);
    expect(response?.status()).toBe(401);
    expect(await other.locator('body').innerText()).toContain('a valid token is required');
    await other.close();
    expect(daemon.bridge.attached).toBe(false);
  });

  it('shows an order placed through the API go submitted -> open -> partial -> filled, in the tree and lit in the chart', async () => {
    await page.goto(`${daemon.url}/inspector?token=${TOKEN}`);
    await page.locator('#status[data-status="live"]').waitFor();
    expect(daemon.bridge.attached).toBe(true);
    await node('portfolio').waitFor();
    await expect(page.locator('#trading-state').innerText()).resolves.toBe('trading: active');

    const placed = await daemon.request('POST', '/v1/orders', { clientOrderId: 'e2e-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' });
    expect(placed.status).toBe(201);
    await node('order:e2e-1').and(page.locator('[data-state="submitted"]')).waitFor();
    await node('order:e2e-1').click();
    await litState('order.submitted').waitFor();

    daemon.venue.report({ type: 'accepted', clientOrderId: 'e2e-1', venueOrderId: 'v1' });
    await node('order:e2e-1').and(page.locator('[data-state="open"]')).waitFor();
    await litState('order.open').waitFor();

    fill('e2e-1', 't1', '0.4');
    await node('order:e2e-1').and(page.locator('[data-state="partial"]')).waitFor();
    await litState('order.partial').waitFor();
    await expect(page.locator('#actor-header [data-field="filled"]').innerText()).resolves.toBe('filled: 0.4');

    fill('e2e-1', 't2', '0.6');
    await node('order:e2e-1').and(page.locator('[data-state="filled"]')).waitFor();
    await litState('order.filled').waitFor();
    // The transition just taken, partial -> filled on venue.filled, is highlighted; nothing else is lit.
    await page.locator('#chart g.edge.taken[data-edge="order.partial->order.filled"]').waitFor();
    expect(await page.locator('#chart g.state.atomic.active').count()).toBe(1);
    // The order's fill opened a position, drawn under the portfolio.
    const positions = await daemon.request('GET', '/v1/positions');
    const positionId = positions.body.positions[0].positionId as string;
    await node(`position:${positionId}`).waitFor();

    // The event log holds what the order received and what it emitted, in sequence.
    const rows = page.locator('#log tbody tr');
    await page.locator('#log tbody tr.received', { hasText: 'venue.accepted' }).waitFor();
    const events = await rows.evaluateAll((all) => all.map((row) => row.children[3]!.textContent));
    expect(events).toEqual(expect.arrayContaining(['xstate.init', 'submit', 'venue.accepted', 'venue.filled', 'OrderFilled']));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('inspector-chart.png', ARTIFACTS).pathname, fullPage: false });

    // Time travel: the first fill's entry shows the order partial with 0.4 filled, lit in the chart.
    await page.locator('#log tbody tr.received', { hasText: 'venue.filled' }).first().click();
    await page.locator('#travel:not([hidden])').waitFor();
    await litState('order.partial').waitFor();
    const detail = JSON.parse(await page.locator('#detail').innerText());
    expect(detail.state).toBe('partial');
    expect(detail.context.filledQuantity).toBe('0.4');
    await page.screenshot({ path: new URL('inspector-time-travel.png', ARTIFACTS).pathname });
    await page.getByRole('button', { name: 'Back to live' }).click();
    await litState('order.filled').waitFor();
  });

  it('cancels an order, closes a position, and halts and resumes trading through the API, from the page', async () => {
    await daemon.request('POST', '/v1/orders', { clientOrderId: 'e2e-2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.5', price: '52000' });
    daemon.venue.report({ type: 'accepted', clientOrderId: 'e2e-2', venueOrderId: 'v2' });
    await node('order:e2e-2').and(page.locator('[data-state="open"]')).click();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await node('order:e2e-2').and(page.locator('[data-state="pendingCancel"]')).waitFor();
    await litState('order.pendingCancel').waitFor();

    // The position the first order's fill opened is closed from the page, through the same API.
    const positionId = daemon.engine.listPositions()[0]!.positionId;
    await node(`position:${positionId}`).click();
    await page.getByRole('button', { name: 'Close position' }).click();
    await node(`position:${positionId}`).and(page.locator('[data-state="closing"]')).waitFor();
    await litState('position.closing').waitFor();

    await page.locator('#halt').click();
    await page.locator('#trading-state[data-state="halted"]').waitFor();
    expect(daemon.engine.tradingState()).toBe('halted');
    await page.locator('#resume').click();
    await page.locator('#trading-state[data-state="active"]').waitFor();
  });

  it('filters the tree by state, symbol, live or finished, and search text', async () => {
    await page.locator('#filter-live').selectOption('finished');
    await expect.poll(() => node('order:e2e-2').count()).toBe(0);
    await node('order:e2e-1').waitFor();
    await page.locator('#filter-live').selectOption('');
    await page.locator('#filter-state').selectOption('pendingCancel');
    await expect.poll(() => node('order:e2e-1').count()).toBe(0);
    await node('order:e2e-2').waitFor();
    await page.locator('#filter-state').selectOption('');
    await page.locator('#search').fill('e2e-1');
    await expect.poll(() => node('order:e2e-2').count()).toBe(0);
    await node('order:e2e-1').waitFor();
    await page.locator('#search').fill('');
  });

  it('detaches from the engine when the last page leaves', async () => {
    await page.close();
    await expect.poll(() => daemon.bridge.attached).toBe(false);
  });
});
