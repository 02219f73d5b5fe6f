// The actor tree, live first: the portfolio and venues, open positions with their working orders, algorithms
// with their children, working orders of their own; then finished actors newest first, paged from the server.
// Virtualised: only the rows in view are in the DOM, each updated in place (a text selection, the focus and the
// scroll position hold while the engine runs). Keyboard: arrows, Home/End, PageUp/PageDown, Enter selects.
export const ROW_HEIGHT = 24;
const OVERSCAN = 8;
const KIND_ORDER = { portfolio: 0, venue: 1, position: 2, algo: 3, order: 4 };

/** Whether a node passes the filters (text is lower-case). */
export function matches(node, filters) {
  if (filters.state && !node.state.split(', ').some((path) => path === filters.state || path.startsWith(`${filters.state}.`))) return false;
  if (filters.symbol && node.symbol !== filters.symbol) return false;
  if (filters.text) {
    const haystack = `${node.id} ${node.symbol ?? ''} ${node.state} ${node.side ?? ''}`.toLowerCase();
    if (!haystack.includes(filters.text)) return false;
  }
  return true;
}

const collator = new Intl.Collator('en', { numeric: true });
const newestFirst = (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || collator.compare(b.id, a.id);

/** Whether any filter would look at a node's figures or state (then every change can move rows). */
export function filtering(filters) {
  return Boolean(filters.text || filters.state || filters.symbol);
}

/**
 * The live part of the tree as rows ({ key, level, hasChildren }): a node is shown when it matches, with its
 * ancestors; children under their parent, positions and orders newest first.
 */
export function liveRows(nodes, filters) {
  const shown = new Set();
  for (const node of nodes.values()) {
    if (!node.live && node.kind !== 'portfolio' && node.kind !== 'venue') continue;
    if (!matches(node, filters)) continue;
    for (let current = node; current && !shown.has(current.id); current = nodes.get(current.parent)) shown.add(current.id);
  }
  const children = new Map();
  for (const id of shown) {
    const node = nodes.get(id);
    const parent = node.parent && shown.has(node.parent) ? node.parent : '';
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(node);
  }
  const rows = [];
  const walk = (parentId, level) => {
    const list = children.get(parentId);
    if (!list) return;
    list.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || newestFirst(a, b));
    for (const node of list) {
      const hasChildren = children.has(node.id);
      // Rows keep the id: the node is looked up when drawn, so a changed figure needs no new rows.
      rows.push({ key: node.id, level, hasChildren });
      walk(node.id, level + 1);
    }
  };
  walk('', 1);
  return rows;
}

/** Options for the state and symbol filters: what the live nodes show, the instruments and the end states. */
export function filterOptions(nodes, instruments) {
  const states = new Set(['filled', 'canceled', 'rejected', 'denied', 'expired', 'closed']);
  const symbols = new Set(Object.keys(instruments ?? {}));
  for (const node of nodes.values()) {
    for (const path of node.state.split(', ')) states.add(path.split('.')[0]);
    if (node.symbol) symbols.add(node.symbol);
  }
  return { states: [...states].sort(), symbols: [...symbols].sort() };
}

function domId(key) {
  return `row-${key.replace(/[^A-Za-z0-9_-]/g, (char) => `_${char.charCodeAt(0).toString(16)}_`)}`;
}

/**
 * A virtual list of rows in `container` (the role=tree element). `model.count` rows; `model.rowAt(index)` gives
 * a row ({ key, level, node?, label?, hasChildren? }) or undefined while it is loading. `describe(node)` gives a
 * row's cells: { meta, pnl?, pnlSign? }.
 */
export class VirtualTree {
  constructor(container, { onSelect, describe }) {
    this.container = container;
    this.onSelect = onSelect;
    this.describe = describe;
    this.model = { count: 0, rowAt: () => undefined };
    this.selectedId = undefined;
    this.activeIndex = 0;
    /** After End: stay on the last row while more rows load at the end (a long history is read as it is reached). */
    this.followEnd = false;
    this.elements = new Map();
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.spacer.setAttribute('aria-hidden', 'true');
    container.append(this.spacer);
    container.addEventListener('scroll', () => this.render(), { passive: true });
    container.addEventListener('keydown', (event) => this.key(event));
    container.addEventListener('wheel', () => { this.followEnd = false; }, { passive: true });
    container.addEventListener('click', (event) => {
      this.followEnd = false;
      const row = event.target.closest('[role="treeitem"]');
      if (!row || row.dataset.actorId === undefined) return;
      this.activeIndex = Number(row.dataset.index);
      this.onSelect(row.dataset.actorId);
    });
    container.addEventListener('focus', () => this.render());
  }

  setModel(model, selectedId) {
    this.model = model;
    this.selectedId = selectedId;
    if (this.activeIndex >= model.count) this.activeIndex = Math.max(0, model.count - 1);
    if (this.followEnd && this.activeIndex !== model.count - 1) {
      this.activeIndex = Math.max(0, model.count - 1);
      // The list's height first, or the scroll would stop at the old end.
      this.spacer.style.height = `${model.count * ROW_HEIGHT}px`;
      this.scrollToIndex(this.activeIndex);
    }
    this.render();
  }

  /** The index of a row by key among the rows loaded, or -1. */
  indexOf(key) {
    for (let index = 0; index < this.model.count; index++) if (this.model.rowAt(index, false)?.key === key) return index;
    return -1;
  }

  render() {
    const { count } = this.model;
    if (this.spacer.style.height !== `${count * ROW_HEIGHT}px`) this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    const top = this.container.scrollTop;
    const height = this.container.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count - 1, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const wanted = new Map();
    for (let index = first; index <= last; index++) {
      const row = this.model.rowAt(index, true) ?? { key: `loading:${index}`, level: 2, label: 'loading…', loading: true };
      wanted.set(row.key, { row, index });
    }
    for (const [key, element] of this.elements) {
      if (!wanted.has(key)) {
        element.remove();
        this.elements.delete(key);
      }
    }
    let activeKey;
    for (const [key, { row, index }] of wanted) {
      let element = this.elements.get(key);
      if (!element) {
        element = this.create(row);
        this.elements.set(key, element);
        this.container.append(element);
      }
      this.update(element, row, index);
      if (index === this.activeIndex) activeKey = key;
    }
    if (activeKey === undefined) this.container.removeAttribute('aria-activedescendant');
    else if (this.container.getAttribute('aria-activedescendant') !== domId(activeKey)) this.container.setAttribute('aria-activedescendant', domId(activeKey));
  }

  create(row) {
    const element = document.createElement('div');
    element.id = domId(row.key);
    element.setAttribute('role', 'treeitem');
    if (row.node) {
      element.className = 'node';
      element.dataset.actorId = row.node.id;
      for (const name of ['id', 'state', 'meta', 'pnl']) {
        const cell = document.createElement('span');
        cell.className = name;
        element.append(cell);
      }
    } else {
      element.className = row.loading ? 'node loading' : 'section';
      element.append(Object.assign(document.createElement('span'), { className: 'label' }));
    }
    return element;
  }

  /** Writes only what changed: untouched text keeps its selection. */
  update(element, row, index) {
    const set = (target, name, value) => {
      if (target[name] !== value) target[name] = value;
    };
    if (element.dataset.index !== String(index)) {
      element.dataset.index = String(index);
      element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      element.setAttribute('aria-posinset', String(index + 1));
    }
    // Written only when changed: each write, even of the same value, makes the browser restyle the row.
    const attribute = (name, value) => {
      if (element.getAttribute(name) !== value) element.setAttribute(name, value);
    };
    attribute('aria-setsize', String(this.model.count));
    attribute('aria-level', String(row.level));
    set(element.style, 'paddingLeft', `${4 + (row.level - 1) * 14}px`);
    if (element.classList.contains('active') !== (index === this.activeIndex)) element.classList.toggle('active', index === this.activeIndex);
    if (!row.node) {
      set(element.firstChild, 'textContent', row.label);
      return;
    }
    const node = row.node;
    const selected = node.id === this.selectedId;
    if (element.classList.contains('selected') !== selected) element.classList.toggle('selected', selected);
    attribute('aria-selected', String(selected));
    if (row.hasChildren) attribute('aria-expanded', 'true');
    else if (element.hasAttribute('aria-expanded')) element.removeAttribute('aria-expanded');
    if (element.dataset.state !== node.state) element.dataset.state = node.state;
    if (element.dataset.live !== String(node.live)) element.dataset.live = String(node.live);
    const [id, state, meta, pnl] = element.children;
    set(id, 'textContent', node.id);
    set(state, 'textContent', node.state);
    const described = this.describe(node);
    set(meta, 'textContent', described.meta);
    set(meta, 'title', described.meta);
    set(pnl, 'textContent', described.pnl ?? '');
    if (pnl.dataset.sign !== String(described.pnlSign ?? 0)) pnl.dataset.sign = String(described.pnlSign ?? 0);
  }

  key(event) {
    const { count } = this.model;
    if (count === 0) return;
    const page = Math.max(1, Math.floor(this.container.clientHeight / ROW_HEIGHT) - 1);
    let next = this.activeIndex;
    switch (event.key) {
      case 'ArrowDown': next++; break;
      case 'ArrowUp': next--; break;
      case 'PageDown': next += page; break;
      case 'PageUp': next -= page; break;
      case 'Home': next = 0; break;
      case 'End': next = count - 1; break;
      case 'Enter':
      case ' ': {
        const row = this.model.rowAt(this.activeIndex, true);
        if (row?.node) this.onSelect(row.node.id);
        event.preventDefault();
        return;
      }
      default: return;
    }
    event.preventDefault();
    this.followEnd = event.key === 'End';
    this.activeIndex = Math.max(0, Math.min(count - 1, next));
    this.scrollToIndex(this.activeIndex);
    this.render();
  }

  scrollToIndex(index) {
    const top = index * ROW_HEIGHT;
    const height = this.container.clientHeight;
    if (top < this.container.scrollTop) this.container.scrollTop = top;
    else if (top + ROW_HEIGHT > this.container.scrollTop + height) this.container.scrollTop = top + ROW_HEIGHT - height;
  }
}
