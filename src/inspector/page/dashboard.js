// The portfolio dashboard shown when no actor is selected: equity, PnL after fees, exposure, balances and
// reservations, open positions, recent fills and refusals, venues; refreshed from /inspector/dashboard.
import * as format from './format.js';
import { select } from './actor.js';
import { api, say } from './api.js';
import { patchChildren } from './dom.js';
import { $, DASHBOARD_REFRESH_MS, currencyOf, instrumentOf, view } from './state.js';

export function scheduleDashboard() {
  if (view.dashboardTimer !== undefined) return;
  const wait = Math.max(0, view.dashboardAt + DASHBOARD_REFRESH_MS - Date.now());
  view.dashboardTimer = setTimeout(async () => {
    view.dashboardTimer = undefined;
    view.dashboardAt = Date.now();
    if (view.selectedId !== undefined) return;
    try {
      const { dashboard } = await api('GET', '/inspector/dashboard');
      if (view.selectedId === undefined) renderDashboard(dashboard);
    } catch (error) {
      say(`dashboard: ${error.message}`);
    }
  }, wait);
}

export function figure(name, label, value, text, sign) {
  const box = document.createElement('div');
  box.className = 'figure';
  const title = Object.assign(document.createElement('div'), { className: 'label', textContent: label });
  const number = Object.assign(document.createElement('div'), { className: 'value', textContent: text });
  number.dataset.figure = name;
  if (value !== undefined) number.dataset.value = value;
  if (sign !== undefined) number.dataset.sign = String(sign);
  box.append(title, number);
  return box;
}

export function table(caption, headings, rows, name) {
  const element = document.createElement('table');
  element.className = 'grid';
  element.dataset.table = name;
  element.createCaption().textContent = caption;
  const head = element.createTHead().insertRow();
  for (const heading of headings) head.append(Object.assign(document.createElement('th'), { textContent: heading, scope: 'col' }));
  const body = element.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    for (const cell of cells) {
      const td = row.insertCell();
      if (cell instanceof Node) td.append(cell);
      else if (cell && typeof cell === 'object') {
        td.textContent = cell.text;
        if (cell.value !== undefined) td.dataset.value = cell.value;
        if (cell.sign !== undefined) td.dataset.sign = String(cell.sign);
        if (cell.field) td.dataset.field = cell.field;
      } else td.textContent = cell ?? '';
    }
  }
  if (rows.length === 0) {
    const row = body.insertRow();
    const td = row.insertCell();
    td.colSpan = headings.length;
    td.className = 'empty';
    td.textContent = 'none';
  }
  return element;
}

export function renderDashboard(d) {
  const c = d.currency;
  const container = $('#dashboard');
  const figures = document.createElement('div');
  figures.className = 'figures';
  figures.append(
    figure('equity', 'Equity', d.equity, d.equity === undefined ? 'unknown (no price yet)' : format.money(d.equity, c)),
    figure('realizedPnl', 'Realized PnL after fees', d.realizedPnl, format.money(d.realizedPnl, c, true), format.sign(d.realizedPnl)),
    figure('unrealizedPnl', 'Unrealized PnL', d.unrealizedPnl, format.money(d.unrealizedPnl, c, true), format.sign(d.unrealizedPnl)),
    figure('fees', 'Fees paid', d.fees, format.money(d.fees, c)),
    figure('exposure', 'Exposure', d.exposure, format.money(d.exposure, c)),
    figure('todayPnl', d.dailyLossLimit === undefined ? "Today's PnL" : `Today's PnL (loss limit ${format.money(d.dailyLossLimit, c)})`, d.todayPnl, d.todayPnl === undefined ? '—' : format.money(d.todayPnl, c, true), format.sign(d.todayPnl)),
  );
  if (d.dailyLossLimit !== undefined && d.todayPnl !== undefined) {
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = Number(d.dailyLossLimit);
    meter.value = Math.max(0, -Number(d.todayPnl));
    meter.high = Number(d.dailyLossLimit) * 0.7;
    meter.setAttribute('aria-label', 'share of the daily loss limit used');
    figures.lastChild.append(meter);
  }
  const state = figure('tradingState', 'Trading state', d.tradingState, d.reason ? `${d.tradingState} — ${d.reason}` : d.tradingState);
  state.dataset.state = d.tradingState;
  figures.append(state, figure('openPositions', 'Open positions', String(d.openPositions), String(d.openPositions)));
  const balances = table('Balances and reservations', ['currency', 'total', 'reserved', 'free'], d.balances.map((b) => [
    b.currency,
    { text: format.money(b.total, b.currency).replace(` ${b.currency}`, ''), value: b.total, field: 'total' },
    { text: format.money(b.reserved, b.currency).replace(` ${b.currency}`, ''), value: b.reserved, field: 'reserved' },
    { text: format.money(b.free, b.currency).replace(` ${b.currency}`, ''), value: b.free, field: 'free' },
  ]), 'balances');
  const exposure = table('Exposure per symbol', ['symbol', `exposure (${c})`], Object.entries(d.exposureBySymbol).map(([symbol, value]) => [symbol, { text: format.money(value, c).replace(` ${c}`, ''), value }]), 'exposure');
  const positions = [...view.nodes.values()].filter((node) => node.kind === 'position');
  const positionTable = table('Open positions', ['position', 'side', 'quantity', 'entry', 'mark', 'stop', 'take-profits', 'notional', 'unrealized', 'realized after fees'], positions.map((p) => {
    const i = instrumentOf(p);
    const pc = currencyOf(p);
    const link = Object.assign(document.createElement('a'), { href: `?actor=${encodeURIComponent(p.id)}`, textContent: p.id });
    link.dataset.actorId = p.id;
    return [link, p.side, format.quantity(p.quantity, i, true), format.price(p.averagePrice, i), format.price(p.markPrice, i), format.price(p.stopPrice, i), (p.takeProfitPrices ?? []).map((tp) => format.price(tp, i)).join(', ') || '—', format.money(p.notional, pc), { text: format.money(p.unrealizedPnl, pc, true), sign: format.sign(p.unrealizedPnl) }, { text: format.money(p.realizedPnl, pc, true), sign: format.sign(p.realizedPnl) }];
  }), 'positions');
  const fills = table('Recent fills', ['time', 'order', 'side', 'quantity', 'price', 'fee', 'liquidity'], d.recentFills.map((f) => {
    const i = view.instruments[f.symbol];
    return [format.timeElement(f.at), f.orderId, f.side ?? '', `${format.quantity(f.quantity, i)} ${f.symbol}`, format.price(f.price, i), format.money(f.fee, f.feeCurrency), f.liquidity];
  }), 'fills');
  const refusals = table('Risk denials and venue rejections', ['time', 'order', 'symbol', 'what', 'reason'], d.refusals.map((r) => [format.timeElement(r.at), r.orderId, r.symbol, r.type === 'OrderDenied' ? 'denied' : 'rejected', { text: r.reason, field: 'reason' }]), 'refusals');
  const venues = table('Venues', ['venue', 'connection'], d.venues.map((v) => [v.venue, { text: v.state, field: 'state' }]), 'venues');
  const heading = Object.assign(document.createElement('h2'), { textContent: 'Portfolio' });
  const at = document.createElement('p');
  at.className = 'as-of';
  at.append('as of ', format.timeElement(d.at));
  const columns = document.createElement('div');
  columns.className = 'columns';
  columns.append(balances, exposure, venues);
  // Patched in place: a refresh that changed nothing costs no layout, and a selected figure stays selected.
  const fresh = document.createElement('div');
  fresh.append(heading, at, figures, columns, positionTable, fills, refusals);
  patchChildren(container, fresh);
  if (container.dataset.loaded !== 'true') {
    container.dataset.loaded = 'true';
    // One listener for the position links, which patching may point at other positions.
    container.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-actor-id]');
      if (!link) return;
      event.preventDefault();
      select(link.dataset.actorId);
    });
  }
}
