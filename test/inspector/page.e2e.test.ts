// End to end in headless Chromium: the inspector page on the daemon's real server. The token is traded for a
// session cookie; the dashboard's numbers equal the API's; an order placed through the API goes submitted ->
// open -> partial -> filled in the tree and the chart, with its fills decoded in the log; time travel with the
// arrow keys; controls with confirmation through the API (and a refusal's reason shown); keyboard-only selection;
// a trailing stop's line on the price chart; a daemon restart seen as disconnected, then live again.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import { startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';
import { launchChromium } from './chromium.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

let daemon: InspectedDaemon;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  daemon = await startInspectedDaemon({ dailyLossLimit: '5000' }, { risk: { dailyLossLimit: '5000', maxQuantity: '100' } });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, timezoneId: 'Europe/Berlin' });
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
});

const node = (actorId: string) => page.locator(`#tree .node[data-actor-id="${actorId}"]`);
const litState = (stateId: string) => page.locator(`#chart g.state.active[data-state-id="${stateId}"]`);
const shot = (name: string) => page.screenshot({ path: new URL(name, ARTIFACTS).pathname });

function fill(clientOrderId: string, tradeId: string, quantity: string, price = '49000'): void {
  daemon.venue.report({ type: 'filled', clientOrderId, tradeId, quantity, price, fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
}

function trade(price: string): void {
  daemon.venue.publishMarketData({ type: 'trade', symbol: 'BTC/USDT', timestamp: daemon.clock.now(), price: decimal(price), quantity: decimal('0.1'), aggressor: 'buy' });
}

/** Confirms the page's confirmation dialog, filling its inputs first. */
async function confirm(values: Record<string, string> = {}): Promise<void> {
  await page.locator('#confirm[open]').waitFor();
  for (const [name, value] of Object.entries(values)) await page.locator(`#confirm input[name="${name}"]`).fill(value);
  await page.locator('#confirm-ok').click();
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

  it('trades the token for an HttpOnly, SameSite=Strict session cookie, so it leaves the address bar; sends CSP and no-framing headers', async () => {
    const response = await page.goto(`${daemon.url}/inspector?token=${TOKEN}`);
    await expect.poll(() => page.url()).toBe(`${daemon.url}/inspector`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-frame-options']).toBe('DENY');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'fillstate_inspector', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(TOKEN);
    await page.locator('#status[data-status="live"]').waitFor();
    expect(daemon.bridge.attached).toBe(true);
  });

  it('shows the portfolio dashboard with the numbers the API gives', async () => {
    // A position with a loss after fees, one denied order and one fill, so every table has something.
    const placed = await daemon.request('POST', '/v1/orders', { clientOrderId: 'dash-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '2', price: '49000' });
    expect(placed.status).toBe(201);
    daemon.venue.report({ type: 'accepted', clientOrderId: 'dash-1', venueOrderId: 'vd1' });
    fill('dash-1', 'td1', '2', '49000.05');
    const denied = await daemon.request('POST', '/v1/orders', { clientOrderId: 'dash-big', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '500', price: '49000' });
    expect(denied.status).toBeGreaterThanOrEqual(400);
    const working = await daemon.request('POST', '/v1/orders', { clientOrderId: 'dash-2', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1.5', price: '48000' });
    expect(working.status).toBe(201);

    const figure = (name: string) => page.locator(`#dashboard [data-figure="${name}"]`);
    await expect.poll(async () => page.locator('#dashboard table[data-table="refusals"] td[data-field="reason"]').count()).toBe(1);
    await expect.poll(async () => page.locator('#dashboard table[data-table="fills"] tbody tr').count()).toBe(1);
    const account = (await daemon.request('GET', '/v1/account')).body.account;
    const balances = (await daemon.request('GET', '/v1/balances')).body.balances;
    const positions = (await daemon.request('GET', '/v1/positions?open=true')).body.positions;
    expect(positions).toHaveLength(1);
    await expect.poll(() => figure('equity').getAttribute('data-value')).toBe(account.equity);
    expect(await figure('exposure').getAttribute('data-value')).toBe(account.exposure);
    expect(await figure('tradingState').getAttribute('data-value')).toBe('active');
    // Realized after fees: nothing closed yet, so minus the entry's fee.
    const realized = decimal(positions[0].realizedPnl).minus(positions[0].fees).toFixed();
    expect(await figure('realizedPnl').getAttribute('data-value')).toBe(realized);
    expect(await figure('realizedPnl').innerText()).toBe('−0.01 USDT');
    expect(await figure('unrealizedPnl').getAttribute('data-value')).toBe(positions[0].unrealizedPnl);
    // Reservations: the working buy holds 1.5 x 48000 (+ fee) of USDT.
    const usdt = page.locator('#dashboard table[data-table="balances"] tr', { hasText: 'USDT' });
    expect(await usdt.locator('td[data-field="total"]').getAttribute('data-value')).toBe(balances.USDT.total);
    expect(await usdt.locator('td[data-field="reserved"]').getAttribute('data-value')).toBe(balances.USDT.reserved);
    expect(decimal(balances.USDT.reserved).gt('0')).toBe(true);
    expect(await page.locator('#dashboard table[data-table="exposure"] td[data-value]').first().getAttribute('data-value')).toBe(account.exposureBySymbol['BTC/USDT']);
    // The denial's reason, and the loss limit against today's PnL.
    expect(await page.locator('#dashboard table[data-table="refusals"] td[data-field="reason"]').innerText()).toContain('100');
    expect(await page.locator('#dashboard .figure', { hasText: "Today's PnL" }).innerText()).toContain('loss limit 5,000.00 USDT');
    expect(await page.locator('#dashboard table[data-table="venues"] td[data-field="state"]').innerText()).toBe('connected');
    // Numbers as a trader reads them: the mark to the tick, quantities to the lot, with the currency.
    const positionRow = page.locator('#dashboard table[data-table="positions"] tbody tr').first();
    expect(await positionRow.innerText()).toContain('2.000 BTC');
    expect(await positionRow.innerText()).toContain('49,000.1');
    await shot('inspector-dashboard.png');
    await daemon.request('DELETE', '/v1/orders/dash-2');
    daemon.venue.report({ type: 'canceled', clientOrderId: 'dash-2', reason: 'canceled by the user' });
  });

  it('shows an order placed through the API go submitted -> open -> partial -> filled, in the tree, the chart and the decoded log', async () => {
    const placed = await daemon.request('POST', '/v1/orders', { clientOrderId: 'e2e-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' });
    expect(placed.status).toBe(201);
    await node('order:e2e-1').and(page.locator('[data-state="submitted"]')).waitFor();
    await node('order:e2e-1').click();
    expect(new URL(page.url()).searchParams.get('actor')).toBe('order:e2e-1');
    await litState('order.submitted').waitFor();
    // The focus list names the state and its exits, readable without zooming the chart.
    await page.locator('.focus-list li[data-event="venue.accepted"]').waitFor();
    const labelSize = await page.locator('#chart .edge .label').first().evaluate((label) => label.getBoundingClientRect().height);
    expect(labelSize).toBeGreaterThanOrEqual(10);

    daemon.venue.report({ type: 'accepted', clientOrderId: 'e2e-1', venueOrderId: 'v1' });
    await node('order:e2e-1').and(page.locator('[data-state="open"]')).waitFor();
    await litState('order.open').waitFor();

    fill('e2e-1', 't1', '0.4');
    await node('order:e2e-1').and(page.locator('[data-state="partial"]')).waitFor();
    await litState('order.partial').waitFor();
    await expect.poll(() => page.locator('#actor-header [data-field="filled"]').innerText()).toBe('filled\n0.400 BTC');
    expect(await page.locator('#actor-header [data-field="orderType"]').innerText()).toContain('limit');

    fill('e2e-1', 't2', '0.6');
    await node('order:e2e-1').and(page.locator('[data-state="filled"]')).waitFor();
    await litState('order.filled').waitFor();
    await page.locator('#chart g.edge.taken[data-edge="order.partial->order.filled"]').waitFor();
    expect(await page.locator('#chart g.state.atomic.active').count()).toBe(1);

    // The log decodes what each event carried: quantity, price and fee.
    const filledRow = page.locator('#log tbody tr.emitted', { hasText: 'OrderFilled' }).first();
    await filledRow.waitFor();
    expect(await filledRow.innerText()).toContain('0.400 BTC @ 49,000.0 fee 0.01 USDT');
    const events = await page.locator('#log tbody tr').evaluateAll((all) => all.map((row) => row.children[3]!.textContent));
    expect(events).toEqual(expect.arrayContaining(['xstate.init', 'submit', 'venue.accepted', 'venue.filled', 'OrderFilled']));
    await shot('inspector-chart.png');

    // Time travel: the first fill shows the order partial; the arrow keys step, with the context's changes.
    await page.locator('#log tbody tr.received', { hasText: 'venue.filled' }).first().click();
    await page.locator('#travel:not([hidden])').waitFor();
    await litState('order.partial').waitFor();
    let detail = JSON.parse(await page.locator('#detail').innerText());
    expect(detail.state).toBe('partial');
    expect(detail.context.filledQuantity).toBe('0.4');
    expect(detail.changed.filledQuantity).toEqual({ from: '0', to: '0.4' });
    await page.keyboard.press('ArrowUp');
    await litState('order.open').waitFor();
    detail = JSON.parse(await page.locator('#detail').innerText());
    expect(detail.state).toBe('open');
    await shot('inspector-time-travel.png');
    await page.getByRole('button', { name: 'Back to live' }).click();
    await litState('order.filled').waitFor();
  });

  it('cancels an order, refuses a stop move with its reason, closes a position, and halts with a reason and resumes — each confirmed first', async () => {
    await daemon.request('POST', '/v1/orders', { clientOrderId: 'e2e-2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.5', price: '52000' });
    daemon.venue.report({ type: 'accepted', clientOrderId: 'e2e-2', venueOrderId: 'v2' });
    await node('order:e2e-2').and(page.locator('[data-state="open"]')).click();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    // Nothing is sent before the confirmation.
    await page.locator('#confirm[open]').waitFor();
    expect(daemon.engine.getOrder('e2e-2')?.status).toBe('open');
    await confirm();
    await node('order:e2e-2').and(page.locator('[data-state="pendingCancel"]')).waitFor();
    await litState('order.pendingCancel').waitFor();

    const positionId = daemon.engine.listPositions({ open: true })[0]!.positionId;
    await node(`position:${positionId}`).click();
    // This position has no stop: the engine refuses, and the page says why.
    await page.getByRole('button', { name: 'Move stop…' }).click();
    await confirm({ price: '40000' });
    await expect.poll(() => page.locator('#message').innerText()).toContain('Move stop refused: position');
    expect(await page.locator('#message').innerText()).toContain('has no working stop to move');

    await page.getByRole('button', { name: 'Close position' }).click();
    await confirm();
    await node(`position:${positionId}`).and(page.locator('[data-state="closing"]')).waitFor();
    await litState('position.closing').waitFor();

    await page.locator('#halt').click();
    await confirm({ reason: 'news at 14:30' });
    await page.locator('#trading-state[data-state="halted"]').waitFor();
    expect(daemon.engine.account()).toMatchObject({ tradingState: 'halted', reason: 'news at 14:30' });
    await expect.poll(() => page.locator('#trading-reason').innerText()).toBe('news at 14:30');
    await page.locator('#resume').click();
    await confirm();
    await page.locator('#trading-state[data-state="active"]').waitFor();
  });

  it('selects an actor with the keyboard alone: focus the tree, arrows, Enter', async () => {
    await page.locator('#show-dashboard').click();
    await page.locator('#dashboard:not([hidden])').waitFor();
    await page.locator('#tree').focus();
    await page.keyboard.press('Home');
    const tree = page.getByRole('tree', { name: 'actor tree' });
    const active = async () => page.locator(`#${await tree.getAttribute('aria-activedescendant')}`);
    expect(await (await active()).getAttribute('data-actor-id')).toBe('portfolio');
    // Down to the first order row, then Enter.
    let steps = 0;
    while ((await (await active()).getAttribute('data-actor-id'))?.startsWith('order:') !== true && steps++ < 20) await page.keyboard.press('ArrowDown');
    const chosen = (await (await active()).getAttribute('data-actor-id'))!;
    await page.keyboard.press('Enter');
    await page.locator('#actor-panel:not([hidden])').waitFor();
    expect(new URL(page.url()).searchParams.get('actor')).toBe(chosen);
    expect(await page.locator(`#tree [role="treeitem"][aria-selected="true"]`).getAttribute('data-actor-id')).toBe(chosen);
    // The selection survives a reload: it is in the URL.
    await page.reload();
    await page.locator('#status[data-status="live"]').waitFor();
    await page.locator('#actor-header [data-field="id"]', { hasText: chosen }).waitFor();
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

  it("draws a trailing stop's line moving up on the price chart as the market rises", async () => {
    for (const orderId of daemon.engine.listPositions({ open: true }).flatMap((position) => position.workingOrderIds)) {
      daemon.venue.report({ type: 'accepted', clientOrderId: orderId, venueOrderId: `vx-${orderId}` });
      fill(orderId, `tx-${orderId}`, daemon.engine.getOrder(orderId)!.remainingQuantity, '50000');
    }
    trade('50000');
    const { positionId, entryOrderId } = daemon.engine.openPosition({
      symbol: 'BTC/USDT', direction: 'long', quantity: '1',
      plan: { stopLoss: { method: 'percent', percent: '2' }, trailing: { distance: { kind: 'percent', percent: '1' }, activation: { kind: 'percent', percent: '1' } } },
    });
    daemon.venue.report({ type: 'accepted', clientOrderId: entryOrderId, venueOrderId: 'vt1' });
    fill(entryOrderId, 'tt1', '1', '50000');
    await node(`position:${positionId}`).click();
    const chart = page.locator('#price-chart');
    await expect.poll(() => chart.getAttribute('data-stop')).toBe('49000');
    for (const price of ['50500', '51000', '51500']) {
      daemon.clock.advanceBy(60_000);
      trade(price);
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    // A trailing stop's new level reaches its position once per second of market time.
    daemon.clock.advanceBy(1_000);
    // The stop's history as the chart has it: from the initial stop up, step by step, to the last trailing price.
    await expect.poll(() => chart.getAttribute('data-stop'), { timeout: 10_000 }).toBe('50985');
    const history = (await chart.getAttribute('data-stop-history'))!.split(' ').map(Number);
    expect(history[0]).toBe(49000);
    expect(history.length).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < history.length; index++) expect(history[index]).toBeGreaterThan(history[index - 1]!);
    expect(Number(await chart.getAttribute('data-mark-points'))).toBeGreaterThanOrEqual(3);
    await page.locator('#actor-header [data-field="stopPhase"]', { hasText: 'trailing' }).waitFor();
    expect(await page.locator('#actor-header [data-field="stopPrice"]').getAttribute('data-value')).toBe('50985');
    await shot('inspector-price-chart.png');
  });

  it('shows a daemon restart as disconnected with its controls off, then reconnects by itself', async () => {
    const restarted = daemon.restart({ downMs: 1500 });
    await page.locator('body[data-connection="disconnected"]').waitFor();
    expect(await page.locator('#halt').isDisabled()).toBe(true);
    expect(await page.locator('#reconnect').isVisible()).toBe(true);
    await shot('inspector-disconnected.png');
    await restarted;
    await page.locator('#status[data-status="live"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#halt').isDisabled()).toBe(false);
    expect(daemon.bridge.attached).toBe(true);
    // The session cookie outlived the restart (same token): nothing to log in to again.
    await daemon.request('POST', '/v1/orders', { clientOrderId: 'after-restart', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.1', price: '40000' });
    await page.locator('#filter-live').selectOption('live');
    await node('order:after-restart').waitFor();
  });

  it('detaches from the engine when the last page leaves', async () => {
    await page.close();
    await expect.poll(() => daemon.bridge.attached).toBe(false);
  });
});
