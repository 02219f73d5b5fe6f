// The page's shared state: what the stream and the server told it (nodes, history, the selected actor's log)
// and what it shows; a few limits; the instrument and currency of a node.

export const MAX_LOG_ROWS = 2000;
export const HISTORY_PAGE = 200;
export const DASHBOARD_REFRESH_MS = 1000;
/** Least time between two drawings of what the stream changed: an actor came, went or changed state. */
export const STREAM_RENDER_MS = 100;
/**
 * Least time between two drawings when the stream changed only figures of live actors (a position's quantity, PnL,
 * mark): a position filling or marked all the time asked for a drawing every 100 ms, each about 8 ms of the page's
 * main thread on a busy machine, for figures a reader takes in a few times a second.
 */
export const FIGURES_RENDER_MS = 250;
/**
 * Least time between two advances of the finished history's newest rows (and its count), unless the user acts or an
 * actor shown live finishes: a busy engine finishes hundreds of actors a second, and each advance makes every
 * newest-first row in view a new row for the browser to style, lay out and paint, on the cores the engine runs on.
 */
export const HISTORY_RENDER_MS = 500;
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
  /** How many were dropped from the front of `recentFinished` (past MAX_RECENT_FINISHED). */
  recentDropped: 0,
  /** The tree shows `recentFinished` up to this count of all ever pushed (dropped ones included). */
  recentShownEnd: 0,
  /** performance.now() of the last advance of `recentShownEnd`. */
  historyShownAt: 0,
  /** Finished actors received and not yet shown; `historyNow`: show them at the next drawing. */
  historyPending: false,
  historyNow: false,
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
  /** When the queued drawing is due (performance.now() time); `renderAsked`: the user asked for one. */
  renderDue: 0,
  renderAsked: false,
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
