// The inspector page: keeps the live actor tree from /inspector/stream (snapshot, then batches with sequence
// numbers; a reconnect resumes after the last one seen), pages finished actors from /inspector/history, shows
// the portfolio dashboard when nothing is selected, and for a selected actor its figures, statechart, price
// chart and decoded event log, with time travel (arrow keys step) and controls sent through the same /v1 API.
import { VirtualTree, liveRows, filterOptions, filtering, matches } from './tree.js';
import { drawChart } from './chart.js';
import * as format from './format.js';
import { PriceChart } from './price-chart.js';

const MAX_LOG_ROWS = 2000;
const HISTORY_PAGE = 200;
const DASHBOARD_REFRESH_MS = 1000;
/** Least time between two drawings of what the stream changed. */
const STREAM_RENDER_MS = 100;
/** Actors finished since the snapshot kept on the page; past it the oldest go (a reload shows them again). */
const MAX_RECENT_FINISHED = 10_000;
const $ = (selector) => document.querySelector(selector);

const view = {
  nodes: new Map(),
  instruments: {},
  machines: {},
  session: undefined,
  sequence: 0,
  history: { epoch: undefined, count: 0 },
  /** Finished since the snapshot, oldest first (ids); their nodes are in `finished`. */
  recentFinished: [],
  finished: new Map(),
  /** Server pages of the history for the current filter: { key, total, rows: Map(offset -> node), loading: Set(page) }. */
  historyCache: undefined,
  liveRows: [],
  liveDirty: true,
  selectedId: new URL(location.href).searchParams.get('actor') ?? undefined,
  selectedNode: undefined,
  log: [],
  logShown: 0,
  chosen: undefined,
  light: undefined,
  drawnMachine: undefined,
  chartDetails: false,
  renderQueued: false,
  renderNow: false,
  renderTimer: undefined,
  renderedAt: 0,
  socket: undefined,
  connected: false,
  retryMs: 250,
  retryTimer: undefined,
  dashboardAt: 0,
  dashboardTimer: undefined,
  priceChart: undefined,
};

// ---- the API ------------------------------------------------------------------------------------------------

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(payload.error?.message ?? `${method} ${path} answered ${response.status}`);
    error.status = response.status;
    error.code = payload.error?.code;
    throw error;
  }
  return payload;
}

function say(text) {
  $('#message').textContent = text;
}

function instrumentOf(node) {
  return node?.symbol ? view.instruments[node.symbol] : undefined;
}

function currencyOf(node) {
  return instrumentOf(node)?.quote;
}

// ---- the connection -----------------------------------------------------------------------------------------

function setConnection(status, text) {
  view.connected = status === 'live';
  document.body.dataset.connection = status;
  const element = $('#status');
  element.dataset.status = status;
  element.textContent = text;
  $('#reconnect').hidden = status === 'live';
  // A page that is not live must not look live: every control is off until the stream is back.
  for (const control of document.querySelectorAll('button.control, #actor-controls button:not(.nav)')) control.disabled = !view.connected;
}

function connect() {
  clearTimeout(view.retryTimer);
  const url = new URL('/inspector/stream', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (view.session !== undefined) {
    url.searchParams.set('session', view.session);
    url.searchParams.set('after', String(view.sequence));
  }
  // Only the selected actor's log entries are sent to the page (every node change still is).
  url.searchParams.set('watch', view.selectedId ?? '');
  const socket = new WebSocket(url);
  view.socket = socket;
  socket.onopen = () => {
    view.retryMs = 250;
    // The selection may have changed while the socket was opening.
    watchSelected();
  };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = () => {
    if (view.socket !== socket) return;
    setConnection('disconnected', `disconnected — retrying in ${(view.retryMs / 1000).toFixed(1)} s`);
    view.retryTimer = setTimeout(connect, view.retryMs);
    view.retryMs = Math.min(view.retryMs * 2, 4000);
    // A socket refused for its session (expired, or the daemon's token changed) looks like any close: ask.
    api('GET', '/inspector/actors/portfolio').catch((error) => {
      if (error.status !== 401 || view.socket !== socket) return;
      clearTimeout(view.retryTimer);
      setConnection('disconnected', 'signed out: open the inspector URL with the token again (fillstate prints it at start)');
    });
  };
}

/** Tells the server whose log entries to send: the selected actor's (its kept ones first, so the log has no gap). */
function watchSelected() {
  if (view.socket?.readyState !== WebSocket.OPEN) return; // a new socket names it in its URL
  view.socket.send(JSON.stringify({ type: 'watch', actorIds: view.selectedId === undefined ? [] : [view.selectedId] }));
}

function reconnectNow() {
  view.retryMs = 250;
  const socket = view.socket;
  view.socket = undefined;
  socket?.close();
  connect();
}

function receive(message) {
  if (message.type === 'snapshot') {
    view.nodes = new Map(message.nodes.map((node) => [node.id, node]));
    view.machines = message.machines;
    view.instruments = message.instruments ?? {};
    view.session = message.session;
    view.sequence = message.sequence;
    view.history = message.history;
    view.recentFinished = [];
    view.finished = new Map();
    view.historyCache = undefined;
    view.liveDirty = true;
    refreshFilterOptions();
    if (view.selectedId) void loadSelected(view.selectedId);
  } else if (message.type === 'batch') {
    if (message.session !== view.session) return;
    for (const node of message.nodes) absorb(node);
    for (const entry of message.entries) {
      if (entry.actorId === view.selectedId && !view.log.some((known) => known.sequence === entry.sequence && known.source !== 'journal')) view.log.push({ ...entry, source: 'live' });
    }
    if (view.log.length > MAX_LOG_ROWS) {
      view.log.splice(0, view.log.length - MAX_LOG_ROWS);
      view.logShown = 0;
    }
    view.sequence = message.sequence;
    if (message.nodes.length > 0) view.priceChart?.observe(message.nodes, message.entries);
  } else if (message.type === 'resync') {
    say(`re-syncing: ${message.reason}`);
  }
  if (!view.connected) setConnection('live', 'live');
  document.body.dataset.sequence = String(view.sequence);
  scheduleRender(true);
}

/** A changed node: live ones update the tree's top; one that finished moves to the top of the history. */
function absorb(node) {
  const known = view.nodes.get(node.id);
  const wasLive = known !== undefined;
  if (node.live || node.kind === 'portfolio' || node.kind === 'venue') {
    view.nodes.set(node.id, node);
    // Rows move only when an actor comes, goes or changes parent — or when a filter reads what changed.
    if (!known || known.parent !== node.parent || view.filtering) view.liveDirty = true;
    view.changed = true;
    return;
  }
  if (wasLive) {
    view.nodes.delete(node.id);
    view.liveDirty = true;
  }
  view.changed = true;
  const offset = view.historyCache?.offsets.get(node.id);
  if (offset !== undefined) view.historyCache.rows.set(offset, node);
  else if (!view.finished.has(node.id)) {
    view.recentFinished.push(node.id);
    if (view.recentFinished.length > MAX_RECENT_FINISHED) view.finished.delete(view.recentFinished.shift());
  }
  view.finished.set(node.id, node);
}

// ---- rendering ----------------------------------------------------------------------------------------------

/**
 * Draws on the next frame. What the stream changed is drawn at most every STREAM_RENDER_MS (a busy engine sends a
 * batch every 50 ms; drawing each one costs the browser CPU the engine shares), what the user did at once.
 */
function scheduleRender(fromStream = false) {
  if (!fromStream) view.renderNow = true;
  if (view.renderQueued) {
    if (!fromStream && view.renderTimer !== undefined) {
      clearTimeout(view.renderTimer);
      view.renderTimer = undefined;
      requestAnimationFrame(renderFrame);
    }
    return;
  }
  view.renderQueued = true;
  const wait = view.renderNow ? 0 : view.renderedAt + STREAM_RENDER_MS - performance.now();
  if (wait <= 0) requestAnimationFrame(renderFrame);
  else view.renderTimer = setTimeout(() => {
    view.renderTimer = undefined;
    requestAnimationFrame(renderFrame);
  }, wait);
}

function renderFrame() {
  if (!view.renderQueued) return;
  view.renderQueued = false;
  view.renderNow = false;
  view.renderedAt = performance.now();
  render();
}

function filters() {
  return {
    text: $('#search').value.trim().toLowerCase(),
    state: $('#filter-state').value,
    symbol: $('#filter-symbol').value,
    live: $('#filter-live').value,
  };
}

function refreshOptions(select, values, label) {
  const current = select.value;
  const wanted = ['', ...values];
  if ([...select.options].map((option) => option.value).join('|') === wanted.join('|')) return;
  select.replaceChildren(...wanted.map((value) => new Option(value || label, value)));
  select.value = wanted.includes(current) ? current : '';
}

function refreshFilterOptions() {
  const options = filterOptions(view.nodes, view.instruments);
  refreshOptions($('#filter-state'), options.states, 'any state');
  refreshOptions($('#filter-symbol'), options.symbols, 'any symbol');
}

function historyKey(active) {
  return `${view.history.epoch}|${view.history.count}|${active.text}|${active.state}|${active.symbol}`;
}

/** The rows of the tree: live ones, the history's heading, what finished since the snapshot, then the server's pages. */
function treeModel() {
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
  // Newest first; filtered only when a filter is set (otherwise rows read the list as it is).
  const recentIds = view.recentFinished;
  const recent = !showHistory ? [] : view.filtering
    ? recentIds.map((id) => view.finished.get(id)).filter((node) => node && matches(node, active)).reverse()
    : { length: recentIds.length, at: (index) => view.finished.get(recentIds[recentIds.length - 1 - index]) };
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
  $('#tree-count').textContent = `${(live.length).toLocaleString()} live rows · ${finishedTotal.toLocaleString()}${more ? '+' : ''} finished`;
  return { count, rowAt };
}

/** Asks the server for HISTORY_PAGE finished rows from `offset` (once per offset and filter). */
async function loadHistoryRows(offset) {
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

function describe(node) {
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
  if (node.kind === 'portfolio' && node.reason) return { meta: node.reason };
  return { meta: '' };
}

const tree = new VirtualTree($('#tree'), { onSelect: (id) => select(id), describe });

function render() {
  tree.setModel(treeModel(), view.selectedId);
  const portfolio = view.nodes.get('portfolio');
  if (portfolio) {
    $('#trading-state').textContent = `trading: ${portfolio.state}`;
    $('#trading-state').dataset.state = portfolio.state;
    $('#trading-reason').textContent = portfolio.state === 'active' ? '' : (portfolio.reason ?? '');
  }
  const selected = view.selectedId !== undefined;
  $('#dashboard').hidden = selected;
  $('#actor-panel').hidden = !selected;
  if (selected) void renderActor();
  else scheduleDashboard();
}

// ---- the dashboard ------------------------------------------------------------------------------------------

function scheduleDashboard() {
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

function figure(name, label, value, text, sign) {
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

function table(caption, headings, rows, name) {
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

function renderDashboard(d) {
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
    link.addEventListener('click', (event) => { event.preventDefault(); select(p.id); });
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
  container.replaceChildren(heading, at, figures, columns, positionTable, fills, refusals);
  container.dataset.loaded = 'true';
}

// ---- the selected actor -------------------------------------------------------------------------------------

function select(actorId) {
  if (view.selectedId === actorId) return;
  view.selectedId = actorId;
  view.chosen = undefined;
  view.log = [];
  view.logShown = 0;
  view.selectedNode = undefined;
  $('#detail').textContent = '';
  const url = new URL(location.href);
  if (actorId === undefined) url.searchParams.delete('actor');
  else url.searchParams.set('actor', actorId);
  history.replaceState(null, '', url);
  watchSelected();
  if (actorId !== undefined) void loadSelected(actorId);
  scheduleRender();
}

async function loadSelected(actorId) {
  if (!view.nodes.has(actorId) && !view.finished.has(actorId)) {
    try {
      const { node } = await api('GET', `/inspector/actors/${encodeURIComponent(actorId)}`);
      if (view.selectedId === actorId) view.selectedNode = node;
    } catch (error) {
      say(String(error.message));
    }
  }
  await loadLog(actorId);
}

async function loadLog(actorId) {
  try {
    const { entries, journal } = await api('GET', `/inspector/actors/${encodeURIComponent(actorId)}/log`);
    if (view.selectedId !== actorId) return;
    const live = new Map(view.log.filter((entry) => entry.source === 'live').map((entry) => [entry.sequence, entry]));
    for (const entry of entries) live.set(entry.sequence, { ...entry, source: 'live' });
    // Journal entries come first: they are what happened before the page attached.
    const firstLive = Math.min(...[...live.values()].map((entry) => entry.domainSequence ?? Infinity).filter(Number.isFinite));
    const older = journal.filter((entry) => !(entry.domainSequence >= firstLive));
    view.log = [...older, ...[...live.values()].sort((a, b) => a.sequence - b.sequence)];
    view.logShown = 0;
    scheduleRender();
  } catch (error) {
    say(String(error.message));
  }
}

function selectedNode() {
  const id = view.selectedId;
  const offset = view.historyCache?.offsets.get(id);
  const node = view.nodes.get(id) ?? view.finished.get(id) ?? (offset === undefined ? undefined : view.historyCache.rows.get(offset)) ?? view.selectedNode;
  if (node && view.selectedNode?.id === id && view.selectedNode !== node) view.selectedNode = node;
  return node;
}

function lastReceived() {
  for (let index = view.log.length - 1; index >= 0; index--) if (view.log[index].kind === 'received') return view.log[index];
  return undefined;
}

function machineOf(node) {
  return node.machine ?? (node.kind === 'order' || node.kind === 'position' ? node.kind : undefined);
}

async function renderActor() {
  const node = selectedNode();
  const header = $('#actor-header');
  if (!node) {
    header.replaceChildren(Object.assign(document.createElement('em'), { textContent: `${view.selectedId}: loading…` }));
    return;
  }
  renderHeader(header, node);
  renderControls(node);
  renderLog(node);
  const travel = $('#travel');
  travel.hidden = view.chosen === undefined;
  if (view.chosen) {
    const at = format.timeElement(view.chosen.at);
    travel.replaceChildren(
      document.createTextNode(`Time travel: the state after #${view.chosen.sequence || `j${view.chosen.domainSequence}`} ${view.chosen.eventType} at `), at,
      document.createTextNode(` (${view.chosen.source}; ↑/↓ step). `),
      Object.assign(document.createElement('button'), { type: 'button', textContent: 'Back to live', onclick: () => { view.chosen = undefined; $('#detail').textContent = ''; scheduleRender(); } }),
    );
  }
  renderPriceChart(node);
  const machine = machineOf(node);
  if (!machine) {
    $('#chart').replaceChildren(Object.assign(document.createElement('p'), { textContent: `${node.id}: ${node.state} (no statechart)` }));
    view.drawnMachine = undefined;
    return;
  }
  const key = `${machine}@${view.machines[machine]}`;
  if (view.drawnMachine !== key) {
    view.drawnMachine = key;
    view.light = undefined;
    const drawing = await api('GET', `/inspector/machines/${machine}?v=${view.machines[machine]}`);
    view.light = await drawChart($('#chart'), drawing, { details: view.chartDetails });
  }
  if (!view.light) return;
  const moment = view.chosen ?? lastReceived();
  view.light({
    state: view.chosen ? view.chosen.state : node.state,
    previousState: moment?.kind === 'received' ? moment.previousState : undefined,
    eventType: moment?.kind === 'received' ? moment.eventType : undefined,
  });
}

function headerFields(node) {
  const i = instrumentOf(node);
  const c = currencyOf(node);
  const fields = [['id', node.id], ['state', node.state]];
  if (node.symbol) fields.push(['symbol', node.symbol]);
  if (node.side) fields.push(['side', node.side]);
  if (node.orderType) fields.push(['type', node.orderType, 'orderType']);
  if (node.quantity !== undefined) fields.push(['quantity', format.quantity(node.quantity, i, true), 'quantity', node.quantity]);
  if (node.kind === 'order') fields.push(['filled', format.quantity(node.filled ?? '0', i, true), 'filled', node.filled ?? '0']);
  if (node.price !== undefined) fields.push(['price', format.price(node.price, i), 'price', node.price]);
  if (node.stopPrice !== undefined) fields.push(['stop', format.price(node.stopPrice, i), 'stopPrice', node.stopPrice]);
  if (node.triggerPrice !== undefined) fields.push(['trigger', format.price(node.triggerPrice, i), 'triggerPrice', node.triggerPrice]);
  if (node.watermark !== undefined) fields.push(['high-water', format.price(node.watermark, i), 'watermark', node.watermark]);
  if (node.stopPhase !== undefined) fields.push(['stop phase', node.stopPhase, 'stopPhase']);
  if (node.takeProfitPrices?.length) fields.push(['take-profits', node.takeProfitPrices.map((p) => format.price(p, i)).join(', '), 'takeProfitPrices', node.takeProfitPrices.join(',')]);
  if (node.averagePrice !== undefined) fields.push([node.kind === 'position' ? 'entry' : 'avg price', format.price(node.averagePrice, i), 'averagePrice', node.averagePrice]);
  if (node.markPrice !== undefined) fields.push(['mark', format.price(node.markPrice, i), 'markPrice', node.markPrice]);
  if (node.notional !== undefined) fields.push(['notional', format.money(node.notional, c), 'notional', node.notional]);
  if (node.fees !== undefined) fields.push(['fees', format.money(node.fees, c), 'fees', node.fees]);
  if (node.realizedPnl !== undefined) fields.push(['realized after fees', format.money(node.realizedPnl, c, true), 'realizedPnl', node.realizedPnl]);
  if (node.unrealizedPnl !== undefined) fields.push(['unrealized', format.money(node.unrealizedPnl, c, true), 'unrealizedPnl', node.unrealizedPnl]);
  if (node.reduceOnly) fields.push(['reduce-only', 'yes', 'reduceOnly']);
  if (node.exitReason) fields.push(['exit reason', node.exitReason, 'exitReason']);
  if (node.reason) fields.push(['reason', node.reason, 'reason']);
  if (node.createdAt !== undefined) fields.push(['created', format.timeElement(node.createdAt), 'createdAt', String(node.createdAt)]);
  if (node.closedAt !== undefined) fields.push(['closed', format.timeElement(node.closedAt), 'closedAt', String(node.closedAt)]);
  return fields;
}

/** The header's fields, updated in place so a selected figure can be copied while it ticks. */
function renderHeader(header, node) {
  let list = header.querySelector('dl');
  if (!list || list.dataset.actorId !== node.id) {
    list = document.createElement('dl');
    list.dataset.actorId = node.id;
    header.replaceChildren(list);
  }
  const seen = new Set();
  for (const [label, value, name = label, raw] of headerFields(node)) {
    seen.add(name);
    let item = list.querySelector(`[data-field="${name}"]`);
    if (!item) {
      item = document.createElement('div');
      item.dataset.field = name;
      item.append(Object.assign(document.createElement('dt'), { textContent: label }), document.createElement('dd'));
      list.append(item);
    }
    const dd = item.lastChild;
    if (value instanceof Node) {
      if (dd.firstChild?.title !== value.title) dd.replaceChildren(value);
    } else if (dd.textContent !== value) dd.textContent = value;
    if (raw !== undefined && item.dataset.value !== raw) item.dataset.value = raw;
    if (name.endsWith('Pnl')) item.dataset.sign = String(format.sign(raw));
  }
  for (const item of [...list.children]) if (!seen.has(item.dataset.field)) item.remove();
}

// ---- controls -----------------------------------------------------------------------------------------------

/** Asks in a dialog (with inputs when the action needs them); resolves to the inputs' values or undefined. */
function confirmAction(text, inputs = []) {
  const dialog = $('#confirm');
  $('#confirm-text').textContent = text;
  const fields = inputs.map((input) => {
    const label = document.createElement('label');
    const field = Object.assign(document.createElement('input'), { name: input.name, value: input.value ?? '', required: true });
    if (input.inputMode) field.inputMode = input.inputMode;
    label.append(`${input.label} `, field);
    return { label, field, name: input.name };
  });
  $('#confirm-inputs').replaceChildren(...fields.map((f) => f.label));
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (dialog.returnValue !== 'ok') return resolve(undefined);
      resolve(Object.fromEntries(fields.map((f) => [f.name, f.field.value.trim()])));
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    (fields[0]?.field ?? $('#confirm-ok')).focus();
  });
}

async function send(label, method, path, body) {
  try {
    await api(method, path, body);
    say(`${label}: sent`);
  } catch (error) {
    say(`${label} refused: ${error.message}`);
  }
}

function controlButton(label, onClick) {
  const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label, disabled: !view.connected });
  button.addEventListener('click', onClick);
  return button;
}

function renderControls(node) {
  const container = $('#actor-controls');
  const key = `${node.id}|${node.live}|${node.state}`;
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  const buttons = [];
  const i = instrumentOf(node);
  if (node.kind === 'order' && node.live) {
    const orderId = node.id.slice('order:'.length);
    buttons.push(controlButton('Cancel order', async () => {
      if (await confirmAction(`Cancel ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} (${node.id})?`)) await send('Cancel order', 'DELETE', `/v1/orders/${encodeURIComponent(orderId)}`);
    }));
  }
  if (node.kind === 'position' && node.live) {
    const path = `/v1/positions/${encodeURIComponent(node.id.slice('position:'.length))}`;
    buttons.push(controlButton('Close position', async () => {
      if (await confirmAction(`Close the whole ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} at market?`)) await send('Close position', 'POST', `${path}/close`, {});
    }));
    buttons.push(controlButton('Close part…', async () => {
      const answer = await confirmAction(`Close part of the ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} at market:`, [{ name: 'quantity', label: `quantity (${i?.base ?? 'base'})`, inputMode: 'decimal' }]);
      if (answer) await send('Close part', 'POST', `${path}/close`, { quantity: answer.quantity });
    }));
    buttons.push(controlButton('Move stop…', async () => {
      const answer = await confirmAction(`Move the stop of ${node.id} (now ${format.price(node.stopPrice, i)}):`, [{ name: 'price', label: 'stop price', value: node.stopPrice ?? '', inputMode: 'decimal' }]);
      if (answer) await send('Move stop', 'PUT', `${path}/stop`, { stopPrice: answer.price });
    }));
    buttons.push(controlButton('Move take-profit…', async () => {
      const answer = await confirmAction(`Move the take-profit of ${node.id} (now ${(node.takeProfitPrices ?? []).map((p) => format.price(p, i)).join(', ') || 'none'}):`, [{ name: 'price', label: 'take-profit price', value: node.takeProfitPrices?.[0] ?? '', inputMode: 'decimal' }]);
      if (answer) await send('Move take-profit', 'PUT', `${path}/take-profit`, { price: answer.price });
    }));
  }
  const back = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Portfolio', className: 'nav' });
  back.addEventListener('click', () => select(undefined));
  buttons.push(back);
  container.replaceChildren(...buttons);
}

async function tradingControl(label, path, needsReason) {
  const reason = $('#halt-reason').value.trim() || `${label.toLowerCase()} from the inspector`;
  const answer = await confirmAction(`${label}${needsReason ? ` — reason:` : '?'}`, needsReason ? [{ name: 'reason', label: 'reason', value: reason }] : []);
  if (!answer) return;
  await send(label, 'POST', path, needsReason ? { reason: answer.reason } : {});
}

// ---- the event log ------------------------------------------------------------------------------------------

/** What an entry carried, in trader terms: quantity, price, fee, old -> new stop, reason. */
function decode(entry, node) {
  const f = entry.fields;
  if (!f) return '';
  const i = instrumentOf(node);
  const parts = [];
  if (f.quantity !== undefined) parts.push(format.quantity(f.quantity, i, true));
  if (f.price !== undefined) parts.push(`@ ${format.price(f.price, i)}`);
  if (f.fee !== undefined) parts.push(`fee ${format.money(f.fee, f.feeCurrency ?? currencyOf(node))}`);
  if (f.stopTo !== undefined) parts.push(`stop ${f.stopFrom === undefined ? '' : `${format.price(f.stopFrom, i)} → `}${format.price(f.stopTo, i)}`);
  if (f.trigger !== undefined) parts.push(`trigger ${format.price(f.trigger, i)}`);
  if (f.watermark !== undefined) parts.push(`high-water ${format.price(f.watermark, i)}`);
  if (f.takeProfits !== undefined) parts.push(`take-profits ${f.takeProfits.split(',').map((p) => format.price(p, i)).join(', ')}`);
  if (f.realizedPnl !== undefined) parts.push(`realized ${format.money(f.realizedPnl, currencyOf(node), true)}`);
  if (f.reason !== undefined) parts.push(`— ${f.reason}`);
  return parts.join(' ');
}

function renderLog(node) {
  const body = $('#log tbody');
  if (view.logShown === 0 || view.logShown > view.log.length) body.replaceChildren();
  for (let index = body.children.length; index < view.log.length; index++) {
    const entry = view.log[index];
    const row = document.createElement('tr');
    row.className = `${entry.kind} ${entry.source}`;
    row.tabIndex = 0;
    row.dataset.sequence = String(entry.sequence);
    row.dataset.index = String(index);
    const cells = [
      entry.source === 'journal' ? `j${entry.domainSequence}` : String(entry.sequence),
      format.timeElement(entry.at, true),
      entry.kind === 'received' ? '→' : '←',
      entry.eventType,
      decode(entry, node),
      entry.state,
    ];
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      row.append(td);
    }
    row.title = entry.kind === 'received' ? 'event received (Enter: the state after it)' : 'domain event emitted (Enter: the state after it)';
    body.append(row);
  }
  view.logShown = view.log.length;
  for (const row of body.querySelectorAll('tr.chosen')) if (Number(row.dataset.index) !== view.log.indexOf(view.chosen)) row.classList.remove('chosen');
  if (view.chosen) body.children[view.log.indexOf(view.chosen)]?.classList.add('chosen');
}

/** Context fields that differ between two snapshots: what the step changed. */
function contextDiff(before, after) {
  const changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const a = JSON.stringify(before?.[key]);
    const b = JSON.stringify(after?.[key]);
    if (a !== b) changes[key] = { from: before?.[key], to: after?.[key] };
  }
  return changes;
}

async function detailOf(entry) {
  if (entry.source === 'journal') return entry;
  if (entry.detail) return entry.detail;
  entry.detail = (await api('GET', `/inspector/entries/${entry.sequence}`)).entry;
  return entry.detail;
}

async function travelTo(entry) {
  try {
    const detail = await detailOf(entry);
    const index = view.log.indexOf(entry);
    // The context before this step: the nearest earlier entry that carries a snapshot (emitted domain events
    // carry none; the snapshot is on the transition that emitted them).
    let previous;
    for (let back = index - 1; back >= 0 && previous === undefined && detail.snapshot; back--) {
      const candidate = view.log[back];
      if (candidate.source !== entry.source || (candidate.source === 'live' && candidate.kind !== 'received')) continue;
      previous = await detailOf(candidate).catch(() => undefined);
    }
    view.chosen = entry;
    const diff = previous?.snapshot ? contextDiff(previous.snapshot.context, detail.snapshot?.context) : undefined;
    $('#detail').textContent = JSON.stringify({ sequence: entry.sequence || undefined, domainSequence: entry.domainSequence, event: detail.event, state: detail.snapshot?.value ?? detail.state, changed: diff, context: detail.snapshot?.context }, null, 2);
    scheduleRender();
    requestAnimationFrame(() => $('#log tbody').children[index]?.focus());
  } catch (error) {
    say(String(error.message));
  }
}

function onLogKey(event) {
  const row = event.target.closest('tr');
  if (!row) return;
  const index = Number(row.dataset.index);
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    void travelTo(view.log[index]);
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const next = view.log[index + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next) void travelTo(next);
  }
}

// ---- the price chart ----------------------------------------------------------------------------------------

function renderPriceChart(node) {
  const symbol = node.symbol;
  const panel = $('#price-panel');
  panel.hidden = symbol === undefined;
  if (symbol === undefined) return;
  if (!view.priceChart) view.priceChart = new PriceChart($('#price-chart'), (path) => api('GET', path));
  view.priceChart.show(symbol, node.kind === 'position' ? node.id : undefined, view.instruments[symbol]);
}

// ---- start --------------------------------------------------------------------------------------------------

function start() {
  // The token was traded for a session cookie with this page: it leaves the address bar and the history.
  const address = new URL(location.href);
  if (address.searchParams.has('token')) {
    address.searchParams.delete('token');
    history.replaceState(null, '', address);
  }
  for (const id of ['#search', '#filter-state', '#filter-symbol', '#filter-live']) {
    $(id).addEventListener('input', () => {
      view.liveDirty = true;
      scheduleRender();
    });
  }
  $('#halt').addEventListener('click', () => tradingControl('Halt', '/v1/halt', true));
  $('#reduce-only').addEventListener('click', () => tradingControl('Reduce-only', '/v1/reduce-only', true));
  $('#resume').addEventListener('click', () => tradingControl('Resume', '/v1/resume', false));
  $('#close-all').addEventListener('click', () => tradingControl('Close all positions at market and halt', '/v1/close-all', true));
  $('#reconnect').addEventListener('click', reconnectNow);
  $('#show-dashboard').addEventListener('click', () => select(undefined));
  $('#log tbody').addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) void travelTo(view.log[Number(row.dataset.index)]);
  });
  $('#log tbody').addEventListener('keydown', onLogKey);
  const toggle = (button, apply) => button.addEventListener('click', () => {
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    apply(pressed);
    view.drawnMachine = undefined;
    scheduleRender();
  });
  toggle($('#chart-details'), (pressed) => { view.chartDetails = pressed; });
  toggle($('#chart-focus'), (pressed) => { $('#chart').dataset.focus = String(pressed); });
  $('#chart').dataset.focus = 'true';
  setConnection('connecting', 'connecting…');
  connect();
  if (view.selectedId) void loadSelected(view.selectedId);
}

start();
