// Contingent order lists (OTO, OCO, OUO, bracket): their spec and validation, and the one rule that sizes
// every contingent leg from the fills seen so far. Pure. The chart asks for the difference between what each
// leg should hold and what it holds (submit, amend, cancel), so racing fills always converge on the facts.
import { z } from 'zod';
import { decimal, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import type { Instrument } from './instrument.ts';
import { decimalInput, optionalDecimalInput, ORDER_SIDES, ORDER_TYPES, priceIssue, quantityIssue, TIME_IN_FORCE, type OrderSide, type OrderType, type TimeInForce } from './order-request.ts';
import { filledByRole, outstandingQuantity, workingChildren, type ChildLedger, type ChildOrderDraft } from './algo-children.ts';
import { legChanges, openTargets, type ContingencyRelation, type WorkingLegOrder } from './contingency.ts';

export const ORDER_LIST_KINDS = ['oto', 'oco', 'ouo', 'bracket'] as const;
export type OrderListKind = (typeof ORDER_LIST_KINDS)[number];

/** When an OTO releases its contingent legs: at the trigger's first fill, or once it filled completely. */
export type ReleasePolicy = 'firstFill' | 'completeFill';

export interface OrderListLeg {
  /** Unique within the list; the leg's children carry it as their role. */
  readonly role: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Fixed for OCO and OUO legs and for a trigger; contingent legs of an OTO or bracket are sized from fills. */
  readonly quantity?: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
}

export interface OrderListSpec {
  readonly listId: string;
  /** The venue its legs go to (the engine's default when absent). */
  readonly venue?: string;
  readonly symbol: string;
  readonly kind: OrderListKind;
  /** The order whose fills release the others (OTO's parent, a bracket's entry). */
  readonly trigger?: OrderListLeg;
  readonly legs: readonly OrderListLeg[];
  readonly release: ReleasePolicy;
}

export class OrderListError extends Error {
  override name = 'OrderListError';
  readonly code = 'invalid_order_list';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

const legSchema = z.strictObject({
  role: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,15}$/, 'role must be 1 to 16 letters and digits, starting with a letter').optional(),
  side: z.enum(ORDER_SIDES, { error: 'side must be "buy" or "sell"' }),
  type: z.enum(ORDER_TYPES, { error: `type must be one of ${ORDER_TYPES.join(', ')}` }),
  quantity: optionalDecimalInput('quantity'),
  price: optionalDecimalInput('price'),
  stopPrice: optionalDecimalInput('stopPrice'),
  timeInForce: z.enum(TIME_IN_FORCE).optional(),
  postOnly: z.boolean().optional(),
  reduceOnly: z.boolean().optional(),
});

const idField = z.string().regex(/^[A-Za-z0-9._:-]{1,28}$/, 'listId must be 1 to 28 characters of letters, digits, ".", "_", ":" or "-"');
const venueField = z.string().min(1).optional();

const listSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('oto'), listId: idField, venue: venueField, symbol: z.string().min(1), trigger: legSchema, legs: z.array(legSchema).min(1, 'an OTO needs at least one contingent leg'), release: z.enum(['firstFill', 'completeFill']).default('firstFill') }),
    z.strictObject({ kind: z.literal('oco'), listId: idField, venue: venueField, symbol: z.string().min(1), legs: z.array(legSchema).min(2, 'an OCO needs at least two legs') }),
    z.strictObject({ kind: z.literal('ouo'), listId: idField, venue: venueField, symbol: z.string().min(1), legs: z.array(legSchema).min(2, 'an OUO needs at least two legs') }),
    z.strictObject({ kind: z.literal('bracket'), listId: idField, venue: venueField, symbol: z.string().min(1), entry: legSchema, takeProfit: legSchema, stopLoss: legSchema }),
  ],
  { error: `kind must be one of ${ORDER_LIST_KINDS.join(', ')}` },
);

export type OrderListInput = z.input<typeof listSchema>;

/** Parses and checks a list against its instrument (undefined: unknown symbol). Throws OrderListError. */
export function parseOrderListSpec(input: unknown, instrument: Instrument | undefined): OrderListSpec {
  const result = listSchema.safeParse(input);
  if (!result.success) throw new OrderListError(result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
  const parsed = result.data;
  const venue = parsed.venue === undefined ? {} : { venue: parsed.venue };
  const named = (leg: z.output<typeof legSchema>, role: string): OrderListLeg => Object.assign({}, leg, { role: leg.role ?? role });
  let spec: OrderListSpec;
  if (parsed.kind === 'bracket') {
    const exit = { reduceOnly: true };
    spec = {
      ...venue, listId: parsed.listId, symbol: parsed.symbol, kind: 'bracket', release: 'firstFill',
      trigger: named(parsed.entry, 'entry'),
      legs: [Object.assign(named(parsed.takeProfit, 'takeProfit'), exit), Object.assign(named(parsed.stopLoss, 'stopLoss'), exit)],
    };
  } else if (parsed.kind === 'oto') {
    spec = { ...venue, listId: parsed.listId, symbol: parsed.symbol, kind: 'oto', release: parsed.release, trigger: named(parsed.trigger, 'parent'), legs: parsed.legs.map((leg, index) => named(leg, `leg${index + 1}`)) };
  } else {
    spec = { ...venue, listId: parsed.listId, symbol: parsed.symbol, kind: parsed.kind, release: 'firstFill', legs: parsed.legs.map((leg, index) => named(leg, `leg${index + 1}`)) };
  }
  const issues = orderListIssues(spec, instrument);
  if (issues.length > 0) throw new OrderListError(issues);
  return spec;
}

/** Every reason the list cannot be honoured whole; empty when it can. */
export function orderListIssues(spec: OrderListSpec, instrument: Instrument | undefined): string[] {
  if (instrument === undefined) return [`unknown symbol ${spec.symbol}`];
  if (instrument.symbol !== spec.symbol) return [`the instrument given is ${instrument.symbol}, not ${spec.symbol}`];
  const issues: string[] = [];
  const all = spec.trigger === undefined ? spec.legs : [spec.trigger, ...spec.legs];
  const roles = new Set(all.map((leg) => leg.role));
  if (roles.size !== all.length) issues.push('leg roles must be unique within a list');
  for (const leg of all) {
    const where = leg.role;
    const sizedFromFills = spec.trigger !== undefined && leg !== spec.trigger;
    if (sizedFromFills && leg.quantity !== undefined) issues.push(`${where}: a contingent leg is sized from the ${spec.kind === 'bracket' ? 'entry' : 'parent'}'s fills; leave its quantity out`);
    if (!sizedFromFills) {
      if (leg.quantity === undefined) issues.push(`${where}: quantity is required`);
      else {
        const problem = quantityIssue(leg.quantity, instrument);
        if (problem) issues.push(`${where}: ${problem}`);
        else if (decimal(leg.quantity).lt(instrument.minQuantity)) issues.push(`${where}: quantity ${leg.quantity} is below the minimum ${instrument.spec.minQuantity}`);
      }
    }
    const priced = leg.type === 'limit' || leg.type === 'stopLimit' || leg.type === 'takeProfitLimit';
    const stopped = leg.type === 'stop' || leg.type === 'stopLimit' || leg.type === 'takeProfit' || leg.type === 'takeProfitLimit';
    if (priced && leg.price === undefined) issues.push(`${where}: price is required for a ${leg.type} leg`);
    if (!priced && leg.price !== undefined) issues.push(`${where}: price is not allowed on a ${leg.type} leg`);
    if (stopped && leg.stopPrice === undefined) issues.push(`${where}: stopPrice is required for a ${leg.type} leg`);
    if (!stopped && leg.stopPrice !== undefined) issues.push(`${where}: stopPrice is not allowed on a ${leg.type} leg`);
    if (leg.type === 'trailingStop') issues.push(`${where}: trailing stops are not supported in order lists`);
    for (const field of ['price', 'stopPrice'] as const) {
      const value = leg[field];
      const problem = value === undefined ? undefined : priceIssue(field, value, instrument);
      if (problem) issues.push(`${where}: ${problem}`);
    }
  }
  if (spec.kind === 'oco' || spec.kind === 'ouo') {
    if (new Set(spec.legs.map((leg) => leg.side)).size > 1) issues.push(`the legs of an ${spec.kind.toUpperCase()} must be on one side: they are alternatives for the same quantity`);
  }
  if (spec.kind === 'bracket' && spec.trigger !== undefined) issues.push(...bracketIssues(spec.trigger, spec.legs[0]!, spec.legs[1]!));
  return issues;
}

/** A bracket's exits sit on the other side of the entry, the take-profit beyond it and the stop behind it. */
function bracketIssues(entry: OrderListLeg, takeProfit: OrderListLeg, stopLoss: OrderListLeg): string[] {
  const issues: string[] = [];
  const exitSide = entry.side === 'buy' ? 'sell' : 'buy';
  if (takeProfit.side !== exitSide || stopLoss.side !== exitSide) issues.push(`a ${entry.side} entry's take-profit and stop-loss must ${exitSide}`);
  if (takeProfit.type !== 'limit' && takeProfit.type !== 'takeProfit' && takeProfit.type !== 'takeProfitLimit') issues.push(`takeProfit must be a limit, takeProfit or takeProfitLimit order, not ${takeProfit.type}`);
  if (stopLoss.type !== 'stop' && stopLoss.type !== 'stopLimit') issues.push(`stopLoss must be a stop or stopLimit order, not ${stopLoss.type}`);
  const reference = entry.price;
  const target = takeProfit.price ?? takeProfit.stopPrice;
  const stop = stopLoss.stopPrice;
  if (reference !== undefined && target !== undefined && stop !== undefined) {
    const long = entry.side === 'buy';
    const targetBeyond = long ? decimal(target).gt(reference) : decimal(target).lt(reference);
    const stopBehind = long ? decimal(stop).lt(reference) : decimal(stop).gt(reference);
    if (!targetBeyond) issues.push(`the take-profit ${target} must be ${long ? 'above' : 'below'} the entry ${reference}`);
    if (!stopBehind) issues.push(`the stop-loss ${stop} must be ${long ? 'below' : 'above'} the entry ${reference}`);
  }
  return issues;
}

/** What the list's legs know: its spec, its children, and each child's requested total. */
export interface OrderListState {
  readonly spec: OrderListSpec;
  readonly ledger: ChildLedger;
  /** Total quantity last asked of each working child (its quantity, or what an amendment asked). */
  readonly requested: Readonly<Record<string, DecimalString>>;
  /** Children a cancel was asked for. */
  readonly cancelRequested: readonly string[];
  readonly released: boolean;
}

/** The trigger's filled quantity (zero for lists without one). */
export function triggerFilled(state: Pick<OrderListState, 'spec' | 'ledger'>): Decimal {
  return state.spec.trigger === undefined ? ZERO : filledByRole(state.ledger, state.spec.trigger.role);
}

/** True when the trigger has done what releases the contingent legs. */
export function releaseDue(state: Pick<OrderListState, 'spec' | 'ledger'>): boolean {
  const trigger = state.spec.trigger;
  if (trigger === undefined) return true;
  const filled = triggerFilled(state);
  if (!filled.gt(ZERO)) return false;
  if (state.spec.release === 'firstFill') return true;
  // Only once it filled completely, or it ended with what it filled: what filled must not stay unprotected.
  const triggerWorking = workingChildren(state.ledger).some((child) => child.role === trigger.role);
  return filled.eq(trigger.quantity!) || !triggerWorking;
}

/** How each kind of list relates its contingent legs (src/domain/contingency.ts has the one rule). */
const RELATION_OF_KIND: Readonly<Record<OrderListKind, ContingencyRelation>> = {
  oco: 'cancelsOthers',
  ouo: 'updatesOthers',
  oto: 'followsTrigger',
  bracket: 'protectsPosition',
};

/**
 * What each contingent leg should still have open, from fills alone (keyed by role):
 * - bracket: the position, entry filled - exits filled, on every exit (one updates the other);
 * - OTO: the trigger's filled quantity less what that leg filled;
 * - OUO: the leg's quantity less what all legs filled;
 * - OCO: the leg's quantity less what it filled, and nothing for the others once any leg filled.
 */
export function legTargets(state: Pick<OrderListState, 'spec' | 'ledger' | 'released'>): Map<string, Decimal> {
  if (!state.released) return new Map();
  const { spec, ledger } = state;
  return openTargets({
    relation: RELATION_OF_KIND[spec.kind],
    legs: spec.legs.map((leg) => ({ id: leg.role, quantity: leg.quantity === undefined ? undefined : decimal(leg.quantity), filled: filledByRole(ledger, leg.role) })),
    basis: spec.kind === 'bracket' ? bracketPosition(state) : triggerFilled(state),
  });
}

export interface LegSubmission extends ChildOrderDraft {}

export interface OrderListDecision {
  readonly submit: readonly LegSubmission[];
  readonly amend: readonly { readonly childId: string; readonly quantity: DecimalString }[];
  readonly cancel: readonly string[];
}

export function legDraft(leg: OrderListLeg, quantity: Decimal): LegSubmission {
  const draft: ChildOrderDraft = {
    role: leg.role,
    side: leg.side,
    type: leg.type,
    quantity: quantity.toFixed(),
    price: leg.price,
    stopPrice: leg.stopPrice,
    timeInForce: leg.timeInForce,
    postOnly: leg.postOnly,
    reduceOnly: leg.reduceOnly,
  };
  return draft;
}

/**
 * What a leg's other children (ended with fills still on their way, or working with a cancel asked) may still
 * fill: the leg's working child is sized so that, with them, it holds the target and no more.
 */
export function othersOutstanding(state: Pick<OrderListState, 'ledger' | 'cancelRequested'>, role: string): Decimal {
  let total = ZERO;
  for (const id of state.ledger.openIds) {
    const child = state.ledger.children[id]!;
    if (child.role !== role) continue;
    if (child.status === 'ended' || state.cancelRequested.includes(id)) total = total.plus(outstandingQuantity(child));
  }
  return total;
}

/**
 * The difference between what each released leg should have open and what its working child was asked to
 * hold: an amendment to the child's fills plus its share, a cancel when nothing should be open, a new child
 * when none works (the first release, or a replacement for one the venue ended or refused to amend).
 */
export function reconcileLegs(state: OrderListState): OrderListDecision {
  const submit: LegSubmission[] = [];
  const cancel: string[] = [];
  const targets = legTargets(state);
  const working = workingChildren(state.ledger);
  // Each leg's one working child and what it should still hold; the shared rule turns that into amend or cancel.
  const childTargets = new Map<string, Decimal>();
  const held: WorkingLegOrder[] = [];
  for (const leg of state.spec.legs) {
    const target = targets.get(leg.role);
    if (target === undefined) continue;
    const left = target.minus(othersOutstanding(state, leg.role));
    const share = left.gt(ZERO) ? left : ZERO;
    const children = working.filter((child) => child.role === leg.role && !state.cancelRequested.includes(child.childId));
    if (children.length === 0) {
      if (share.gt(ZERO)) submit.push(legDraft(leg, share));
      continue;
    }
    const [first, ...others] = children;
    // One working child per leg; any other (a replacement raced an end) is canceled.
    cancel.push(...others.map((child) => child.childId));
    childTargets.set(first!.childId, share);
    held.push({ id: first!.childId, filled: decimal(first!.filledQuantity), requested: decimal(state.requested[first!.childId] ?? first!.quantity) });
  }
  const changes = legChanges(childTargets, held);
  return {
    submit,
    amend: changes.amend.map((amendment) => ({ childId: amendment.id, quantity: amendment.quantity.toFixed() })),
    cancel: [...changes.cancel, ...cancel],
  };
}

/** The position a bracket holds: entry filled less exits filled (negative only if a venue broke reduce-only). */
export function bracketPosition(state: Pick<OrderListState, 'spec' | 'ledger'>): Decimal {
  const exits = state.spec.legs.reduce((sum, leg) => sum.plus(filledByRole(state.ledger, leg.role)), ZERO);
  return triggerFilled(state).minus(exits);
}
