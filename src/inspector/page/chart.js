// The statechart of the selected actor: the machine drawing laid out once per machine with elkjs (global ELK,
// served by the daemon), drawn as SVG at full size (labels 11 px); active states lit and the transition just
// taken highlighted. A focus list above it names the current state and its exits; guards and actions are drawn
// only when asked for (they triple the labels).
import { loadScript } from './scripts.js';
const SVG = 'http://www.w3.org/2000/svg';
const CHAR = 6.9;
const layouts = new Map();

function element(name, attributes = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (parent) parent.append(node);
  return node;
}

const WRAP = 24;

/** Splits a label into lines of about WRAP characters at its separators, so boxes and labels stay narrow. */
function wrap(text, indent = '  ') {
  const lines = [];
  let line = '';
  for (const word of text.split(/(?<=[ ,])/)) {
    if (line.length > 0 && (line + word).trimEnd().length > WRAP) {
      lines.push(line.trimEnd());
      line = indent + word;
    } else line += word;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

function transitionLines(t, details) {
  const lines = wrap(`${t.event}${details && t.guard ? ` [${t.guard}]` : ''}`).map((text) => ({ kind: 'event', text, event: t.event }));
  if (details && t.actions.length) lines.push(...wrap(`/ ${t.actions.join(', ')}`).map((text) => ({ kind: 'actions', text })));
  return lines;
}

/** Transitions with no target change no state: with details on they are listed inside their state, not drawn as edges. */
function internalLines(state, details) {
  if (!details) return [];
  return state.transitions.filter((t) => t.targets.length === 0).flatMap((t) => transitionLines(t, details));
}

function toElkNode(state, edges, infos, details) {
  const lines = internalLines(state, details);
  infos.set(state.id, { drawing: state, lines });
  const widest = Math.max(state.key.length * 7.5, ...lines.map((line) => line.text.length * CHAR * 0.85));
  const node = { id: state.id };
  for (const transition of state.transitions) {
    for (const target of transition.targets) {
      const key = `${state.id}->${target}`;
      let edge = edges.get(key);
      if (!edge) edges.set(key, (edge = { id: key, sources: [state.id], targets: [target], transitions: [] }));
      edge.transitions.push(transition);
    }
  }
  if (state.states.length > 0) {
    node.children = state.states.map((child) => toElkNode(child, edges, infos, details));
    const top = 26 + lines.length * 12;
    node.layoutOptions = { 'elk.padding': `[top=${top},left=14,bottom=14,right=14]`, 'elk.direction': state.type === 'parallel' ? 'DOWN' : 'RIGHT' };
  } else {
    node.width = Math.max(84, widest + 20);
    node.height = 30 + lines.length * 12;
  }
  return node;
}

function edgeLabelLines(edge, details) {
  const lines = edge.transitions.flatMap((t) => transitionLines(t, details));
  // Without details, one event taken under several guards is one label.
  if (details) return lines;
  const seen = new Set();
  return lines.filter((line) => !seen.has(line.text) && seen.add(line.text));
}

/** Lays out a machine drawing once; the promise is cached per machine id and version. */
export function layoutOf(drawing, details = false) {
  const key = `${drawing.id}@${drawing.version}${details ? '+details' : ''}`;
  let cached = layouts.get(key);
  if (!cached) {
    const edges = new Map();
    const infos = new Map();
    const root = toElkNode(drawing.root, edges, infos, details);
    const elkEdges = [...edges.values()].map((edge) => {
      const lines = edgeLabelLines(edge, details);
      const width = Math.max(...lines.map((line) => line.text.length * CHAR)) + 6;
      return { ...edge, lines, labels: [{ text: lines.map((line) => line.text).join('\n'), width, height: lines.length * 12 + 2 }] };
    });
    const graph = {
      id: '__graph',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
        'elk.layered.spacing.nodeNodeBetweenLayers': '50',
        'elk.spacing.nodeNode': '24',
        'elk.spacing.edgeLabel': '3',
        'elk.layered.spacing.edgeNodeBetweenLayers': '14',
        'elk.edgeRouting': 'POLYLINE',
      },
      children: [root],
      edges: elkEdges,
    };
    const byId = new Map();
    const edgeData = new Map(elkEdges.map((edge) => [edge.id, edge]));
    cached = loadScript('elk.bundled.js').then(() => new globalThis.ELK().layout(graph)).then((laid) => {
      // Absolute positions: ELK gives each node relative to its parent.
      const place = (node, x, y) => {
        const absolute = { x: x + (node.x ?? 0), y: y + (node.y ?? 0), width: node.width, height: node.height, node };
        byId.set(node.id, absolute);
        for (const child of node.children ?? []) place(child, absolute.x, absolute.y);
      };
      place(laid, 0, 0);
      for (const edge of laid.edges ?? []) edge.lines = edgeData.get(edge.id).lines;
      return { graph: laid, byId, infos };
    });
    layouts.set(key, cached);
  }
  return cached;
}

/** Ids of the active states (with their ancestors) from a state label such as `open.stop.trailing, open.size.base`. */
export function activeIds(machineId, stateLabel) {
  const ids = new Set([machineId]);
  for (const path of (stateLabel ?? '').split(', ')) {
    if (!path) continue;
    let id = machineId;
    for (const part of path.split('.')) ids.add((id = `${id}.${part}`));
  }
  return ids;
}

/** Every transition out of the active states (and their ancestors), as the focus list shows them. */
export function exitsOf(drawing, active) {
  const exits = [];
  const visit = (state) => {
    if (active.has(state.id)) {
      for (const t of state.transitions) exits.push({ from: state.id, event: t.event, guard: t.guard, targets: t.targets });
    }
    for (const child of state.states) visit(child);
  };
  visit(drawing.root);
  return exits;
}

function shortId(drawing, id) {
  return id.startsWith(`${drawing.id}.`) ? id.slice(drawing.id.length + 1) : id;
}

/**
 * Draws the chart into `container` once laid out (unless `wanted()` says it no longer is); returns a function
 * that lights states and the transition just taken.
 */
export async function drawChart(container, drawing, { details = false, wanted = () => true } = {}) {
  const { graph, byId, infos } = await layoutOf(drawing, details);
  if (!wanted()) return undefined;
  container.replaceChildren();
  const focus = document.createElement('div');
  focus.className = 'focus-list';
  focus.setAttribute('aria-live', 'polite');
  container.append(focus);
  const width = graph.width + 20;
  const height = graph.height + 20;
  const svg = element('svg', { viewBox: `0 0 ${width} ${height}`, 'data-machine': drawing.id, role: 'img', 'aria-label': `${drawing.id} statechart` }, container);
  // Large charts (the order chart has ~50 labelled transitions) open at a readable zoom, scrolled to the lit state.
  // Opens at full size, so no label is under 11 px; the lit state is scrolled into view.
  let zoom = 1;
  const applyZoom = () => {
    svg.setAttribute('width', String(Math.round(width * zoom)));
    svg.setAttribute('height', String(Math.round(height * zoom)));
  };
  applyZoom();
  const toolbar = document.createElement('div');
  toolbar.className = 'zoom';
  const zoomButton = (label, title, change) => Object.assign(document.createElement('button'), { type: 'button', textContent: label, title, onclick: () => { zoom = change(zoom); applyZoom(); } });
  toolbar.append(
    zoomButton('−', 'zoom out', (z) => Math.max(0.3, z / 1.25)),
    zoomButton('+', 'zoom in', (z) => Math.min(3, z * 1.25)),
    zoomButton('fit', 'fit the whole chart', () => Math.min((container.clientWidth - 10) / width, (container.clientHeight - 10) / height)),
  );
  container.prepend(toolbar);
  const defs = element('defs', {}, svg);
  const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  element('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#9aa3b2' }, marker);
  const takenMarker = element('marker', { id: 'arrow-taken', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
  element('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#d9480f' }, takenMarker);
  const layer = element('g', { transform: 'translate(10,10)' }, svg);
  const states = new Map();
  const drawState = (node) => {
    const placed = byId.get(node.id);
    const { drawing: drawingState, lines } = infos.get(node.id);
    const group = element('g', { class: `state ${drawingState.type}${node.id === drawing.id ? ' root' : ''}`, 'data-state-id': node.id }, layer);
    element('rect', { x: placed.x, y: placed.y, width: placed.width, height: placed.height }, group);
    const name = element('text', { class: 'name', x: placed.x + 8, y: placed.y + 17 }, group);
    name.textContent = drawingState.key;
    lines.forEach((line, index) => {
      const text = element('text', { class: `internal ${line.kind}`, x: placed.x + 8, y: placed.y + 30 + index * 12 }, group);
      text.textContent = line.text;
    });
    states.set(node.id, group);
    for (const child of node.children ?? []) drawState(child);
  };
  for (const child of graph.children) drawState(child);
  const edges = [];
  for (const edge of graph.edges ?? []) {
    const offset = edge.container && byId.has(edge.container) ? byId.get(edge.container) : { x: 0, y: 0 };
    const group = element('g', { class: 'edge', 'data-edge': edge.id }, layer);
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      const d = points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x + offset.x} ${point.y + offset.y}`).join(' ');
      element('path', { d, 'marker-end': 'url(#arrow)' }, group);
    }
    for (const label of edge.labels ?? []) {
      edge.lines.forEach((line, index) => {
        const text = element('text', { class: `label ${line.kind}`, x: (label.x ?? 0) + offset.x + 2, y: (label.y ?? 0) + offset.y + 10 + index * 12 }, group);
        text.textContent = line.text;
      });
    }
    edges.push({ group, source: edge.sources[0], target: edge.targets[0], events: new Set(edge.lines.filter((line) => line.event).map((line) => line.event)) });
  }
  return function light({ state, previousState, eventType }) {
    const active = activeIds(drawing.id, state);
    const exits = exitsOf(drawing, active);
    const now = document.createElement('p');
    now.innerHTML = '<b>Now:</b> ';
    now.append(state || '—');
    const list = document.createElement('ul');
    const listed = new Set();
    for (const exit of exits) {
      const target = exit.targets.length ? exit.targets.map((id) => shortId(drawing, id)).join(', ') : '(stays)';
      const text = `${exit.event}${details && exit.guard ? ` [${exit.guard}]` : ''} → ${target}`;
      // Without guards shown, one event under several guards to the same place is one exit.
      if (listed.has(text)) continue;
      listed.add(text);
      const item = document.createElement('li');
      item.textContent = text;
      item.dataset.event = exit.event;
      list.append(item);
    }
    const signature = `${state}|${exits.length}|${details}`;
    if (focus.dataset.signature !== signature) {
      focus.dataset.signature = signature;
      focus.replaceChildren(now, Object.assign(document.createElement('b'), { textContent: exits.length ? 'Exits:' : 'No exits (final).' }), list);
    }
    for (const [id, group] of states) group.classList.toggle('active', active.has(id));
    const before = previousState === undefined ? undefined : activeIds(drawing.id, previousState);
    for (const edge of edges) {
      const taken = before !== undefined && eventType !== undefined && edge.events.has(eventType) && before.has(edge.source) && active.has(edge.target);
      edge.group.classList.toggle('taken', taken);
      for (const path of edge.group.querySelectorAll('path')) path.setAttribute('marker-end', taken ? 'url(#arrow-taken)' : 'url(#arrow)');
    }
    const lit = [...active].map((id) => states.get(id)).filter(Boolean).at(-1);
    if (lit) {
      // Scroll the chart (only the chart) so the lit state is in view.
      const box = lit.getBoundingClientRect();
      const frame = container.getBoundingClientRect();
      if (box.left < frame.left || box.right > frame.right) container.scrollLeft += box.left - frame.left - frame.width / 2 + box.width / 2;
      if (box.top < frame.top || box.bottom > frame.bottom) container.scrollTop += box.top - frame.top - frame.height / 2 + box.height / 2;
    }
  };
}
