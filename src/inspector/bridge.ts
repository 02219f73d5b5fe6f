// The inspection bridge: attaches to the engine's XState inspection only while a page is connected, keeps a
// bounded log of what each actor received and emitted (with its snapshot, for time travel), and sends every
// client the actor tree once, then coalesced batches numbered by sequence, so a page can always resume. A client
// that names the actors it watches gets only their log entries (every changed node still goes to every client):
// a page shows one actor's log, and the rest of the log is what made a busy engine's batches heavy. The kept log
// is entry-log.ts; what a client is, and one flush's batch for all of them, bridge-clients.ts.
import { randomUUID } from 'node:crypto';
import type { AnyActorRef, InspectionEvent, StateValue, Subscription } from 'xstate';
import { actorIdOfEvent, type DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';
import { BatchEncoder, type BridgeConnection, type BridgeSubscriber, type ClientState, type ConnectOptions } from './bridge-clients.ts';
import { detailOf, EntryLog, ObservedEntry, viewOf } from './entry-log.ts';
import { FinishedHistory, type HistoryFilter } from './history.ts';
import { journalHistory } from './journal-history.ts';
import { PositionMarks } from './position-marks.ts';
import { PriceHistory, type PriceSeriesView } from './price-history.ts';
import { RecentActivity } from './recent-activity.ts';
import { recentJournalActivity } from './views.ts';
import { INSPECTED_MACHINES } from './machines.ts';
import { actorRefOf, instrumentViews, nodeOf, rootNodes, venueNode } from './nodes.ts';
import type { BatchMessage, EntryDetail, HistoryPage, LogEntryView, NodeView, SnapshotMessage } from './protocol.ts';

export interface BridgeOptions {
  /** How often queued changes go out: the page sees a change within this (plus the network). Default 50 ms. */
  readonly flushIntervalMs?: number;
  /** A client with more than this many bytes unsent is stalled: it gets nothing more until told to re-sync. Default 8 MiB. */
  readonly maxBufferedBytes?: number;
  /** Log entries kept (with their snapshots) for time travel and resume. Default 20,000. */
  readonly retainedEntries?: number;
  /** Observed items held before a flush is forced, when the engine keeps the event loop busy. Default 20,000. */
  readonly maxPendingEntries?: number;
}

export type { RetainedEntry } from './entry-log.ts';
export type { BridgeConnection, BridgeSubscriber, ConnectOptions } from './bridge-clients.ts';

export class InspectorBridge {
  /** Identifies this bridge's numbering: a page resumes only within the same session. */
  readonly session = randomUUID();
  private readonly flushIntervalMs: number;
  private readonly maxBufferedBytes: number;
  private readonly maxPendingEntries: number;
  private readonly clients = new Set<ClientState>();
  private inspection: Subscription | undefined;
  private unsubscribeDomain: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: ObservedEntry[] = [];
  private readonly log: EntryLog;
  /** Each live actor's state value as last numbered (a label string for one known only from a node). */
  private readonly lastValue = new Map<string, StateValue>();
  private readonly venueStates = new Map<string, string>();
  /** Marks, fills, stops, take-profits, high-water marks and equity while attached: the price chart. */
  private prices: PriceHistory | undefined;
  /** The latest fills and refusals seen while attached: the dashboard's lists without a journal scan. */
  private readonly activity = new RecentActivity();
  /** Open positions and their marks: a new mark re-sends them. */
  private readonly marks: PositionMarks;
  /** Each position's stop as last announced: a stop change is shown old -> new. */
  private readonly stops = new Map<string, string | undefined>();
  private sequence = 0;
  /** Finished actors, numbered while attached (built at attach from the engine's views). */
  private history: FinishedHistory | undefined;
  /**
   * Live orders and positions, listed once at attach and kept from the nodes seen since: a snapshot reads only
   * these (listing every order, live or not, took seconds at 100,000 finished).
   */
  private readonly live = new Set<string>();
  /** Sequence when the bridge last attached: nothing before it was observed. */
  private attachedFrom = 0;

  constructor(
    private readonly engine: Engine,
    options: BridgeOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.log = new EntryLog(options.retainedEntries ?? 20_000);
    this.marks = new PositionMarks(engine);
    this.maxPendingEntries = options.maxPendingEntries ?? 20_000;
  }

  /** Whether an inspection observer is attached to the engine's actor system now. */
  get attached(): boolean {
    return this.inspection !== undefined;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Clients that fell behind and get nothing until they drain (then a re-sync). */
  get stalledClientCount(): number {
    let stalled = 0;
    for (const client of this.clients) if (client.stalled) stalled++;
    return stalled;
  }

  /** The sequence of the last entry observed. */
  get lastSequence(): number {
    return this.sequence;
  }

  /**
   * Adds a client. With `resume` from this session and entries after it still kept, the client gets those
   * entries (and the current nodes of their actors) as one batch; otherwise a snapshot of the whole tree.
   */
  connect(subscriber: BridgeSubscriber, options: ConnectOptions = {}): BridgeConnection {
    if (this.inspection === undefined) this.attach();
    else this.flush();
    const client: ClientState = { subscriber, stalled: false, watching: options.watch === undefined ? undefined : new Set(options.watch) };
    this.clients.add(client);
    const resume = options.resume;
    if (resume !== undefined && this.canResume(resume.session, resume.after)) this.sendSince(client, resume.after);
    else subscriber.snapshot(this.snapshotMessage());
    return {
      watch: (actorIds) => {
        if (!this.clients.has(client)) return;
        // What was observed so far goes out under the old choice; the newly watched actors' kept entries follow.
        this.flush();
        const before = client.watching;
        client.watching = actorIds === undefined ? undefined : new Set(actorIds);
        if (client.stalled) return;
        if (client.watching === undefined) return;
        const added = new Set<string>();
        for (const actorId of client.watching) if (before === undefined || !before.has(actorId)) added.add(actorId);
        const entries = added.size === 0 ? [] : this.log.ofActors(added);
        if (entries.length === 0) return;
        const message: BatchMessage = { type: 'batch', session: this.session, sequence: this.sequence, nodes: [], entries: entries.map(viewOf) };
        subscriber.batch(message, entries, () => JSON.stringify(message));
      },
      close: () => {
        if (!this.clients.delete(client)) return;
        if (this.clients.size === 0) this.detach();
      },
    };
  }

  /** An actor's node as it is now (live or finished), or undefined for an actor the engine does not hold. */
  node(actorId: string): NodeView | undefined {
    if (actorId.startsWith('venue:')) {
      const venueId = this.engine.venueIds().find((id) => `venue:${id}` === actorId);
      return venueId === undefined ? undefined : venueNode(this.engine, venueId);
    }
    const actor = actorRefOf(this.engine, actorId);
    return actor === undefined ? undefined : nodeOf(actorId, actor.getSnapshot(), this.engine);
  }

  /** The retained entries of one actor, oldest first (without snapshots). */
  actorLog(actorId: string): LogEntryView[] {
    this.flush();
    return this.log.ofActors(new Set([actorId])).map(viewOf);
  }

  /** One entry with the actor's state and context right after it: the page's time travel. */
  entry(sequence: number): EntryDetail | undefined {
    this.flush();
    const entry = this.log.bySequence(sequence);
    return entry === undefined ? undefined : detailOf(entry);
  }

  /**
   * An actor's history from the journal, for what happened before the page attached (or fell out of the kept
   * log): its domain events, each with the state and context they imply.
   */
  journal(actorId: string, limit = 500): EntryDetail[] {
    return journalHistory(this.engine, actorId, limit);
  }

  /**
   * A page of finished actors, newest first (see FinishedHistory.page); undefined when `epoch` is not the
   * current history's (the bridge re-attached since the page's snapshot: it must re-sync).
   */
  historyPage(epoch: string, asOf: number, offset: number, limit: number, filter: HistoryFilter = {}): HistoryPage | undefined {
    this.flush();
    if (this.history === undefined || this.history.epoch !== epoch) return undefined;
    return this.history.page(asOf, offset, limit, filter);
  }

  /** The `limit` most recently finished actors, newest first: what Stately's inspector is shown of the past. */
  recentFinished(limit: number): NodeView[] {
    const history = this.history;
    return history === undefined ? [] : [...history.page(history.count, 0, limit).nodes];
  }

  /** The price chart's series for a symbol, gathered since the bridge attached; undefined while detached. */
  priceSeries(symbol: string): PriceSeriesView | undefined {
    this.flush();
    return this.prices?.view(symbol);
  }

  /** Sends what was observed since the last flush; runs on a timer while attached (public for tests). */
  flush(): void {
    if (this.inspection === undefined) return;
    const observed = this.pending;
    this.pending = [];
    const entries: ObservedEntry[] = [];
    const dirty = new Map<string, ObservedEntry>();
    // A domain event is announced inside the transition, before XState reports the snapshot it led to: it is
    // numbered after that snapshot's entry and shown with the state it left the actor in.
    const waiting = new Map<string, ObservedEntry[]>();
    const prices = this.prices;
    for (const item of observed) {
      if (item.kind === 'emitted') {
        this.activity.note(item.event as unknown as DomainEvent);
        prices?.domainEvent(item.event as unknown as DomainEvent);
        let queue = waiting.get(item.actorId);
        if (queue === undefined) waiting.set(item.actorId, (queue = []));
        queue.push(item);
        continue;
      }
      if (prices !== undefined && item.actorId.startsWith('order:')) prices.orderEvent(item.event as never, item.context as never, item.at);
      item.previousValue = this.lastValue.get(item.actorId);
      this.lastValue.set(item.actorId, item.value!);
      dirty.set(item.actorId, item);
      this.number(item, entries);
      const announced = waiting.get(item.actorId);
      if (announced === undefined) continue;
      waiting.delete(item.actorId);
      for (const emitted of announced) {
        emitted.value = item.value;
        this.number(emitted, entries);
      }
    }
    // An announcement whose snapshot never came (the actor threw): shown with the last state known.
    for (const [actorId, announced] of waiting) {
      for (const emitted of announced) {
        emitted.value = this.lastValue.get(actorId);
        this.number(emitted, entries);
      }
    }
    const nodes: NodeView[] = [];
    for (const [actorId, item] of dirty) {
      const node = nodeOf(actorId, { value: item.value!, status: item.status!, context: item.context }, this.engine, item.at);
      if (!node.live) {
        this.history?.add(node);
        // A finished actor changes no more: what was known of it goes, so a page open for days holds only live ones.
        this.lastValue.delete(actorId);
        this.stops.delete(actorId);
      }
      if (node.kind === 'order' || node.kind === 'position' || node.kind === 'algo') {
        if (node.live) this.live.add(node.id);
        else this.live.delete(node.id);
      }
      this.marks.track(node);
      nodes.push(node);
    }
    // A new mark changes open positions' unrealized PnL and notional without any transition: sent as news.
    for (const position of this.marks.remarked()) {
      if (dirty.has(position)) continue;
      const actor = actorRefOf(this.engine, position);
      if (actor !== undefined) nodes.push(nodeOf(position, actor.getSnapshot(), this.engine));
    }
    for (const venueId of this.engine.venueIds()) {
      const node = venueNode(this.engine, venueId);
      if (this.venueStates.get(venueId) !== node.state) {
        this.venueStates.set(venueId, node.state);
        nodes.push(node);
      }
    }
    prices?.sample(this.engine.clock.now());
    const hasNews = entries.length > 0 || nodes.length > 0;
    const batches = new BatchEncoder(this.session, this.sequence, nodes, entries);
    for (const client of this.clients) {
      const buffered = client.subscriber.bufferedBytes();
      if (client.stalled) {
        // Back under half the limit: told to re-sync, then given the tree as it is now.
        if (buffered <= this.maxBufferedBytes / 2) {
          client.stalled = false;
          client.subscriber.resync('the page fell behind; its queued updates were dropped');
          client.subscriber.snapshot(this.snapshotMessage());
        }
        continue;
      }
      if (buffered > this.maxBufferedBytes) {
        client.stalled = true;
        continue;
      }
      if (hasNews) batches.sendTo(client);
    }
  }

  /** Detaches from the engine and ends every client (the daemon is closing). */
  close(): void {
    this.clients.clear();
    this.detach();
  }

  private attach(): void {
    this.attachedFrom = this.sequence;
    this.startHistory();
    this.prices = new PriceHistory(this.engine);
    this.activity.clear();
    for (const event of recentJournalActivity(this.engine)) this.activity.note(event);
    const clock = this.engine.clock;
    this.inspection = this.engine.portfolio.system.inspect((inspection: InspectionEvent) => {
      // The observer runs inside every transition of every actor: it only queues.
      if (inspection.type !== '@xstate.snapshot') return;
      const full = inspection.snapshot as unknown as { value: StateValue; status: string; context: unknown };
      // Only what time travel shows is kept: the rest of XState's snapshot (its state nodes, tags, children) is let go young.
      this.observe(new ObservedEntry((inspection.actorRef as AnyActorRef).id, 'received', inspection.event as never, clock.now(), full.value, full.status, full.context));
    });
    // Recorded as announced, so each announcement sits with the snapshot of the transition that made it.
    this.unsubscribeDomain = this.engine.recordAnnouncements((event: DomainEvent) => {
      const actorId = actorIdOfEvent(event);
      this.observe(new ObservedEntry(actorId, 'emitted', event as never, event.timestamp, undefined, undefined, undefined));
    });
    for (const venueId of this.engine.venueIds()) this.venueStates.set(venueId, venueNode(this.engine, venueId).state);
    this.timer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.timer.unref?.();
  }

  private detach(): void {
    this.inspection?.unsubscribe();
    this.inspection = undefined;
    this.unsubscribeDomain?.();
    this.unsubscribeDomain = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    // Nothing is observed while detached, so what was kept cannot be resumed from: free it.
    this.pending = [];
    this.log.clear();
    this.lastValue.clear();
    this.venueStates.clear();
    this.history = undefined;
    this.live.clear();
    this.prices = undefined;
    this.stops.clear();
    this.marks.clear();
  }

  /**
   * Fills and refusals seen since the bridge attached, oldest first (the latest of each kind), or undefined while
   * detached. Seeded at attach from the journal.
   */
  recentActivity(): readonly DomainEvent[] | undefined {
    this.flush();
    return this.inspection === undefined ? undefined : this.activity.events;
  }

  /**
   * Numbers an entry and keeps it. Its figures are decoded only when sent, so the stop before it is noted now: a
   * position's stop announcements move its last known stop.
   */
  private number(entry: ObservedEntry, entries: ObservedEntry[]): void {
    entry.sequence = ++this.sequence;
    const stop = this.stops.get(entry.actorId);
    if (stop !== undefined) entry.previousStop = stop;
    if (entry.kind === 'emitted' && 'positionId' in entry.event && 'stopPrice' in entry.event) this.stops.set(entry.actorId, entry.event.stopPrice as string | undefined);
    entries.push(entry);
    this.log.add(entry);
  }

  private observe(entry: ObservedEntry): void {
    this.pending.push(entry);
    // A busy engine can keep the timer from firing; past the bound the queue goes out now, never dropped.
    if (this.pending.length >= this.maxPendingEntries) this.flush();
  }

  private canResume(session: string, after: number): boolean {
    if (session !== this.session || !Number.isInteger(after)) return false;
    if (after < this.attachedFrom || after > this.sequence) return false;
    const first = this.log.firstSequence;
    return after === this.sequence || (first !== undefined && after >= first - 1);
  }

  private sendSince(client: ClientState, after: number): void {
    const since = this.log.since(after);
    const actorIds = new Set(since.map((entry) => entry.actorId));
    const watching = client.watching;
    const entries = watching === undefined ? since : since.filter((entry) => watching.has(entry.actorId));
    const nodes: NodeView[] = [];
    for (const actorId of actorIds) {
      const actor = actorRefOf(this.engine, actorId);
      if (actor !== undefined) nodes.push(nodeOf(actorId, actor.getSnapshot(), this.engine));
    }
    const message: BatchMessage = { type: 'batch', session: this.session, sequence: this.sequence, nodes, entries: entries.map(viewOf) };
    client.subscriber.batch(message, entries, () => JSON.stringify(message));
  }

  /** Lists the engine's live orders and positions; finished ones are read back only as a page scrolls to them. */
  private startHistory(): FinishedHistory {
    this.live.clear();
    for (const order of this.engine.listOrders({ live: true })) this.live.add(`order:${order.orderId}`);
    for (const position of this.engine.listPositions({ open: true })) this.live.add(`position:${position.positionId}`);
    // Algorithms and order lists: their working children are drawn under them.
    for (const algo of this.engine.listAlgos({ live: true })) this.live.add(`algo:${algo.algoId}`);
    for (const list of this.engine.listOrderLists({ live: true })) this.live.add(`algo:${list.listId}`);
    this.history = new FinishedHistory(this.engine, this.engine.clock.now(), new Set(this.live));
    return this.history;
  }

  private snapshotMessage(): SnapshotMessage {
    const history = this.history ?? this.startHistory();
    const nodes = rootNodes(this.engine);
    for (const actorId of this.live) {
      const actor = actorRefOf(this.engine, actorId);
      if (actor !== undefined) nodes.push(nodeOf(actorId, actor.getSnapshot(), this.engine));
    }
    for (const node of nodes) {
      this.lastValue.set(node.id, node.state);
      this.marks.track(node);
    }
    const machines: Record<string, number> = {};
    for (const [id, { version }] of Object.entries(INSPECTED_MACHINES)) machines[id] = version;
    return { type: 'snapshot', session: this.session, sequence: this.sequence, nodes, machines, instruments: instrumentViews(this.engine), history: { epoch: history.epoch, count: history.count } };
  }
}
