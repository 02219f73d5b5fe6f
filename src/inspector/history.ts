// Finished actors (orders that ended, closed positions), numbered in the order they finished so a page can page
// through them newest first and jump anywhere: a number, once given, never changes while the index lives.
// Built from the engine's views when the first page attaches; appended to as the bridge sees actors finish.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine.ts';
import type { OrderView } from '../engine/order-view.ts';
import type { PositionView } from '../engine/positions.ts';
import { nodeOf } from './nodes.ts';
import type { HistoryPage, NodeView } from './protocol.ts';

/** What a filter reads of a finished actor, kept small: 100,000 of them are a few megabytes. */
interface FinishedActor {
  readonly id: string;
  readonly symbol: string;
  readonly state: string;
  readonly side: string;
  readonly at: number;
  /** Lower-case id, symbol, state and side: what a text search reads, made once. */
  readonly haystack: string;
}

export interface HistoryFilter {
  /** Lower-case text matched against id, symbol, state and side. */
  readonly text?: string;
  /** A state name: matches the state or a state under it. */
  readonly state?: string;
  readonly symbol?: string;
}

/** Filtered views kept for paging; a new filter or more rows compute one anew. */
const CACHED_FILTERS = 4;

export class FinishedHistory {
  readonly epoch = randomUUID();
  private readonly finished: FinishedActor[] = [];
  private readonly known = new Set<string>();
  private readonly filtered = new Map<string, { readonly asOf: number; readonly rows: Uint32Array }>();

  /** `orders` and `positions`: the engine's views as listed once at attach (finished ones are taken). */
  constructor(private readonly engine: Engine, orders: readonly OrderView[], positions: readonly PositionView[]) {
    const found: FinishedActor[] = [];
    for (const order of orders) {
      if (order.live) continue;
      found.push(finished(`order:${order.orderId}`, order.symbol, order.status, order.side, order.createdAt));
    }
    for (const position of positions) {
      if (position.status !== 'closed') continue;
      found.push(finished(`position:${position.positionId}`, position.symbol, 'closed', position.direction, position.closedAt ?? position.createdAt));
    }
    // The engine's views say when an order was created, not when it ended: creation orders what finished before.
    found.sort((a, b) => a.at - b.at);
    for (const actor of found) this.append(actor);
  }

  get count(): number {
    return this.finished.length;
  }

  /** Records an actor seen finishing (a node no longer live); an actor already numbered keeps its number. */
  add(node: NodeView): void {
    if (node.live || this.known.has(node.id) || (node.kind !== 'order' && node.kind !== 'position')) return;
    this.append(finished(node.id, node.symbol ?? '', node.state, node.side ?? '', node.updatedAt ?? node.closedAt ?? node.createdAt ?? 0));
  }

  has(actorId: string): boolean {
    return this.known.has(actorId);
  }

  /**
   * `limit` rows from `offset` down from the newest among the first `asOf` finished actors (what the page's
   * snapshot counted), with their nodes as they are now.
   */
  page(asOf: number, offset: number, limit: number, filter: HistoryFilter = {}): HistoryPage {
    const bound = Math.min(asOf, this.finished.length);
    const rows = this.rowsFor(bound, filter);
    const nodes: NodeView[] = [];
    for (let index = offset; index < Math.min(rows.length, offset + limit); index++) nodes.push(this.nodeOf(this.finished[rows[index]!]!));
    return { epoch: this.epoch, total: rows.length, offset, nodes };
  }

  /** Newest-first row numbers matching `filter` among the first `bound` actors. */
  private rowsFor(bound: number, filter: HistoryFilter): Uint32Array {
    const key = `${filter.text ?? ''}\u0000${filter.state ?? ''}\u0000${filter.symbol ?? ''}`;
    const cached = this.filtered.get(key);
    if (cached !== undefined && cached.asOf === bound) return cached.rows;
    const rows = new Uint32Array(bound);
    let count = 0;
    const all = key === '\u0000\u0000';
    for (let index = bound - 1; index >= 0; index--) {
      if (all || matches(this.finished[index]!, filter)) rows[count++] = index;
    }
    const result = rows.subarray(0, count);
    this.filtered.delete(key);
    this.filtered.set(key, { asOf: bound, rows: result });
    if (this.filtered.size > CACHED_FILTERS) this.filtered.delete(this.filtered.keys().next().value!);
    return result;
  }

  private append(actor: FinishedActor): void {
    if (this.known.has(actor.id)) return;
    this.known.add(actor.id);
    this.finished.push(actor);
  }

  private nodeOf(actor: FinishedActor): NodeView {
    const ref = actor.id.startsWith('order:') ? this.engine.getOrderActor(actor.id.slice('order:'.length)) : this.engine.getPositionActor(actor.id.slice('position:'.length));
    if (ref !== undefined) return nodeOf(actor.id, ref.getSnapshot() as never, this.engine);
    // The engine let the actor go (a denial leaves none): its final view, or what the index kept, places it.
    const view = actor.id.startsWith('order:') ? this.engine.getOrder(actor.id.slice('order:'.length)) : undefined;
    return { id: actor.id, kind: actor.id.startsWith('order:') ? 'order' : 'position', state: actor.state, live: false, symbol: actor.symbol, side: actor.side, updatedAt: actor.at, ...(view?.reason === undefined ? {} : { reason: view.reason }) };
  }
}

function matches(actor: FinishedActor, filter: HistoryFilter): boolean {
  if (filter.symbol && actor.symbol !== filter.symbol) return false;
  if (filter.state && actor.state !== filter.state && !actor.state.startsWith(`${filter.state}.`)) return false;
  if (filter.text && !actor.haystack.includes(filter.text)) return false;
  return true;
}

function finished(id: string, symbol: string, state: string, side: string, at: number): FinishedActor {
  return { id, symbol, state, side, at, haystack: `${id} ${symbol} ${state} ${side}`.toLowerCase() };
}
