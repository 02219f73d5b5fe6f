// The actor tree: portfolio -> venues, positions -> their orders, algos -> theirs, plain orders; filtered by
// search text, state, symbol and live/finished. At most MAX_SHOWN rows are drawn: refine the filters for more.
const MAX_SHOWN = 400;
const KIND_ORDER = { portfolio: 0, venue: 1, position: 2, algo: 3, order: 4 };

function matches(node, filters) {
  if (filters.live === 'live' && !node.live) return false;
  if (filters.live === 'finished' && node.live) return false;
  if (filters.state && !node.state.split(', ').some((path) => path === filters.state || path.startsWith(`${filters.state}.`))) return false;
  if (filters.symbol && node.symbol !== filters.symbol) return false;
  if (filters.text) {
    const haystack = `${node.id} ${node.symbol ?? ''} ${node.state} ${node.side ?? ''}`.toLowerCase();
    if (!haystack.includes(filters.text)) return false;
  }
  return true;
}

function describe(node) {
  const parts = [];
  if (node.side) parts.push(node.side);
  if (node.quantity !== undefined) parts.push(node.filled !== undefined ? `${node.filled}/${node.quantity}` : node.quantity);
  if (node.symbol) parts.push(node.symbol);
  if (node.price) parts.push(`@ ${node.price}`);
  if (node.realizedPnl !== undefined) parts.push(`PnL ${node.realizedPnl}${node.unrealizedPnl !== undefined ? ` (+ ${node.unrealizedPnl} open)` : ''}`);
  return parts.join(' ');
}

/** Renders the tree of `nodes` (a Map id -> node) into `list`; a node is shown with its ancestors when it matches. */
export function renderTree(list, count, nodes, filters, selectedId, onSelect) {
  const children = new Map();
  const shown = new Set();
  let matched = 0;
  for (const node of nodes.values()) {
    if (!matches(node, filters)) continue;
    matched++;
    if (shown.size >= MAX_SHOWN) continue;
    for (let current = node; current && !shown.has(current.id); current = nodes.get(current.parent)) shown.add(current.id);
  }
  for (const id of shown) {
    const node = nodes.get(id);
    const parent = node.parent && shown.has(node.parent) ? node.parent : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(node);
  }
  const build = (parentId) => {
    const items = (children.get(parentId) ?? []).sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.id.localeCompare(b.id, 'en', { numeric: true }));
    return items.map((node) => {
      const item = document.createElement('li');
      const row = document.createElement('div');
      row.className = `node${node.id === selectedId ? ' selected' : ''}`;
      row.dataset.actorId = node.id;
      row.dataset.state = node.state;
      row.dataset.live = String(node.live);
      const id = document.createElement('span');
      id.className = 'id';
      id.textContent = node.id;
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = node.state;
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = describe(node);
      row.append(id, state, meta);
      row.addEventListener('click', () => onSelect(node.id));
      item.append(row);
      const inner = build(node.id);
      if (inner.length) {
        const sub = document.createElement('ul');
        sub.append(...inner);
        item.append(sub);
      }
      return item;
    });
  };
  list.replaceChildren(...build(''));
  count.textContent = matched > MAX_SHOWN
    ? `${matched.toLocaleString()} actors match; the first ${MAX_SHOWN} are shown: refine the search`
    : `${matched.toLocaleString()} of ${nodes.size.toLocaleString()} actors`;
}

/** Options for the state and symbol filters, from the nodes present. */
export function filterOptions(nodes) {
  const states = new Set();
  const symbols = new Set();
  for (const node of nodes.values()) {
    for (const path of node.state.split(', ')) states.add(path.split('.')[0]);
    if (node.symbol) symbols.add(node.symbol);
  }
  return { states: [...states].sort(), symbols: [...symbols].sort() };
}
