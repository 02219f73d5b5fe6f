// What an execution algorithm does next, as pure decisions over its state: which children to send and cancel,
// when to wake. The charts decide when each planner runs; these decide what it asks for.
import { decimal, ONE, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import { sliceCount, type AlgoSpec } from './algo-params.ts';
import { outstandingQuantity, unassignedQuantity, workingChildren, workingQuantity, type ChildLedger, type ChildOrderDraft } from './algo-children.ts';
import { drawSigned } from './algo-random.ts';
import { aggressivePrice, capAtLimit, fitSlice, passivePrice, randomised, smallestSlice, ticksAway, withinLimit, type SliceGrid } from './algo-sizing.ts';
import { deadline, dueSliceIndex, participationLimit, sliceTime, twapSliceTarget, vwapSliceTarget, wakeAfterSlice } from './algo-schedule.ts';

export interface AlgoMarketView {
  readonly bestBid?: DecimalString;
  readonly bestAsk?: DecimalString;
  /** Volume traded on the market while the algo was working (its own trades included, as a trade feed shows them). */
  readonly observedVolume: DecimalString;
  /** observedVolume when the last scheduled slice was sent: a VWAP's cap applies to what traded since. */
  readonly volumeAtLastSlice: DecimalString;
}

/** The part of an algo's context the planners read. */
export interface AlgoState {
  readonly spec: AlgoSpec;
  /** The parent's quantity now (an amendment changes it). */
  readonly quantity: DecimalString;
  readonly limitPrice?: DecimalString;
  readonly grid: SliceGrid;
  readonly ledger: ChildLedger;
  readonly market: AlgoMarketView;
  /** Index of the last scheduled slice sent (-1: none yet). */
  readonly sliceIndex: number;
  readonly randomState: number;
}

export interface AlgoDecision {
  readonly submit: readonly ChildOrderDraft[];
  readonly cancel: readonly string[];
  /** Changes to the state; absent fields stay as they were. */
  readonly sliceIndex?: number;
  readonly nextWakeAt?: number;
  readonly randomState?: number;
  readonly volumeAtLastSlice?: DecimalString;
}

const NOTHING: AlgoDecision = { submit: [], cancel: [] };

/** A child that takes liquidity now: an IOC limit at the parent's limit when it has one, a market order otherwise. */
function takerDraft(state: AlgoState, role: string, quantity: Decimal): ChildOrderDraft {
  const side = state.spec.side;
  if (state.limitPrice !== undefined) return { role, side, type: 'limit', quantity: quantity.toFixed(), price: state.limitPrice, timeInForce: 'IOC' };
  return { role, side, type: 'market', quantity: quantity.toFixed(), timeInForce: 'IOC' };
}

/** A child resting at `price` until it fills or is canceled. */
function restingDraft(state: AlgoState, role: string, quantity: Decimal, price: Decimal, postOnly: boolean): ChildOrderDraft {
  return { role, side: state.spec.side, type: 'limit', quantity: quantity.toFixed(), price: price.toFixed(), timeInForce: 'GTC', postOnly };
}

function hasBook(market: AlgoMarketView): market is AlgoMarketView & { bestBid: DecimalString; bestAsk: DecimalString } {
  return market.bestBid !== undefined && market.bestAsk !== undefined;
}

function scheduleOf(state: AlgoState) {
  const params = state.spec.params;
  if (params.kind !== 'twap' && params.kind !== 'vwap') throw new Error(`${state.spec.parentId} is a ${params.kind}, not a scheduled algo`);
  return params;
}

/** True once a scheduled algo's horizon has run out. */
export function isPastDeadline(state: AlgoState, now: number): boolean {
  return now >= deadline(scheduleOf(state));
}

/** The clock time a scheduled algo first wakes at: its start. */
export function firstWake(state: AlgoState): number {
  const params = state.spec.params;
  if (params.kind === 'twap' || params.kind === 'vwap') return sliceTime(params, 0);
  if (params.kind === 'chase') return params.startAt + params.crossAfterMs;
  throw new Error(`a ${params.kind} does not wake on a schedule`);
}

/**
 * TWAP and VWAP at a slice time: the slice due now, sized from what is left (missed slices are folded into
 * it, not sent one by one). A maker slice still resting from the last interval is canceled; what it did not
 * fill comes back to later slices.
 */
export function planScheduledSlice(state: AlgoState, now: number): AlgoDecision {
  const params = scheduleOf(state);
  const index = dueSliceIndex(params, now);
  if (index < 0) return { submit: [], cancel: [], nextWakeAt: sliceTime(params, 0) };
  if (index <= state.sliceIndex) return { submit: [], cancel: [], nextWakeAt: wakeAfterSlice(params, state.sliceIndex) };
  const cancel = workingChildren(state.ledger).map((child) => child.childId);
  const unassigned = unassignedQuantity(state.ledger, state.quantity);
  const slices = sliceCount(params);
  const last = index === slices - 1;
  let randomState = state.randomState;
  let target: Decimal;
  if (params.kind === 'twap') {
    target = twapSliceTarget(unassigned, slices - index);
    if (!last && decimal(params.randomization).gt(ZERO)) {
      const draw = drawSigned(randomState);
      randomState = draw.state;
      target = randomised(target, params.randomization, draw.value);
    }
  } else {
    const done = decimal(state.ledger.filledQuantity).plus(workingQuantity(state.ledger));
    target = last ? unassigned : vwapSliceTarget(state.quantity, params.profile, index, done);
    const cap = participationLimit(params.participationCap, decimal(state.market.observedVolume).minus(state.market.volumeAtLastSlice));
    if (cap !== undefined && target.gt(cap)) target = cap;
  }
  const quantity = fitSlice(target, unassigned, state.grid, last);
  const decision = { cancel, sliceIndex: index, nextWakeAt: wakeAfterSlice(params, index), randomState, volumeAtLastSlice: state.market.observedVolume };
  if (quantity.eq(ZERO)) return Object.assign({ submit: [] }, decision);
  if (params.style === 'taker') return Object.assign({ submit: [takerDraft(state, 'slice', quantity)] }, decision);
  const price = hasBook(state.market) ? capAtLimit(state.spec.side, passivePrice(state.spec.side, state.market.bestBid, state.market.bestAsk, 0, state.grid), state.limitPrice) : decimal(state.limitPrice!);
  return Object.assign({ submit: [restingDraft(state, 'slice', quantity, price, true)] }, decision);
}

/**
 * Send all that is left as takers (a scheduled algo's deadline, a chase crossing the spread). Children still
 * working are canceled; what they did not fill is swept at the next market data.
 */
export function planSweep(state: AlgoState): AlgoDecision {
  const cancel = workingChildren(state.ledger).filter((child) => child.role !== 'sweep').map((child) => child.childId);
  const unassigned = unassignedQuantity(state.ledger, state.quantity);
  const quantity = fitSlice(unassigned, unassigned, state.grid, true);
  if (quantity.eq(ZERO)) return { submit: [], cancel };
  if (state.limitPrice !== undefined && hasBook(state.market) && !withinLimit(state.spec.side, aggressivePrice(state.spec.side, state.market.bestBid, state.market.bestAsk), state.limitPrice)) {
    // The market is beyond the limit: an IOC at the limit would find nothing; wait for the market to come back.
    return { submit: [], cancel };
  }
  return { submit: [takerDraft(state, 'sweep', quantity)], cancel };
}

/**
 * POV on market data: keep filled + working at the target share of the volume seen, taking the far touch
 * (an IOC at it) in slices between the minimum and maximum. Nothing while the touch is beyond the limit.
 */
export function planParticipation(state: AlgoState): AlgoDecision {
  const params = state.spec.params;
  if (params.kind !== 'pov' || !hasBook(state.market)) return NOTHING;
  const price = aggressivePrice(state.spec.side, state.market.bestBid, state.market.bestAsk);
  if (!withinLimit(state.spec.side, price, state.limitPrice)) return NOTHING;
  const done = decimal(state.ledger.filledQuantity).plus(workingQuantity(state.ledger));
  const deficit = decimal(params.targetRate).times(state.market.observedVolume).minus(done);
  const unassigned = unassignedQuantity(state.ledger, state.quantity);
  const minSlice = decimal(params.minSlice);
  // The last bit may be smaller than minSlice: it goes once the deficit covers it.
  const finishing = unassigned.lt(minSlice) && deficit.gte(unassigned);
  if (deficit.lt(minSlice) && !finishing) return NOTHING;
  const desired = deficit.gt(params.maxSlice) ? decimal(params.maxSlice) : deficit;
  const quantity = fitSlice(desired, unassigned, state.grid, false);
  if (quantity.eq(ZERO) || (quantity.lt(minSlice) && !finishing)) return NOTHING;
  return { submit: [{ role: 'slice', side: state.spec.side, type: 'limit', quantity: quantity.toFixed(), price: price.toFixed(), timeInForce: 'IOC' }], cancel: [] };
}

/** Largest slice an iceberg may show: its display quantity spread up by the randomisation, on the lot. */
export function icebergMaximumShown(state: AlgoState): Decimal {
  const params = state.spec.params;
  if (params.kind !== 'iceberg') throw new Error(`${state.spec.parentId} is not an iceberg`);
  return fitSlice(randomised(decimal(params.displayQuantity), params.randomization, decimal(1)), decimal(params.displayQuantity).times('2'), state.grid, false);
}

/**
 * Where an iceberg shows its slice: passively, at the near touch (the best bid for a buy) or its limit when
 * that is further from the spread. A limit that would cross is not used as such: a slice resting at the touch
 * earns the spread the taker pays. Without a book yet, at the limit.
 */
export function icebergRestPrice(state: AlgoState): Decimal {
  if (!hasBook(state.market)) return decimal(state.limitPrice!);
  return capAtLimit(state.spec.side, passivePrice(state.spec.side, state.market.bestBid, state.market.bestAsk, 0, state.grid), state.limitPrice);
}

/**
 * Iceberg: when nothing shows, show the next slice where it rests passively (never more than the display
 * allows); a slice the market moved away from (it rests behind where it would now) is canceled, and the
 * refill shows at the new price once it has ended.
 */
export function planIcebergRefill(state: AlgoState): AlgoDecision {
  const params = state.spec.params;
  if (params.kind !== 'iceberg') return NOTHING;
  if (workingQuantity(state.ledger).gt(ZERO)) {
    const wanted = icebergRestPrice(state);
    const behind = workingChildren(state.ledger).filter((child) => child.price !== undefined && ticksAway(state.spec.side, child.price, wanted, state.grid).gte(ONE));
    return behind.length === 0 ? NOTHING : { submit: [], cancel: behind.map((child) => child.childId) };
  }
  const unassigned = unassignedQuantity(state.ledger, state.quantity);
  const maximum = icebergMaximumShown(state);
  let randomState = state.randomState;
  let target = decimal(params.displayQuantity);
  if (decimal(params.randomization).gt(ZERO)) {
    const draw = drawSigned(randomState);
    randomState = draw.state;
    target = randomised(target, params.randomization, draw.value);
  }
  const quantity = unassigned.lte(maximum) ? fitSlice(unassigned, unassigned, state.grid, true) : fitSlice(target.gt(maximum) ? maximum : target, unassigned, state.grid, false);
  if (quantity.eq(ZERO)) return { submit: [], cancel: [], randomState };
  return { submit: [restingDraft(state, 'slice', quantity, icebergRestPrice(state), false)], cancel: [], randomState };
}

function chaseParams(state: AlgoState) {
  const params = state.spec.params;
  if (params.kind !== 'chase') throw new Error(`${state.spec.parentId} is not a chase`);
  return params;
}

/** Where a chase wants to rest now: the near touch moved by its offset, never beyond the limit. */
export function chaseRestPrice(state: AlgoState): Decimal | undefined {
  if (!hasBook(state.market)) return undefined;
  const params = chaseParams(state);
  return capAtLimit(state.spec.side, passivePrice(state.spec.side, state.market.bestBid, state.market.bestAsk, params.offsetTicks, state.grid), state.limitPrice);
}

/** Chase: with nothing working, rest all that is left at the wanted price. */
export function planChaseRest(state: AlgoState): AlgoDecision {
  if (workingQuantity(state.ledger).gt(ZERO)) return NOTHING;
  const price = chaseRestPrice(state);
  if (price === undefined) return NOTHING;
  const unassigned = unassignedQuantity(state.ledger, state.quantity);
  const quantity = fitSlice(unassigned, unassigned, state.grid, true);
  if (quantity.eq(ZERO)) return NOTHING;
  return { submit: [restingDraft(state, 'chase', quantity, price, false)], cancel: [] };
}

/** Chase: resting children the market has moved away from by the re-price threshold. */
export function chaseChildrenToReprice(state: AlgoState): string[] {
  const wanted = chaseRestPrice(state);
  if (wanted === undefined) return [];
  const threshold = chaseParams(state).repriceTicks;
  return workingChildren(state.ledger)
    .filter((child) => child.price !== undefined && ticksAway(state.spec.side, child.price, wanted, state.grid).gte(decimal(threshold)))
    .map((child) => child.childId);
}

/** Chase: the market has moved away to the cross price (a buy's ask at or above it). */
export function chaseCrossPriceReached(state: AlgoState): boolean {
  const crossPrice = chaseParams(state).crossPrice;
  if (crossPrice === undefined || !hasBook(state.market)) return false;
  return state.spec.side === 'buy' ? decimal(state.market.bestAsk).gte(crossPrice) : decimal(state.market.bestBid).lte(crossPrice);
}

/** Working children priced beyond a (new) limit: they are canceled and their quantity re-sliced within it. */
export function childrenBeyondLimit(state: AlgoState, limitPrice: DecimalString): string[] {
  return workingChildren(state.ledger)
    .filter((child) => child.type === 'market' || (child.price !== undefined && !withinLimit(state.spec.side, decimal(child.price), limitPrice)))
    .map((child) => child.childId);
}

/** True when nothing is working and what is left cannot be sent (below the instrument's smallest order). */
export function isExhausted(state: AlgoState): boolean {
  if (workingQuantity(state.ledger).gt(ZERO)) return false;
  const left = decimal(state.quantity).minus(state.ledger.filledQuantity);
  return left.lt(smallestSlice(state.grid));
}

/** Outstanding quantity of each child still in play: for views and tests. */
export function outstandingByChild(ledger: ChildLedger): Record<string, DecimalString> {
  const result: Record<string, DecimalString> = {};
  for (const id of ledger.openIds) result[id] = outstandingQuantity(ledger.children[id]!).toFixed();
  return result;
}
