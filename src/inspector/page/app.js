// The inspector page: keeps the actor tree from the daemon's /inspector/stream (snapshot, then batches with
// sequence numbers; a reconnect resumes after the last one seen), draws the selected actor's chart and event
// log, travels to the state after any log entry, and sends controls through the same /v1 API with the token.
const tokenQuery = new URL(import.meta.url).search;
const { renderTree, filterOptions } = await import(`./tree.js${tokenQuery}`);
const { drawChart } = await import(`./chart.js${tokenQuery}`);

const MAX_LOG_ROWS = 2000;
const $ = (selector) => document.querySelector(selector);

const view = {
  token: '',
  nodes: new Map(),
  machines: {},
  session: undefined,
  sequence: 0,
  selectedId: undefined,
  log: [],
  chosen: undefined,
  light: undefined,
  drawnMachine: undefined,
  renderQueued: false,
  socket: undefined,
  retryMs: 500,
};

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${view.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error?.message ?? `${method} ${path} answered ${response.status}`);
  return payload;
}

function say(text) {
  $('#message').textContent = text;
}

function setStatus(status, text) {
  const element = $('#status');
  element.dataset.status = status;
  element.textContent = text;
}

function scheduleRender() {
  if (view.renderQueued) return;
  view.renderQueued = true;
  requestAnimationFrame(() => {
    view.renderQueued = false;
    render();
  });
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

function render() {
  const options = filterOptions(view.nodes);
  refreshOptions($('#filter-state'), options.states, 'any state');
  refreshOptions($('#filter-symbol'), options.symbols, 'any symbol');
  renderTree($('#tree'), $('#tree-count'), view.nodes, filters(), view.selectedId, select);
  const portfolio = view.nodes.get('portfolio');
  if (portfolio) {
    $('#trading-state').textContent = `trading: ${portfolio.state}`;
    $('#trading-state').dataset.state = portfolio.state;
  }
  renderActor();
}

// ---- the stream ---------------------------------------------------------------------------------------------

function connect() {
  const url = new URL('/inspector/stream', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', view.token);
  if (view.session !== undefined) {
    url.searchParams.set('session', view.session);
    url.searchParams.set('after', String(view.sequence));
  }
  const socket = new WebSocket(url);
  view.socket = socket;
  socket.onopen = () => {
    view.retryMs = 500;
    setStatus('live', 'live');
  };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = () => {
    if (view.socket !== socket) return;
    setStatus('connecting', `reconnecting (after #${view.sequence})…`);
    setTimeout(connect, view.retryMs);
    view.retryMs = Math.min(view.retryMs * 2, 5000);
  };
}

function receive(message) {
  if (message.type === 'snapshot') {
    view.nodes = new Map(message.nodes.map((node) => [node.id, node]));
    view.machines = message.machines;
    view.session = message.session;
    view.sequence = message.sequence;
    if (view.selectedId) void loadLog(view.selectedId);
  } else if (message.type === 'batch') {
    if (message.session !== view.session) return;
    for (const node of message.nodes) view.nodes.set(node.id, node);
    for (const entry of message.entries) {
      if (entry.actorId === view.selectedId && !view.log.some((known) => known.sequence === entry.sequence && known.source !== 'journal')) view.log.push({ ...entry, source: 'live' });
    }
    if (view.log.length > MAX_LOG_ROWS) view.log.splice(0, view.log.length - MAX_LOG_ROWS);
    view.sequence = message.sequence;
  } else if (message.type === 'resync') {
    say(`re-syncing: ${message.reason}`);
  }
  document.body.dataset.sequence = String(view.sequence);
  scheduleRender();
}

// ---- the selected actor -------------------------------------------------------------------------------------

function select(actorId) {
  if (view.selectedId === actorId) return;
  view.selectedId = actorId;
  view.chosen = undefined;
  view.log = [];
  $('#detail').textContent = '';
  void loadLog(actorId);
  scheduleRender();
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
    scheduleRender();
  } catch (error) {
    say(String(error.message));
  }
}

function lastReceived() {
  for (let index = view.log.length - 1; index >= 0; index--) if (view.log[index].kind === 'received') return view.log[index];
  return undefined;
}

async function renderActor() {
  const node = view.nodes.get(view.selectedId);
  const header = $('#actor-header');
  if (!node) {
    header.replaceChildren(Object.assign(document.createElement('em'), { textContent: view.selectedId ? `${view.selectedId} is gone` : 'Select an actor in the tree.' }));
    return;
  }
  renderHeader(header, node);
  renderLog();
  const travel = $('#travel');
  travel.hidden = view.chosen === undefined;
  if (view.chosen) {
    travel.replaceChildren(
      document.createTextNode(`Time travel: the state after #${view.chosen.sequence || `j${view.chosen.domainSequence}`} ${view.chosen.eventType} at ${new Date(view.chosen.at).toISOString()} (${view.chosen.source}). `),
      Object.assign(document.createElement('button'), { type: 'button', textContent: 'Back to live', onclick: () => { view.chosen = undefined; $('#detail').textContent = ''; scheduleRender(); } }),
    );
  }
  if (!node.machine) {
    $('#chart').replaceChildren(Object.assign(document.createElement('p'), { textContent: `${node.id}: ${node.state} (no statechart)` }));
    view.drawnMachine = undefined;
    return;
  }
  const key = `${node.machine}@${view.machines[node.machine]}`;
  if (view.drawnMachine !== key) {
    view.drawnMachine = key;
    view.light = undefined;
    const drawing = await api('GET', `/inspector/machines/${node.machine}?v=${view.machines[node.machine]}`);
    view.light = await drawChart($('#chart'), drawing);
  }
  if (!view.light) return;
  const moment = view.chosen ?? lastReceived();
  view.light({
    state: view.chosen ? view.chosen.state : node.state,
    previousState: moment?.kind === 'received' ? moment.previousState : undefined,
    eventType: moment?.kind === 'received' ? moment.eventType : undefined,
  });
}

function button(text, onclick, id) {
  return Object.assign(document.createElement('button'), { type: 'button', textContent: text, onclick, id });
}

function renderHeader(header, node) {
  const fields = document.createElement('span');
  fields.className = 'fields';
  const shown = ['id', 'state', 'symbol', 'side', 'quantity', 'filled', 'price', 'averagePrice', 'realizedPnl', 'unrealizedPnl'];
  for (const key of shown) {
    if (node[key] === undefined) continue;
    const span = document.createElement('span');
    span.dataset.field = key;
    span.innerHTML = '<b></b> ';
    span.firstChild.textContent = `${key}:`;
    span.append(String(node[key]));
    fields.append(span);
  }
  const controls = document.createElement('span');
  const act = (label, method, path, body) => button(label, async () => {
    try {
      await api(method, path, body);
      say(`${label}: sent`);
    } catch (error) {
      say(`${label} refused: ${error.message}`);
    }
  });
  if (node.kind === 'order' && node.live) controls.append(act('Cancel order', 'DELETE', `/v1/orders/${encodeURIComponent(node.id.slice('order:'.length))}`));
  if (node.kind === 'position' && node.live) controls.append(act('Close position', 'POST', `/v1/positions/${encodeURIComponent(node.id.slice('position:'.length))}/close`, {}));
  header.replaceChildren(fields, controls);
}

function renderLog() {
  const body = $('#log tbody');
  const rows = view.log.map((entry) => {
    const row = document.createElement('tr');
    row.className = `${entry.kind} ${entry.source}${view.chosen && view.chosen === entry ? ' chosen' : ''}`;
    row.dataset.sequence = String(entry.sequence);
    const cells = [
      entry.source === 'journal' ? `j${entry.domainSequence}` : String(entry.sequence),
      new Date(entry.at).toISOString().slice(11, 23),
      entry.kind === 'received' ? '→' : '←',
      entry.eventType,
      entry.state,
    ];
    for (const text of cells) row.append(Object.assign(document.createElement('td'), { textContent: text }));
    row.title = entry.kind === 'received' ? 'event received' : 'domain event emitted';
    row.addEventListener('click', () => void travelTo(entry));
    return row;
  });
  body.replaceChildren(...rows);
}

async function travelTo(entry) {
  try {
    const detail = entry.source === 'journal' ? entry : (await api('GET', `/inspector/entries/${entry.sequence}`)).entry;
    view.chosen = entry;
    $('#detail').textContent = JSON.stringify({ sequence: entry.sequence || undefined, domainSequence: entry.domainSequence, event: detail.event, state: detail.snapshot?.value ?? detail.state, context: detail.snapshot?.context }, null, 2);
    scheduleRender();
  } catch (error) {
    say(String(error.message));
  }
}

export function start({ token }) {
  view.token = token;
  for (const id of ['#search', '#filter-state', '#filter-symbol', '#filter-live']) $(id).addEventListener('input', scheduleRender);
  $('#halt').addEventListener('click', async () => {
    try {
      await api('POST', '/v1/halt', { reason: $('#halt-reason').value || 'halted from the inspector' });
      say('halted');
    } catch (error) {
      say(`halt refused: ${error.message}`);
    }
  });
  $('#resume').addEventListener('click', async () => {
    try {
      await api('POST', '/v1/resume', {});
      say('resumed');
    } catch (error) {
      say(`resume refused: ${error.message}`);
    }
  });
  connect();
}
