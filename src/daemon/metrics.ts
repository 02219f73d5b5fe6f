// Prometheus metrics for /metrics: orders by state, fills, denials by reason, event-loop lag (prom-client's
// default Node metrics), journal commit latency (from the store) and each venue's connection state.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';

/** What the metrics read from the store, when there is one (src/store Store fits). */
export interface JournalMetricsSource {
  stats(): { readonly lastSequence: number; readonly pendingEvents: number; readonly duplicateFillsRefused: number };
  onCommit(listener: (info: { readonly milliseconds: number; readonly events: number; readonly kind: string }) => void): () => void;
}

/** Connection state names a venue may report; an in-process venue without the method counts as live. */
export const VENUE_CONNECTION_STATES = ['connecting', 'syncing', 'live', 'reconnecting', 'down'] as const;

interface ConnectionAware {
  connectionState?: () => string;
}

export interface DaemonMetrics {
  readonly registry: Registry;
  /** Counts an HTTP response (route template, method, status). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  stop(): void;
}

export function createMetrics(engine: Engine, venueIds: readonly string[], journal?: JournalMetricsSource): DaemonMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fillstate_process_' });

  new Gauge({
    name: 'fillstate_orders',
    help: 'Orders known to the engine, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const order of engine.listOrders()) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'fillstate_positions_open',
    help: 'Positions not yet closed',
    registers: [registry],
    collect() {
      this.set(engine.listPositions({ open: true }).length);
    },
  });
  new Gauge({
    name: 'fillstate_trading_state',
    help: 'The portfolio state: 1 for the current one of active, reducing, halted',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const current = engine.tradingState();
      for (const state of ['active', 'reducing', 'halted']) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fillstate_venue_connection',
    help: 'Venue connection state: 1 for the current state',
    labelNames: ['venue', 'state'],
    registers: [registry],
    collect() {
      for (const venueId of venueIds) {
        const venue = engine.venue(venueId) as unknown as ConnectionAware;
        const current = typeof venue.connectionState === 'function' ? venue.connectionState() : 'live';
        for (const state of VENUE_CONNECTION_STATES) this.set({ venue: venueId, state }, state === current ? 1 : 0);
      }
    },
  });
  const lastSequence = new Gauge({ name: 'fillstate_events_last_sequence', help: 'Sequence number of the last domain event', registers: [registry] });
  const events = new Counter({ name: 'fillstate_events_total', help: 'Domain events since start, by type', labelNames: ['type'], registers: [registry] });
  const fills = new Counter({ name: 'fillstate_fills_total', help: 'Fills applied since start, by symbol and liquidity', labelNames: ['symbol', 'liquidity'], registers: [registry] });
  const denials = new Counter({ name: 'fillstate_denials_total', help: 'Orders denied by the risk gate since start, by reason', labelNames: ['reason'], registers: [registry] });
  const requests = new Histogram({
    name: 'fillstate_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  const unsubscribe = engine.subscribe((event: DomainEvent) => {
    events.inc({ type: event.type });
    lastSequence.set(event.sequence);
    if (event.type === 'OrderFilled') fills.inc({ symbol: event.symbol, liquidity: event.liquidity });
    // The engine words a denial "<reason>: <message>"; the reason is the typed DenialReason.
    if (event.type === 'OrderDenied') denials.inc({ reason: event.reason.split(':', 1)[0] ?? 'unknown' });
  });

  let stopJournal = () => {};
  if (journal !== undefined) {
    const commits = new Histogram({
      name: 'fillstate_journal_commit_seconds',
      help: 'Journal commit latency (group commits and intent commits)',
      labelNames: ['kind'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    });
    const committedEvents = new Counter({ name: 'fillstate_journal_events_committed_total', help: 'Domain events committed to the journal', registers: [registry] });
    new Gauge({
      name: 'fillstate_journal_pending_events',
      help: 'Events waiting for the next group commit',
      registers: [registry],
      collect() {
        this.set(journal.stats().pendingEvents);
      },
    });
    new Gauge({
      name: 'fillstate_journal_duplicate_fills_refused',
      help: 'Fills refused by the journal as already counted',
      registers: [registry],
      collect() {
        this.set(journal.stats().duplicateFillsRefused);
      },
    });
    stopJournal = journal.onCommit((info) => {
      commits.observe({ kind: info.kind }, info.milliseconds / 1000);
      committedEvents.inc(info.events);
    });
  }

  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      requests.observe({ method, route, status: String(statusCode) }, seconds);
    },
    stop() {
      unsubscribe();
      stopJournal();
      registry.clear();
    },
  };
}
