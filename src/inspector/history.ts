// Finished actors (orders that ended, closed positions), newest first, paged for the inspector's tree. Those the
// bridge saw finish are numbered as they finish, so a page's count stays valid while more finish. Those that
// finished before the bridge attached are read from the engine's kept final views only as far back as a page
// scrolls: first the last minutes, then wider windows, the whole list only when a page reaches its end or
// searches. A daemon with 100,000 finished actors thus opens the page without listing them all.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine.ts';
import { actorRefOf, nodeOf } from './nodes.ts';
import type { HistoryPage, NodeView } from './protocol.ts';

/** What a row and a filter read of a finished actor: 100,000 of them are a few megabytes. */
interface FinishedActor {
  readonly id: string;
  readonly symbol: string;
  readonly state: string;
  readonly side: string;
  readonly at: number;
}

export interface HistoryFilter {
  /** Lower-case text matched against id, symbol, state and side. */
  readonly text?: string;
  /** A state name: matches the state or a state under it. */
  readonly state?: string;
  readonly symbol?: string;
}

/** How far back (clock ms before attaching) each read of the earlier history reaches; then everything kept. */
export const HISTORY_WINDOWS_MS: readonly number[] = [10_000, 10 * 60_000, 24 * 60 * 60_000];

/** Filtered views kept for paging; a new filter or more rows compute one anew. */
const CACHED_FILTERS = 4;

/**
 * Actors seen finishing that stay listed: the oldest go beyond it (a tenth at a time), so a daemon watched for
 * weeks does not grow with every actor it finished. The engine keeps fewer final views than this anyway.
 */
export const MAX_SEEN_FINISHED = 100_000;

export class FinishedHistory {
  readonly epoch = randomUUID();
  /** Seen finishing while attached, oldest first. */
  private readonly seen: FinishedActor[] = [];
  private readonly known = new Set<string>();
  /** How many of the oldest seen were let go: row numbers (`asOf`, `count`) stay absolute. */
  private dropped = 0;
  /** Finished before the bridge attached, newest first: as far back as read so far. */
  private earlier: FinishedActor[] = [];
  private earlierIds = new Set<string>();
  private earlierComplete = false;
  private windowsRead = 0;
  private readonly filtered = new Map<string, { readonly bound: number; readonly earlier: number; readonly rows: Uint32Array }>();

  /**
   * `attachedAt`: the clock when the bridge attached; `liveAtAttach`: the actor ids live then (they finish, if at
   * all, while the bridge watches).
   */
  constructor(
    private readonly engine: Engine,
    private readonly attachedAt: number,
    private readonly liveAtAttach: ReadonlySet<string>,
    private readonly windowsMs: readonly number[] = HISTORY_WINDOWS_MS,
    private readonly maxSeen = MAX_SEEN_FINISHED,
  ) {}

  /** Actors seen finishing since the bridge attached: what a snapshot counts (its `asOf`). */
  get count(): number {
    return this.dropped + this.seen.length;
  }

  /** Records an actor seen finishing (a node no longer live); an actor already listed keeps its place. */
  add(node: NodeView): void {
    if (node.live || this.known.has(node.id) || this.earlierIds.has(node.id) || (node.kind !== 'order' && node.kind !== 'position' && node.kind !== 'algo')) return;
    this.known.add(node.id);
    this.seen.push({ id: node.id, symbol: node.symbol ?? '', state: node.state, side: node.side ?? '', at: node.updatedAt ?? node.closedAt ?? node.createdAt ?? 0 });
    if (this.seen.length > this.maxSeen) {
      const gone = this.seen.splice(0, Math.max(1, Math.floor(this.maxSeen / 10)));
      for (const actor of gone) this.known.delete(actor.id);
      this.dropped += gone.length;
      // What finished before attaching is older still: it is beyond the list now.
      this.earlier = [];
      this.earlierIds = new Set();
      this.earlierComplete = true;
      this.filtered.clear();
    }
  }

  has(actorId: string): boolean {
    return this.known.has(actorId) || this.earlierIds.has(actorId);
  }

  /**
   * `limit` rows from `offset` down from the newest: the first `asOf` actors seen finishing (what the page's
   * snapshot counted), then those from before the bridge attached. `complete` is false while older ones may
   * follow (the total then counts the rows read so far).
   */
  page(asOf: number, offset: number, limit: number, filter: HistoryFilter = {}): HistoryPage {
    // Seen rows the page may read: those its snapshot counted that are still listed.
    const bound = Math.max(0, Math.min(asOf, this.count) - this.dropped);
    const filtering = Boolean(filter.text || filter.state || filter.symbol);
    // A filter reads every row; plain paging reads back only as far as the page asks.
    this.readEarlier(filtering ? Number.POSITIVE_INFINITY : offset + limit - bound);
    const nodes: NodeView[] = [];
    let total: number;
    if (filtering) {
      const rows = this.rowsFor(bound, filter);
      total = rows.length;
      for (let index = offset; index < Math.min(total, offset + limit); index++) nodes.push(this.nodeOf(this.row(bound, rows[index]!)));
    } else {
      total = bound + this.earlier.length;
      for (let index = offset; index < Math.min(total, offset + limit); index++) nodes.push(this.nodeOf(this.row(bound, index)));
    }
    return { epoch: this.epoch, total, offset, nodes, complete: this.earlierComplete };
  }

  /** The `index`th row newest first: seen ones (below `bound`) newest first, then the earlier ones. */
  private row(bound: number, index: number): FinishedActor {
    return index < bound ? this.seen[bound - 1 - index]! : this.earlier[index - bound]!;
  }

  /** Reads the earlier history in widening windows until it has `wanted` rows or all of it. */
  private readEarlier(wanted: number): void {
    while (!this.earlierComplete && this.earlier.length < wanted) {
      const window = this.windowsMs[this.windowsRead++];
      this.earlier = this.listEarlier(window === undefined ? undefined : this.attachedAt - window);
      this.earlierIds = new Set(this.earlier.map((actor) => actor.id));
      if (window === undefined) this.earlierComplete = true;
    }
  }

  /** Actors finished before attaching (created since `since`), newest first, from the engine's kept views. */
  private listEarlier(since: number | undefined): FinishedActor[] {
    const found: FinishedActor[] = [];
    const orders = this.engine.listOrders({ live: false, until: this.attachedAt, ...(since === undefined ? {} : { since }) });
    // Oldest first by creation, in finishing order within the same instant: read backwards, newest first.
    for (let index = orders.length - 1; index >= 0; index--) {
      const order = orders[index]!;
      const id = `order:${order.orderId}`;
      if (this.liveAtAttach.has(id) || this.known.has(id)) continue;
      found.push({ id, symbol: order.symbol, state: order.status, side: order.side, at: order.createdAt });
    }
    const positions = this.engine.listPositions({ status: 'closed' });
    for (let index = positions.length - 1; index >= 0; index--) {
      const position = positions[index]!;
      const at = position.closedAt ?? position.createdAt;
      const id = `position:${position.positionId}`;
      if (at > this.attachedAt || (since !== undefined && at < since) || this.liveAtAttach.has(id) || this.known.has(id)) continue;
      found.push({ id, symbol: position.symbol, state: 'closed', side: position.direction, at });
    }
    // Stable: rows of the same instant keep their newest-first order.
    return found.sort((a, b) => b.at - a.at);
  }

  /** Newest-first row numbers matching `filter` (every row read). */
  private rowsFor(bound: number, filter: HistoryFilter): Uint32Array {
    const key = `${filter.text ?? ''}\u0000${filter.state ?? ''}\u0000${filter.symbol ?? ''}`;
    const cached = this.filtered.get(key);
    if (cached !== undefined && cached.bound === bound && cached.earlier === this.earlier.length) return cached.rows;
    const size = bound + this.earlier.length;
    const rows = new Uint32Array(size);
    let count = 0;
    for (let index = 0; index < size; index++) if (matches(this.row(bound, index), filter)) rows[count++] = index;
    const result = rows.subarray(0, count);
    this.filtered.delete(key);
    this.filtered.set(key, { bound, earlier: this.earlier.length, rows: result });
    if (this.filtered.size > CACHED_FILTERS) this.filtered.delete(this.filtered.keys().next().value!);
    return result;
  }

  private nodeOf(actor: FinishedActor): NodeView {
    const ref = actorRefOf(this.engine, actor.id);
    if (ref !== undefined) return nodeOf(actor.id, ref.getSnapshot() as never, this.engine);
    // The engine let the actor go (a denial leaves none): its final view, or what the index kept, places it.
    const view = actor.id.startsWith('order:') ? this.engine.getOrder(actor.id.slice('order:'.length)) : undefined;
    return { id: actor.id, kind: actor.id.startsWith('order:') ? 'order' : actor.id.startsWith('algo:') ? 'algo' : 'position', state: actor.state, live: false, symbol: actor.symbol, side: actor.side, updatedAt: actor.at, ...(view?.reason === undefined ? {} : { reason: view.reason }) };
  }
}

function matches(actor: FinishedActor, filter: HistoryFilter): boolean {
  if (filter.symbol && actor.symbol !== filter.symbol) return false;
  if (filter.state && actor.state !== filter.state && !actor.state.startsWith(`${filter.state}.`)) return false;
  if (filter.text && !`${actor.id} ${actor.symbol} ${actor.state} ${actor.side}`.toLowerCase().includes(filter.text)) return false;
  return true;
}
