// The stream: /inspector/stream's snapshot, then batches with sequence numbers (a reconnect resumes after the
// last one seen); only the selected actor's log entries are asked for. A page that is not live looks it.
import { loadSelected } from './actor.js';
import { api, say } from './api.js';
import { refreshFilterOptions, scheduleRender } from './render.js';
import { $, FIGURES_RENDER_MS, HISTORY_RENDER_MS, MAX_LOG_ROWS, MAX_RECENT_FINISHED, STREAM_RENDER_MS, view } from './state.js';

export function setConnection(status, text) {
  view.connected = status === 'live';
  document.body.dataset.connection = status;
  const element = $('#status');
  element.dataset.status = status;
  element.textContent = text;
  $('#reconnect').hidden = status === 'live';
  // A page that is not live must not look live: every control is off until the stream is back.
  for (const control of document.querySelectorAll('button.control, #actor-controls button:not(.nav)')) control.disabled = !view.connected;
}

export function connect() {
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
export function watchSelected() {
  if (view.socket?.readyState !== WebSocket.OPEN) return; // a new socket names it in its URL
  view.socket.send(JSON.stringify({ type: 'watch', actorIds: view.selectedId === undefined ? [] : [view.selectedId] }));
}

export function reconnectNow() {
  view.retryMs = 250;
  const socket = view.socket;
  view.socket = undefined;
  socket?.close();
  connect();
}

export function receive(message) {
  // How soon what the message changed is drawn: the quickest lane any of its changes asks for (see scheduleRender).
  let least = message.type === 'batch' ? HISTORY_RENDER_MS : STREAM_RENDER_MS;
  if (message.type === 'snapshot') {
    view.nodes = new Map(message.nodes.map((node) => [node.id, node]));
    view.machines = message.machines;
    view.instruments = message.instruments ?? {};
    view.session = message.session;
    view.sequence = message.sequence;
    view.history = message.history;
    view.recentFinished = [];
    view.finished = new Map();
    view.recentDropped = 0;
    view.recentShownEnd = 0;
    view.historyPending = false;
    view.historyCache = undefined;
    view.liveDirty = true;
    refreshFilterOptions();
    if (view.selectedId) void loadSelected(view.selectedId);
  } else if (message.type === 'batch') {
    if (message.session !== view.session) return;
    for (const node of message.nodes) least = Math.min(least, absorb(node));
    for (const entry of message.entries) {
      if (entry.actorId !== view.selectedId) continue;
      least = STREAM_RENDER_MS;
      if (!view.log.some((known) => known.sequence === entry.sequence && known.source !== 'journal')) view.log.push({ ...entry, source: 'live' });
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
  scheduleRender(true, least);
}

/**
 * A changed node: live ones update the tree's top; one that finished moves to the top of the history. Returns how
 * soon it should be drawn: at once for an actor that came, went or changed state, or the selected one; a live
 * actor's new figures on the figures' lane; a finished actor never shown live on the history's.
 */
export function absorb(node) {
  const known = view.nodes.get(node.id);
  const wasLive = known !== undefined;
  if (node.live || node.kind === 'portfolio' || node.kind === 'venue') {
    view.nodes.set(node.id, node);
    // Rows move only when an actor comes, goes or changes parent — or when a filter reads what changed.
    if (!known || known.parent !== node.parent || view.filtering) view.liveDirty = true;
    view.changed = true;
    if (!known || node.id === view.selectedId || known.state !== node.state || known.live !== node.live || known.parent !== node.parent) return STREAM_RENDER_MS;
    return sameFigures(known, node) ? HISTORY_RENDER_MS : FIGURES_RENDER_MS;
  }
  if (wasLive) {
    view.nodes.delete(node.id);
    view.liveDirty = true;
  }
  view.changed = true;
  const offset = view.historyCache?.offsets.get(node.id);
  const shownNow = wasLive || offset !== undefined || node.id === view.selectedId;
  if (offset !== undefined) view.historyCache.rows.set(offset, node);
  else if (!view.finished.has(node.id)) {
    view.recentFinished.push(node.id);
    view.historyPending = true;
    // An actor seen live moves to the history at once; others wait for the history's lane (HISTORY_RENDER_MS).
    if (shownNow) view.historyNow = true;
    // Trimmed a quarter at a time, so the list costs O(1) per actor.
    if (view.recentFinished.length > MAX_RECENT_FINISHED * 1.25) {
      const dropped = view.recentFinished.splice(0, view.recentFinished.length - MAX_RECENT_FINISHED);
      for (const id of dropped) view.finished.delete(id);
      view.recentDropped += dropped.length;
    }
  }
  view.finished.set(node.id, node);
  return shownNow ? STREAM_RENDER_MS : HISTORY_RENDER_MS;
}

/** Whether two nodes of an actor show the same (all but the time of the change: a busy portfolio changes every batch). */
function sameFigures(before, after) {
  const keys = Object.keys(after);
  if (keys.length !== Object.keys(before).length) return false;
  for (const key of keys) {
    if (key === 'updatedAt') continue;
    const value = after[key];
    if (Array.isArray(value) ? !Array.isArray(before[key]) || value.join('\u0000') !== before[key].join('\u0000') : value !== before[key]) return false;
  }
  return true;
}
