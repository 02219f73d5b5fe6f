// Model-based test of the order-list chart (OTO, OCO, OUO, bracket): generated walks through a venue model
// that executes legs (reduce-only exits never past the position it holds), delivers fills late or twice,
// answers amendments (refusing one below what executed), ends and rejects children, and a kill-and-restore
// at any step. After every step: fills add up exactly, the legs hold what the fills say (OCO, OUO, OTO,
// bracket rules), a bracket's exits cover exactly its position and nothing ever flips it. An OCO the venue
// holds is walked against a venue that executes one leg only and ends the others itself. Every transition
// the chart declares is walked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderListMachine, type OrderListContext, type OrderListMachineInput } from '../../machines/order-list.ts';
import type { ChildSubmission, OrderListEvent } from '../../machines/algos/algo-contract.ts';
import { filledByRole, workingChildren } from '../../src/domain/algo-children.ts';
import { decimal, ZERO, type Decimal } from '../../src/domain/decimal.ts';
import { bracketPosition, legTargets, othersOutstanding, parseOrderListSpec, reconcileLegs, triggerFilled, type OrderListInput } from '../../src/domain/order-list.ts';
import { BTC, declaredTransitions, recordWalked, withRecordedEffects, type Effect } from './algos/algo-driver.ts';

interface VenueChild {
  readonly submission: ChildSubmission;
  quantity: Decimal;
  executed: Decimal;
  undelivered: Array<{ tradeId: string; quantity: string; price: string }>;
  delivered: Array<{ tradeId: string; quantity: string; price: string }>;
  ended: boolean;
  cancelAsked: boolean;
  pendingAmendment?: Decimal;
}

const ACTIONS = ['executeAll', 'executePart', 'deliver', 'end', 'reject', 'duplicate', 'bogus', 'answerAmend', 'refuseAmend', 'cancel', 'restart', 'start'] as const;
type Action = (typeof ACTIONS)[number];

class ListWalk {
  readonly effects: Effect[] = [];
  readonly children = new Map<string, VenueChild>();
  accepted: Decimal = ZERO;
  actor: ReturnType<typeof createActor<typeof orderListMachine>>;
  private trade = 0;

  constructor(
    private readonly input: OrderListMachineInput,
    private readonly walked: Set<string>,
  ) {
    this.actor = this.create();
  }

  /** The venue holds the list: one leg executes, and the venue itself ends the others. */
  get native(): boolean {
    return this.input.heldAtVenue === true;
  }

  private create(snapshot?: unknown) {
    return createActor(withRecordedEffects(orderListMachine, this.effects), { input: this.input, ...(snapshot === undefined ? {} : { snapshot }), inspect: recordWalked(this.walked) } as never).start() as ReturnType<typeof createActor<typeof orderListMachine>>;
  }

  get context(): OrderListContext {
    return this.actor.getSnapshot().context;
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  send(event: OrderListEvent): void {
    this.actor.send(event);
    for (const effect of this.effects.splice(0)) {
      if (this.native) {
        // A venue's list is sent once, whole, and never resized; a cancel of one leg cancels them all.
        expect(effect.type).not.toBe('amendChild');
        if (effect.type === 'submitChild') expect(effect.params.venueList?.legIds).toEqual(this.context.spec.legs.map((_, index) => `${this.context.spec.listId}-E${index + 1}`));
        if (effect.type === 'cancelChild') for (const child of this.children.values()) child.cancelAsked = true;
      }
      if (effect.type === 'submitChild') {
        expect(this.children.has(effect.params.childId)).toBe(false);
        this.children.set(effect.params.childId, { submission: effect.params, quantity: decimal(effect.params.quantity), executed: ZERO, undelivered: [], delivered: [], ended: false, cancelAsked: false });
      } else if (effect.type === 'cancelChild') {
        this.children.get(effect.params.childId)!.cancelAsked = true;
      } else if (effect.type === 'amendChild') {
        this.children.get(effect.params.childId)!.pendingAmendment = decimal(effect.params.quantity!);
      }
    }
  }

  /** The position the venue holds for a bracket: entry executed less exits executed. */
  venuePosition(): Decimal {
    let position = ZERO;
    for (const child of this.children.values()) position = child.submission.role === 'entry' ? position.plus(child.executed) : child.submission.reduceOnly ? position.minus(child.executed) : position;
    return position;
  }

  step(action: Action, size: number): boolean {
    const all = [...this.children.values()];
    const open = all.filter((child) => !child.ended);
    const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[size % list.length]);
    const lot = decimal('0.001');
    const at = 1_000 + size;
    switch (action) {
      case 'executeAll':
      case 'executePart': {
        // At a venue's OCO only one leg ever executes.
        const executable = this.native && all.some((c) => c.executed.gt(ZERO)) ? all.filter((c) => c.executed.gt(ZERO)) : open;
        const child = pick(executable.filter((c) => !c.ended && c.quantity.gt(c.executed)));
        if (!child) return false;
        let left = child.quantity.minus(child.executed);
        // A reduce-only order never executes past the position: the venue refuses the excess.
        if (child.submission.reduceOnly) left = left.lt(this.venuePosition()) ? left : this.venuePosition();
        if (!left.gt(ZERO)) return false;
        const lots = Number(left.div(lot).round(0, 0).toFixed());
        const quantity = action === 'executeAll' ? left : lot.times(decimal(1 + (size % lots)));
        child.executed = child.executed.plus(quantity);
        this.trade += 1;
        child.undelivered.push({ tradeId: `T${this.trade}`, quantity: quantity.toFixed(), price: '100' });
        // The venue cancels the other legs itself, its reports possibly ahead of the fill's.
        if (this.native) for (const other of open) if (other !== child) this.end(other, 'canceled', at);
        return true;
      }
      case 'deliver': {
        const child = pick(all.filter((c) => c.undelivered.length > 0));
        if (!child) return false;
        const fill = child.undelivered.shift()!;
        child.delivered.push(fill);
        this.deliver(child, fill, at);
        if (size % 2 === 0 && !child.ended && child.executed.eq(child.quantity) && child.undelivered.length === 0) this.end(child, 'filled', at);
        return true;
      }
      case 'end': {
        const child = pick(open);
        if (!child) return false;
        // A venue's list ends whole (a leg expired or was canceled there).
        for (const ended of this.native ? open : [child]) this.end(ended, 'canceled', at);
        return true;
      }
      case 'reject': {
        const child = pick(open.filter((c) => c.executed.eq(ZERO)));
        if (!child) return false;
        if (this.native && all.some((c) => c.executed.gt(ZERO))) return false;
        // A venue rejects its list whole.
        for (const rejected of this.native ? open : [child]) this.end(rejected, size % 2 === 0 ? 'rejected' : 'denied', at);
        return true;
      }
      case 'duplicate': {
        const child = pick(all.filter((c) => c.delivered.length > 0));
        if (!child) return false;
        this.deliver(child, child.delivered[size % child.delivered.length]!, at);
        return true;
      }
      case 'bogus': {
        const child = pick(all);
        const before = this.context.ledger.filledQuantity;
        this.trade += 1;
        this.send({ type: 'child.filled', at, childId: child && size % 3 !== 0 ? child.submission.childId : 'other-E1', tradeId: `X${this.trade}`, quantity: child ? child.quantity.plus(lot).toFixed() : '1', price: '100' });
        expect(this.context.ledger.filledQuantity).toBe(before);
        return true;
      }
      case 'answerAmend':
      case 'refuseAmend': {
        const child = pick(open.filter((c) => c.pendingAmendment !== undefined));
        if (!child) return false;
        const wanted = child.pendingAmendment!;
        child.pendingAmendment = undefined;
        // The venue cannot take an order below what it executed.
        if (action === 'answerAmend' && wanted.gte(child.executed)) {
          child.quantity = wanted;
          this.send({ type: 'child.amended', at, childId: child.submission.childId, quantity: wanted.toFixed() });
        } else {
          this.send({ type: 'child.amendRejected', at, childId: child.submission.childId, reason: 'refused' });
        }
        return true;
      }
      case 'cancel':
        if (size % 3 !== 0) return false;
        this.send({ type: 'cancel', at });
        return true;
      case 'restart': {
        const persisted = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot()));
        this.actor.stop();
        this.actor = this.create(persisted);
        return true;
      }
      case 'start':
        this.send({ type: 'start', at });
        return true;
    }
  }

  private deliver(child: VenueChild, fill: { tradeId: string; quantity: string; price: string }, at: number): void {
    const before = decimal(this.context.ledger.filledQuantity);
    this.send({ type: 'child.filled', at, childId: child.submission.childId, ...fill });
    this.accepted = this.accepted.plus(decimal(this.context.ledger.filledQuantity).minus(before));
  }

  private end(child: VenueChild, status: 'filled' | 'canceled' | 'rejected' | 'denied', at: number): void {
    child.ended = true;
    child.pendingAmendment = undefined;
    this.send({ type: 'child.ended', at, childId: child.submission.childId, status, remaining: child.quantity.minus(child.executed).toFixed() });
  }

  check(where: string): void {
    const context = this.context;
    expect(context.ledger.filledQuantity, where).toBe(this.accepted.toFixed());
    // The fills per leg add up to the list's filled quantity, and no open child has more than the venue executed.
    const byRole = Object.values(context.ledger.filledByRole).reduce((total, quantity) => total.plus(quantity), ZERO);
    expect(byRole.toFixed(), where).toBe(context.ledger.filledQuantity);
    for (const id of context.ledger.openIds) expect(decimal(context.ledger.children[id]!.filledQuantity).lte(this.children.get(id)!.executed), where).toBe(true);
    const spec = context.spec;
    if (spec.kind === 'bracket') {
      // Racing fills never flip the position: at the venue (reduce-only) nor in the list's own accounting.
      expect(this.venuePosition().gte(ZERO), `${where}: venue position ${this.venuePosition().toFixed()}`).toBe(true);
      // In the list's own accounting only once every report is in: an exit's fill may arrive before the entry's.
      if ([...this.children.values()].every((child) => child.undelivered.length === 0)) expect(bracketPosition(context).gte(ZERO), where).toBe(true);
    }
    if (this.native) {
      // One leg at most has fills, and a list whose legs all ended has ended too.
      expect(spec.legs.filter((leg) => filledByRole(context.ledger, leg.role).gt(ZERO)).length, where).toBeLessThanOrEqual(1);
      const allEnded = this.children.size > 0 && [...this.children.values()].every((child) => child.ended && child.undelivered.length === 0);
      if (allEnded) expect(['completed', 'canceled', 'failed'], where).toContain(this.state);
      if (allEnded && context.ledger.filledQuantity !== '0') expect(this.state, where).not.toBe('failed');
    } else if (this.state === 'active') {
      // The legs hold what the fills say: nothing left to submit, amend or cancel.
      const decision = reconcileLegs(context);
      expect(decision, where).toEqual({ submit: [], amend: [], cancel: [] });
      const targets = legTargets(context);
      for (const leg of spec.legs) {
        const working = workingChildren(context.ledger).filter((child) => child.role === leg.role && !context.cancelRequested.includes(child.childId));
        const asked = working.reduce((total, child) => total.plus(context.requested[child.childId] ?? child.quantity).minus(child.filledQuantity), ZERO);
        const others = othersOutstanding(context, leg.role);
        const target = targets.get(leg.role)!;
        // The working child holds the target less what the leg's other children may still fill, never less than 0.
        expect(asked.toFixed(), `${where}: ${leg.role}`).toBe((target.gt(others) ? target.minus(others) : ZERO).toFixed());
        // A protective leg, with what its cancelled predecessors may still fill, never covers less than the position.
        if (spec.kind === 'bracket') expect(asked.plus(others).gte(bracketPosition(context)), `${where}: ${leg.role} vs position`).toBe(true);
        // An OTO leg never asks for more than the trigger filled: it cannot over-execute.
        if (spec.kind === 'oto') expect(asked.plus(others).plus(filledByRole(context.ledger, leg.role)).lte(triggerFilled(context).gt(ZERO) ? triggerFilled(context) : ZERO) || others.gt(target), where).toBe(true);
      }
      if (spec.kind === 'oco' && spec.legs.some((leg) => filledByRole(context.ledger, leg.role).gt(ZERO))) {
        // One filled: the others hold nothing.
        for (const leg of spec.legs) if (filledByRole(context.ledger, leg.role).eq(ZERO)) expect(targets.get(leg.role)!.eq(ZERO), where).toBe(true);
      }
    }
  }

  /** The venue sends everything it still owes: every fill, every amendment answer, every end. */
  settle(): void {
    for (let guard = 0; guard < 200; guard++) {
      if (this.step('deliver', 0) || this.step('answerAmend', 0)) continue;
      const canceled = [...this.children.values()].find((child) => child.cancelAsked && !child.ended);
      if (canceled) {
        this.end(canceled, 'canceled', 2_000);
        continue;
      }
      break;
    }
  }
}

const specs: Record<string, OrderListInput> = {
  bracket: { kind: 'bracket', listId: 'b1', symbol: 'BTC/USDT', entry: { side: 'buy', type: 'limit', quantity: '0.01', price: '100' }, takeProfit: { side: 'sell', type: 'limit', price: '110' }, stopLoss: { side: 'sell', type: 'stop', stopPrice: '95' } },
  oto: { kind: 'oto', listId: 'o1', symbol: 'BTC/USDT', trigger: { side: 'buy', type: 'limit', quantity: '0.01', price: '100' }, legs: [{ side: 'sell', type: 'limit', price: '105' }] },
  otoComplete: { kind: 'oto', listId: 'o2', symbol: 'BTC/USDT', release: 'completeFill', trigger: { side: 'sell', type: 'limit', quantity: '0.008', price: '100' }, legs: [{ side: 'buy', type: 'limit', price: '95' }, { side: 'buy', type: 'stop', stopPrice: '104' }] },
  oco: { kind: 'oco', listId: 'c1', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '0.01', price: '110' }, { side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '95' }] },
  ouo: { kind: 'ouo', listId: 'u1', symbol: 'BTC/USDT', legs: [{ side: 'sell', type: 'limit', quantity: '0.01', price: '110' }, { side: 'sell', type: 'stop', quantity: '0.006', stopPrice: '95' }] },
};

const profiles: Record<string, readonly Action[]> = {
  any: ACTIONS,
  progress: ['executeAll', 'executePart', 'executePart', 'deliver', 'deliver', 'answerAmend', 'end'],
  hostile: ['reject', 'reject', 'reject', 'refuseAmend', 'answerAmend', 'end', 'executePart', 'deliver', 'bogus', 'cancel'],
  racing: ['executePart', 'executeAll', 'executePart', 'deliver', 'answerAmend', 'refuseAmend', 'restart', 'duplicate'],
};
const segment = fc.constantFrom(...Object.values(profiles)).chain((actions) => fc.array(fc.record({ action: fc.constantFrom(...actions), size: fc.nat(10_000) }), { minLength: 1, maxLength: 40 }));
const windDown = fc.array(fc.record({ action: fc.constantFrom<Action>('deliver', 'duplicate', 'bogus', 'answerAmend', 'end', 'cancel'), size: fc.nat(10_000) }), { maxLength: 12 });
const walks = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), windDown).map(([segments, tail]) => [...segments.flat(), ...tail]);

describe('order-list chart, model-based', () => {
  const walked = new Set<string>();

  const cases = [...Object.keys(specs).map((name) => [name, false] as const), ['oco', true] as const];
  it.each(cases)('%s (held at the venue: %s): any interleaving keeps the legs sized to the fills and never flips a position', (name, heldAtVenue) => {
    const input: OrderListMachineInput = { spec: parseOrderListSpec(specs[name], BTC), createdAt: 0, heldAtVenue };
    fc.assert(
      fc.property(walks, fc.boolean(), (steps, startAtOnce) => {
        const walk = new ListWalk(input, walked);
        if (startAtOnce) walk.send({ type: 'start', at: 0 });
        steps.forEach(({ action, size }, index) => {
          if (walk.step(action, size)) walk.check(`step ${index} (${action}) in ${walk.state}`);
        });
        // Once the venue has said all it owes, a bracket's exits equal its filled entry.
        walk.settle();
        walk.check('settled');
        const context = walk.context;
        if (context.spec.kind === 'bracket' && walk.state === 'active') {
          const entry = triggerFilled(context);
          const exitsFilled = context.spec.legs.reduce((total, leg) => total.plus(filledByRole(context.ledger, leg.role)), ZERO);
          for (const leg of context.spec.legs) {
            const working = workingChildren(context.ledger).filter((child) => child.role === leg.role && !context.cancelRequested.includes(child.childId));
            const open = working.reduce((total, child) => total.plus(child.quantity).minus(child.filledQuantity), ZERO).plus(othersOutstanding(context, leg.role));
            expect(exitsFilled.plus(open).toFixed(), leg.role).toBe(entry.toFixed());
          }
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  }, 120_000);

  it('walks every transition the chart declares', () => {
    const declared = declaredTransitions(orderListMachine);
    expect(declared.length).toBeGreaterThan(15);
    expect(declared.filter((transition) => !walked.has(transition))).toEqual([]);
  });
});
