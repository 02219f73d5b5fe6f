// The same inspection stream in Stately's inspector protocol (@statelyai/inspect's WebSocket format): one JSON
// message per `@xstate.actor`, `@xstate.event` and `@xstate.snapshot`, with sessionId, rootId, parentId,
// sourceId and `_version`, so Stately's inspector can be pointed at fillstate. Actor ids serve as session ids.
// Only live actors and the most recent finished ones are announced, and each machine's definition travels once
// per client (with the first actor that runs it), not with every actor.
import type { AnyStateMachine } from 'xstate';
import type { Engine } from '../engine/engine.ts';
import type { BridgeSubscriber, RetainedEntry } from './bridge.ts';
import { INSPECTED_MACHINES } from './machines.ts';
import { actorRefOf, machineOf } from './nodes.ts';
import type { BatchMessage, NodeView, SnapshotMessage } from './protocol.ts';

/** The @statelyai/inspect protocol version these messages follow. */
export const STATELY_PROTOCOL_VERSION = '0.4.0';
const ROOT_ID = 'portfolio';

export interface StatelyActorEvent {
  readonly type: '@xstate.actor';
  readonly name: string;
  readonly sessionId: string;
  readonly parentId: string | undefined;
  readonly rootId: string;
  /** The machine's config as JSON: with the first actor of each machine only. */
  readonly definition: string | undefined;
  /** The machine id, so later actors are drawn with the definition sent before. */
  readonly machineId?: string;
  readonly snapshot: { readonly status: string; readonly value?: unknown; readonly context?: unknown };
  readonly createdAt: string;
  readonly id: string;
  readonly _version: string;
}

export interface StatelyEventEvent {
  readonly type: '@xstate.event';
  readonly event: Record<string, unknown>;
  /** The sending actor, or null when the sender is outside the system (the API, a strategy). */
  readonly sourceId: string | null;
  readonly sessionId: string;
  readonly rootId: string;
  readonly createdAt: string;
  readonly id: string;
  readonly _version: string;
}

export interface StatelySnapshotEvent {
  readonly type: '@xstate.snapshot';
  readonly event: Record<string, unknown>;
  readonly snapshot: { readonly status: string; readonly value: unknown; readonly context: unknown };
  readonly sessionId: string;
  readonly rootId: string;
  readonly createdAt: string;
  readonly id: string;
  readonly _version: string;
}

export type StatelyInspectionEvent = StatelyActorEvent | StatelyEventEvent | StatelySnapshotEvent;

const definitions = new Map<string, string>();

/** A machine's config as Stately reads it: JSON, with implementations replaced by their names. */
function definitionOf(machineId: string | undefined): string | undefined {
  if (machineId === undefined) return undefined;
  const cached = definitions.get(machineId);
  if (cached !== undefined) return cached;
  const machine: AnyStateMachine | undefined = INSPECTED_MACHINES[machineId]?.machine;
  if (machine === undefined) return undefined;
  const json = JSON.stringify(machine.config, (_key, value: unknown) => (typeof value === 'function' ? { type: (value as { type?: string }).type ?? value.name } : value));
  definitions.set(machineId, json);
  return json;
}

/** Finished actors announced to a new client besides the live ones. */
export const STATELY_RECENT_FINISHED = 100;

/** Sends the bridge's feed as Stately inspection events through `send` (one message each). */
export class StatelySubscriber implements BridgeSubscriber {
  private readonly announced = new Set<string>();
  private readonly parents = new Map<string, string | undefined>();
  private readonly definitionsSent = new Set<string>();

  /** `recent(limit)`: the most recently finished actors, newest first (the bridge's history). */
  constructor(
    private readonly engine: Engine,
    private readonly send: (message: string) => void,
    private readonly buffered: () => number,
    private readonly recent: (limit: number) => readonly NodeView[] = () => [],
  ) {}

  bufferedBytes(): number {
    return this.buffered();
  }

  snapshot(message: SnapshotMessage): void {
    this.announced.clear();
    // The recent past first, oldest to newest, then what is live: the inspector lists them in that order.
    const finished = [...this.recent(STATELY_RECENT_FINISHED)].reverse();
    for (const node of [...message.nodes, ...finished].sort((a, b) => (a.id === ROOT_ID ? -1 : b.id === ROOT_ID ? 1 : 0))) {
      this.parents.set(node.id, node.parent);
      this.announce(node.id, node, this.currentSnapshot(node.id, node));
    }
  }

  batch(message: BatchMessage, entries: readonly RetainedEntry[]): void {
    for (const node of message.nodes) this.parents.set(node.id, node.parent);
    const nodes = new Map(message.nodes.map((node) => [node.id, node]));
    for (const entry of entries) {
      // Domain events are fillstate's own vocabulary; Stately's log shows what each actor received.
      if (entry.kind !== 'received' || entry.snapshot === undefined) continue;
      if (!this.announced.has(entry.actorId)) {
        const node = nodes.get(entry.actorId);
        // An actor is announced with its node; one without (it changed no figure) is named by the bridge's entry.
        if (node !== undefined) this.announce(entry.actorId, node, entry.snapshot);
        else {
          const actor = this.actorOf(entry.actorId);
          const kind = actor === this.engine.portfolio ? 'portfolio' : (entry.snapshot.context as { clientOrderId?: unknown }).clientOrderId !== undefined ? 'order' : 'position';
          this.announce(entry.actorId, { kind, parent: this.parents.get(entry.actorId) }, entry.snapshot);
        }
      }
      const common = { sessionId: entry.actorId, rootId: ROOT_ID, createdAt: String(entry.at), _version: STATELY_PROTOCOL_VERSION };
      this.emit({ type: '@xstate.event', event: entry.event, sourceId: entry.sourceId ?? null, id: `${entry.sequence}.event`, ...common });
      this.emit({
        type: '@xstate.snapshot',
        event: entry.event,
        snapshot: { status: entry.snapshot.status, value: entry.snapshot.value, context: entry.snapshot.context },
        id: `${entry.sequence}.snapshot`,
        ...common,
      });
    }
  }

  resync(): void {
    // Stately's inspector has no re-sync: the snapshot that follows re-announces every actor.
  }

  private announce(actorId: string, node: Pick<NodeView, 'kind' | 'machine' | 'parent'>, snapshot: { status: string; value?: unknown; context?: unknown }): void {
    this.announced.add(actorId);
    const machineId = machineOf(node);
    const firstOfMachine = machineId !== undefined && !this.definitionsSent.has(machineId);
    if (firstOfMachine) this.definitionsSent.add(machineId);
    this.emit({
      type: '@xstate.actor',
      name: actorId,
      sessionId: actorId,
      parentId: actorId === ROOT_ID ? undefined : (node.parent ?? ROOT_ID),
      rootId: ROOT_ID,
      definition: firstOfMachine ? definitionOf(machineId) : undefined,
      ...(machineId === undefined ? {} : { machineId }),
      snapshot,
      createdAt: String(this.engine.clock.now()),
      id: `${actorId}.actor`,
      _version: STATELY_PROTOCOL_VERSION,
    });
  }

  private actorOf(actorId: string) {
    return actorRefOf(this.engine, actorId);
  }

  private currentSnapshot(actorId: string, node: NodeView): { status: string; value?: unknown; context?: unknown } {
    const actor = this.actorOf(actorId);
    if (actor === undefined) return { status: node.live ? 'active' : 'done', value: node.state };
    const snapshot = actor.getSnapshot() as { status: string; value: unknown; context: unknown };
    return { status: snapshot.status, value: snapshot.value, context: snapshot.context };
  }

  private emit(event: StatelyInspectionEvent): void {
    this.send(JSON.stringify(event));
  }
}
