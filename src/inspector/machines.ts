// Machine definitions for drawing: each chart's states and transitions (event, targets, guard and action names)
// flattened from `machine.root` into plain JSON, served once per machine id and version.
import type { AnyStateMachine } from 'xstate';
import { ORDER_MACHINE_VERSION, orderMachine } from '../../machines/order.ts';
import { ALGO_MACHINE_VERSION } from '../../machines/algos/algo-setup.ts';
import { chaseMachine } from '../../machines/algos/chase.ts';
import { icebergMachine } from '../../machines/algos/iceberg.ts';
import { povMachine } from '../../machines/algos/pov.ts';
import { twapMachine } from '../../machines/algos/twap.ts';
import { vwapMachine } from '../../machines/algos/vwap.ts';
import { ORDER_LIST_MACHINE_VERSION, orderListMachine } from '../../machines/order-list.ts';
import { PORTFOLIO_MACHINE_VERSION, portfolioMachine } from '../../machines/portfolio.ts';
import { POSITION_MACHINE_VERSION, positionMachine } from '../../machines/position.ts';

export interface TransitionDrawing {
  readonly event: string;
  /** State ids (dotted paths from the machine id); empty for a transition that changes no state. */
  readonly targets: readonly string[];
  readonly guard?: string;
  readonly actions: readonly string[];
}

export interface StateDrawing {
  /** Dotted path including the machine id, e.g. `order.partial` or `position.open.stop.trailing`. */
  readonly id: string;
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly initial?: string;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  readonly transitions: readonly TransitionDrawing[];
  readonly states: readonly StateDrawing[];
}

export interface MachineDrawing {
  readonly id: string;
  readonly version: number;
  readonly root: StateDrawing;
}

interface StateNodeLike {
  readonly id: string;
  readonly key: string;
  readonly type: StateDrawing['type'];
  readonly initial?: { readonly target: readonly StateNodeLike[] };
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly states: Record<string, StateNodeLike>;
  readonly transitions: Map<string, ReadonlyArray<{ readonly target?: readonly StateNodeLike[]; readonly guard?: unknown; readonly actions: readonly unknown[] }>>;
  readonly always?: ReadonlyArray<{ readonly target?: readonly StateNodeLike[]; readonly guard?: unknown; readonly actions: readonly unknown[] }>;
}

/** The machines the engine runs, by the id their actors are drawn with. */
export const INSPECTED_MACHINES: Readonly<Record<string, { readonly machine: AnyStateMachine; readonly version: number }>> = {
  order: { machine: orderMachine, version: ORDER_MACHINE_VERSION },
  position: { machine: positionMachine, version: POSITION_MACHINE_VERSION },
  portfolio: { machine: portfolioMachine, version: PORTFOLIO_MACHINE_VERSION },
  // Execution algorithms (one chart per kind) and order lists (one chart for OTO, OCO, OUO and brackets).
  twap: { machine: twapMachine, version: ALGO_MACHINE_VERSION },
  vwap: { machine: vwapMachine, version: ALGO_MACHINE_VERSION },
  pov: { machine: povMachine, version: ALGO_MACHINE_VERSION },
  iceberg: { machine: icebergMachine, version: ALGO_MACHINE_VERSION },
  chase: { machine: chaseMachine, version: ALGO_MACHINE_VERSION },
  orderList: { machine: orderListMachine, version: ORDER_LIST_MACHINE_VERSION },
};

const drawings = new Map<string, MachineDrawing>();

/** The drawing of a machine by id, computed once; undefined for an unknown id. */
export function machineDrawing(machineId: string): MachineDrawing | undefined {
  const cached = drawings.get(machineId);
  if (cached !== undefined) return cached;
  const known = INSPECTED_MACHINES[machineId];
  if (known === undefined) return undefined;
  const drawing = { id: machineId, version: known.version, root: drawState(known.machine.root as unknown as StateNodeLike) };
  drawings.set(machineId, drawing);
  return drawing;
}

function drawState(node: StateNodeLike): StateDrawing {
  const transitions: TransitionDrawing[] = [];
  for (const [event, candidates] of node.transitions) {
    for (const candidate of candidates) transitions.push(drawTransition(event, candidate));
  }
  for (const candidate of node.always ?? []) transitions.push(drawTransition('always', candidate));
  const initialTarget = node.initial?.target[0];
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    initial: initialTarget?.id,
    entry: node.entry.map(nameOf),
    exit: node.exit.map(nameOf),
    transitions,
    states: Object.values(node.states).map(drawState),
  };
}

function drawTransition(event: string, candidate: { readonly target?: readonly StateNodeLike[]; readonly guard?: unknown; readonly actions: readonly unknown[] }): TransitionDrawing {
  const guard = candidate.guard === undefined ? undefined : nameOf(candidate.guard);
  return {
    event,
    targets: (candidate.target ?? []).map((target) => target.id),
    ...(guard === undefined ? {} : { guard }),
    actions: candidate.actions.map(nameOf),
  };
}

/** A guard's or action's name: the string, an object's `type`, or a built-in's own type (assign, emit...). */
function nameOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') {
    const type = (value as { type?: unknown }).type;
    return typeof type === 'string' ? type : value.name || 'inline';
  }
  if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') return (value as { type: string }).type;
  return 'inline';
}
