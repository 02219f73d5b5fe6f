// The actor tree's nodes: each actor's current state, symbol, side, quantities and PnL from its snapshot.
// Parent links are data: an order's parent is its request's parentId (a position), else the portfolio.
import type { StateValue } from 'xstate';
import { TERMINAL_ORDER_STATES, type OrderContext, type OrderStateName } from '../../machines/order.ts';
import type { PositionContext } from '../../machines/position.ts';
import { decimal } from '../domain/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import type { NodeView } from './protocol.ts';

/** A state value as the page shows it: `partial`, or `open.stop.trailing, open.size.base` for parallel ones. */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const inner = stateLabel(child as StateValue);
    for (const part of inner.split(', ')) paths.push(part === '' ? key : `${key}.${part}`);
  }
  return paths.join(', ');
}

interface SnapshotLike {
  readonly value: StateValue;
  readonly status: string;
  readonly context: unknown;
}

/** The node of an actor from its id and snapshot; the engine is asked only for positions and prices. */
export function nodeOf(actorId: string, snapshot: SnapshotLike, engine: Engine, at?: number): NodeView {
  if (actorId.startsWith('order:')) return orderNode(actorId, snapshot, engine, at);
  if (actorId.startsWith('position:')) return positionNode(actorId, snapshot, engine, at);
  if (actorId === 'portfolio') {
    return { id: 'portfolio', kind: 'portfolio', machine: 'portfolio', state: stateLabel(snapshot.value), live: snapshot.status === 'active', ...(at === undefined ? {} : { updatedAt: at }) };
  }
  // Any other actor in the system (algos, a venue's connection chart): listed under the portfolio, no chart.
  const kind = actorId.startsWith('venue:') ? 'venue' : 'algo';
  return { id: actorId, kind, parent: 'portfolio', state: typeof snapshot.value === 'undefined' ? snapshot.status : stateLabel(snapshot.value), live: snapshot.status === 'active' };
}

function orderNode(actorId: string, snapshot: SnapshotLike, engine: Engine, at: number | undefined): NodeView {
  const context = snapshot.context as OrderContext;
  const status = snapshot.value as OrderStateName;
  const parentId = context.request.parentId;
  const node: Record<string, unknown> = {
    id: actorId,
    kind: 'order',
    parent: parentId === undefined ? 'portfolio' : engine.getPositionActor(parentId) !== undefined ? `position:${parentId}` : `algo:${parentId}`,
    machine: 'order',
    state: stateLabel(snapshot.value),
    live: !TERMINAL_ORDER_STATES.includes(status),
    symbol: context.request.symbol,
    side: context.request.side,
    quantity: context.quantity,
    filled: context.filledQuantity,
  };
  if (context.price !== undefined) node.price = context.price;
  else if (context.stopPrice !== undefined) node.price = context.stopPrice;
  if (context.averagePrice !== undefined) node.averagePrice = context.averagePrice;
  if (at !== undefined) node.updatedAt = at;
  return node as unknown as NodeView;
}

function positionNode(actorId: string, snapshot: SnapshotLike, engine: Engine, at: number | undefined): NodeView {
  const context = snapshot.context as PositionContext;
  const state = stateLabel(snapshot.value);
  const node: Record<string, unknown> = {
    id: actorId,
    kind: 'position',
    parent: 'portfolio',
    machine: 'position',
    state,
    live: state !== 'closed',
    symbol: context.symbol,
    side: context.direction,
    quantity: context.quantity,
    realizedPnl: context.realizedPnl,
  };
  if (context.averageEntryPrice !== undefined) node.averagePrice = context.averageEntryPrice;
  const unrealized = unrealizedPnl(context, engine);
  if (unrealized !== undefined) node.unrealizedPnl = unrealized;
  if (at !== undefined) node.updatedAt = at;
  return node as unknown as NodeView;
}

/** Open quantity marked at the last market price; unknown (omitted) with no price or no position. */
function unrealizedPnl(context: PositionContext, engine: Engine): string | undefined {
  if (context.quantity === '0' || context.averageEntryPrice === undefined) return undefined;
  let mark;
  try {
    mark = engine.marketPrice(context.symbol, context.venue);
  } catch {
    return undefined;
  }
  if (mark === undefined) return undefined;
  const perUnit = mark.minus(context.averageEntryPrice);
  const signed = context.direction === 'long' ? perUnit : perUnit.times('-1');
  return signed.times(decimal(context.quantity)).toFixed();
}

/** A venue node: its connection state when the venue exposes one (`connectionState()`), else `connected`. */
export function venueNode(engine: Engine, venueId: string): NodeView {
  const venue = engine.venue(venueId) as unknown as { connectionState?: () => string };
  const state = typeof venue.connectionState === 'function' ? venue.connectionState() : 'connected';
  return { id: `venue:${venueId}`, kind: 'venue', parent: 'portfolio', state, live: state !== 'down' };
}

/** Every actor the engine holds now, as nodes: the page's initial tree. */
export function currentNodes(engine: Engine): NodeView[] {
  const nodes: NodeView[] = [nodeOf('portfolio', engine.portfolio.getSnapshot(), engine)];
  for (const venueId of engine.venueIds()) nodes.push(venueNode(engine, venueId));
  for (const position of engine.listPositions()) {
    const actor = engine.getPositionActor(position.positionId);
    if (actor !== undefined) nodes.push(nodeOf(actor.id, actor.getSnapshot(), engine));
  }
  for (const order of engine.listOrders()) {
    const actor = engine.getOrderActor(order.orderId);
    if (actor !== undefined) nodes.push(nodeOf(actor.id, actor.getSnapshot(), engine));
  }
  return nodes;
}
