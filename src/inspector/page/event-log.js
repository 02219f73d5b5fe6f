// The selected actor's event log, decoded in trader terms (quantity, price, fee, old -> new stop), and time
// travel: a row shows the state and context after it, with what changed; arrow keys step.
import * as format from './format.js';
import { api, say } from './api.js';
import { scheduleRender } from './render.js';
import { $, currencyOf, instrumentOf, view } from './state.js';

export function decode(entry, node) {
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

export function renderLog(node) {
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
export function contextDiff(before, after) {
  const changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const a = JSON.stringify(before?.[key]);
    const b = JSON.stringify(after?.[key]);
    if (a !== b) changes[key] = { from: before?.[key], to: after?.[key] };
  }
  return changes;
}

export async function detailOf(entry) {
  if (entry.source === 'journal') return entry;
  if (entry.detail) return entry.detail;
  entry.detail = (await api('GET', `/inspector/entries/${entry.sequence}`)).entry;
  return entry.detail;
}

export async function travelTo(entry) {
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

export function onLogKey(event) {
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
