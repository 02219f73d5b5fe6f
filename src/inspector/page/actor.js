// The selected actor: its figures (updated in place), statechart with the current state lit, price chart and
// log (live entries and, before the page attached, its journal); the selection lives in the URL.
import * as format from './format.js';
import { api, say } from './api.js';
import { drawChart } from './chart.js';
import { watchSelected } from './connection.js';
import { renderControls } from './controls.js';
import { renderLog } from './event-log.js';
import { PriceChart } from './price-chart.js';
import { scheduleRender } from './render.js';
import { $, currencyOf, instrumentOf, view } from './state.js';

export function select(actorId) {
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

export async function loadSelected(actorId) {
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

export async function loadLog(actorId) {
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

export function selectedNode() {
  const id = view.selectedId;
  const offset = view.historyCache?.offsets.get(id);
  const node = view.nodes.get(id) ?? view.finished.get(id) ?? (offset === undefined ? undefined : view.historyCache.rows.get(offset)) ?? view.selectedNode;
  if (node && view.selectedNode?.id === id && view.selectedNode !== node) view.selectedNode = node;
  return node;
}

export function lastReceived() {
  for (let index = view.log.length - 1; index >= 0; index--) if (view.log[index].kind === 'received') return view.log[index];
  return undefined;
}

export function machineOf(node) {
  return node.machine ?? (node.kind === 'order' || node.kind === 'position' ? node.kind : undefined);
}

export async function renderActor() {
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
    // Another actor's chart may be asked for while this one loads: only the chart still wanted is drawn.
    const wanted = () => view.drawnMachine === key;
    try {
      const drawing = await api('GET', `/inspector/machines/${machine}?v=${view.machines[machine]}`);
      if (!wanted()) return;
      const light = await drawChart($('#chart'), drawing, { details: view.chartDetails, wanted });
      if (!wanted()) return;
      view.light = light;
    } catch (error) {
      // Not drawn: the next render tries again.
      if (wanted()) view.drawnMachine = undefined;
      say(`statechart: ${error.message}`);
      return;
    }
  }
  if (!view.light) return;
  const moment = view.chosen ?? lastReceived();
  view.light({
    state: view.chosen ? view.chosen.state : node.state,
    previousState: moment?.kind === 'received' ? moment.previousState : undefined,
    eventType: moment?.kind === 'received' ? moment.eventType : undefined,
  });
}

export function headerFields(node) {
  const i = instrumentOf(node);
  const c = currencyOf(node);
  const fields = [['id', node.id], ['state', node.state]];
  if (node.symbol) fields.push(['symbol', node.symbol]);
  if (node.side) fields.push(['side', node.side]);
  if (node.orderType) fields.push(['type', node.orderType, 'orderType']);
  if (node.algoKind) fields.push(['algorithm', node.algoKind, 'algoKind']);
  if (node.quantity !== undefined) fields.push(['quantity', format.quantity(node.quantity, i, true), 'quantity', node.quantity]);
  if (node.kind === 'order' || node.kind === 'algo') fields.push(['filled', format.quantity(node.filled ?? '0', i, true), 'filled', node.filled ?? '0']);
  if (node.progress !== undefined) fields.push(['progress', format.percent(node.progress), 'progress', node.progress]);
  if (node.slices !== undefined) fields.push(['slices sent', node.slices, 'slices']);
  if (node.nextWakeAt !== undefined && node.live) fields.push(['next slice', format.timeElement(node.nextWakeAt), 'nextWakeAt', String(node.nextWakeAt)]);
  if (node.endAt !== undefined) fields.push(['ends', format.timeElement(node.endAt), 'endAt', String(node.endAt)]);
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
export function renderHeader(header, node) {
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


export function renderPriceChart(node) {
  const symbol = node.symbol;
  const panel = $('#price-panel');
  panel.hidden = symbol === undefined;
  if (symbol === undefined) return;
  if (!view.priceChart) view.priceChart = new PriceChart($('#price-chart'), (path) => api('GET', path));
  view.priceChart.show(symbol, node.kind === 'position' ? node.id : undefined, view.instruments[symbol]);
}
