// Test support: runs an algo or order-list chart as the engine would, with its effects recorded in a queue
// that the test (or its fake venue) drains after each transition; no venue, no engine.
import { createActor, type AnyStateMachine, type InspectionEvent, type AnyTransitionDefinition } from 'xstate';
import type { AmendChildParams, CancelChildParams, ChildSubmission } from '../../../machines/algos/algo-contract.ts';
import { createInstrument, type Instrument } from '../../../src/domain/instrument.ts';
import { parseAlgoSpec, type AlgoSpecInput } from '../../../src/domain/algo-params.ts';
import type { AlgoMachineInput } from '../../../machines/algos/algo-setup.ts';

export type Effect =
  | { readonly type: 'submitChild'; readonly params: ChildSubmission }
  | { readonly type: 'cancelChild'; readonly params: CancelChildParams }
  | { readonly type: 'amendChild'; readonly params: AmendChildParams };

export const BTC: Instrument = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.001', minNotional: '0', makerFee: '0.001', takerFee: '0.001',
});

export const START = Date.UTC(2026, 0, 1, 9);

export function algoInput(spec: AlgoSpecInput, seed = 7, instrument: Instrument = BTC): AlgoMachineInput {
  return {
    spec: parseAlgoSpec(spec, instrument, START),
    grid: { tickSize: instrument.spec.tickSize, lotSize: instrument.spec.lotSize, minQuantity: instrument.spec.minQuantity },
    createdAt: START,
    randomSeed: seed,
  };
}

/** The machine with its effects queued into `effects` instead of run (the engine runs them after the transition). */
export function withRecordedEffects<M extends AnyStateMachine>(machine: M, effects: Effect[]): M {
  return machine.provide({
    actions: {
      submitChild: (_: unknown, params: ChildSubmission) => effects.push({ type: 'submitChild', params }),
      cancelChild: (_: unknown, params: CancelChildParams) => effects.push({ type: 'cancelChild', params }),
      amendChild: (_: unknown, params: AmendChildParams) => effects.push({ type: 'amendChild', params }),
    },
  } as never) as M;
}

/** Walked transitions by name: provided machines have their own transition objects. */
export function transitionName(transition: AnyTransitionDefinition): string {
  const index = (transition.source.transitions.get(transition.eventType) ?? transition.source.always ?? []).indexOf(transition);
  return `${transition.source.id} on ${transition.eventType || 'always'} #${index}`;
}

export function declaredTransitions(machine: AnyStateMachine): string[] {
  const declared: string[] = [];
  const visit = (node: AnyStateMachine['root']) => {
    for (const [event, transitions] of node.transitions) transitions.forEach((_t, index) => declared.push(`${node.id} on ${event} #${index}`));
    (node.always ?? []).forEach((_t, index) => declared.push(`${node.id} on always #${index}`));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return declared;
}

export function recordWalked(walked: Set<string>) {
  return (inspection: InspectionEvent) => {
    if (inspection.type === '@xstate.microstep') for (const transition of inspection._transitions) walked.add(transitionName(transition));
  };
}

export function startActor<M extends AnyStateMachine>(machine: M, input: unknown, effects: Effect[], walked?: Set<string>, snapshot?: unknown) {
  return createActor(withRecordedEffects(machine, effects), {
    input,
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(walked === undefined ? {} : { inspect: recordWalked(walked) }),
  } as never).start();
}
