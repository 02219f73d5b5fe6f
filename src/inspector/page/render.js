// Drawing: the actor tree (live actors first, then finished ones newest first, paged from /inspector/history),
// the trading state, and the dashboard or the selected actor. What the stream changed is drawn at most every 100 ms.
import * as format from './format.js';
import { renderActor, select } from './actor.js';
import { api, say } from './api.js';
import { reconnectNow } from './connection.js';
import { scheduleDashboard } from './dashboard.js';
import { setIfChanged } from './dom.js';
import { $, HISTORY_PAGE, HISTORY_RENDER_MS, STREAM_RENDER_MS, currencyOf, instrumentOf, view } from './state.js';
import { VirtualTree, filterOptions, filtering, liveRows, matches } from './tree.js';

/**
 * Draws on the next frame. What the stream changed is drawn at most every `least` ms after the last drawing (a busy
 * engine sends a batch every 50 ms; drawing each one costs the browser CPU the engine shares): STREAM_RENDER_MS for
 * an actor that came, went or changed state, FIGURES_RENDER_MS for figures only, HISTORY_RENDER_MS for finished
 * actors only. What the user did is drawn at once. A sooner need moves a later drawing up.
 */
export function scheduleRender(fromStream = false, least = STREAM_RENDER_MS) {
  if (!fromStream) view.renderAsked = true;
  const due = fromStream ? view.renderedAt + least : 0;
  if (view.renderQueued) {
    // Already due as soon, or its frame already asked for.
    if (due >= view.renderDue || view.renderTimer === undefined) return;
    clearTimeout(view.renderTimer);
    view.renderTimer = undefined;
  }
  view.renderQueued = true;
  view.renderDue = due;
  const wait = due - performance.now();
  if (wait <= 0) requestAnimationFrame(renderFrame);
  else view.renderTimer = setTimeout(() => {
    view.renderTimer = undefined;
    requestAnimationFrame(renderFrame);
  }, wait);
}

export function renderFrame() {
  if (!view.renderQueued) return;
  view.renderQueued = false;
  view.renderedAt = performance.now();
  render();
  view.renderAsked = false;
  // Finished actors held back for the history's slower lane: drawn once it is their turn.
  if (view.historyPending) scheduleRender(true, HISTORY_RENDER_MS);
}

/** Whether this drawing advances the history's newest rows: the user acted, one shown live finished, or it is time. */
function advanceHistory() {
  if (!view.historyPending) return;
  const now = performance.now();
  if (!view.renderAsked && !view.historyNow && now - view.historyShownAt < HISTORY_RENDER_MS) return;
  view.recentShownEnd = view.recentDropped + view.recentFinished.length;
  view.historyShownAt = now;
  view.historyPending = false;
  view.historyNow = false;
}

export function filters() {
  return {
    text: $('#search').value.trim().toLowerCase(),
    state: $('#filter-state').value,
    symbol: $('#filter-symbol').value,
    live: $('#filter-live').value,
  };
}

export function refreshOptions(select, values, label) {
  const current = select.value;
  const wanted = ['', ...values];
  if ([...select.options].map((option) => option.value).join('|') === wanted.join('|')) return;
  select.replaceChildren(...wanted.map((value) => new Option(value || label, value)));
  select.value = wanted.includes(current) ? current : '';
}

export function refreshFilterOptions() {
  const options = filterOptions(view.nodes, view.instruments);
  refreshOptions($('#filter-state'), options.states, 'any state');
  refreshOptions($('#filter-symbol'), options.symbols, 'any symbol');
}

export function historyKey(active) {
  return `${view.history.epoch}|${view.history.count}|${active.text}|${active.state}|${active.symbol}`;
}

/** The rows of the tree: live ones, the history's heading, what finished since the snapshot, then the server's pages. */
export function treeModel() {
  const active = filters();
  view.filtering = filtering(active);
  if (view.liveDirty) {
    view.liveRows = active.live === 'finished' ? [] : liveRows(view.nodes, active);
    view.liveDirty = false;
  }
  const showHistory = active.live !== 'live';
  const key = historyKey(active);
  if (showHistory && view.historyCache?.key !== key) {
    view.historyCache = { key, total: undefined, rows: new Map(), offsets: new Map(), loading: new Set() };
    void loadHistoryRows(0);
  }
  // Newest first, as far as the history has advanced; filtered only when a filter is set (otherwise rows read the
  // list as it is).
  advanceHistory();
  const recentIds = view.recentFinished;
  const shown = Math.max(0, Math.min(recentIds.length, view.recentShownEnd - view.recentDropped));
  const recent = !showHistory ? [] : view.filtering
    ? recentIds.slice(0, shown).map((id) => view.finished.get(id)).filter((node) => node && matches(node, active)).reverse()
    : { length: shown, at: (index) => view.finished.get(recentIds[shown - 1 - index]) };
  const serverTotal = showHistory ? (view.historyCache.total ?? 0) : 0;
  // While older rows may follow, one more row at the end loads them when it comes into view.
  const more = showHistory && view.historyCache.complete === false ? 1 : 0;
  const live = view.liveRows;
  const headingAt = live.length;
  const count = live.length + (showHistory ? 1 + recent.length + serverTotal + more : 0);
  const finishedTotal = recent.length + serverTotal;
  const rowAt = (index, load) => {
    if (index < headingAt) {
      const row = live[index];
      return { key: row.key, level: row.level, hasChildren: row.hasChildren, node: view.nodes.get(row.key) };
    }
    if (index === headingAt) return { key: 'history', level: 1, label: view.historyCache?.total === undefined ? 'Finished — loading…' : `Finished — ${finishedTotal.toLocaleString()}${more ? '+' : ''}, newest first` };
    const local = index - headingAt - 1;
    if (local < recent.length) {
      const node = Array.isArray(recent) ? recent[local] : recent.at(local);
      return { key: node.id, level: 2, node };
    }
    const offset = local - recent.length;
    const node = view.historyCache.rows.get(offset);
    if (node) return { key: node.id, level: 2, node };
    // A row past the total is the one that reads further back: asked for from exactly there.
    if (load) void loadHistoryRows(offset >= serverTotal ? serverTotal : Math.floor(offset / HISTORY_PAGE) * HISTORY_PAGE);
    return undefined;
  };
  setIfChanged($('#tree-count'), 'textContent', `${(live.length).toLocaleString()} live rows · ${finishedTotal.toLocaleString()}${more ? '+' : ''} finished`);
  return { count, rowAt };
}

/** Asks the server for HISTORY_PAGE finished rows from `offset` (once per offset and filter). */
export async function loadHistoryRows(offset) {
  const cache = view.historyCache;
  if (!cache || cache.loading.has(offset) || view.history.epoch === undefined) return;
  cache.loading.add(offset);
  const active = filters();
  const query = new URLSearchParams({ epoch: view.history.epoch, asOf: String(view.history.count), offset: String(offset), limit: String(HISTORY_PAGE) });
  if (active.text) query.set('text', active.text);
  if (active.state) query.set('state', active.state);
  if (active.symbol) query.set('symbol', active.symbol);
  try {
    const result = await api('GET', `/inspector/history?${query}`);
    if (view.historyCache !== cache) return;
    cache.total = result.total;
    cache.complete = result.complete;
    result.nodes.forEach((node, index) => {
      cache.rows.set(result.offset + index, view.finished.get(node.id) ?? node);
      cache.offsets.set(node.id, result.offset + index);
    });
    scheduleRender();
  } catch (error) {
    cache.loading.delete(offset);
    // The history was renumbered (the bridge re-attached): a fresh snapshot renumbers the page too.
    if (error.code === 'history_changed') {
      view.session = undefined;
      reconnectNow();
    } else say(`history: ${error.message}`);
  }
}

export function describe(node) {
  const instrument = instrumentOf(node);
  const currency = currencyOf(node);
  const parts = [];
  if (node.kind === 'order') {
    parts.push(node.side, node.orderType ?? '');
    const filled = node.filled ?? '0';
    parts.push(`${format.quantity(filled, instrument)}/${format.quantity(node.quantity, instrument)}`);
    if (node.symbol) parts.push(node.symbol);
    if (node.price !== undefined) parts.push(`@ ${format.price(node.price, instrument)}`);
    if (node.triggerPrice !== undefined) parts.push(`trigger ${format.price(node.triggerPrice, instrument)}`);
    else if (node.stopPrice !== undefined) parts.push(`stop ${format.price(node.stopPrice, instrument)}`);
    if (node.reason && !node.live) parts.push(`— ${node.reason}`);
    return { meta: parts.filter(Boolean).join(' ') };
  }
  if (node.kind === 'position') {
    parts.push(node.side, format.quantity(node.quantity, instrument), node.symbol ?? '');
    if (node.averagePrice !== undefined) parts.push(`@ ${format.price(node.averagePrice, instrument)}`);
    if (node.stopPrice !== undefined) parts.push(`stop ${format.price(node.stopPrice, instrument)}`);
    if (node.exitReason) parts.push(`— ${node.exitReason}`);
    const pnl = node.live && node.unrealizedPnl !== undefined ? node.unrealizedPnl : node.realizedPnl;
    return { meta: parts.filter(Boolean).join(' '), pnl: pnl === undefined ? '' : format.money(pnl, currency, true), pnlSign: format.sign(pnl) };
  }
  if (node.kind === 'algo') {
    // An algorithm or order list: kind, filled / target, average price, its schedule; the progress on the right.
    parts.push(node.algoKind ?? '', node.side ?? '');
    if (node.quantity !== undefined) parts.push(`${format.quantity(node.filled ?? '0', instrument)}/${format.quantity(node.quantity, instrument)}`);
    else if (node.filled !== undefined) parts.push(`filled ${format.quantity(node.filled, instrument)}`);
    if (node.symbol) parts.push(node.symbol);
    if (node.averagePrice !== undefined) parts.push(`avg ${format.price(node.averagePrice, instrument)}`);
    if (node.slices !== undefined) parts.push(`· slices ${node.slices}`);
    if (node.live && node.nextWakeAt !== undefined) parts.push(`· next ${format.shortTime(node.nextWakeAt)}`);
    if (node.endAt !== undefined) parts.push(`· ends ${format.shortTime(node.endAt)}`);
    if (node.reason && !node.live) parts.push(`— ${node.reason}`);
    return { meta: parts.filter(Boolean).join(' '), pnl: node.progress === undefined ? '' : format.percent(node.progress), pnlSign: 0 };
  }
  if (node.kind === 'portfolio' && node.reason) return { meta: node.reason };
  return { meta: '' };
}

export const tree = new VirtualTree($('#tree'), { onSelect: (id) => select(id), describe });

export function render() {
  tree.setModel(treeModel(), view.selectedId);
  const portfolio = view.nodes.get('portfolio');
  // Only what changed is written: the same text written again still costs the browser a layout.
  if (portfolio) {
    setIfChanged($('#trading-state'), 'textContent', `trading: ${portfolio.state}`);
    setIfChanged($('#trading-state').dataset, 'state', portfolio.state);
    setIfChanged($('#trading-reason'), 'textContent', portfolio.state === 'active' ? '' : (portfolio.reason ?? ''));
  }
  const selected = view.selectedId !== undefined;
  setIfChanged($('#dashboard'), 'hidden', selected);
  setIfChanged($('#actor-panel'), 'hidden', !selected);
  if (selected) void renderActor();
  else scheduleDashboard();
}
