// The paper venue's saved state: everything it must remember to be the same venue after a restart, whole
// (exportState) or as the changes since the last save (takeChanges), and a venue restored from it.
import { decimal, toDecimalString } from '../../src/domain/decimal.ts';
import { expireOrder } from './order-entry.ts';
import { forgetOldest } from './order-execution.ts';
import { isWorking, type PaperOrder } from './paper-order.ts';
import type { PaperCore } from './paper-core.ts';
import {
  orderFromState,
  orderState,
  PAPER_VENUE_STATE_VERSION,
  READABLE_PAPER_VENUE_STATE_VERSIONS,
  type PaperOrderState,
  type PaperPerpetualState,
  type PaperVenueChanges,
  type PaperVenueState,
} from './paper-state.ts';
import { markOf, type PerpetualState } from './perpetual-account.ts';

/**
 * Everything the venue must remember to be the same venue after a restart (see paper-state.ts): every
 * working order, and of the finished and rejected ones the latest `keepFinished` (what a recovering engine
 * may still ask about; by default all the venue still remembers, see retainFinishedOrders), so the saved
 * state does not grow with every order ever placed. For saving every turn, see takeChanges.
 */
export function exportVenueState(core: PaperCore, keepFinished = core.retainFinished): PaperVenueState {
  const all = [...core.orders.values()];
  const finished = all.filter((order) => !isWorking(order));
  const kept = new Set(finished.slice(Math.max(0, finished.length - keepFinished)));
  const orders = all.filter((order) => isWorking(order) || kept.has(order));
  const rejected = [...core.rejectedOrders.values()];
  return {
    version: PAPER_VENUE_STATE_VERSION,
    venue: core.id,
    balances: core.ledger.snapshot(),
    orders: orders.map(orderState),
    rejectedOrders: rejected.slice(Math.max(0, rejected.length - keepFinished)),
    fills: Object.fromEntries(orders.flatMap((order) => {
      const fills = core.fillsByOrder.get(order.clientOrderId);
      return fills === undefined ? [] : [[order.clientOrderId, fills]];
    })),
    ...countersOf(core),
  };
}

/** The numbering, perpetual accounts and random draws: saved whole in a state and in every change record. */
function countersOf(core: PaperCore) {
  return {
    nextOrderNumber: core.nextOrderNumber,
    nextTradeNumber: core.nextTradeNumber,
    nextPriority: core.nextPriority,
    perpetuals: [...core.perpetuals.states.values()].map((perpetual) => perpetualState(perpetual)),
    nextFundingNumber: core.nextFundingNumber,
    randomDraws: randomDraws(core),
  };
}

/**
 * What changed since the last call (or since the venue was made or restored), for a saved state written
 * incrementally (paper-state-file.ts); the tracking starts over. Applied with applyPaperVenueChanges to the
 * state saved before, it gives exportState() now. Costs the changed orders plus one look at each resting
 * order (queue positions move with market data without marking anything).
 */
export function takeVenueChanges(core: PaperCore): PaperVenueChanges {
  for (const symbolState of core.symbols.values()) {
    for (const side of [symbolState.resting.buys, symbolState.resting.sells]) {
      for (const order of side) if (order.queueAhead !== order.savedQueueAhead || order.levelSeen !== order.savedLevelSeen) core.changedOrders.add(order);
    }
  }
  const orders: PaperOrderState[] = [];
  for (const order of core.changedOrders) {
    if (core.orders.get(order.clientOrderId) !== order) continue;
    orders.push(orderState(order));
    rememberSavedQueue(order);
  }
  const fills = core.newFills.filter((fill) => core.orders.has(fill.clientOrderId));
  const rejectedOrders = core.newRejections.filter((rejected) => core.rejectedOrders.get(rejected.clientOrderId) === rejected);
  const changes: PaperVenueChanges = {
    orders,
    removedOrders: [...core.removedOrderIds],
    rejectedOrders,
    removedRejectedOrders: [...core.removedRejectionIds],
    fills,
    balances: core.ledger.snapshot(),
    ...countersOf(core),
  };
  core.changedOrders.clear();
  core.removedOrderIds.length = 0;
  core.newRejections.length = 0;
  core.removedRejectionIds.length = 0;
  core.newFills.length = 0;
  return changes;
}

export function randomDraws(core: PaperCore): NonNullable<PaperVenueState['randomDraws']> {
  return {
    fillModel: core.fillModel.draws,
    orderLatency: core.orderLatency.draws,
    reportLatency: core.reportLatency.draws,
    marketDataLatency: core.marketDataLatency.draws,
  };
}

export function restorePerpetuals(core: PaperCore, state: PaperVenueState): void {
  for (const saved of state.perpetuals ?? []) {
    const perpetual = core.perpetuals.get(saved.symbol);
    if (perpetual === undefined) throw new Error(`the saved paper venue state has a position on ${saved.symbol}, which is not a perpetual of this venue`);
    perpetual.leverage = decimal(saved.leverage);
    perpetual.marginMode = saved.marginMode;
    perpetual.fundingRate = decimal(saved.fundingRate);
    perpetual.nextFundingAt = saved.nextFundingAt;
    perpetual.mark = saved.mark === undefined ? undefined : decimal(saved.mark);
    core.perpetuals.restorePosition(perpetual, saved.position, decimal(saved.margin));
  }
  core.nextFundingNumber = state.nextFundingNumber ?? 1;
}

export function restoreVenueState(core: PaperCore, state: PaperVenueState): void {
  if (!READABLE_PAPER_VENUE_STATE_VERSIONS.includes(state.version)) throw new Error(`paper venue state version ${String(state.version)} is not ${PAPER_VENUE_STATE_VERSION}`);
  if (state.venue !== core.id) throw new Error(`the saved paper venue state is venue "${state.venue}", not "${core.id}"`);
  restorePerpetuals(core, state);
  core.ledger.restore(state.balances);
  for (const saved of state.orders) {
    const symbolState = core.symbols.get(saved.symbol);
    if (symbolState?.instrument === undefined) throw new Error(`the saved paper venue state has order ${saved.clientOrderId} on ${saved.symbol}, which this venue does not list`);
    const order = orderFromState(saved, symbolState.instrument);
    core.orders.set(order.clientOrderId, order);
    if (!isWorking(order)) continue;
    if (saved.awaitingTrigger) symbolState.triggers.insert(order);
    else if (saved.resting) symbolState.resting.insert(order);
    if (order.expireAt !== undefined) order.expiryTimer = core.clock.setTimeout(() => expireOrder(core, order), Math.max(0, order.expireAt - core.clock.now()));
  }
  restoreOrderLists(core, state.orders);
  // Finished orders in the order they finished (states from before finishSequence: in placing order).
  const finished = [...core.orders.values()].filter((order) => !isWorking(order));
  finished.sort((a, b) => a.finishSequence - b.finishSequence);
  for (const order of finished) core.finishedOrders.add(order.clientOrderId);
  core.nextFinishSequence = finished.reduce((highest, order) => Math.max(highest, order.finishSequence), 0) + 1;
  for (const rejected of state.rejectedOrders) core.rejectedOrders.set(rejected.clientOrderId, rejected);
  for (const [clientOrderId, fills] of Object.entries(state.fills)) core.fillsByOrder.set(clientOrderId, [...fills]);
  for (const order of core.orders.values()) rememberSavedQueue(order);
  forgetOldest(core);
  core.nextOrderNumber = state.nextOrderNumber;
  core.nextTradeNumber = state.nextTradeNumber;
  core.nextPriority = state.nextPriority;
}

/** The venue lists again: each order naming a list is a leg of it, in the order saved (the order placed). */
function restoreOrderLists(core: PaperCore, saved: readonly PaperOrderState[]): void {
  for (const entry of saved) {
    if (entry.listId === undefined) continue;
    const order = core.orders.get(entry.clientOrderId)!;
    let list = core.orderLists.get(entry.listId);
    if (list === undefined) {
      list = { listId: entry.listId, kind: entry.listKind ?? 'oco', legs: [] };
      core.orderLists.set(entry.listId, list);
    }
    list.legs.push(order);
    order.list = list;
  }
  for (const list of [...core.orderLists.values()]) if (!list.legs.some(isWorking)) core.orderLists.delete(list.listId);
}

function perpetualState(perpetual: PerpetualState): PaperPerpetualState {
  const mark = markOf(perpetual);
  return {
    symbol: perpetual.instrument.symbol,
    leverage: toDecimalString(perpetual.leverage),
    marginMode: perpetual.marginMode,
    fundingRate: toDecimalString(perpetual.fundingRate),
    nextFundingAt: perpetual.nextFundingAt,
    position: perpetual.position,
    margin: toDecimalString(perpetual.margin),
    ...(mark !== undefined ? { mark: toDecimalString(mark) } : {}),
  };
}

function rememberSavedQueue(order: PaperOrder): void {
  order.savedQueueAhead = order.queueAhead;
  order.savedLevelSeen = order.levelSeen;
}
