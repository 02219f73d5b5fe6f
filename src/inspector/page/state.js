// The page's shared state: what the stream and the server told it (nodes, history, the selected actor's log)
// and what it shows; a few limits; the instrument and currency of a node.

export const MAX_LOG_ROWS = 2000;
export const HISTORY_PAGE = 200;
export const DASHBOARD_REFRESH_MS = 1000;
/** Least time between two drawings of what the stream changed. */
export const STREAM_RENDER_MS = 100;
/** Actors finished since the snapshot kept on the page; past it the oldest go (a reload shows them again). */
export const MAX_RECENT_FINISHED = 10_000;
export const $ = (selector) => document.querySelector(selector);

export const view = {
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


export function instrumentOf(node) {
  return node?.symbol ? view.instruments[node.symbol] : undefined;
}

export function currencyOf(node) {
  return instrumentOf(node)?.quote;
}
